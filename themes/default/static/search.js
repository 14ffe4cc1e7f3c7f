// gongshi search page. Our exact lookup of names and credit codes (searchlookup.js) answers first and is shown at
// once; the full-text results that really contain the query follow: the merchants' from our own full-text index
// (searchtext.js), the warnings' and other pages' from Pagefind, which runs with everything around it (its bundles'
// routes, its search, its results' data and their checking) in a worker of our own (searchpagefind.js in
// searchworker.js). A query that finds nothing is tried again with its meaningful shorter parts, and says so.
// Pagefind is loaded only when its bundles hold every bigram of each of the query's words (pagefind/routes/).
import { codeQuery, queryParts, searchKey, termsOf, wordsOf } from "./searchcore.js";
import { MERCHANT, fetchJSON, lookupBound, lookupWithSynonyms, passes } from "./searchlookup.js";
import { isMerged, pages } from "./searchside.js";
import { asResults, textSearch } from "./searchtext.js";

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

let serial = 0;
let shown = PAGE;
let state = null;

// ------------------------------------------------------------------------------------- Pagefind

// The bundles that may hold a query (searchpagefind.js: candidates).
function candidates(query) {
  return pages().call("candidates", query);
}

// The results of Pagefind's search `found` (searchpagefind.js: search, widen) as the search page's: { id, item() },
// item() the result to draw or null (a page that does not hold the query). The data of results not sent with the
// search are asked for together, one message per batch of results checked (`scanPagefind`).
function pageResults(found) {
  const ready = found.items || {};
  let batch = null;
  const item = (id) => {
    if (Object.prototype.hasOwnProperty.call(ready, id)) return Promise.resolve(ready[id]);
    if (!batch) {
      const ids = [];
      const asked = Promise.resolve().then(() => {
        batch = null;
        return pages().call("items", found.search, ids);
      });
      batch = { ids, asked };
    }
    const { ids, asked } = batch;
    ids.push(id);
    return asked.then((got) => got[ids.indexOf(id)]);
  };
  return found.results.map((id) => ({ id, item: () => item(id).then((got) => got && { ...got, url: new URL(got.url) }) }));
}

// Whether a state may still find results in bundles not merged yet, in ranges of the merchants' full text not read
// yet, or in a full text not searched yet.
function unread(s) {
  return s.later || Boolean(s.own && !s.own.done) || s.wanted.some((i) => !isMerged(i));
}

// More full-text results: the merchants' next candidates, else the query's next Pagefind bundles merged and searched
// again (results already seen are skipped by id).
async function widen(s) {
  if (s.own && !s.own.done) {
    s.pages.push(...asResults(s.own, await s.own.more(PAGE)));
    return true;
  }
  const found = await pages().call("widen", s.searched, s.filters, s.sort, s.wanted).catch(() => null);
  if (!found) return false;
  s.pages = s.pages.slice(0, s.next).concat(pageResults(found).filter((r) => !s.ids.has(r.id)));
  return true;
}

// A merchant is shown only when its text holds every term of the query (Pagefind's side checks its pages the same
// way before it sends them, searchpagefind.js: checked).
function contains(item, terms) {
  return terms.every((term) => item.text.includes(term));
}

// When the merged bundles give too few results, the query's next bundles are merged once per call (a first
// query loads the main bundle and at most MERGE_FIRST + MERGE_AT_ONCE shards, searchpagefind.js).
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
      if (!item || s.seen.has(item.url.pathname)) continue;
      // (Pagefind's results come checked, without their text: a page's whole text is not worth posting)
      if (item.text !== undefined && s.terms.length && !contains(item, s.terms)) continue;
      s.seen.add(item.url.pathname);
      s.items.push(item);
    }
  }
}

// Pagefind's search for `text` (a query, or "" for filters alone), with the data of its first `first` results:
// { wanted, results }, results null when its pages can have no result (searchpagefind.js: search) or Pagefind's side
// failed.
async function pagefindSearch(text, filters, sort, first) {
  const found = await pages().call("search", text, filters, sort, first).catch(() => null);
  if (!found) return { wanted: [], results: null };
  return { wanted: found.wanted, results: found.results && pageResults(found) };
}

// The full text's search for `text`: { wanted, results, own }, Pagefind's results (warnings and other pages) first,
// then the merchants' candidates from our own index (`own`, its source: when the query's keys are all frequent,
// ranges are read until a page of candidates is known); results null when neither can have a result. Pagefind's side
// sends the data of its first `first` results with its answer (a page of them unless said otherwise). With `drawn`,
// the merchants' source is given to `drawn(own)` as soon as it is known; Pagefind's side on the page's thread waits
// until that is done: loading Pagefind there (its code, its worker, the search) takes a phone's main thread ≈ 0.2 s
// of a page opened cold, which the merchants' results need to show. In our worker it starts at once.
function fullTextSearch(text, filters, sort, drawn = null, first = PAGE) {
  const ownSearch = textSearch(text, filters, sort).then(async (source) => {
    if (source && !source.done && source.ids.length < PAGE) await source.more(PAGE); // not waiting for Pagefind
    return source;
  }).catch(() => null);
  const early = drawn ? ownSearch.then(drawn).catch(() => {}) : Promise.resolve();
  const found = (pages().inWorker ? Promise.resolve() : early).then(() => pagefindSearch(text, filters, sort, first));
  return Promise.all([found, ownSearch]).then(([pagefind, own]) => {
    if (!own) return { ...pagefind, own: null };
    return { wanted: pagefind.wanted, own, results: [...(pagefind.results || []), ...asResults(own, own.ids)] };
  });
}

// The merchants' full-text results of a state, drawn as soon as they are checked, unless Pagefind has answered for
// the warnings by then: the final answer has them after Pagefind's results, so they are drawn as a state of their
// own, not kept, and not drawn once the final answer is being checked.
async function drawOwnFirst(s, own, mine) {
  if (!own || !own.ids.length || mine !== serial || s.done || s.pages.length) return;
  const early = { ...s, items: [...s.items], seen: new Set(s.seen), ids: new Set(), pages: asResults(own, own.ids),
                  next: 0, own: null, wanted: [] };
  await scanPagefind(early, shown);
  if (mine !== serial || s.done || s.pages.length || early.items.length === s.items.length) return;
  draw(early);
  await painted();
}

// After the next frame has been painted (Pagefind's loading on the page then does not hold back the results just
// drawn), or 100 ms at most: a page in a background tab paints no frame until it is shown.
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
           next: 0, terms: termsOf(query), scan: items.length ? PAGE : SCAN, synonyms: [],
           part: query === asked ? "" : query, done: false,
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
    const search = await fullTextSearch(word, filters, sort, null, 0); // (its pages' data only if it stands)
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
// the bundles the routes name, the search itself, its first results' data) starts with the full text in our worker,
// or once the merchants' results are drawn when it runs on the page. A credit code is answered by the lookup alone.
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
  const available = manifest ? manifest.filters : await pages().call("filters");
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
// Pagefind (≈ 170 KB of JS, wasm and index, and our worker to start) is warmed up as soon as an empty search
// page has settled, or at once when the visitor starts to search: a query then waits only for its own files (the
// total a first query costs is the same; a visitor who opens the page and never searches pays it too). A page
// opened with a query (search/?q=…, the home page's search box) has started our worker with the routes of its
// bigrams already (searchside.js), and starts its lookup at once, before the filters are filled (its search then
// finds their files fetched). Pagefind is loaded only when some bundle holds all of the query's bigrams: a query
// that no page holds (麒麟) or a credit code never loads it, and a credit code starts no worker.
function warm() {
  pages().call("warm").catch(() => null);
}
input.addEventListener("focus", warm, { once: true });
input.addEventListener("input", warm, { once: true });
if (initial) lookupWithSynonyms(initial, {}).catch(() => null); // (the filters only drop records: the same files)
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
