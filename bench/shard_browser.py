"""First-query cost of Pagefind shards merged in the browser (mergeIndex), in Chromium with the CPU throttled.

    .venv/bin/python bench/shard_browser.py /tmp/c100k --no-worker            # every shard merged at once
    .venv/bin/python bench/shard_browser.py /tmp/c100k --no-worker --routed --progressive 1
    .venv/bin/python bench/shard_browser.py /tmp/c10k --single                 # the one bundle public/pagefind/
    .venv/bin/python bench/shard_browser.py /tmp/c100k --throttle 4 --reps 5 --json r.json

Serves DIR/public with nginx under /gongshi/ (tests/browser/conftest.py) and, for each query, opens a fresh
browser context, loads Pagefind from the first bundle, merges the others (all at once, or B at a time until
10 results with --progressive B; only those the routing table of bench/shard_routes.py allows with --routed),
searches, and loads the first 10 results' data (what the search page shows). Reports the bytes of every
request that this caused (headers and bodies; the search page itself, search.js and the lookup are not
included) and the times, with Chromium's CPU slowed down by Emulation.setCPUThrottlingRate. Pagefind 1.5
searches in a Web Worker by default, which the throttling does not fully reach (the calibration figures show
it): --no-worker runs Pagefind on the page.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # tests/browser/conftest.py imports tests/nginxserver.py
QUERIES = ["牛肉面", "汽车维修", "青禾新区", "预付卡", "退还余额", "91990120MA", "麒麟"]
PAGE = '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>shards</title>' \
       '<link rel="icon" href="data:,"></head><body><p>shard test</p></body></html>'

RUN_JS = """
async ([bundles, query, filters, noWorker, batch]) => {
  // batch 0: merge every bundle, then search once. batch B: search the primary, then merge B more bundles
  // at a time and search again, until 10 results are found or every bundle is merged.
  const t0 = performance.now();
  const pf = await import(bundles[0] + "pagefind.js");
  await pf.options({ excerptLength: 30, ...(noWorker ? { noWorker: true } : {}) });
  await pf.init();
  let merged = 1;
  if (!batch) {
    await Promise.all(bundles.slice(1).map((b) => pf.mergeIndex(b)));
    merged = bundles.length;
  }
  const t1 = performance.now();
  let found = await pf.search(query, filters ? { filters } : {});
  while (batch && found.results.length < 10 && merged < bundles.length) {
    await Promise.all(bundles.slice(merged, merged + batch).map((b) => pf.mergeIndex(b)));
    merged = Math.min(bundles.length, merged + batch);
    found = await pf.search(query, filters ? { filters } : {});
  }
  const t2 = performance.now();
  const data = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  const t3 = performance.now();
  return { init_ms: t1 - t0, search_ms: t2 - t1, data_ms: t3 - t2, total_ms: t3 - t0, merged,
           query_ms: t3 - t1, results: found.results.length, first: data.map((d) => d.url).slice(0, 3) };
}
"""

ROUTED_JS = """
async ([bundles, query, filters, noWorker, batch]) => {
  // bundles[0] is the primary (pagefind.js, wasm, the pages that are not merchants); bundles[1..] the shards.
  // The routes table (bench/shard_routes.py) says which shards hold every bigram of the query's terms.
  const t0 = performance.now();
  const norm = (t) => t.normalize("NFKC").replace(/[\\s\\-_·・]+/g, "").toLowerCase();
  const fnv = (text) => { let h = 0x811c9dc5; for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; } return h >>> 0; };
  const routes = bundles[0] + "routes/";
  const manifest = await (await fetch(routes + "manifest.json")).json();
  const grams = new Set();
  for (const term of query.split(/\\s+/).map(norm).filter(Boolean)) {
    for (let i = 0; i + 2 <= term.length; i++) grams.add(term.slice(i, i + 2));
  }
  const ids = [...new Set([...grams].map((g) => fnv(g) % manifest.buckets))];
  const buckets = Object.fromEntries(await Promise.all(ids.map(async (n) =>
    [n, await (await fetch(routes + n + ".json")).json()])));
  let shards = bundles.slice(1).map((_, k) => k);
  for (const g of grams) {
    const mask = buckets[fnv(g) % manifest.buckets][g] || 0;
    shards = shards.filter((k) => Math.floor(mask / 2 ** k) % 2 === 1);
  }
  const tr = performance.now();
  if (grams.size && !shards.length) {
    return { init_ms: tr - t0, load_ms: 0, search_ms: 0, data_ms: 0, total_ms: tr - t0, query_ms: tr - t0, merged: 0,
             candidates: 0, results: 0, first: [] };
  }
  const pf = await import(bundles[0] + "pagefind.js");
  await pf.options({ excerptLength: 30, ...(noWorker ? { noWorker: true } : {}) });
  await pf.init();
  await pf.search("");  // the primary's wasm and meta are loaded by the first search
  const tl = performance.now();
  const todo = shards.map((k) => bundles[k + 1]);
  let merged = 0;
  const step = batch || todo.length;
  let found = { results: [] };
  while (merged < todo.length && found.results.length < 10) {
    await Promise.all(todo.slice(merged, merged + step).map((b) => pf.mergeIndex(b)));
    merged = Math.min(todo.length, merged + step);
    found = await pf.search(query, filters ? { filters } : {});
  }
  const t2 = performance.now();
  const data = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  const t3 = performance.now();
  return { init_ms: tr - t0, load_ms: tl - tr, search_ms: t2 - tl, data_ms: t3 - t2, total_ms: t3 - t0,
           query_ms: t3 - t0, merged, candidates: shards.length, results: found.results.length,
           first: data.map((d) => d.url).slice(0, 3) };
}
"""

CALIBRATE_JS = """
async () => {
  // The same busy loop 5 times in a worker and 5 times on the page; the fastest of each (least disturbed).
  const loop = "let x = 0; for (let i = 0; i < 3e7; i++) x += i % 7;";
  const body = "onmessage = () => { const t = performance.now(); " + loop + " postMessage(performance.now() - t); }";
  const worker = new Worker(URL.createObjectURL(new Blob([body], { type: "text/javascript" })));
  const times = { worker_ms: [], page_ms: [] };
  for (let k = 0; k < 5; k++) {
    times.worker_ms.push(await new Promise((ok) => { worker.onmessage = (e) => ok(e.data); worker.postMessage(0); }));
    const t = performance.now(); let x = 0; for (let i = 0; i < 3e7; i++) x += i % 7;
    times.page_ms.push(performance.now() - t);
  }
  worker.terminate();
  return { worker_ms: Math.min(...times.worker_ms), page_ms: Math.min(...times.page_ms) };
}
"""


def _fixtures() -> Any:
    """tests/browser/conftest.py, loaded by path (nginx and Chromium settings)."""
    spec = importlib.util.spec_from_file_location("browser_conftest", REPO / "tests" / "browser" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bundles(public: Path, single: bool, routed: bool) -> list[str]:
    """Bundle paths under /gongshi/, the primary first."""
    if single:
        return ["/gongshi/pagefind/"]
    shards = sorted(p.name for p in (public / "pagefind" / "shards").iterdir() if p.is_dir())
    return ["/gongshi/pagefind/"] * routed + [f"/gongshi/pagefind/shards/{name}/" for name in shards]


def fresh_page(browser: Any, base: str, throttle: float) -> tuple[Any, Any, list[Any]]:
    """A new context and page on the test page, throttled; returns (context, page, finished requests)."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(base + "shardtest.html")
    page.wait_for_load_state("networkidle")
    finished.clear()
    if throttle != 1:
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    return context, page, finished


def transferred(requests: list[Any]) -> tuple[int, int]:
    """(bytes with headers, request count) of finished requests."""
    sizes = [r.sizes() for r in requests]
    return sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes), len(sizes)


def one_query(browser: Any, base: str, paths: list[str], query: str, filters: dict[str, str] | None,
              throttle: float, no_worker: bool, batch: int, routed: bool) -> dict[str, Any]:
    """A first query in a fresh context: times, bytes, results."""
    context, page, finished = fresh_page(browser, base, throttle)
    try:
        result = page.evaluate(ROUTED_JS if routed else RUN_JS, [paths, query, filters, no_worker, batch])
        page.wait_for_load_state("networkidle")
        result["bytes"], result["requests"] = transferred(finished)
        return result
    finally:
        context.close()


def calibrate(browser: Any, base: str, throttle: float) -> dict[str, float]:
    """A fixed busy loop on the page and in a worker, unthrottled and throttled."""
    out = {}
    for rate in (1, throttle):
        context, page, _ = fresh_page(browser, base, rate)
        try:
            timing = page.evaluate(CALIBRATE_JS)
        finally:
            context.close()
        out |= {f"{k}_x{rate:g}": round(v) for k, v in timing.items()}
    return out


def run(corpus: Path, single: bool, throttle: float, reps: int, no_worker: bool,
        queries: list[str], batch: int, routed: bool) -> dict[str, Any]:
    """Serve the corpus and measure every query reps times."""
    from playwright.sync_api import sync_playwright

    fixtures = _fixtures()
    public = corpus / "public"
    paths = bundles(public, single, routed)
    (public / "shardtest.html").write_text(PAGE, "utf-8")
    nginx = fixtures.find_nginx()
    if nginx is None:
        raise SystemExit("nginx is not installed (./scripts/setup --test)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="shard-nginx-") as run_dir:
        server = fixtures.NginxServer(nginx, public, Path(run_dir))
        base = server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=fixtures.CHROMIUM, args=fixtures.ARGS)
                calibration = calibrate(browser, base, throttle)
                cases = [(q, None) for q in queries] + [("牛肉面", {"district": "青禾新区"})]
                for query, filters in cases:
                    runs = [one_query(browser, base, paths, query, filters, throttle, no_worker, batch, routed)
                            for _ in range(reps)]
                    med = {k: round(statistics.median(r[k] for r in runs))
                           for k in ("init_ms", "query_ms", "total_ms", "bytes", "requests", "merged")}
                    if routed:
                        med["candidates"] = runs[0]["candidates"]
                        for key in ("load_ms", "search_ms", "data_ms"):
                            med[key] = round(statistics.median(r.get(key, 0) for r in runs))
                    rows.append({"query": query, "filters": filters, "results": runs[0]["results"], **med,
                                 "first": runs[0]["first"]})
                    print(f"  {query}{' ' + json.dumps(filters, ensure_ascii=False) if filters else ''}: "
                          f"{med['bytes'] / 1024:.0f} KB in {med['requests']} requests, init {med['init_ms']} ms, "
                          f"query→10 results {med['query_ms']} ms, {runs[0]['results']} results, "
                          f"{med['merged']} bundles",
                          file=sys.stderr, flush=True)
                browser.close()
        finally:
            server.stop()
            (public / "shardtest.html").unlink(missing_ok=True)
    return {"bundles": len(paths), "throttle": throttle, "no_worker": no_worker, "batch": batch, "routed": routed,
            "calibration": calibration,
            "queries": rows}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path, help="a corpus folder with public/ (bench/shards.py corpus + index)")
    parser.add_argument("--single", action="store_true", help="search public/pagefind/ (one bundle)")
    parser.add_argument("--throttle", type=float, default=4, help="CPU slow-down factor (default 4)")
    parser.add_argument("--reps", type=int, default=3, help="fresh contexts per query; medians (default 3)")
    parser.add_argument("--no-worker", action="store_true", help="run Pagefind on the page, not in its worker")
    parser.add_argument("--query", action="append", help="queries (default: a fixed set of seven)")
    parser.add_argument("--routed", action="store_true",
                        help="load only the shards that routes/ says can hold the query (bench/shard_routes.py)")
    parser.add_argument("--progressive", type=int, default=0, metavar="B",
                        help="merge B bundles at a time until 10 results are found (default 0: all at once)")
    parser.add_argument("--json", type=Path, help="append the figures to this JSON-lines file")
    args = parser.parse_args(argv)
    result = run(args.dir, args.single, args.throttle, args.reps, args.no_worker, args.query or QUERIES,
                 args.progressive, args.routed)
    text = json.dumps(result, ensure_ascii=False)
    print(text)
    if args.json:
        with open(args.json, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
