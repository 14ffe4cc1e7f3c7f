// gongshi search page: Pagefind's JS API with a small UI of our own (Chinese labels, filters, sorting).
const bundle = new URL("../pagefind/", import.meta.url);
const form = document.getElementById("search-form");
const input = document.getElementById("search-input");
const results = document.getElementById("search-results");
const status = document.getElementById("search-status");
const filterBox = document.getElementById("search-filters");
const selects = Array.from(document.querySelectorAll("select[data-filter]"));
const sortSelect = document.getElementById("search-sort");
const PAGE = 10;

let pagefind = null;
let serial = 0;
let shown = PAGE;

async function load() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind.js", bundle).href);
    await pagefind.options({ excerptLength: 30 });
    await pagefind.init();
  }
  return pagefind;
}

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

async function fillFilters() {
  const pf = await load();
  const available = await pf.filters();
  for (const select of selects) {
    const values = Object.keys(available[select.dataset.filter] || {}).sort((a, b) => a.localeCompare(b, "zh-CN"));
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

function renderItem(data) {
  const li = element("li");
  const link = element("a", "result-title", data.meta.title || data.url);
  link.href = data.url;
  li.appendChild(link);
  const meta = data.meta;
  const facts = [];
  if (meta.district) facts.push(meta.district);
  if (meta.period) facts.push(meta.period);
  if (meta.complaints !== undefined) facts.push(`投诉量 ${meta.complaints}`);
  if (meta.resolved !== undefined) facts.push(`办结量 ${meta.resolved}`);
  if (meta.kind) facts.push(meta.kind);
  if (meta.date) facts.push(meta.date);
  if (facts.length) li.appendChild(element("div", "meta", facts.join(" · ")));
  const excerpt = element("div", "excerpt");
  // Pagefind's excerpt is escaped text with <mark> around hits; rebuild it without innerHTML.
  for (const part of (data.excerpt || "").split(/(<mark>.*?<\/mark>)/)) {
    if (part.startsWith("<mark>")) excerpt.appendChild(element("mark", "", decode(part.slice(6, -7))));
    else if (part) excerpt.appendChild(document.createTextNode(decode(part)));
  }
  li.appendChild(excerpt);
  return li;
}

function decode(text) {
  const area = document.createElement("textarea");
  area.innerHTML = text;
  return area.value;
}

async function run() {
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
    results.replaceChildren();
    status.textContent = "";
    return;
  }
  status.textContent = "正在搜索…";
  const pf = await load();
  const search = await pf.search(query || null, { filters, sort });
  if (mine !== serial) return;
  const found = search ? search.results : [];
  const items = await Promise.all(found.slice(0, shown).map((r) => r.data()));
  if (mine !== serial) return;
  results.replaceChildren(...items.map(renderItem));
  status.textContent = found.length ? `找到 ${found.length} 条结果` : "没有找到相关结果，请换一个词试试。";
  if (found.length > shown) {
    const more = element("button", "more", "显示更多结果");
    more.type = "button";
    more.addEventListener("click", () => { shown += PAGE; run(); });
    const li = element("li", "more-item");
    li.appendChild(more);
    results.appendChild(li);
  }
}

let timer = 0;
input.addEventListener("input", () => { clearTimeout(timer); shown = PAGE; timer = setTimeout(run, 250); });
form.addEventListener("submit", (event) => { event.preventDefault(); shown = PAGE; run(); });
for (const select of [...selects, sortSelect]) select.addEventListener("change", () => { shown = PAGE; run(); });

const initial = new URLSearchParams(location.search).get("q");
if (initial) input.value = initial;
fillFilters().then(run).catch((error) => {
  status.textContent = "搜索暂不可用，请使用经营者名录查找。";
  console.error(error);
});
