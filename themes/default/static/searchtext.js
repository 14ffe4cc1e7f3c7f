// The merchants' full text (search/text/, written by builder/textindex.py): every merchant page whose texts hold
// each word of a query, in the order of their newest 投诉量 (most first; fewest first when sorted that way), read a
// range of ids at a time so that a phone fetches only what a page of results needs.
import { bigramsOf, fnv1a, searchKey } from "./searchcore.js";
import { MERCHANT, intersect, jsonFiles, passes } from "./searchlookup.js";

const root = new URL("../", import.meta.url);
const textBase = new URL("search/text/", root);
const EXCERPT_BEFORE = 14; // characters shown before the first hit, and after it
const EXCERPT_AFTER = 30;

const fetchText = jsonFiles(textBase);

// Ids from differences (the first from `start`).
function undelta(values, start = -1) {
  const ids = [];
  let last = start;
  for (const d of values || []) {
    last += d;
    ids.push(last);
  }
  return ids;
}

// What a query is found by: each word's characters (a word of one) or bigrams, and the chosen filters' keys.
function keysOf(words, filters, manifest) {
  const keys = new Set();
  for (const word of words) for (const key of (Array.from(word).length === 1 ? [word] : bigramsOf(word))) keys.add(key);
  for (const [name, prefix] of Object.entries(manifest.filters)) {
    if (filters[name]) keys.add(prefix + filters[name]);
  }
  return [...keys];
}

// The text of a record as search.js's `contains` checks it, and its excerpt around the first word found: parts of
// [text, hit] to draw (no HTML: the texts are the editors').
function excerptOf(texts, words) {
  for (const text of texts) {
    // search keys drop spaces and fold width and case: map each key character back to the text
    const key = [];
    const at = [];
    Array.from(text).forEach((char, i) => {
      for (const k of Array.from(searchKey(char))) {
        key.push(k);
        at.push(i);
      }
    });
    const chars = Array.from(text);
    const folded = key.join("");
    for (const word of words) {
      const found = folded.indexOf(word);
      if (found < 0) continue;
      const first = Array.from(folded.slice(0, found)).length;
      const start = at[first];
      const end = at[first + Array.from(word).length - 1] + 1;
      const from = Math.max(0, start - EXCERPT_BEFORE);
      const to = Math.min(chars.length, end + EXCERPT_AFTER);
      return [[(from > 0 ? "…" : "") + chars.slice(from, start).join(""), false], [chars.slice(start, end).join(""), true],
              [chars.slice(end, to).join("") + (to < chars.length ? "…" : ""), false]];
    }
  }
  const all = texts.join(" ");
  return [[all.length > EXCERPT_AFTER * 2 ? `${all.slice(0, EXCERPT_AFTER * 2)}…` : all, false]];
}

// One merchant as a result of the search page (the same fields as the lookup's merchants); null when it does not
// pass the filters (a frequent filter key is not read when the query's other keys are listed whole).
async function result(manifest, id, words, filters) {
  const block = (await fetchText(`r/${Math.floor(id / manifest.block)}.json`)) || [];
  const record = block[id % manifest.block];
  if (!record) return null;
  const texts = [record.d, record.c, ...record.t];
  const item = {
    url: new URL(record.u, root), title: record.n, district: record.d, period: record.l, complaints: record.x,
    resolved: record.r, kind: MERCHANT, excerptParts: excerptOf([texts.join(" · ")], words),
    text: searchKey(`${record.n} ${texts.join(" ")}`),
    filters: { kind: [MERCHANT], district: [record.d], category: [record.c], period: record.p },
  };
  return passes(item, filters) ? item : null;
}

// The merchants whose texts may hold every word of `query` and that pass `filters` (a word in the texts' keys, not
// checked as a whole yet): null when the index says none can, else a source of candidates in id order (reversed for
// `sort` ascending), `ids` those known so far and `more(count)` reading the next ones. Keys listed whole in their
// buckets give every candidate at once; frequent keys are read a range of ids at a time, and only the ranges that
// hold a candidate of the listed keys (湾区春: 区春 listed, 湾区 frequent). `bound`: at most how many candidates
// there are (Infinity while only frequent keys are known). `query` "" with filters: every merchant passing them.
export async function textSearch(query, filters, sort) {
  const manifest = await fetchText("manifest.json");
  if (!manifest) return null;
  if (filters.kind && filters.kind !== MERCHANT) return null;
  const words = (query || "").split(/\s+/).map(searchKey).filter(Boolean);
  const keys = keysOf(words, filters, manifest);
  const entries = await Promise.all(keys.map(async (key) => {
    const bucket = await fetchText(`b/${fnv1a(key) % manifest.buckets}.json`);
    return bucket && Object.prototype.hasOwnProperty.call(bucket, key) ? bucket[key] : null;
  }));
  if (entries.some((entry) => entry === null)) return null;
  const listed = entries.filter(Array.isArray).map((d) => undelta(d));
  const frequent = entries.filter((entry) => !Array.isArray(entry));
  const backwards = Boolean(sort && sort.complaints === "asc");
  const ranges = Math.ceil(manifest.merchants / manifest.range);
  const order = (ids) => (backwards ? ids.reverse() : ids);
  const known = listed.length ? intersect(listed) : null;
  const source = { manifest, words, filters, done: false, ids: [], range: backwards ? ranges - 1 : 0,
                   bound: known ? known.length : Infinity, results: new Map() };
  if (known && !frequent.length) {
    source.ids = order(known);
    source.done = true;
  }
  // The next candidates, at least `count` of them unless the index has no more.
  source.more = async (count) => {
    const found = [];
    while (!source.done && found.length < count) {
      const k = source.range;
      source.range += backwards ? -1 : 1;
      source.done = source.range < 0 || source.range >= ranges;
      const first = k * manifest.range;
      const last = Math.min(manifest.merchants, first + manifest.range);
      const inRange = known && known.filter((id) => id >= first && id < last);
      if (inRange && !inRange.length) continue; // no candidate here: no range file to read
      let ids = inRange || Array.from({ length: last - first }, (_, i) => first + i);
      if (frequent.length) {
        ids = intersect([ids, ...await Promise.all(frequent.map(async (entry) => undelta(
          await fetchText(`f/${entry.f}/${k}.json`), first - 1)))]);
      }
      found.push(...order(ids));
    }
    source.ids.push(...found);
    return found;
  };
  return source;
}

// Candidates of a source as the search page's results: { id, item() }, item() the result to show (null for an id
// the files do not hold), worked out once per source (the merchants' results are drawn early, then checked again
// with Pagefind's).
export function asResults(source, ids) {
  const item = (id) => {
    if (!source.results.has(id)) source.results.set(id, result(source.manifest, id, source.words, source.filters));
    return source.results.get(id);
  };
  return ids.map((id) => ({ id: `text:${id}`, item: () => item(id) }));
}
