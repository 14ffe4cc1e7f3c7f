// The search lookup (search/lookup/, written by builder/lookup.py): merchants and warnings found by any fragment of
// a name, district, category, title or tag, and by credit-code prefixes, from small static JSON files.
import { bigramsOf, codeQuery, decodeRecord, fnv1a, searchKey, synonymsOf } from "./searchcore.js";

const root = new URL("../", import.meta.url);
const lookupBase = new URL("search/lookup/", root);
const MAX_CODES = 20; // codes taken from a short code prefix
export const MERCHANT = "经营者";

// A function that fetches the JSON files under `base`, each once (null for a file that is missing or not JSON).
export function jsonFiles(base) {
  const cache = new Map();
  return (path) => {
    if (!cache.has(path)) {
      cache.set(path, fetch(new URL(path, base)).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return cache.get(path);
  };
}

// A lookup file, fetched once.
export const fetchJSON = jsonFiles(lookupBase);

// The ids in every one of these lists (each in ascending order), in that order.
export function intersect(lists) {
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let ids = sorted[0];
  for (const list of sorted.slice(1)) {
    const keep = new Set(list);
    ids = ids.filter((id) => keep.has(id));
  }
  return ids;
}

async function postings(manifest, grams) {
  return intersect(await Promise.all(grams.map(async (gram) => {
    const bucket = await fetchJSON(`b/${fnv1a(gram) % manifest.buckets}.json`);
    return bucket && bucket[gram] ? bucket[gram] : [];
  })));
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

// The records the lookup's bigram buckets name for a normalised query; null when it is too common for the lookup to
// narrow: its bigrams all frequent, or (a large site lists bigrams on more records than the cap, to be intersected)
// the records its bigrams leave still more than the cap.
async function bigramIds(manifest, norm) {
  const frequent = new Set(manifest.frequent);
  const rare = bigramsOf(norm).filter((g) => !frequent.has(g));
  if (!rare.length) return null;
  const ids = await postings(manifest, rare.slice(0, 4));
  return ids.length > manifest.cap ? null : ids;
}

// The records whose name, district, category, code, title or tags contain the query; null when the query
// is too short or too common for the lookup to narrow it.
async function lookup(query) {
  const manifest = await fetchJSON("manifest.json");
  const norm = searchKey(query);
  if (!manifest || norm.length < 2) return null;
  const code = codeQuery(norm);
  const named = code ? null : await bigramIds(manifest, norm);
  let ids = named || [];
  const broad = !named;
  if (code.length >= manifest.codePrefix) ids = (await codeIds(manifest, code)).slice(0, MAX_CODES).concat(ids);
  if (broad && !ids.length) return null;
  // At most the manifest's cap of records are fetched.
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

// At most how many records the lookup can answer `query` with, known from its bigram buckets before any record is
// fetched (the same files lookup() fetches): 0 when it will answer nothing, Infinity when the buckets alone do not
// bound it (words typed apart, synonyms, a credit code).
export async function lookupBound(query) {
  const manifest = await fetchJSON("manifest.json");
  const norm = searchKey(query);
  if (!manifest || norm.length < 2) return 0;
  if (/\s/.test(query.trim()) || codeQuery(norm) || synonymsOf(norm, manifest.synonyms).length) return Infinity;
  const ids = await bigramIds(manifest, norm);
  return ids ? ids.length : 0;
}

// Words typed apart (汽修 云溪) are looked up one by one: a record must hold each of them (a word too common to
// narrow anything is left out); null when no word narrows anything.
async function lookupWords(query) {
  const words = query.split(/\s+/).filter(Boolean);
  if (words.length < 2 || codeQuery(searchKey(query))) return lookup(query); // a code typed in groups is one code
  const answers = (await Promise.all(words.map(lookup))).filter((found) => found !== null);
  if (!answers.length) return null;
  const inAll = answers.slice(1).map((found) => new Set(found.map((item) => item.url.pathname)));
  return answers[0].filter((item) => inAll.every((urls) => urls.has(item.url.pathname)));
}

// The lookup's answer for a query and for the words the editors' synonyms give it (the query's own first),
// with the synonyms that added something.
export async function lookupWithSynonyms(query, filters) {
  const manifest = await fetchJSON("manifest.json");
  const words = [query, ...synonymsOf(searchKey(query), manifest && manifest.synonyms)];
  const answers = await Promise.all(words.map(lookupWords));
  const items = [];
  const seen = new Set();
  const synonyms = [];
  let narrowed = false;
  answers.forEach((found, i) => {
    narrowed = narrowed || found !== null;
    const before = items.length;
    for (const item of found || []) {
      if (passes(item, filters) && !seen.has(item.url.pathname)) {
        seen.add(item.url.pathname);
        items.push(item);
      }
    }
    if (i > 0 && items.length > before) synonyms.push(words[i]);
  });
  return { items, synonyms, narrowed };
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

// Whether a result passes the chosen filters.
export function passes(item, filters) {
  return Object.entries(filters).every(([key, value]) => (item.filters[key] || []).includes(value));
}
