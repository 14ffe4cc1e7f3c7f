// The parts of the search that must compute exactly what builder/lookup.py computes (tests/test_lookup_parity.py
// runs both on the same inputs): the search key of a text, the bucket hash of a bigram, credit-code queries and
// the record format named by the lookup manifest's `keys` table.

// NFKC, lower case, without spaces or hyphens (lookup.py: search_key).
export function searchKey(text) {
  return (text || "").normalize("NFKC").replace(/[\s\-_·・]+/g, "").toLowerCase();
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

// Every 2-character sequence of a search key, each once, in order of appearance.
export function bigramsOf(norm) {
  return [...new Set(Array.from({ length: Math.max(0, norm.length - 1) }, (_, i) => norm.slice(i, i + 2)))];
}

// A search key that can be (the start of) a credit code, upper-cased; "" otherwise.
export function codeQuery(norm) {
  const code = norm.toUpperCase();
  return /^[0-9A-Z]{6,18}$/.test(code) && /[0-9]/.test(code) ? code : "";
}

// A stored record with the long field names of the manifest's `keys` table (lookup.py: RECORD_KEYS).
export function decodeRecord(stored, keys) {
  const record = {};
  for (const [name, key] of Object.entries(keys)) {
    if (key in stored) record[name] = stored[key];
  }
  return record;
}
