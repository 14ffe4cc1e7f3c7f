"""Search quality and first-query bytes in Chromium against a generated site served by nginx under /gongshi/.

    .venv/bin/python bench/search_quality.py 10000            # generate, build, measure (temp folder)
    .venv/bin/python bench/search_quality.py --site OUT --queries Q.json   # an existing build
    .venv/bin/python bench/search_quality.py --sample         # the repository's sample and tests/search_queries.json
    .venv/bin/python bench/search_quality.py --site OUT --queries Q.json --first-only --repeat 3 --throttle 4
                                                              # first queries only, typed and opened cold, medians
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO / "tests")]

from generate import generate_site  # noqa: E402

from searchquality import (  # noqa: E402
    first_query_bytes,
    generated_queries,
    load_queries,
    open_search_page,
    opened_query,
    run_queries,
    score,
)


def _browser_fixtures() -> Any:
    """tests/browser/conftest.py (nginx and Chromium helpers), loaded by path."""
    spec = importlib.util.spec_from_file_location("browser_conftest", REPO / "tests" / "browser" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FIXTURES = _browser_fixtures()
ARGS, CHROMIUM, NginxServer, find_nginx = FIXTURES.ARGS, FIXTURES.CHROMIUM, FIXTURES.NginxServer, FIXTURES.find_nginx


def build(site: Path, out: Path) -> float:
    """Build site into out with this checkout's builder; return the seconds it took."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "builder", "build", str(site), "--output", str(out)], cwd=REPO,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"build failed:\n{proc.stderr}")
    print(proc.stdout.strip(), file=sys.stderr)
    return time.perf_counter() - started


def folder_size(path: Path) -> tuple[int, int]:
    """(bytes, files) under path."""
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def first_query_figures(browser: Any, base: str, query: str, throttle: float) -> dict[str, Any]:
    """One fresh context typing `query` into an opened search page, another opening search/?q=`query` cold."""
    figures: dict[str, Any] = first_query_bytes(browser, base, query, throttle)
    opened = opened_query(browser, base, query, throttle)
    return figures | {"opened_ms": opened["ms"], "opened_first_ms": opened["first_ms"],
                      "opened_bytes": opened["bytes"], "opened_results": opened["results"]}


def page_alone(browser: Any, base: str, throttle: float) -> dict[str, float]:
    """The search page opened cold without a query: milliseconds from the start of the navigation until the page
    was parsed (DOMContentLoaded, when search.js starts) and loaded: what any cold search/?q= pays first."""
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        if throttle != 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        page.goto(base + "search/", wait_until="load")
        timing = page.evaluate("""() => { const n = performance.getEntriesByType("navigation")[0];
                                         return [n.domContentLoadedEventEnd, n.loadEventEnd]; }""")
        return {"parsed_ms": round(float(timing[0])), "loaded_ms": round(float(timing[1]))}
    finally:
        context.close()


def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over repetitions (None while any repetition has none), with every run's values."""
    merged: dict[str, Any] = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        merged[key] = None if None in values else statistics.median(values)
        if len(runs) > 1:
            merged[key + "_runs"] = values
    return merged


def measure(out: Path, queries_file: Path, generated: bool, first_queries: list[str], show: int,
            pagefind_only: bool = False, throttle: float = 1, repeat: int = 1,
            first_only: bool = False) -> dict[str, object]:
    """Serve out with nginx, run the query set in Chromium and measure first queries' bytes and times: each typed
    into an opened search page and opened cold as search/?q=, in `repeat` fresh browsers (medians)."""
    from playwright.sync_api import sync_playwright

    queries = generated_queries(queries_file) if generated else load_queries(queries_file)
    nginx = find_nginx()
    if nginx is None:
        raise SystemExit("nginx is not installed (./scripts/setup --test)")
    with tempfile.TemporaryDirectory(prefix="gongshi-nginx-") as run_dir:
        server = NginxServer(nginx, out, Path(run_dir))
        base = server.start()
        try:
            with sync_playwright() as p:
                runs: dict[str, list[dict[str, Any]]] = {q: [] for q in first_queries}
                alone: list[dict[str, Any]] = []
                for _ in range(repeat):
                    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    alone.append(page_alone(browser, base, throttle))
                    for q in first_queries:
                        runs[q].append(first_query_figures(browser, base, q, throttle))
                    browser.close()
                firsts = {q: medians(figures) for q, figures in runs.items()}
                outcomes = []
                if not first_only:
                    browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                    page = browser.new_context(locale="zh-CN").new_page()
                    open_search_page(page, base)
                    outcomes = run_queries(page, queries, pagefind_only=pagefind_only)
                    browser.close()
        finally:
            server.stop()
    load = os.getloadavg()
    first = {"first_query": {q: {**sizes, "total_bytes": sizes["page_bytes"] + sizes["query_bytes"]}
                             for q, sizes in firsts.items()},
             "first_query_max_total_bytes": max(s["page_bytes"] + s["query_bytes"] for s in firsts.values()),
             "search_page_alone": medians(alone), "repeat": repeat, "throttle": throttle,
             "load_average": [round(x, 2) for x in load]}
    if first_only:
        return first
    scores = score(outcomes)
    for line in scores.failures[:show]:
        print("  " + line)
    if len(scores.failures) > show:
        print(f"  … {len(scores.failures) - show} more")
    pagefind_bytes, pagefind_files = folder_size(out / "pagefind")
    lookup = out / "search" / "lookup"
    lookup_bytes, lookup_files = folder_size(lookup) if lookup.is_dir() else (0, 0)
    return {"queries": len(queries), "summary": scores.summary(), "recall_at_10": scores.recall_at_10,
            "first_hit_rate": scores.first_hit_rate, "junk_rate": scores.junk_rate, **scores.counts, **first,
            "pagefind_bytes": pagefind_bytes, "pagefind_files": pagefind_files,
            "lookup_bytes": lookup_bytes, "lookup_files": lookup_files}


def first_queries(given: list[str] | None, queries_file: Path) -> list[str]:
    """The queries whose first-query bytes are measured."""
    if given:
        return given
    records = json.loads(queries_file.read_text("utf-8"))
    picked = ["牛肉面"]
    for kind in ("name", "code"):
        picked += [r["q"] for r in records if r["kind"] == kind][:1]
    return list(dict.fromkeys(picked))


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=10000, help="merchants to generate (default 10000)")
    parser.add_argument("--site", type=Path, help="an already built output folder (skip generate and build)")
    parser.add_argument("--queries", type=Path, help="queries.json of that site (bench/generate.py format)")
    parser.add_argument("--sample", action="store_true", help="the repository's sample site and query set")
    parser.add_argument("--keep", type=Path, help="generate and build in this folder and keep it")
    parser.add_argument("--first-query", action="append", metavar="Q",
                        help="a query whose bytes are measured in a fresh browser (repeatable; default: 牛肉面, "
                             "the first name and the first code of the query set)")
    parser.add_argument("--show", type=int, default=15, help="failures to print (default 15)")
    parser.add_argument("--pagefind-only", action="store_true",
                        help="score pagefind.search alone (no lookup, no checking), to compare index variants")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--throttle", type=float, default=1,
                        help="slow the page's CPU down this many times for the first queries (e.g. 4: a phone)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measure the first queries in this many fresh browsers and report medians (default 1)")
    parser.add_argument("--first-only", action="store_true",
                        help="measure the first queries only (typed and opened cold as search/?q=), not the query set")
    parser.add_argument("--per-district", action="store_true",
                        help="generate each period as one file per district (needed past ~20,000 merchants)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gongshi-sq-") as tmp:
        work = args.keep or Path(tmp)
        build_s = None
        if args.sample:
            out = args.site or work / "sample-out"
            if args.site is None:
                build_s = build(REPO, out)
            queries_file = REPO / "tests" / "search_queries.json"
            result = measure(out, queries_file, False, first_queries(args.first_query, queries_file), args.show,
                             args.pagefind_only, args.throttle, args.repeat, args.first_only)
        else:
            if args.site:
                out, queries = args.site, args.queries
                if queries is None:
                    parser.error("--site needs --queries")
            else:
                site, out = work / "site", work / "output"
                generate_site(args.n, site, 3, 1, per_district=args.per_district)
                queries = site / "queries.json"
                build_s = build(site, out)
            result = measure(out, queries, True, first_queries(args.first_query, queries), args.show,
                             args.pagefind_only, args.throttle, args.repeat, args.first_only)
        result["build_seconds"] = round(build_s, 1) if build_s is not None else None
    print(json.dumps(result, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
