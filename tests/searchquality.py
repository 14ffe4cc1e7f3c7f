"""Search quality in a real browser: run a query set through the site's search page and score it.

Used by the browser test (tests/browser/test_search_quality.py, the sample site) and by the benchmark
(bench/search_quality.py, a generated site). A query is typed into the real search page (input#search-input,
submitted like a visitor would); the titles of the results shown are compared with the expected ones.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

TOP = 10

#: Waits until the search page has its final answer: the status line says something and the result list is no
#: longer busy (the lookup's answer is shown before the full text's). `first`: when the first result was shown.
WAIT_JS = """
async (started, timeout) => {
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const shown = () => status.textContent !== "正在搜索…" && list.querySelector("a.result-title") !== null;
  let first = null;
  while (status.textContent === "" || status.textContent === "正在搜索…" || list.getAttribute("aria-busy") === "true") {
    if (first === null && shown()) first = performance.now() - started;
    if (performance.now() - started > timeout) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const ms = performance.now() - started;
  const links = Array.from(document.querySelectorAll("#search-results li a.result-title"));
  return {titles: links.map((a) => a.textContent.trim()), urls: links.map((a) => a.href),
          status: status.textContent, ms, first: first === null && links.length ? ms : first};
}
"""

#: Types the query into the search page, submits it and waits until the page has its final answer (WAIT_JS).
RUN_QUERY_JS = """
async ([query, timeout]) => {
  const wait = WAIT;
  const input = document.getElementById("search-input");
  const form = document.getElementById("search-form");
  input.value = query;
  const started = performance.now();
  form.requestSubmit();
  return await wait(started, timeout);
}
""".replace("WAIT", WAIT_JS.strip())

#: Waits for the answer of a page opened with a query in its URL; times from the start of the navigation.
OPENED_QUERY_JS = """
async ([timeout]) => await (WAIT)(0, timeout)
""".replace("WAIT", WAIT_JS.strip())


#: Asks Pagefind directly (no lookup, no checking): the titles of its first 10 results.
PAGEFIND_QUERY_JS = """
async ([query]) => {
  const started = performance.now();
  const bundles = new URL("../pagefind/", location.href);
  const names = (await (await fetch(new URL("bundles.json", bundles))).json()).bundles;
  const pf = await import(new URL(names[0] + "pagefind.js", bundles).href);
  await pf.init();
  await Promise.all(names.slice(1).map((name) => pf.mergeIndex(new URL(name, bundles).href)));
  const search = await pf.search(query);
  const top = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  return {titles: top.map((d) => d.meta.title), status: `${search.results.length}`, ms: performance.now() - started};
}
"""


#: What the status line says when a query found nothing and the page shows a shorter part's results instead.
PART = re.compile(r"^没有找到“(?P<query>.+)”，以下是“(?P<part>.+)”的结果")
NO_PART = ""


@dataclass(frozen=True)
class Query:
    """One query: what is typed, which titles must be in the top 10, which one must come first.

    `part`: the shorter part whose results the page must say it shows instead (NO_PART: it must say it found
    nothing and show nothing); None: not checked.
    """

    q: str
    kind: str
    expect: tuple[str, ...] = ()
    first: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the search page showed for one query."""

    query: Query
    titles: tuple[str, ...]
    status: str
    ms: float

    @property
    def recalled(self) -> bool:
        """Every expected title is among the first 10 results."""
        return all(title in self.titles[:TOP] for title in self.query.expect)

    @property
    def first_hit(self) -> bool:
        """The title that must come first does."""
        return bool(self.titles) and self.titles[0] == self.query.first

    @property
    def part(self) -> str:
        """The shorter part of the query the page says it shows results for instead, or ''."""
        found = PART.match(self.status)
        return found["part"] if found and found["query"] == self.query.q else ""

    @property
    def junk(self) -> bool:
        """Results shown for a word the site does not have, other than a part of it that the page names as such."""
        return bool(self.titles) and not (self.part and self.part in self.query.q and self.part != self.query.q)


@dataclass
class Scores:
    """recall@10, first-hit rate and junk rate of a query set, with the failures."""

    recall_at_10: float
    first_hit_rate: float
    junk_rate: float
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    median_ms: float = 0.0

    def summary(self) -> str:
        """One line for a report."""
        c = self.counts
        return (f"recall@10 {self.recall_at_10:.1%} ({c['recalled']}/{c['recall_queries']}) · "
                f"first hit {self.first_hit_rate:.1%} ({c['first']}/{c['first_queries']}) · "
                f"junk {self.junk_rate:.1%} ({c['junk']}/{c['absent_queries']}) · "
                f"median {self.median_ms:.0f} ms/query")


def load_queries(path: Path) -> list[Query]:
    """The query set of tests/search_queries.json."""
    records = json.loads(Path(path).read_text("utf-8"))
    return [Query(r["q"], r["kind"], tuple(r.get("expect") or ()), r.get("first"), r.get("part")) for r in records]


def generated_queries(path: Path) -> list[Query]:
    """bench/generate.py's queries.json as Query records.

    A fragment that matches more than 10 merchants cannot promise a given one in the top 10, so recall is
    only asked for when `matches` ≤ 10, and the first place only for unique fragments (`matches` == 1).
    """
    out = []
    for r in json.loads(Path(path).read_text("utf-8")):
        if r["kind"] == "absent":
            out.append(Query(r["q"], "absent"))
            continue
        matches = int(r["matches"])
        expect = (r["expect"],) if matches <= TOP else ()
        out.append(Query(r["q"], r["kind"] if matches <= TOP else f"{r['kind']}-common", expect,
                         r["expect"] if matches == 1 else None))
    return out


def open_search_page(page: Any, base_url: str, timeout_ms: int = 30_000) -> None:
    """Open base_url + search/ and wait until the search is ready (its filters are shown)."""
    response = page.goto(base_url + "search/")
    assert response is not None and response.status == 200, f"search page: {response and response.status}"
    page.wait_for_selector("#search-filters:not([hidden])", timeout=timeout_ms)


def run_queries(page: Any, queries: list[Query], timeout_ms: int = 20_000,
                pagefind_only: bool = False) -> list[Outcome]:
    """Run every query on the open search page, one after another (or through pagefind.search alone)."""
    outcomes = []
    for query in queries:
        if pagefind_only:
            got = page.evaluate(PAGEFIND_QUERY_JS, [query.q])
        else:
            got = page.evaluate(RUN_QUERY_JS, [query.q, timeout_ms])
        outcomes.append(Outcome(query, tuple(got["titles"]), got["status"], float(got["ms"])))
    return outcomes


def score(outcomes: list[Outcome]) -> Scores:
    """Score the outcomes: recall@10 over queries with expectations, first hits, junk for absent words."""
    recall = [o for o in outcomes if o.query.expect]
    first = [o for o in outcomes if o.query.first]
    absent = [o for o in outcomes if o.query.kind == "absent"]
    failures = []
    for o in outcomes:
        shown = "、".join(o.titles[:5]) or "（无结果）"
        if o.query.expect and not o.recalled:
            missing = [t for t in o.query.expect if t not in o.titles[:TOP]]
            failures.append(f"recall {o.query.kind} 「{o.query.q}」: missing {missing}; shown: {shown}")
        if o.query.first and not o.first_hit:
            failures.append(f"first {o.query.kind} 「{o.query.q}」: want {o.query.first}; shown: {shown}")
        if o.query.kind == "absent" and o.junk:
            failures.append(f"junk 「{o.query.q}」: {len(o.titles)} results shown ({o.status}): {shown}")
        if o.query.part is not None and o.part != o.query.part:
            failures.append(f"part {o.query.kind} 「{o.query.q}」: want results for 「{o.query.part}」, the page says "
                            f"「{o.status}」")
        if o.query.part == NO_PART and o.titles:
            failures.append(f"part {o.query.kind} 「{o.query.q}」: want no result; shown: {shown}")
    counts = {"recall_queries": len(recall), "recalled": sum(o.recalled for o in recall),
              "first_queries": len(first), "first": sum(o.first_hit for o in first),
              "absent_queries": len(absent), "junk": sum(1 for o in absent if o.junk),
              "part_queries": sum(1 for o in outcomes if o.query.part is not None)}
    times = sorted(o.ms for o in outcomes)
    return Scores(
        recall_at_10=counts["recalled"] / len(recall) if recall else 1.0,
        first_hit_rate=counts["first"] / len(first) if first else 1.0,
        junk_rate=counts["junk"] / len(absent) if absent else 0.0,
        counts=counts,
        failures=failures,
        median_ms=times[len(times) // 2] if times else 0.0,
    )


def _transferred(requests: list[Any]) -> int:
    """Bytes of these finished requests' headers and bodies."""
    sizes = [r.sizes() for r in requests]
    return sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)


def first_query_bytes(browser: Any, base_url: str, query: str, throttle: float = 1) -> dict[str, int]:
    """Bytes transferred (headers + bodies) to open the search page and to answer a first query typed into it,
    and the milliseconds from submitting it until the first result and the final answer showed, with the page's
    CPU slowed down `throttle` times (Chromium's throttling does not fully reach Pagefind's Web Worker: see
    bench/SCALE_NOTES.md)."""
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        requests: list[Any] = []
        page.on("requestfinished", lambda request: requests.append(request))
        open_search_page(page, base_url)
        page.wait_for_load_state("networkidle")
        loaded = len(requests)
        if throttle != 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        got = page.evaluate(RUN_QUERY_JS, [query, 30_000])
        page.wait_for_load_state("networkidle")
        return {"page_bytes": _transferred(requests[:loaded]), "query_bytes": _transferred(requests[loaded:]),
                "page_requests": loaded, "query_requests": len(requests) - loaded, "ms": round(float(got["ms"])),
                "first_ms": None if got["first"] is None else round(float(got["first"])),
                "results": len(got["titles"])}
    finally:
        context.close()


def opened_query(browser: Any, base_url: str, query: str, throttle: float = 1) -> dict[str, Any]:
    """A fresh browser opening search/?q=<query> (as the home page's search box does), its CPU slowed down
    `throttle` times from the start: milliseconds from the start of the navigation until the first result and
    the final answer showed, and the bytes transferred."""
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        requests: list[Any] = []
        page.on("requestfinished", lambda request: requests.append(request))
        if throttle != 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        response = page.goto(base_url + "search/?" + urlencode({"q": query}))
        assert response is not None and response.status == 200, f"search page: {response and response.status}"
        got = page.evaluate(OPENED_QUERY_JS, [30_000])
        page.wait_for_load_state("networkidle")
        return {"ms": round(float(got["ms"])), "first_ms": None if got["first"] is None else round(float(got["first"])),
                "bytes": _transferred(requests), "requests": len(requests), "results": len(got["titles"])}
    finally:
        context.close()
