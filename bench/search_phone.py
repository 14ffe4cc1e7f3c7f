"""The search page on a slow phone: Chromium with network and CPU throttling, against a site served by nginx.

    .venv/bin/python bench/search_phone.py                       # the repository's sample site (built to a temp folder)
    .venv/bin/python bench/search_phone.py --site OUT            # an existing build
    .venv/bin/python bench/search_phone.py --kbps 400 --latency 400 --cpu 4 --repeat 3

Each query is opened cold (a new browser context, empty cache) as `search/?q=…`, the way the home page's form
sends a visitor, at a 360 × 740 viewport. Times are from the start of navigation:

- `first`: the first result link is on screen (the lookup's answer);
- `done`: the page has its final answer (the status line is final and the result list is no longer busy);
- `kb`: bytes received until `done`.

A merchant page opened cold under the same conditions gives the comparison the issue asks for.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from search_quality import ARGS, CHROMIUM, REPO, NginxServer, build, find_nginx

#: Records, from the first byte of the page's own scripts, when the first result and the final answer appear.
WATCH_JS = """
(() => {
  const marks = { first: null, done: null, status: "" };
  window.__searchMarks = marks;
  const check = () => {
    const results = document.getElementById("search-results");
    const status = document.getElementById("search-status");
    if (!results || !status) return;
    if (marks.first === null && results.querySelector("a.result-title")) marks.first = performance.now();
    const text = status.textContent;
    if (marks.done === null && text && text !== "正在搜索…" && results.getAttribute("aria-busy") !== "true") {
      marks.done = performance.now();
      marks.status = text;
      if (marks.first === null && results.querySelector("a.result-title")) marks.first = marks.done;
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true,
                                                  attributes: true });
})();
"""

QUERIES = [
    ("credit code", "91359902MABPQLYYRT"),
    ("name fragment", "牛肉面"),
    ("everyday word", "健身房"),
    ("category", "预付式消费"),
    ("absent", "麒麟"),
]


def throttle(context: Any, page: Any, kbps: int, latency_ms: int, cpu: float) -> None:
    """Slow the page's network and CPU through the DevTools protocol."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    rate = kbps * 1000 / 8
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": latency_ms,
                                                  "downloadThroughput": rate, "uploadThroughput": rate})
    if cpu > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})


def one_query(browser: Any, base: str, query: str, kbps: int, latency: int, cpu: float,
              timeout_ms: int) -> dict[str, Any]:
    """Open search/?q=query in a fresh context and return the marks."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    try:
        context.add_init_script(WATCH_JS)
        page = context.new_page()
        received: list[int] = []
        page.on("requestfinished", lambda r: received.append(r.sizes()["responseBodySize"]
                                                             + r.sizes()["responseHeadersSize"]))
        throttle(context, page, kbps, latency, cpu)
        page.goto(f"{base}search/?q={quote(query)}", wait_until="commit")
        page.wait_for_function("() => window.__searchMarks && window.__searchMarks.done !== null",
                               timeout=timeout_ms, polling=50)
        marks = page.evaluate("() => window.__searchMarks")
        return {"first": marks["first"], "done": marks["done"], "status": marks["status"],
                "kb": round(sum(received) / 1024, 1)}
    finally:
        context.close()


def merchant_page(browser: Any, base: str, route: str, kbps: int, latency: int, cpu: float) -> float:
    """Milliseconds until a merchant page's load event, opened cold."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        throttle(context, page, kbps, latency, cpu)
        page.goto(base + route, wait_until="load")
        return float(page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd"))
    finally:
        context.close()


def measure(out: Path, kbps: int, latency: int, cpu: float, repeat: int, timeout_ms: int) -> dict[str, Any]:
    """Serve `out` and time every query `repeat` times; medians."""
    from playwright.sync_api import sync_playwright

    nginx = find_nginx()
    if nginx is None:
        raise SystemExit("nginx is not installed (./scripts/setup --test)")
    rows: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="gongshi-nginx-") as run_dir:
        server = NginxServer(nginx, out, Path(run_dir))
        base = server.start()
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for label, query in QUERIES:
                    runs = [one_query(browser, base, query, kbps, latency, cpu, timeout_ms) for _ in range(repeat)]
                    firsts = [r["first"] for r in runs if r["first"] is not None]
                    rows[f"{label}: {query}"] = {
                        "first_ms": round(statistics.median(firsts)) if firsts else None,
                        "done_ms": round(statistics.median(r["done"] for r in runs)),
                        "kb": runs[-1]["kb"], "status": runs[-1]["status"]}
                merchant = [merchant_page(browser, base, "merchants/91359902MABPQLYYRT/", kbps, latency, cpu)
                            for _ in range(repeat)]
                rows["merchant page (load event)"] = {"done_ms": round(statistics.median(merchant))}
                browser.close()
        finally:
            server.stop()
    return {"network": f"{kbps} kbps, {latency} ms", "cpu_slowdown": cpu, "repeat": repeat, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="an already built output folder (default: build the sample)")
    parser.add_argument("--kbps", type=int, default=400, help="download and upload speed (default 400)")
    parser.add_argument("--latency", type=int, default=400, help="added round-trip latency in ms (default 400)")
    parser.add_argument("--cpu", type=float, default=4, help="CPU slowdown factor (default 4)")
    parser.add_argument("--repeat", type=int, default=3, help="cold runs per query; medians (default 3)")
    parser.add_argument("--timeout", type=int, default=120_000, help="per query, ms (default 120000)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gongshi-phone-") as tmp:
        out = args.site
        if out is None:
            out = Path(tmp) / "out"
            build(REPO, out)
        result = measure(out, args.kbps, args.latency, args.cpu, args.repeat, args.timeout)
    width = max(len(name) for name in result["rows"])
    print(f"{result['network']}, CPU ÷{result['cpu_slowdown']:g}, median of {result['repeat']} cold runs")
    for name, row in result["rows"].items():
        first = "" if row.get("first_ms") is None else f"first result {row['first_ms']:>6} ms · "
        extra = f" · {row['kb']} KB · {row['status']}" if "kb" in row else ""
        print(f"  {name:<{width}}  {first}done {row['done_ms']:>6} ms{extra}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
