"""The merchants' full-text index (builder/textindex.py) searched in Chromium, through nginx under /gongshi/.

The site is a generated one of 400 merchants, its index cut into ranges of 50 ids (8 ranges) and with a key listed
whole in its bucket only while it is on at most 40 merchants: a query of frequent keys reads its keys' first range,
and the next ones only while its page of results is not full, or when asked for more; a query with a rare key
reads that key's bucket and its candidates' records, nothing else. Pagefind (the warnings) is loaded only when
its bundle holds the query's bigrams.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import Page, Route, expect

from builder import textindex
from builder.build import BuildOptions, build
from builder.searchkey import search_key
from searchquality import RUN_QUERY_JS

REPO = Path(__file__).resolve().parents[2]
UNIQUE = "甲骨文拓片"  # a statement only one merchant has; the lookup does not index statements
HOSTILE = '<img src=x onerror="window.pwned=1">'  # after UNIQUE in that statement: text, never markup
RARE = "青铜编钟"  # a statement six merchants have, far apart in id order
COMMON = "工作人员"  # in the details of many items (工作人员组织双方现场调解…), in no name, district or category
RANGE = 50


@pytest.fixture(scope="module")
def indexed(serve_with_nginx: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The generated site built with small ranges, served by nginx: base URL, output, the unique and rare pages."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate_site  # type: ignore[import-not-found]

    tmp = tmp_path_factory.mktemp("text")
    site, out = tmp / "site", tmp / "output"
    generate_site(400, site, periods=2, seed=3, per_district=True)
    target = add_statements(site, UNIQUE + HOSTILE, 1)[0]
    rare = add_statements(site, RARE, 6, every=60)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textindex, "MIN_RANGE", RANGE)
        patch.setattr(textindex, "RARE_MIN", 40)
        build(BuildOptions(site, out, as_of=dt.date(2026, 11, 20), audit_file=tmp / "audit.json"))
    manifest = json.loads((out / "search" / "text" / "manifest.json").read_text("utf-8"))
    assert manifest["range"] == RANGE and manifest["merchants"] == merchant_pages(out)
    return {"url": serve_with_nginx(out).base_url, "output": out, "target": target, "rare": rare,
            "records": records(out)}


def add_statements(site: Path, text: str, count: int, every: int = 1) -> list[str]:
    """Give `count` merchants of the 2026-09 period (every `every`-th without a statement) a statement holding
    `text`; return their pages' routes."""
    routes: list[str] = []
    for path in sorted((site / "content" / "complaints").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if str(data["period"]) != "2026-09":
            continue
        for n, merchant in enumerate(data["merchants"]):
            if len(routes) < count and n % every == 0 and "statement" not in merchant \
                    and merchant.get("status", "active") != "withdrawn":
                merchant["statement"] = f"本店已整改，店内陈列{text}。"
                routes.append(f"merchants/{merchant.get('credit_code') or merchant['id']}/")
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert len(routes) == count
    return routes


def merchant_pages(output: Path) -> int:
    """The merchant pages of a build (merchants/<slug>/index.html; by-complaints/ is a listing)."""
    return len([p for p in (output / "merchants").glob("*/index.html") if p.parent.name != "by-complaints"])


def records(output: Path) -> list[dict[str, Any]]:
    """The index's records in id order."""
    folder = output / "search" / "text" / "r"
    return [r for n in range(len(list(folder.glob("*.json")))) for r in json.loads((folder / f"{n}.json").read_text())]


def holding(found: list[dict[str, Any]], word: str) -> list[dict[str, Any]]:
    """The records whose texts hold `word` (as the search page checks them)."""
    return [r for r in found if word in search_key(" ".join([r["n"], r["d"], r["c"], *r["t"]]))]


def wait_for_answer(page: Page) -> str:
    page.wait_for_function("() => !['', '正在搜索…'].includes(document.getElementById('search-status').textContent)")
    page.wait_for_function("() => document.getElementById('search-results').getAttribute('aria-busy') !== 'true'")
    return page.locator("#search-status").inner_text()


def shown_urls(page: Page) -> list[str]:
    return page.eval_on_selector_all("#search-results li a.result-title", "links => links.map((a) => a.href)")


def show_all(page: Page, presses: int = 60) -> list[str]:
    """Press 显示更多结果 until it is gone; the results' URLs."""
    more = page.locator("#search-results button.more")
    for _ in range(presses):
        if not more.count():
            break
        more.click()
        wait_for_answer(page)
    assert not more.count()
    return shown_urls(page)


def recorded_requests(page: Page) -> list[str]:
    """The URLs the page asks for from now on (the list grows as it does)."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def text_files(requests: list[str], kind: str) -> list[str]:
    """The files of the full-text index the page fetched from folder `kind` (`b`, `f`, `r`)."""
    return [url.split("/search/text/", 1)[1] for url in requests if f"/search/text/{kind}/" in url]


def pagefind_files(requests: list[str]) -> list[str]:
    return sorted(url.split("/pagefind/", 1)[1] for url in requests if "/pagefind/" in url)


def route_of(url: str) -> str:
    return url.split("/gongshi/", 1)[1]


def test_a_rare_word_reads_its_bucket_and_its_records_only(page: Page, indexed: dict[str, Any],
                                                          external_requests: list[str],
                                                          page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    page.goto(indexed["url"] + "search/")
    page.locator("#search-input").fill(UNIQUE)
    assert wait_for_answer(page) == "找到 1 条结果"
    assert [route_of(u) for u in shown_urls(page)] == [indexed["target"]]
    expect(page.locator("#search-results .excerpt mark")).to_have_text(UNIQUE)
    expect(page.locator("#search-results .excerpt")).to_contain_text(HOSTILE[:30])  # shown as text
    assert page.locator("#search-results img").count() == 0 and page.evaluate("window.pwned") is None
    assert text_files(requests, "f") == []  # its bigrams are listed whole: no range read
    assert len(text_files(requests, "r")) == 1  # the one candidate's record file
    assert external_requests == [] and page_errors == []


def test_a_word_that_occurs_nowhere_reads_no_record_and_loads_no_pagefind(page: Page, indexed: dict[str, Any],
                                                                           page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    page.goto(indexed["url"] + "search/?q=麒麟")  # the generator keeps these characters out of every file
    assert wait_for_answer(page) == "没有找到“麒麟”的相关结果"
    assert text_files(requests, "r") == [] and text_files(requests, "f") == []
    assert all(name == "bundles.json" or name.startswith("routes/") for name in pagefind_files(requests))
    assert page_errors == []


def characters_that_never_meet(found: list[dict[str, Any]]) -> str:
    """Two characters that many merchants' texts hold but no text holds side by side."""
    texts = [search_key(t) for r in found for t in [r["n"], r["d"], r["c"], *r["t"]]]
    letters = "汽车维修服务美容餐饮"
    pairs = (a + b for a in letters for b in letters if a != b)
    return next(pair for pair in pairs if all(sum(char in t for t in texts) > 40 for char in pair)
                and not any(pair in t for t in texts))


def test_characters_that_never_meet_find_nothing_and_one_of_them_finds_pages(
        page: Page, indexed: dict[str, Any], page_errors: list[str]) -> None:
    word = characters_that_never_meet(indexed["records"])
    requests = recorded_requests(page)
    page.goto(indexed["url"] + "search/")
    answer = page.evaluate(RUN_QUERY_JS, [word, 20_000])
    assert answer["status"] == f"没有找到“{word}”的相关结果" and text_files(requests, "r") == [], answer
    answer = page.evaluate(RUN_QUERY_JS, [word[0], 20_000])  # one character: its own key
    assert len(answer["titles"]) == 10 and text_files(requests, "r") and page_errors == [], answer


def test_a_rare_word_finds_every_merchant_holding_it_at_once(page: Page, indexed: dict[str, Any],
                                                            page_errors: list[str]) -> None:
    page.goto(indexed["url"] + "search/")
    answer = page.evaluate(RUN_QUERY_JS, [RARE, 20_000])
    assert answer["status"] == "找到 6 条结果", answer
    assert sorted(route_of(u) for u in answer["urls"]) == sorted(indexed["rare"]) and page_errors == []


def test_a_common_word_fills_its_first_page_from_the_first_range(page: Page, indexed: dict[str, Any],
                                                                 page_errors: list[str]) -> None:
    found = holding(indexed["records"], COMMON)
    assert len(found) > 40 and len(holding(indexed["records"][:RANGE], COMMON)) >= 10
    requests = recorded_requests(page)
    page.goto(indexed["url"] + "search/")
    answer = page.evaluate(RUN_QUERY_JS, [COMMON, 20_000])
    assert len(answer["urls"]) == 10 and answer["status"].startswith("找到至少"), answer
    assert {name.rsplit("/", 1)[1] for name in text_files(requests, "f")} == {"0.json"}  # the first range only
    # most complained-of first: the first page is the first ten merchants holding the word, in id order
    assert [route_of(u) for u in answer["urls"]] == [r["u"] for r in found[:10]]
    urls = show_all(page)
    assert sorted(route_of(u) for u in urls) == sorted(r["u"] for r in found) and page_errors == []


def test_every_merchant_is_listed_once_by_the_kind_filter(page: Page, indexed: dict[str, Any]) -> None:
    page.goto(indexed["url"] + "search/?kind=经营者")
    wait_for_answer(page)
    urls = show_all(page, presses=50)
    assert len(urls) == len(set(urls)) == merchant_pages(indexed["output"])
    assert page.locator("#search-status").inner_text() == f"找到 {len(urls)} 条结果"


def test_a_filter_and_the_sort_apply_to_the_full_text(page: Page, indexed: dict[str, Any],
                                                      page_errors: list[str]) -> None:
    found = holding(indexed["records"], COMMON)
    district = max(sorted({r["d"] for r in found}), key=lambda d: sum(r["d"] == d for r in found))
    wanted = [r for r in found if r["d"] == district]
    page.goto(indexed["url"] + f"search/?q={COMMON}&district={district}&sort=complaints-asc")
    wait_for_answer(page)
    urls = show_all(page)
    assert sorted(route_of(u) for u in urls) == sorted(r["u"] for r in wanted)
    facts = page.eval_on_selector_all("#search-results li .meta", "metas => metas.map((m) => m.textContent)")
    counts = [int(re.search(r"投诉量 (\d+)", fact).group(1)) for fact in facts]  # type: ignore[union-attr]
    assert counts == sorted(counts) and all(district in fact for fact in facts) and page_errors == []


def test_the_full_text_does_not_wait_for_the_lookup_s_records(page: Page, indexed: dict[str, Any],
                                                              page_errors: list[str]) -> None:
    held: list[Route] = []
    page.route("**/search/lookup/r/**", lambda route: held.append(route))  # the lookup's records are on their way
    with page.expect_request(re.compile(r"/search/text/r/"), timeout=15_000):  # the full text's meanwhile
        page.goto(indexed["url"] + "search/?q=" + UNIQUE)
    expect(page.locator("#search-status")).to_have_text(re.compile("正在"))  # the page is still waiting
    page.unroute("**/search/lookup/r/**")
    for route in held:
        route.fallback()
    wait_for_answer(page)
    assert [route_of(u) for u in shown_urls(page)] == [indexed["target"]] and page_errors == []


def lookup_filled_query(output: Path) -> tuple[str, int]:
    """The district with the most merchants in the lookup's records (more than a page of results): its name, count."""
    lookup = output / "search" / "lookup"
    counts: dict[str, int] = {}
    for path in (lookup / "r").glob("*.json"):
        for record in json.loads(path.read_text("utf-8")):
            if record["t"] == "m":
                counts[record["d"]] = counts.get(record["d"], 0) + 1
    district = max(sorted(counts), key=lambda d: counts[d])
    assert 10 < counts[district] <= json.loads((lookup / "manifest.json").read_text("utf-8"))["cap"], counts
    return district, counts[district]


def test_a_query_the_lookup_fills_reads_the_full_text_only_when_more_results_need_it(
        page: Page, indexed: dict[str, Any], page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    district, count = lookup_filled_query(indexed["output"])
    page.goto(indexed["url"] + "search/?q=" + district)
    status = wait_for_answer(page)
    found = re.fullmatch(r"找到至少 (\d+) 条结果", status)
    assert found and int(found.group(1)) >= 10, status  # the lookup's results; the full text may add more
    first_page = shown_urls(page)
    assert len(first_page) == 10 and text_files(requests, "r") == [] and text_files(requests, "f") == []
    more = page.locator("#search-results button.more")
    presses = 0
    while not text_files(requests, "r"):
        more.click()
        wait_for_answer(page)
        presses += 1
        assert presses <= count // 10
    assert presses == count // 10  # the first press that needed more than the lookup's results
    urls = show_all(page)
    assert urls[:10] == first_page and len(urls) == len(set(urls)) >= count
    assert re.fullmatch(rf"找到 {len(urls)} 条结果", wait_for_answer(page)) and page_errors == []


def test_a_typed_query_the_lookup_fills_reads_no_record_of_the_full_text(page: Page, indexed: dict[str, Any],
                                                                         page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    page.goto(indexed["url"] + "search/")
    district, _ = lookup_filled_query(indexed["output"])
    page.locator("#search-input").fill(district)
    assert re.fullmatch(r"找到至少 \d+ 条结果", wait_for_answer(page))
    assert page.locator("#search-results li a.result-title").count() == 10
    assert text_files(requests, "r") == [] and page_errors == []


def test_an_empty_search_page_warms_pagefind_up_before_any_query(page: Page, indexed: dict[str, Any]) -> None:
    with page.expect_request(re.compile(r"/pagefind/main/wasm\.[^/]+\.pagefind$"), timeout=15_000):
        page.goto(indexed["url"] + "search/")  # nothing typed, no focus
    page.locator("#search-input").fill(UNIQUE)
    wait_for_answer(page)
    assert [route_of(u) for u in shown_urls(page)] == [indexed["target"]]


def test_a_listed_word_with_a_frequent_one_reads_only_the_ranges_of_its_candidates(
        page: Page, indexed: dict[str, Any], page_errors: list[str]) -> None:
    found = indexed["records"]
    ids = [i for i, r in enumerate(found) if r["u"] in indexed["rare"]]  # RARE: listed whole, six merchants
    both = [r["u"] for r in holding(holding(found, RARE), "工作")]  # 工作: frequent, read by range
    assert len({i // RANGE for i in ids}) < len(found) // RANGE and both
    requests = recorded_requests(page)
    page.goto(indexed["url"] + "search/")
    answer = page.evaluate(RUN_QUERY_JS, [f"{RARE} 工作", 20_000])
    assert sorted(route_of(u) for u in answer["urls"]) == sorted(both), answer
    read = {int(name.rsplit("/", 1)[1].removesuffix(".json")) for name in text_files(requests, "f")}
    assert read and read <= {i // RANGE for i in ids} and page_errors == []


def warned_word(output: Path, found: list[dict[str, Any]]) -> str:
    """An issue of the generator's that a warning names and that merchants' items hold, in no merchant's name."""
    from generate import INDUSTRIES

    warnings = [p.read_text("utf-8") for p in (output / "warnings").glob("*/index.html")]
    for issue in sorted({issue for industry in INDUSTRIES for issue in industry.issues}):
        if any(issue in text for text in warnings) and holding(found, issue) \
                and not any(issue in r["n"] for r in found):
            return issue
    raise AssertionError("no issue is in both a warning and merchants' items")


def test_the_merchants_results_show_while_pagefind_loads_and_keep_their_place_after_its(
        page: Page, indexed: dict[str, Any], page_errors: list[str]) -> None:
    word = warned_word(indexed["output"], indexed["records"])
    held: list[Route] = []
    page.route("**/pagefind/main/pagefind.js", lambda route: held.append(route))  # Pagefind's code is on its way
    page.goto(indexed["url"] + "search/?q=" + word)
    expect(page.locator("#search-results a.result-title").first).to_be_visible()
    expect(page.locator("#search-status")).to_have_text(re.compile("正在查找全文"))
    early = [route_of(u) for u in shown_urls(page)]
    assert early and all(u.startswith("merchants/") for u in early), early
    for _ in range(100):  # Pagefind is asked for by our worker, beside the merchants' search
        if held:
            break
        page.wait_for_timeout(50)
    assert held and page.locator("#search-results").get_attribute("aria-busy") == "true"
    page.unroute("**/pagefind/main/pagefind.js")
    for route in held:
        route.fallback()
    wait_for_answer(page)
    final = [route_of(u) for u in shown_urls(page)]
    first = [u for u in final if u.startswith("warnings/")]
    assert first and final[:len(first)] == first, final  # the warnings first, as Pagefind's results always are
    assert final[len(first):] == early[:len(final) - len(first)] and page_errors == []


def pagefind_on_the_page(page: Page) -> list[str]:
    """What the page itself fetched from pagefind/ (its resource timing holds no worker's requests)."""
    return page.evaluate("""() => performance.getEntriesByType('resource').map((e) => e.name)
        .filter((url) => url.includes('/pagefind/'))""")


def workers(page: Page) -> list[str]:
    return sorted(worker.url.rsplit("/", 1)[1] for worker in page.workers)


def test_pagefind_answers_the_warnings_from_our_worker(page: Page, indexed: dict[str, Any],
                                                        page_errors: list[str]) -> None:
    word = warned_word(indexed["output"], indexed["records"])
    requests = recorded_requests(page)
    page.goto(indexed["url"] + "search/?q=" + word)
    wait_for_answer(page)
    final = [route_of(u) for u in shown_urls(page)]
    warned = [u for u in final if u.startswith("warnings/")]
    assert warned and final[:len(warned)] == warned and len(final) > len(warned), final  # the merchants' after
    # Pagefind's code, index and data were fetched by our worker, where it runs its WebAssembly: no worker of its own
    assert {"bundles.json", "main/pagefind.js"} <= set(pagefind_files(requests))
    assert any(name.startswith("main/fragment/") for name in pagefind_files(requests))
    assert pagefind_on_the_page(page) == [] and workers(page) == ["searchworker.js"] and page_errors == []
    # a query typed next, and its next page of results, are answered by the same worker
    answer = page.evaluate(RUN_QUERY_JS, [COMMON, 20_000])
    assert len(answer["titles"]) == 10 and workers(page) == ["searchworker.js"]
    before = shown_urls(page)
    page.locator("#search-results button.more").click()
    wait_for_answer(page)
    assert shown_urls(page)[:10] == before and len(shown_urls(page)) > 10 and page_errors == []


@pytest.mark.parametrize("without", ["its script", "workers"])
def test_without_our_worker_pagefind_answers_on_the_page(page: Page, indexed: dict[str, Any], without: str,
                                                          page_errors: list[str]) -> None:
    """Where our worker cannot start (its script refused, or no Worker at all), Pagefind runs on the page as before."""
    word = warned_word(indexed["output"], indexed["records"])
    if without == "workers":
        page.add_init_script("delete window.Worker")
    else:
        page.route("**/assets/searchworker.js", lambda route: route.abort())
    page.goto(indexed["url"] + "search/?q=" + word)
    wait_for_answer(page)
    final = [route_of(u) for u in shown_urls(page)]
    warned = [u for u in final if u.startswith("warnings/")]
    assert warned and final[:len(warned)] == warned, final
    assert any(url.endswith("/pagefind/main/pagefind.js") for url in pagefind_on_the_page(page))
    # Pagefind's own worker where there can be one, its main-thread fallback where there cannot
    assert workers(page) == ([] if without == "workers" else ["pagefind-worker.js"]) and page_errors == []
