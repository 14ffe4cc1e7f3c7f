// The parts of the search that must compute exactly what builder/lookup.py computes (tests/test_lookup_parity.py
// runs both on the same inputs): the search key of a text, the bucket hash of a bigram, credit-code queries and
// the record format named by the lookup manifest's `keys` table; and what the page (search.js) and Pagefind's side
// (searchpagefind.js, in a worker) must both compute the same way: a query's terms and its words.

// Spaces (the same list as searchkey.py's SPACE, not the engine's own idea of \s), hyphens, underscores and dots.
const SPACE = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\-_·・]+/g;

// NFKC, lower case, without spaces or hyphens (searchkey.py: search_key).
export function searchKey(text) {
  return (text || "").normalize("NFKC").replace(SPACE, "").toLowerCase();
}

// 32-bit FNV-1a over UTF-16 code units (lookup.py: fnv1a).
export function fnv1a(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

// Every sequence of 2 characters (code points, as in Python; not UTF-16 units) of a search key, each once.
export function bigramsOf(norm) {
  const chars = Array.from(norm);
  return [...new Set(chars.slice(1).map((char, i) => chars[i] + char))];
}

// A search key that can be (the start of) a credit code, upper-cased; "" otherwise.
export function codeQuery(norm) {
  const code = norm.toUpperCase();
  return /^[0-9A-Z]{6,18}$/.test(code) && /[0-9]/.test(code) ? code : "";
}

// The terms a result's text must each hold to be shown for a query (search.js checks the merchants', Pagefind's side
// its pages'): a credit code whole, else each word typed, as a search key.
export function termsOf(query) {
  const code = codeQuery(searchKey(query));
  return code ? [code.toLowerCase()] : (query || "").split(/\s+/).map(searchKey).filter(Boolean);
}

// The words Pagefind splits a query into (it segments Chinese with the same Intl.Segmenter).
export function wordsOf(query) {
  if (typeof Intl.Segmenter !== "function") return query.split(/\s+/).filter(Boolean);
  const segmenter = new Intl.Segmenter("zh-CN", { granularity: "word" });
  return Array.from(segmenter.segment(query)).filter((s) => s.isWordLike).map((s) => s.segment);
}

// A stored record with the long field names of the manifest's `keys` table (lookup.py: RECORD_KEYS).
export function decodeRecord(stored, keys) {
  const record = {};
  for (const [name, key] of Object.entries(keys)) {
    if (key in stored) record[name] = stored[key];
  }
  return record;
}

// The words the site uses for an everyday word: the lookup manifest's `synonyms` table maps a word's search key
// to them (lookup.py: synonym_table, from content/taxonomy.yaml). [] for a word without synonyms.
export function synonymsOf(norm, table) {
  return table && Object.prototype.hasOwnProperty.call(table, norm) ? table[norm] : [];
}

// The shorter parts of a search key to try when it finds nothing: every run of 2 or more characters (code
// points), longest first, then from left to right, each once. None for a credit code or a key longer than
// `longest` characters.
export function queryParts(norm, longest = 12) {
  const chars = Array.from(norm);
  if (chars.length > longest || codeQuery(norm)) return [];
  const parts = [];
  for (let size = chars.length - 1; size >= 2; size--) {
    for (let start = 0; start + size <= chars.length; start++) parts.push(chars.slice(start, start + size).join(""));
  }
  return [...new Set(parts)];
}
