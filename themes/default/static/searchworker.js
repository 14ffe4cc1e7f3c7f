// The search page's worker (a module worker started by search.js): Pagefind's side of a search (searchpagefind.js)
// answered off the page's main thread. Each message is { id, op, args }; each answer { id, value } or { id, error },
// with the bundles merged so far.
import { candidates, filters, items, mergedBundles, search, useLanguage, warm, widen } from "./searchpagefind.js";

const OPS = { candidates, filters, items, search, useLanguage, warm, widen };

addEventListener("message", async ({ data }) => {
  const { id, op, args } = data;
  try {
    if (!Object.prototype.hasOwnProperty.call(OPS, op)) throw new Error(`no such operation: ${op}`);
    const value = await OPS[op](...args);
    postMessage({ id, value, merged: mergedBundles() });
  } catch (error) {
    postMessage({ id, error: String((error && error.message) || error), merged: mergedBundles() });
  }
});
