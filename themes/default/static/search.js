// gongshi search page: our exact lookup of names and credit codes (search/lookup/, written by
// builder/lookup.py) first, then Pagefind's full-text results that really contain the query.
import { bigramsOf, codeQuery, decodeRecord, fnv1a, searchKey } from "./searchcore.js";

const root = new URL("../", import.meta.url);
const bundle = new URL("pagefind/", root);
const lookupBase = new URL("search/lookup/", root);
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const results = document.getElementById("search-results");
const status = document.getElementById("search-status");
const filterBox = document.getElementById("search-filters");
const selects = Array.from(document.querySelectorAll("select[data-filter]"));
const sortSelect = document.getElementById("search-sort");
const PAGE = 10;
const SCAN = 50; // Pagefind results checked per page of results shown
const MAX_CODES = 20; // codes taken from a short code prefix
const MERCHANT = "经营者";

let pagefind = null;
let serial = 0;
let shown = PAGE;
let state = null;

// ---------------------------------------------------------------------------------------- lookup

const cache = new Map();
function fetchJSON(path) {
  if (!cache.has(path)) {
    cache.set(path, fetch(new URL(path, lookupBase)).then((r) => (r.ok ? r.json() : null)).catch(() => null));
  }
  return cache.get(path);
}

async function postings(manifest, grams) {
  const lists = [];
  for (const gram of grams) {
    const bucket = await fetchJSON(`b/${fnv1a(gram) % manifest.buckets}.json`);
    lists.push(bucket && bucket[gram] ? bucket[gram] : []);
  }
  lists.sort((a, b) => a.length - b.length);
  let ids = lists[0];
  for (const list of lists.slice(1)) {
    const keep = new Set(list);
    ids = ids.filter((id) => keep.has(id));
  }
  return ids;
}

// The code files that can hold codes starting with `code`: from the last file whose first code sorts before
// the prefix, up to the file whose first code no longer starts with it.
async function codeIds(manifest, code) {
  const firsts = manifest.codes;
  let lo = 0;
  let hi = firsts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (firsts[mid] < code) lo = mid + 1;
    else hi = mid;
  }
  const ids = [];
  for (let n = Math.max(0, lo - 1); n < firsts.length && n <= lo + 1 && ids.length < MAX_CODES; n++) {
    if (n >= lo && !firsts[n].startsWith(code)) break;
    for (const [full, id] of (await fetchJSON(`c/${n}.json`)) || []) {
      if (full.startsWith(code)) ids.push(id);
    }
  }
  return ids;
}

// Lower is better: exact name or code, code prefix, name prefix, name fragment, district or category.
function rank(record, norm, code) {
  if (record.type === "w") {
    const title = searchKey(record.name);
    const tags = record.tags.map(searchKey);
    const sub = title.includes(norm) ? 0 : 1;
    if (title === norm || tags.includes(norm)) return [0, sub];
    if (title.includes(norm)) return [2, 0];
    if (tags.some((tag) => tag.includes(norm))) return [4, 0];
    return null;
  }
  const name = searchKey(record.name);
  const place = searchKey(record.district);
  const category = searchKey(record.category);
  const credit = record.code || "";
  if ((code && credit === code) || name === norm) return [0, 0];
  if (code && credit.startsWith(code)) return [1, 0];
  if (name.startsWith(norm)) return [2, 0];
  if (name.includes(norm)) return [3, 0];
  if (place === norm || category === norm) return [4, 0];
  if (place.includes(norm) || category.includes(norm)) return [5, 0];
  return null;
}

// The records whose name, district, category, code, title or tags contain the query; null when the query
// is too short or too common for the lookup to narrow it.
async function lookup(query) {
  const manifest = await fetchJSON("manifest.json");
  const norm = searchKey(query);
  if (!manifest || norm.length < 2) return null;
  const code = codeQuery(norm);
  const frequent = new Set(manifest.frequent);
  const grams = bigramsOf(norm);
  const rare = grams.filter((g) => !frequent.has(g));
  let ids = [];
  let broad = false;
  if (code) broad = true;
  else if (rare.length) ids = await postings(manifest, rare.slice(0, 4));
  else broad = true;
  if (code.length >= manifest.codePrefix) ids = (await codeIds(manifest, code)).slice(0, MAX_CODES).concat(ids);
  if (broad && !ids.length) return null;
  // At most the manifest's cap of records are fetched: a bigram on more records is not listed at all.
  ids = [...new Set(ids)].slice(0, manifest.cap);
  const blocks = new Map();
  for (const id of ids) {
    const block = Math.floor(id / manifest.block);
    if (!blocks.has(block)) blocks.set(block, fetchJSON(`r/${block}.json`));
  }
  const found = [];
  for (const id of ids) {
    const stored = ((await blocks.get(Math.floor(id / manifest.block))) || [])[id % manifest.block];
    const record = stored && decodeRecord(stored, manifest.keys);
    const place = record && rank(record, norm, code);
    if (place) found.push({ record, key: [...place, record.name.length, id], periods: manifest.periods });
  }
  found.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return a.key[i] - b.key[i];
    return 0;
  });
  return found.map(({ record, periods }) => itemOfRecord(record, periods));
}

function itemOfRecord(record, periods) {
  const url = new URL(record.url, root);
  if (record.type === "w") {
    return { url, title: record.name, kind: record.kind, date: record.date, filters: { kind: [record.kind] },
             excerpt: record.tags.join("、") };
  }
  return {
    url, title: record.name, district: record.district, period: record.period, complaints: record.complaints,
    resolved: record.resolved, kind: MERCHANT, excerpt: [record.category, record.code].filter(Boolean).join(" · "),
    filters: { kind: [MERCHANT], district: [record.district], category: [record.category],
               period: record.periods.map((i) => periods[i]) },
  };
}

function passes(item, filters) {
  return Object.entries(filters).every(([key, value]) => (item.filters[key] || []).includes(value));
}

// ------------------------------------------------------------------------------------- Pagefind

async function load() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind.js", bundle).href);
    await pagefind.options({ excerptLength: 30 });
    await pagefind.init();
  }
  return pagefind;
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

// Pagefind drops query words that match nothing and matches word prefixes: keep a page only when its text
// holds every word of the query.
function contains(item, terms) {
  return terms.every((term) => item.text.includes(term));
}

async function scanPagefind(target) {
  const s = state;
  let scanned = 0;
  while (s.items.length < target && s.next < s.pages.length && scanned < s.scan) {
    const batch = s.pages.slice(s.next, s.next + PAGE);
    s.next += batch.length;
    scanned += batch.length;
    for (const data of await Promise.all(batch.map((r) => r.data()))) {
      const item = itemOfPage(data);
      if (s.seen.has(item.url.pathname) || (s.terms.length && !contains(item, s.terms))) continue;
      s.seen.add(item.url.pathname);
      s.items.push(item);
    }
  }
}

// ----------------------------------------------------------------------------------------- UI

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

// The filter values come with the lookup's manifest: asking Pagefind for them would load every filter file.
async function fillFilters() {
  const manifest = await fetchJSON("manifest.json");
  const available = manifest ? manifest.filters : await (await load()).filters();
  // Warm Pagefind up (≈ 170 KB of JS, wasm and index) only once the visitor starts to search, so that
  // opening the page on a phone costs the page and the lookup's manifest alone.
  const warm = () => load().catch(() => null);
  input.addEventListener("focus", warm, { once: true });
  input.addEventListener("input", warm, { once: true });
  for (const select of selects) {
    const values = [].concat(manifest ? available[select.dataset.filter] || [] : Object.keys(available[select.dataset.filter] || {}));
    values.sort((a, b) => a.localeCompare(b, "zh-CN"));
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
  filterBox.hidden = false;
}

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
  if (item.excerptHTML) {
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

async function start(query, filters, sort) {
  const pf = await load().catch(() => null); // without a Pagefind bundle (gongshi build --no-search): the lookup alone
  const norm = searchKey(query);
  const code = codeQuery(norm);
  const terms = code ? [code.toLowerCase()] : query.split(/\s+/).map(searchKey).filter(Boolean);
  const [found, search] = await Promise.all([
    query ? lookup(query) : null,
    pf ? pf.search(code || query || null, { filters, sort }) : null,
  ]);
  const items = (found || []).filter((item) => passes(item, filters));
  return { items: sort ? byComplaints(items, sort.complaints) : items, seen: new Set(items.map((i) => i.url.pathname)),
           pages: search ? search.results : [], next: 0, terms, scan: items.length ? PAGE : SCAN };
}

async function run(more = false) {
  const query = input.value.trim();
  const filters = currentFilters();
  const sort = currentSort();
  const mine = ++serial;
  const params = new URLSearchParams();
  if (query) params.set("q", query);
  for (const [key, value] of Object.entries(filters)) params.set(key, value);
  if (sortSelect.value) params.set("sort", sortSelect.value);
  history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
  if (!query && !Object.keys(filters).length) {
    state = null;
    results.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = "正在搜索…";
  results.setAttribute("aria-busy", "true");
  if (!more || !state) {
    const fresh = await start(query, filters, sort);
    if (mine !== serial) return;
    state = fresh;
  }
  await scanPagefind(shown);
  if (mine !== serial) return;
  let items = state.items;
  if (sort) items = byComplaints(items, sort.complaints);
  results.replaceChildren(...items.slice(0, shown).map(renderItem));
  results.setAttribute("aria-busy", "false");
  const open = state.next < state.pages.length;
  const total = state.terms.length ? items.length : state.pages.length;
  status.textContent = total
    ? `找到 ${total} 条结果${open && state.terms.length ? "（还有未核对的全文结果）" : ""}`
    : open ? "前面的结果都不含这个词，可点“继续查找”。" : "没有找到相关结果，请换一个词试试。";
  if (items.length > shown || open) {
    const button = element("button", "more", items.length > shown || !state.terms.length ? "显示更多结果" : "继续查找");
    button.type = "button";
    button.addEventListener("click", () => { shown += PAGE; run(true); });
    const li = element("li", "more-item");
    li.appendChild(button);
    results.appendChild(li);
  }
}

let timer = 0;
input.addEventListener("input", () => { clearTimeout(timer); shown = PAGE; timer = setTimeout(run, 250); });
form.addEventListener("submit", (event) => { event.preventDefault(); clearTimeout(timer); shown = PAGE; run(); });
for (const select of [...selects, sortSelect]) select.addEventListener("change", () => { shown = PAGE; run(); });

const initial = new URLSearchParams(location.search).get("q");
if (initial) input.value = initial;
fillFilters().then(() => run()).catch((error) => {
  status.textContent = "搜索暂不可用，请使用经营者名录查找。";
  console.error(error);
});
