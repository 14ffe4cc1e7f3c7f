"""A search page opened cold (`search/?q=…`) on a slowed-down CPU: when its answer shows, and where the page's
main thread spends the time until then. Up to four outputs are compared in one run, opened in turn (A/B).

    .venv/bin/python bench/cold_open.py --site OUT --query 牛肉面 --query 麒麟
    .venv/bin/python bench/cold_open.py --site NEW --site OLD --query 92990121MAFEKR --repeat 7 --profile
    .venv/bin/python bench/cold_open.py --site OUT --query 星物 --repeat 1 --trace  # where the main thread goes

Each open is a fresh browser context (empty cache, a new renderer) at the default 1280 × 720 viewport, as
`bench/search_quality.py` opens `search/?q=`; times are from the start of the navigation: `done` the final
answer, `first` the first result, `parsed` DOMContentLoaded. With `--profile`, one more open per site and query
is profiled (CDP, not timed): the own time of the page's JavaScript functions and of the browser's own work
("(program)": parsing, style, layout, paint), at the slowed-down CPU. With `--trace`, one more open per site and
query is traced (Chromium's timeline, not timed) and the page's main thread is broken down from the start of the
navigation to the answer: the new document (committing the navigation, its window and parser), parsing, fetching
(issuing requests and taking their bodies), style, layout, paint, script, garbage collection, other work (the
browser's untraced task handling), and idle (waiting for the network or for Pagefind's worker), each the events'
own time, their children excluded.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import statistics
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]

from search_quality import ARGS, CHROMIUM, NginxServer, find_nginx  # noqa: E402

from searchquality import OPENED_QUERY_JS  # noqa: E402

TIMEOUT_MS = 30_000  # the longest a page may take to answer


@contextlib.contextmanager
def cold_page(browser: Any, cpu: float) -> Iterator[tuple[Any, Any]]:
    """A page in a fresh context (empty cache, a new renderer) with its CPU slowed down, and its CDP session; the
    context is closed after."""
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu})
        yield page, cdp
    finally:
        context.close()


def open_cold(browser: Any, url: str, cpu: float) -> dict[str, Any]:
    """One cold open of `url` in a fresh context: done, first result and DOMContentLoaded (ms), and the answer."""
    with cold_page(browser, cpu) as (page, _cdp):
        page.goto(url)
        got = page.evaluate(OPENED_QUERY_JS, [TIMEOUT_MS])
        parsed = page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    return {"done": round(got["ms"]), "first": None if got["first"] is None else round(got["first"]),
            "parsed": round(parsed), "status": got["status"], "results": len(got["titles"])}


def profile_open(browser: Any, url: str, cpu: float) -> dict[str, float]:
    """One cold open profiled until its answer: the own time of each JS function and of the browser (ms)."""
    with cold_page(browser, cpu) as (page, cdp):
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 200})
        cdp.send("Profiler.start")
        page.goto(url)
        page.evaluate(OPENED_QUERY_JS, [TIMEOUT_MS])
        profile = cdp.send("Profiler.stop")["profile"]
    return own_time(profile)


def own_time(profile: dict[str, Any], top: int = 12) -> dict[str, float]:
    """Milliseconds of each function's own time in a CDP CPU profile: "(program)" is the browser's own work
    (parsing, style, layout, paint), "(idle)" waiting (for the network, or the page's polling for its answer)."""
    nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
    spent: collections.Counter[str] = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        frame = nodes[sample]
        where = frame["url"].rsplit("/", 1)[-1]
        spent[f"{frame['functionName'] or '(anonymous)'} {where}:{frame['lineNumber'] + 1}" if where
              else frame["functionName"] or "(anonymous)"] += delta / 1000
    return {name: round(ms, 1) for name, ms in spent.most_common(top)}


# Chromium's trace categories for the main thread's work, and each event's kind (its own time counts there).
TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "v8", "loading",
                    "blink", "blink.resource", "blink.user_timing"]  # (navigationStart is a user-timing event)
KINDS = {
    "new document": ("DocumentLoader::", "NavigationBodyLoader::", "LocalWindowProxy::", "FrameLoader::",
                     "V8.DeserializeContext", "Frame::Detach", "ContextCreatedNotification"),
    "parsing": ("ParseHTML", "ParseAuthorStyleSheet", "HTMLDocumentParser::", "DecodedDataDocumentParser::",
                "Document::FinishedParsing"),
    "fetching": ("ResourceFetcher::", "ResponseBodyLoader::", "ResourceLoader::", "Resource::"),
    "style": ("UpdateLayoutTree", "RecalculateStyles", "Document::recalcStyle", "Document::UpdateStyle",
              "StyleEngine::"),
    "layout (text shaping included)": ("Layout", "LocalFrameView::performLayout", "InlineNode::", "ShapeText"),
    "paint": ("Paint", "PrePaint", "Commit", "Layerize", "UpdateLayer", "CompositeLayers", "Decode",
              "ImageDecode", "IsolatedSVGDocumentHost::"),
    "script": ("EvaluateScript", "v8.", "V8.Compile", "V8.ParseFunction", "FunctionCall", "RunMicrotasks",
               "TimerFire", "EventDispatch", "HandlePostMessage", "FireAnimationFrame", "CompileScript"),
    "garbage collection": ("MinorGC", "MajorGC", "V8.GC", "BlinkGC"),
}


def kind_of(name: str) -> str:
    """The kind of main-thread work a trace event is (`KINDS`; anything else is "other")."""
    for kind, prefixes in KINDS.items():
        if name.startswith(prefixes):
            return kind
    return "other"


def main_thread_breakdown(events: list[dict[str, Any]], url_part: str, answer_ms: float) -> dict[str, float]:
    """Milliseconds of the main thread's own time by kind of work, from the navigation to `url_part` to
    `answer_ms` after it, and "idle" for the rest of that window; {} when the trace has no such navigation.

    Complete events ("X") on the renderer main thread are nested: each counts only the time its children leave.
    """
    threads = {(e["pid"], e["tid"]) for e in events
               if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    starts = [e for e in events if e.get("name") == "navigationStart" and (e.get("pid"), e.get("tid")) in threads
              and url_part in str(e.get("args", {}).get("data", {}).get("documentLoaderURL", ""))]
    if not starts:
        return {}
    start = starts[-1]
    thread, begin = (start["pid"], start["tid"]), float(start["ts"])
    end = begin + answer_ms * 1000
    on_thread = sorted((e for e in events if (e.get("pid"), e.get("tid")) == thread and e.get("ph") == "X"
                        and "dur" in e and begin <= float(e["ts"]) < end),
                       key=lambda e: (float(e["ts"]), -float(e["dur"])))
    spent: collections.defaultdict[str, float] = collections.defaultdict(float)
    open_events: list[tuple[float, str]] = []  # (end, kind) of the events enclosing the current one
    busy = 0.0
    for event in on_thread:
        at, lasts = float(event["ts"]), min(float(event["dur"]), end - float(event["ts"]))
        while open_events and open_events[-1][0] <= at:
            open_events.pop()
        kind = kind_of(str(event["name"]))
        if open_events:
            spent[open_events[-1][1]] -= lasts  # the enclosing event's own time excludes this one
        else:
            busy += lasts
        spent[kind] += lasts
        open_events.append((at + lasts, kind))
    result = {kind: round(ms / 1000, 1) for kind, ms in sorted(spent.items(), key=lambda item: -item[1])
              if round(ms / 1000, 1) > 0}
    result["idle"] = round(max(0.0, (end - begin - busy) / 1000), 1)
    return result


def trace_open(browser: Any, url: str, cpu: float) -> dict[str, float]:
    """One cold open traced until its answer: the main thread's time by kind of work (`main_thread_breakdown`)."""
    with cold_page(browser, cpu) as (page, _cdp):
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        try:
            page.goto(url)
            got = page.evaluate(OPENED_QUERY_JS, [TIMEOUT_MS])
        finally:
            trace = json.loads(browser.stop_tracing())
    events = trace["traceEvents"] if isinstance(trace, dict) else trace
    return main_thread_breakdown(events, "search/", float(got["ms"]))


def measure(sites: list[Path], queries: list[str], repeat: int, cpu: float, profile: bool,
            trace: bool = False) -> dict[str, Any]:
    """Serve each site with nginx and open each query cold `repeat` times per site, the sites' order rotating."""
    from playwright.sync_api import sync_playwright

    nginx = find_nginx()
    if nginx is None:
        raise SystemExit("nginx is not installed (./scripts/setup --test)")
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {q: {str(s): [] for s in sites} for q in queries}
    profiles: dict[str, dict[str, Any]] = {q: {} for q in queries}
    traces: dict[str, dict[str, Any]] = {q: {} for q in queries}
    with tempfile.TemporaryDirectory(prefix="gongshi-cold-") as work:
        servers = [NginxServer(nginx, site, Path(work) / f"nginx-{i}") for i, site in enumerate(sites)]
        try:
            bases = [server.start() for server in servers]
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                try:
                    for rep in range(repeat):
                        order = list(zip(sites, bases, strict=True))
                        order = order[rep % len(order):] + order[:rep % len(order)]  # each site opened first in turn
                        for query in queries:
                            for site, base in order:
                                url = f"{base}search/?{urlencode({'q': query})}"
                                runs[query][str(site)].append(open_cold(browser, url, cpu))
                    extra = [(profiles, profile_open)] if profile else []
                    extra += [(traces, trace_open)] if trace else []
                    for found, open_once in extra:  # one more open of each site and query, profiled or traced
                        for query in queries:
                            for site, base in zip(sites, bases, strict=True):
                                url = f"{base}search/?{urlencode({'q': query})}"
                                found[query][str(site)] = open_once(browser, url, cpu)
                finally:
                    browser.close()
        finally:
            for server in servers:
                server.stop()
    return {"cpu": cpu, "repeat": repeat, "runs": runs, "profiles": profiles if profile else None,
            "traces": traces if trace else None}


def median(values: list[int | None]) -> float | None:
    """The median of the values that are there (None: none is)."""
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def report(figures: dict[str, Any]) -> str:
    """The medians as a Markdown table, then the profiles."""
    lines = [f"CPU ÷{figures['cpu']:g}, {figures['repeat']} cold opens per site and query (medians, ms)", "",
             "| query | site | done | first result | parsed | runs (done) | answer |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for query, by_site in figures["runs"].items():
        for site, runs in by_site.items():
            done = [r["done"] for r in runs]
            lines.append(f"| {query} | {site} | {median(done)} | {median([r['first'] for r in runs])} | "
                         f"{median([r['parsed'] for r in runs])} | {' / '.join(map(str, done))} | "
                         f"{runs[-1]['status']} |")
    for query, by_site in (figures["profiles"] or {}).items():
        for site, found in by_site.items():
            lines += ["", f"{query} · {site}: own time (ms) by function, at the slowed-down CPU:",
                      "  " + ", ".join(f"{name} {ms}" for name, ms in found.items())]
    for query, by_site in (figures.get("traces") or {}).items():
        for site, found in by_site.items():
            lines += ["", f"{query} · {site}: the main thread until the answer (ms, own time), at the slowed-down CPU:",
                      "  " + (", ".join(f"{kind} {ms}" for kind, ms in found.items()) or "no navigation in the trace")]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module's docstring."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, action="append", required=True,
                        help="a built output folder (repeatable: compare up to four, opened in turn)")
    parser.add_argument("--query", action="append", required=True, help="a query to open cold (repeatable)")
    parser.add_argument("--repeat", type=int, default=5, help="cold opens per site and query (default 5)")
    parser.add_argument("--cpu", type=float, default=4, help="slow the CPU down this many times (default 4)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one more open of each site and query (CDP CPU profile)")
    parser.add_argument("--trace", action="store_true",
                        help="also trace one more open of each site and query: the main thread's time by kind of work")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if len(args.site) > 4:
        parser.error("at most four --site")
    for site in args.site:
        if not (site / "search" / "index.html").is_file():
            parser.error(f"{site}: no search/index.html (a built output folder is expected)")
    figures = measure(args.site, args.query, args.repeat, args.cpu, args.profile, args.trace)
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
