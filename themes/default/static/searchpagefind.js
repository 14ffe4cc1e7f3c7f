// Pagefind's side of the search page (the warnings and other pages; the merchants have searchlookup.js and
// searchtext.js): which bundles may hold a query (pagefind/bundles.json and routes/), Pagefind's code, its bundles
// merged, its search, and its results' data fetched and checked, as plain results ready to draw. It runs in the search
// page's own worker (searchworker.js), so that none of it takes the page's main thread, which a phone's cold page
// has none of to spare (bench/SCALE_NOTES.md §6.11); where no worker can be started, search.js imports it on the
// page. Pagefind itself needs no worker of its own in a worker: it then runs its WebAssembly in the same thread.
import { bigramsOf, fnv1a, searchKey, termsOf, wordsOf } from "./searchcore.js";

const bundleRoot = new URL("../pagefind/", import.meta.url);
// Bundles merged before a query's first results show, and then each time its results run out (with the one bundle
// the builder writes, it is merged when Pagefind loads; the routes still decide whether Pagefind is loaded at all).
const MERGE_FIRST = 1;
const MERGE_AT_ONCE = 2;
const KEPT_SEARCHES = 16; // searches whose results' data can still be asked for (`items`)

let bundles = []; // the Pagefind bundles (pagefind/bundles.json): the builder writes one, the warnings' (main/)
let routeFiles = 0; // how many pagefind/routes/<n>.json files map each character and bigram to the bundles holding it
const merged = new Map(); // index of each bundle merged into the search so far → its mergeIndex promise
const searches = new Map(); // number of a search → its results by id (each result's data has that search's excerpt)
let searchCount = 0;
let language = null; // the page's <html lang>, told to a worker (`useLanguage`)

// The language Pagefind is to search in, when this runs in a worker.
export function useLanguage(lang) {
  language = lang;
}

// The indices of the bundles merged so far (search.js: whether a query may find more in bundles not merged yet).
export function mergedBundles() {
  return [...merged.keys()];
}

// The list of bundles and the number of routes files (pagefind/bundles.json, a few bytes), fetched once.
let listing = null;
function bundleList() {
  if (!listing) {
    listing = fetch(new URL("bundles.json", bundleRoot)).then((r) => (r.ok ? r.json() : null)).catch(() => null)
      .then((listed) => {
        bundles = ((listed && listed.bundles) || []).map((name) => new URL(name, bundleRoot));
        routeFiles = (listed && listed.routes) || 0;
        return bundles;
      });
  }
  return listing;
}

// Pagefind 1.5 takes the language it searches in (which decides whether a Chinese query is cut into words) from the
// page's <html lang> alone (pagefind.js: detectLanguage, read once, when its instance is made by `init`); a worker has
// no document, and Pagefind would search in "unknown", without cutting words. So in a worker a stand-in document
// answers that one synchronous read, and is gone again before anything else runs.
function initIn(pf) {
  if (typeof document !== "undefined" || !language) return pf.init();
  const lang = language;
  globalThis.document = { querySelector: (selector) => (selector === "html"
    ? { getAttribute: (name) => (name === "lang" ? lang : null) } : null) };
  try {
    return pf.init();
  } finally {
    delete globalThis.document;
  }
}

// The first bundle holds Pagefind's code and the warnings (builder/search.py); Pagefind is loaded only when a query
// needs it (builder/searchroutes.py): a bundle none of whose pages holds one of a query word's bigrams cannot give a
// result that passes `contains` below. Pagefind is loaded once (a failed load is tried again by the next query).
let loading = null;
function load() {
  if (!loading) {
    loading = (async () => {
      if (!(await bundleList()).length) throw new Error("no search bundles");
      const pf = await import(new URL("pagefind.js", bundles[0]).href);
      await pf.options({ excerptLength: 30 });
      await initIn(pf);
      merged.set(0, Promise.resolve());
      return pf;
    })();
    loading.catch(() => { loading = null; });
  }
  return loading;
}

// Pagefind loaded ahead of a query (an empty search page that has settled, a visitor starting to type).
export async function warm() {
  await load().catch(() => null);
}

// Pagefind's filter values, for a site without the lookup's manifest.
export async function filters() {
  return (await load()).filters();
}

const routes = new Map();
function routeFile(n) {
  if (!routes.has(n)) {
    routes.set(n, fetch(new URL(`routes/${n}.json`, bundleRoot)).then((r) => (r.ok ? r.json() : null)).catch(() => null));
  }
  return routes.get(n);
}

// What a query is routed by: for each of its words (as `contains` checks them), every bigram, or the word itself when
// it is one character. A page whose text holds the word holds all of them.
function routeKeys(query) {
  const keys = new Set();
  for (const term of (query || "").split(/\s+/).map(searchKey).filter(Boolean)) {
    for (const key of (Array.from(term).length === 1 ? [term] : bigramsOf(term))) keys.add(key);
  }
  return [...keys];
}

// The bundles that hold every key of the query (all of them for an empty query, or without routes). The routes files
// of all its keys are fetched at once.
export async function candidates(query) {
  await bundleList();
  const all = bundles.map((_, i) => i);
  const keys = routeKeys(query);
  if (!keys.length || !routeFiles) return all;
  const tables = await Promise.all(keys.map((key) => routeFile(fnv1a(key) % routeFiles)));
  let mask = (1n << BigInt(bundles.length)) - 1n;
  keys.forEach((key, i) => {
    const table = tables[i] || {};
    mask &= table[key] ? BigInt(`0x${table[key]}`) : 0n;
  });
  return all.filter((i) => (mask >> BigInt(i)) & 1n);
}

// Merge the next `count` of the wanted bundles (and wait for every wanted one being merged); how many were new.
async function mergeSome(pf, wanted, count) {
  const next = wanted.filter((i) => !merged.has(i)).slice(0, count);
  for (const i of next) merged.set(i, pf.mergeIndex(bundles[i].href));
  await Promise.all(wanted.filter((i) => merged.has(i)).map((i) => merged.get(i)));
  return next.length;
}

// Pagefind drops a query word that matches no page and answers with the others: the whole query then has no
// full-text result, and none of those pages needs to be fetched and checked.
async function dropsAWord(pf, wanted, query) {
  const words = wordsOf(query);
  // A word missing from the merged bundles may be in the others.
  if (words.length < 2 || wanted.some((i) => !merged.has(i))) return false;
  const counts = await Promise.all(words.map(async (word) => (await pf.search(word)).results.length));
  return counts.includes(0);
}

// A search's results kept by id, for their data to be asked for later; its number.
function keep(text, results) {
  const n = ++searchCount;
  searches.set(n, { terms: termsOf(text || ""), byId: new Map(results.map((r) => [r.id, r])) });
  for (const old of searches.keys()) {
    if (searches.size <= KEPT_SEARCHES) break;
    searches.delete(old);
  }
  return n;
}

// A page's data as a result of the search page (search.js draws it; `url` an address, as a worker posts it).
function itemOfPage(data) {
  const meta = data.meta || {};
  return {
    url: new URL(data.url, bundleRoot).href, title: meta.title || data.url, district: meta.district,
    period: meta.period, complaints: meta.complaints === undefined ? undefined : Number(meta.complaints),
    resolved: meta.resolved, kind: ((data.filters || {}).kind || [""])[0], date: meta.date,
    excerptHTML: data.excerpt || "",
  };
}

// Pagefind matches word prefixes: a page is a result only when its text holds every word of the query (its terms,
// as search.js checks the merchants' results). null for a page that does not.
async function checked(result, terms) {
  const data = await result.data();
  const text = searchKey(`${(data.meta || {}).title || ""} ${data.content || ""}`);
  return terms.every((term) => text.includes(term)) ? itemOfPage(data) : null;
}

// The data of results of search `n`, checked (null for a result that is not one, or that search forgotten).
export async function items(n, ids) {
  const found = searches.get(n);
  return Promise.all(ids.map((id) => (found && found.byId.has(id) ? checked(found.byId.get(id), found.terms) : null)));
}

// Pagefind's search for `text` (a query, or "" for filters alone) with the data of its first `first` results:
// { search, wanted, results, items }, `wanted` the bundles that may hold it, `results` the ids of its results in
// Pagefind's order and `items` the first ones' results to draw by id. `results` null when its pages can have no
// result: no bundle holds all its bigrams (Pagefind is then not even loaded), Pagefind dropped a word of the query,
// none of the bundles is merged, or there is no Pagefind bundle (gongshi build --no-search; `wanted` then empty).
export async function search(text, filters, sort, first) {
  const wanted = await candidates(text);
  if (!wanted.length) return { wanted, results: null };
  const pf = await load().catch(() => null);
  if (!pf) return { wanted: [], results: null };
  await mergeSome(pf, wanted, MERGE_FIRST);
  if (!wanted.some((i) => merged.has(i))) return { wanted, results: null };
  const found = await pf.search(text || null, { filters, sort });
  if (text && await dropsAWord(pf, wanted, text)) return { wanted, results: null };
  const results = found ? found.results : [];
  const n = keep(text, results);
  const shown = results.slice(0, first).map((r) => r.id);
  const drawn = await items(n, shown);
  return { search: n, wanted, results: results.map((r) => r.id), items: Object.fromEntries(shown.map((id, i) => [id, drawn[i]])) };
}

// More of a query's results once its merged bundles' ran out: its next bundles merged and searched again ({ search,
// results } as `search` gives, without items), or null when every bundle it wants was merged already.
export async function widen(text, filters, sort, wanted) {
  const pf = await load().catch(() => null);
  if (!pf || !(await mergeSome(pf, wanted, MERGE_AT_ONCE))) return null;
  const found = await pf.search(text || null, { filters, sort });
  const results = found ? found.results : [];
  return { search: keep(text, results), results: results.map((r) => r.id) };
}
