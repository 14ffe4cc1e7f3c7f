// gongshi search page. Our exact lookup of names and credit codes (searchlookup.js) answers first and is shown at
// once; the full-text results that really contain the query follow: the merchants' from our own full-text index
// (searchtext.js), the warnings' and other pages' from Pagefind once it has loaded. A query that finds nothing is
// tried again with its meaningful shorter parts, and says so. Pagefind is loaded only when its bundles hold every
// bigram of each of the query's words (pagefind/routes/).
import { bigramsOf, codeQuery, fnv1a, queryParts, searchKey } from "./searchcore.js";
import { MERCHANT, fetchJSON, lookupBound, lookupWithSynonyms, passes } from "./searchlookup.js";
import { asResults, textSearch } from "./searchtext.js";

const root = new URL("../", import.meta.url);
const bundleRoot = new URL("pagefind/", root);
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const results = document.getElementById("search-results");
const status = document.getElementById("search-status");
const empty = document.getElementById("search-empty");
const filterBox = document.getElementById("search-filters");
const panel = document.getElementById("search-filter-panel");
const panelCount = document.getElementById("search-filter-count");
const selects = Array.from(document.querySelectorAll("select[data-filter]"));
const sortSelect = document.getElementById("search-sort");
const PAGE = 10;
const SCAN = 50; // full-text results checked per page of results shown
const WIDE = window.matchMedia("(min-width: 40rem)");

let bundles = []; // the Pagefind bundles (pagefind/bundles.json): the builder writes one, the warnings' (main/)
let routeFiles = 0; // how many pagefind/routes/<n>.json files map each character and bigram to the bundles holding it
const merged = new Map(); // index of each bundle merged into the search so far → its mergeIndex promise
// Bundles merged before a query's first results show, and then each time its results run out (with the one bundle
// the builder writes, it is merged when Pagefind loads; the routes still decide whether Pagefind is loaded at all).
const MERGE_FIRST = 1;
const MERGE_AT_ONCE = 2;
let serial = 0;
let shown = PAGE;
let state = null;

// ------------------------------------------------------------------------------------- Pagefind

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
      await pf.init();
      merged.set(0, Promise.resolve());
      return pf;
    })();
    loading.catch(() => { loading = null; });
  }
  return loading;
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
async function candidates(query) {
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

// Pagefind's results for `text` over `wanted`, the bundles that may hold it (`candidates`; the first few merged
// now), with those bundles; results null when none of them is merged.
async function searchShards(pf, text, wanted, filters, sort) {
  await mergeSome(pf, wanted, MERGE_FIRST);
  if (!wanted.some((i) => merged.has(i))) return { wanted, results: null };
  const search = await pf.search(text || null, { filters, sort });
  return { wanted, results: search ? search.results : [] };
}

// Whether a state may still find results in bundles not merged yet, in ranges of the merchants' full text not read
// yet, or in a full text not searched yet.
function unread(s) {
  return s.later || Boolean(s.own && !s.own.done) || s.wanted.some((i) => !merged.has(i));
}

// More full-text results: the merchants' next candidates, else the query's next Pagefind bundles merged and searched
// again (results already seen are skipped by id).
async function widen(s) {
  if (s.own && !s.own.done) {
    s.pages.push(...asResults(s.own, await s.own.more(PAGE)));
    return true;
  }
  const pf = await load().catch(() => null);
  if (!pf || !(await mergeSome(pf, s.wanted, MERGE_AT_ONCE))) return false;
  const search = await pf.search(s.searched || null, { filters: s.filters, sort: s.sort });
  s.pages = s.pages.slice(0, s.next).concat(search ? search.results.filter((r) => !s.ids.has(r.id)).map(pageResult) : []);
  return true;
}

// A Pagefind result as the search page's: { id, item() }.
function pageResult(r) {
  return { id: r.id, item: async () => itemOfPage(await r.data()) };
}

function itemOfPage(data) {
  const meta = data.meta || {};
  return {
    url: new URL(data.url, location.href), title: meta.title || data.url, district: meta.district, period: meta.period,
    complaints: meta.complaints === undefined ? undefined : Number(meta.complaints), resolved: meta.resolved,
    kind: ((data.filters || {}).kind || [""])[0], date: meta.date, excerptHTML: data.excerpt || "",
    text: searchKey(`${meta.title || ""} ${data.content || ""}`),
  };
}

// The words Pagefind splits a query into (it segments Chinese with the same Intl.Segmenter).
function wordsOf(query) {
  if (typeof Intl.Segmenter !== "function") return query.split(/\s+/).filter(Boolean);
  const segmenter = new Intl.Segmenter("zh-CN", { granularity: "word" });
  return Array.from(segmenter.segment(query)).filter((s) => s.isWordLike).map((s) => s.segment);
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

// Pagefind matches word prefixes: keep a page only when its text holds every word of the query.
function contains(item, terms) {
  return terms.every((term) => item.text.includes(term));
}

// When the merged bundles give too few results, the query's next bundles are merged once per call (a first
// query loads the main bundle and at most MERGE_FIRST + MERGE_AT_ONCE shards).
async function scanPagefind(s, target) {
  let scanned = 0;
  let widened = false;
  while (s.items.length < target && scanned < s.scan) {
    if (s.next >= s.pages.length) {
      if (widened || s.searched === null || !(await widen(s))) break;
      widened = true;
      continue;
    }
    const batch = s.pages.slice(s.next, s.next + PAGE);
    s.next += batch.length;
    scanned += batch.length;
    for (const r of batch) s.ids.add(r.id);
    for (const item of await Promise.all(batch.map((r) => r.item()))) {
      if (!item || s.seen.has(item.url.pathname) || (s.terms.length && !contains(item, s.terms))) continue;
      s.seen.add(item.url.pathname);
      s.items.push(item);
    }
  }
}

// Pagefind's search for `text` (a query, or "" for filters alone): { wanted, results }, results null when its
// pages can have no result: no bundle holds all its bigrams (Pagefind is then not even loaded), Pagefind dropped a
// word of the query, or there is no Pagefind bundle (gongshi build --no-search).
async function pagefindSearch(text, filters, sort) {
  const wanted = await candidates(text);
  if (!wanted.length) return { wanted, results: null };
  const pf = await load().catch(() => null);
  if (!pf) return { wanted: [], results: null };
  const found = await searchShards(pf, text, wanted, filters, sort);
  if (found.results !== null && text && await dropsAWord(pf, found.wanted, text)) found.results = null;
  return found;
}

// The full text's search for `text`: { wanted, results, own }, Pagefind's results (warnings and other pages) first,
// then the merchants' candidates from our own index (`own`, its source: when the query's keys are all frequent,
// ranges are read until a page of candidates is known); results null when neither can have a result. With `first`,
// Pagefind waits until `first(own)` is done with the merchants' source: loading it (its code, its worker, the
// search) takes a phone's main thread ≈ 0.2 s of a page opened cold, which the merchants' results need to show.
function fullTextSearch(text, filters, sort, first = null) {
  const ownSearch = textSearch(text, filters, sort).then(async (source) => {
    if (source && !source.done && source.ids.length < PAGE) await source.more(PAGE); // not waiting for Pagefind
    return source;
  }).catch(() => null);
  const before = first ? ownSearch.then(first).catch(() => {}) : Promise.resolve();
  const found = before.then(() => pagefindSearch(text, filters, sort));
  return Promise.all([found, ownSearch]).then(([pages, own]) => {
    if (!own) return { ...pages, results: pages.results && pages.results.map(pageResult), own: null };
    return { wanted: pages.wanted, own, results: [...(pages.results || []).map(pageResult), ...asResults(own, own.ids)] };
  });
}

// The merchants' full-text results of a state, drawn as soon as they are checked, before Pagefind is loaded for the
// warnings: the final answer has them after Pagefind's results, so they are drawn as a state of their own, not kept,
// and not drawn once the final answer is being checked.
async function drawOwnFirst(s, own, mine) {
  if (!own || !own.ids.length || mine !== serial || s.done || s.pages.length) return;
  const early = { ...s, items: [...s.items], seen: new Set(s.seen), ids: new Set(), pages: asResults(own, own.ids),
                  next: 0, own: null, wanted: [] };
  await scanPagefind(early, shown);
  if (mine !== serial || s.done || s.pages.length || early.items.length === s.items.length) return;
  draw(early);
  await painted();
}

// After the next frame has been painted (Pagefind's loading then does not hold back the results just drawn), or
// 100 ms at most: a page in a background tab paints no frame until it is shown.
function painted() {
  return new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 100);
  });
}

// A state's full-text results from a search started with fullTextSearch, checked up to what is shown.
async function fullText(s, search) {
  const { wanted, results, own } = await search;
  s.wanted = wanted;
  s.own = own;
  if (results !== null) {
    s.pages = results;
    s.searched = s.code || s.query || "";
  }
  await scanPagefind(s, shown);
}

// --------------------------------------------------------------------------------- the answer

// What one search knows: `asked` is the visitor's query, `query` what was searched (the query or a part of it).
function newState(asked, query, filters, sort, items) {
  const code = codeQuery(searchKey(query));
  return { asked, query, filters, sort, code, items, seen: new Set(items.map((i) => i.url.pathname)), pages: [],
           next: 0, terms: code ? [code.toLowerCase()] : query.split(/\s+/).map(searchKey).filter(Boolean),
           scan: items.length ? PAGE : SCAN, synonyms: [], part: query === asked ? "" : query, done: false,
           wanted: [], own: null, ids: new Set(), searched: null, later: false };
}

// More than this many results for a part means the part is too common to stand for the query (青禾, 有限公司).
function commonLimit(manifest) {
  return Math.max(10, Math.floor(((manifest && manifest.records) || 0) / 4));
}

// The longest part of the query the lookup finds a few results for (健身房 → 健身), as a state to show.
async function partByLookup(query, filters, sort) {
  const manifest = await fetchJSON("manifest.json");
  for (const part of queryParts(searchKey(query))) {
    const found = await lookupWithSynonyms(part, filters);
    if (found.items.length && found.items.length <= commonLimit(manifest)) {
      return { ...newState(query, part, filters, sort, found.items), synonyms: found.synonyms };
    }
  }
  return null;
}

// The longest word of the query that the full text finds a few pages for, when the lookup knew no part.
async function partByFullText(query, filters, sort) {
  const manifest = await fetchJSON("manifest.json");
  const whole = searchKey(query);
  // A word of two characters or more other than the whole needs three (麒麟 has none): no segmenter to start,
  // ≈ 60 ms of a cold page on a phone (CPU ÷4).
  if (Array.from(whole).length < 3) return null;
  const words = wordsOf(query).filter((w) => Array.from(searchKey(w)).length >= 2 && searchKey(w) !== whole);
  words.sort((a, b) => Array.from(b).length - Array.from(a).length);
  for (const word of words) {
    const search = await fullTextSearch(word, filters, sort);
    // a word whose merchants' keys are all frequent (read a range at a time) is too common to stand for the query
    if (!search.results || !search.results.length || (search.own && search.own.bound > commonLimit(manifest))
        || search.results.length > commonLimit(manifest)) continue;
    const s = newState(query, word, filters, sort, []);
    await fullText(s, Promise.resolve(search));
    if (s.items.length) return s;
  }
  return null;
}

// One search from the start: the lookup's answer is drawn as soon as it is known, then the merchants' full-text
// results, then the full text's final answer with Pagefind's. The routes of the query's bigrams are fetched beside
// the lookup, and so is the merchants' full text, unless the lookup's buckets say it may fill the first page of
// results: the full text's results come after the lookup's, so a page the lookup fills (星物: 59 records) shows the
// same results without it, and the full text is then searched when 显示更多 needs it (`later`). Pagefind (its code,
// the bundles the routes name, the search itself) is loaded once the merchants' results are drawn. A credit code
// is answered by the lookup alone.
async function answer(query, filters, sort, mine) {
  const code = codeQuery(searchKey(query));
  const routed = code ? null : candidates(query);
  if (routed) routed.catch(() => {}); // (awaited below unless a newer query comes first)
  let search = null;
  let lookedUp = null;
  const drawn = new Promise((resolve) => { lookedUp = resolve; }); // the state, once the lookup's answer is drawn
  const startFullText = () => {
    if (!search) search = fullTextSearch(query, filters, sort, async (own) => drawOwnFirst(await drawn, own, mine));
    return search;
  };
  if (!code) {
    (query ? lookupBound(query) : Promise.resolve(0))
      .then((bound) => { if (bound < shown && mine === serial) startFullText().catch(() => {}); })
      .catch(() => {});
  }
  const found = query ? await lookupWithSynonyms(query, filters) : { items: [], synonyms: [] };
  if (mine !== serial) return;
  const s = { ...newState(query, query, filters, sort, found.items), synonyms: found.synonyms };
  state = s;
  if (!code && s.items.length < shown) startFullText().catch(() => {});
  let partial = null;
  if (s.items.length) draw(s);
  else if (query) {
    partial = await partByLookup(query, filters, sort);
    if (mine !== serial) return;
    draw(partial || s);
  }
  lookedUp(s);
  if (s.code) {
    // Every credit code is in the lookup, which has answered; Pagefind cuts codes into pieces that match most
    // merchant pages, so asking it would only cost a phone a few hundred KB.
    s.done = true;
    draw(s);
    return;
  }
  if (!search) {
    // The lookup filled the first page: whether the full text may add more (至少, 显示更多) is known from the routes
    // and the merchants' full-text buckets.
    s.wanted = await routed;
    const own = await textSearch(query, filters, sort).catch(() => null);
    if (mine !== serial) return;
    s.later = s.wanted.length > 0 || own !== null;
    s.done = true;
    draw(s);
    return;
  }
  await fullText(s, search);
  if (mine !== serial) return;
  if (!s.items.length && query) {
    partial = partial || await partByFullText(query, filters, sort);
    if (mine !== serial) return;
    if (partial) {
      // A part the lookup found also gets its own full-text results, like any query.
      if (!partial.pages.length) {
        await fullText(partial, fullTextSearch(partial.code || partial.query, filters, sort));
      }
      if (mine !== serial) return;
      state = partial;
      partial.done = true;
      draw(partial);
      return;
    }
  }
  s.done = true;
  draw(s);
}

// --------------------------------------------------------------------------------------- drawing

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function decode(text) {
  const area = document.createElement("textarea");
  area.innerHTML = text;
  return area.value;
}

function renderItem(item) {
  const li = element("li");
  const link = element("a", "result-title", item.title);
  link.href = item.url.href;
  li.appendChild(link);
  const facts = [];
  if (item.kind && item.kind !== MERCHANT) facts.push(item.kind);
  if (item.district) facts.push(item.district);
  if (item.period) facts.push(`最近公示期 ${item.period}`);
  if (item.complaints !== undefined) facts.push(`投诉量 ${item.complaints}`);
  if (item.resolved !== undefined) facts.push(`办结量 ${item.resolved}`);
  if (item.date) facts.push(item.date);
  if (facts.length) li.appendChild(element("div", "meta", facts.join(" · ")));
  const excerpt = element("div", "excerpt");
  if (item.excerptParts) {
    for (const [text, hit] of item.excerptParts) excerpt.appendChild(hit ? element("mark", "", text) : document.createTextNode(text));
  } else if (item.excerptHTML) {
    // Pagefind's excerpt is escaped text with <mark> around hits; rebuild it without innerHTML.
    for (const part of item.excerptHTML.split(/(<mark>.*?<\/mark>)/)) {
      if (part.startsWith("<mark>")) excerpt.appendChild(element("mark", "", decode(part.slice(6, -7))));
      else if (part) excerpt.appendChild(document.createTextNode(decode(part)));
    }
  } else if (item.excerpt) {
    excerpt.textContent = item.excerpt;
  }
  li.appendChild(excerpt);
  return li;
}

function byComplaints(items, direction) {
  const sign = direction === "desc" ? -1 : 1;
  return items.filter((item) => item.complaints !== undefined)
    .map((item, i) => [item, i])
    .sort((a, b) => sign * (a[0].complaints - b[0].complaints) || a[1] - b[1])
    .map(([item]) => item);
}

// What the status line says about a state; final once the full text has been checked. When Pagefind has results
// that were not checked yet (they are checked a page at a time), the count is a lower bound: 至少.
function describe(s, items) {
  const open = s.next < s.pages.length || unread(s);
  const count = `${open && s.done ? "至少 " : " "}${items.length} 条结果`;
  const also = s.synonyms.length ? `（含同义词${s.synonyms.map((w) => `“${w}”`).join("、")}的结果）` : "";
  if (s.part) {
    return s.done ? `没有找到“${s.asked}”，以下是“${s.part}”的结果${also}`
      : `正在查找“${s.asked}”的全文；以下是“${s.part}”的结果${also}`;
  }
  if (!items.length && !s.done) return s.asked ? "正在查找全文…" : "正在搜索…";
  if (!items.length) return s.asked ? `没有找到“${s.asked}”的相关结果` : "没有符合这些筛选条件的结果";
  return s.done ? `找到${count}${also}` : `找到${count}${also}，正在查找全文…`;
}

function draw(s) {
  const items = s.sort ? byComplaints(s.items, s.sort.complaints) : s.items;
  results.replaceChildren(...items.slice(0, shown).map(renderItem));
  results.setAttribute("aria-busy", s.done ? "false" : "true");
  status.textContent = describe(s, items);
  empty.hidden = !(s.done && !items.length);
  if (s.done && (items.length > shown || s.next < s.pages.length || unread(s))) {
    const button = element("button", "more", "显示更多结果");
    button.type = "button";
    button.addEventListener("click", () => { shown += PAGE; more(); });
    const li = element("li", "more-item");
    li.appendChild(button);
    results.appendChild(li);
  }
}

// The next page of results: Pagefind's next results are checked until a page is full.
async function more() {
  const s = state;
  const mine = ++serial;
  s.done = false;
  s.scan = SCAN;
  draw(s);
  if (s.later && s.items.length < shown) {
    // The full text, not searched yet: searched now, and checked as far as this page needs (as `answer` does).
    s.later = false;
    await fullText(s, fullTextSearch(s.code || s.query, s.filters, s.sort));
  } else {
    await scanPagefind(s, shown);
  }
  if (mine !== serial) return;
  s.done = true;
  draw(s);
}

// ----------------------------------------------------------------------------------------- filters

function currentFilters() {
  const filters = {};
  for (const select of selects) {
    if (select.value) filters[select.dataset.filter] = select.value;
  }
  return filters;
}

function currentSort() {
  const value = sortSelect.value;
  if (!value) return undefined;
  return { complaints: value.endsWith("desc") ? "desc" : "asc" };
}

// The filter panel is open on a wide screen; on a phone it folds behind 筛选 (saying how many are chosen),
// so that the first result is on the first screen.
function showChosen() {
  const chosen = selects.filter((s) => s.value).length + (sortSelect.value ? 1 : 0);
  panelCount.textContent = chosen ? `（已选 ${chosen} 项）` : "";
}

// The filter values come with the lookup's manifest: asking Pagefind for them would load every filter file.
async function fillFilters() {
  const manifest = await fetchJSON("manifest.json");
  const available = manifest ? manifest.filters : await (await load()).filters();
  for (const select of selects) {
    const key = select.dataset.filter;
    const values = [].concat(manifest ? available[key] || [] : Object.keys(available[key] || {}));
    // The manifest lists periods newest first and the rest by pinyin (builder/lookup.py): sorting them here
    // would load a zh-CN collator, ≈ 100 ms of a page opened cold on a phone (CPU ÷4). Pagefind's do need it.
    if (!manifest && key === "period") values.sort((a, b) => b.localeCompare(a, "zh-CN", { numeric: true }));
    else if (!manifest) values.sort((a, b) => a.localeCompare(b, "zh-CN"));
    for (const value of values) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      select.appendChild(option);
    }
  }
  const params = new URLSearchParams(location.search);
  for (const select of selects) {
    const wanted = params.get(select.dataset.filter);
    if (wanted) select.value = wanted;
  }
  if (params.get("sort")) sortSelect.value = params.get("sort");
  showChosen();
  panel.open = WIDE.matches;
  WIDE.addEventListener("change", () => { panel.open = WIDE.matches; });
  panel.hidden = false;
  filterBox.hidden = false;
}

// ------------------------------------------------------------------------------------------ input

function run() {
  const query = input.value.trim();
  const filters = currentFilters();
  const sort = currentSort();
  const mine = ++serial;
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [key, value] of Object.entries(filters)) params.set(key, value);
  if (sortSelect.value) params.set("sort", sortSelect.value);
  history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
  showChosen();
  if (!query && !Object.keys(filters).length) {
    state = null;
    results.replaceChildren();
    results.setAttribute("aria-busy", "false");
    status.textContent = "";
    empty.hidden = true;
    return Promise.resolve();
  }
  status.textContent = "正在搜索…";
  results.setAttribute("aria-busy", "true");
  empty.hidden = true;
  return answer(query, filters, sort, mine);
}

let timer = 0;
input.addEventListener("input", () => { clearTimeout(timer); shown = PAGE; timer = setTimeout(run, 250); });
form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); shown = PAGE; run(); });
for (const select of [...selects, sortSelect]) select.addEventListener("change", () => { shown = PAGE; run(); });

const initial = new URLSearchParams(location.search).get("q");
if (initial) input.value = initial;
// Pagefind (≈ 170 KB of JS, wasm and index, and a Web Worker to start) is warmed up as soon as an empty search
// page has settled, or at once when the visitor starts to search: a query then waits only for its own files (the
// total a first query costs is the same; a visitor who opens the page and never searches pays it too). A page
// opened with a query (search/?q=…, the home page's search box) starts its lookup and the routes of its bigrams
// at once, before the filters are filled (its search then finds their files fetched); its search loads Pagefind
// only when some bundle holds all of the query's bigrams, after the merchants' results are drawn (`fullTextSearch`),
// and not while the lookup's buckets say it may fill the first page of results: a query the lookup answers (星物, a
// credit code) or that no page holds (麒麟) never loads Pagefind.
function warm() {
  load().catch(() => null);
}
input.addEventListener("focus", warm, { once: true });
input.addEventListener("input", warm, { once: true });
if (initial) {
  lookupWithSynonyms(initial, {}).catch(() => null); // (the filters only drop records: the same files)
  if (!codeQuery(searchKey(initial))) candidates(initial).catch(() => null);
}
fillFilters().then(() => {
  const started = run();
  if (!initial) {
    if (typeof requestIdleCallback === "function") requestIdleCallback(warm, { timeout: 1000 });
    else setTimeout(warm, 0);
  }
  return started;
}).catch((error) => {
  status.textContent = "搜索暂不可用，请使用经营者名录查找。";
  empty.hidden = false;
  console.error(error);
});
