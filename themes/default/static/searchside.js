// Pagefind's side of the search (searchpagefind.js) as the search page asks it: `pages().call(op, ...args)` answers
// as that module's function `op` does. It runs in a module worker of our own (searchworker.js): loading Pagefind, its
// WebAssembly, its search and its results' data took a phone's main thread ≈ 0.2 s of a page opened cold, where the
// merchants' results need it (bench/SCALE_NOTES.md §6.2–6.6, 6.9, 6.11). Where a worker cannot be started (no module
// workers, or a policy that forbids them), the same module runs on the page, as Pagefind's own code did before.
//
// A page opened with a query (search/?q=…) starts the worker when this module is evaluated (before search.js, which
// imports it), with the routes of the query's bigrams: a worker's start takes a few turns of the page's busy main
// thread (≈ 0.15–0.25 s from its creation to its first answer on a phone's cold page), and what is asked of it
// meanwhile waits in its queue without one. Pagefind itself is loaded only when the query's full text is searched
// (search.js: answer). A credit code (answered by the lookup alone) starts no worker.
import { codeQuery, searchKey } from "./searchcore.js";

let merged = new Set(); // the Pagefind bundles merged into the search so far (as Pagefind's side last said)
let side = null;

// Whether bundle `i` is merged into Pagefind's search (search.js: whether a query may find more in the others).
export function isMerged(i) {
  return merged.has(i);
}

// Pagefind's side, started on first use: { inWorker, call(op, ...args) }.
export function pages() {
  if (!side) {
    try {
      side = workerSide();
    } catch {
      side = pageSide();
    }
  }
  return side;
}

// Pagefind's side on the page's own thread (Pagefind then starts its own worker for its WebAssembly).
function pageSide() {
  const module = import("./searchpagefind.js");
  return {
    inWorker: false,
    call: async (op, ...args) => {
      const found = await module;
      try {
        return await found[op](...args);
      } finally {
        merged = new Set(found.mergedBundles());
      }
    },
  };
}

// Pagefind's side in our worker. Should the worker fail to start (its script refused, or not run as a module where
// module workers are unknown), what was asked of it and everything after is asked of the page's side instead.
function workerSide() {
  const worker = new Worker(new URL("searchworker.js", import.meta.url), { type: "module" });
  const pending = new Map(); // id of each message → { op, args, resolve, reject }
  let count = 0;
  let fallback = null;
  worker.addEventListener("message", ({ data }) => {
    const asked = pending.get(data.id);
    if (!asked) return;
    pending.delete(data.id);
    merged = new Set(data.merged);
    if ("error" in data) asked.reject(new Error(data.error));
    else asked.resolve(data.value);
  });
  worker.addEventListener("error", (event) => {
    event.preventDefault();
    worker.terminate();
    fallback = pageSide();
    merged = new Set();
    for (const { op, args, resolve } of pending.values()) resolve(fallback.call(op, ...args));
    pending.clear();
    client.inWorker = false;
  });
  const client = {
    inWorker: true,
    call: (op, ...args) => {
      if (fallback) return fallback.call(op, ...args);
      return new Promise((resolve, reject) => {
        const id = ++count;
        pending.set(id, { op, args, resolve, reject });
        worker.postMessage({ id, op, args });
      });
    },
  };
  // Pagefind searches in the page's language, which a worker cannot read (searchpagefind.js: initIn).
  client.call("useLanguage", document.documentElement.lang || "").catch(() => {});
  return client;
}

const initial = new URLSearchParams(location.search).get("q");
if (initial && !codeQuery(searchKey(initial))) pages().call("candidates", initial).catch(() => null);
