"""A search index cut into shards (builder/search.py) is searched as one in Chromium, through nginx under /gongshi/.

The site is a generated one of 400 merchants with shards of at most 50 pages (8 merchant shards and the main
bundle): a query merges the main bundle and, of the shards that hold its words' bigrams, one first and two more
when that one gives less than a page, and the others when asked for more.
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

from builder import search, searchroutes
from builder.build import BuildOptions, build
from builder.lookup import fnv1a
from searchquality import RUN_QUERY_JS

REPO = Path(__file__).resolve().parents[2]
UNIQUE = "甲骨文拓片"  # a statement only one merchant of a late shard has; the lookup does not index statements
RARE = "青铜编钟"  # a statement one merchant of each of shards 0-5 has (one page of a shard's 50)

ALL_BUNDLES_JS = """
async () => {
  const root = new URL("../pagefind/", location.href);
  const names = (await (await fetch(new URL("bundles.json", root))).json()).bundles;
  const pf = await import(new URL(names[0] + "pagefind.js", root).href);
  await pf.init();
  await Promise.all(names.slice(1).map((name) => pf.mergeIndex(new URL(name, root).href)));
  const merchants = await pf.search(null, {filters: {kind: "经营者"}});
  const all = await pf.search(null);
  return {bundles: names.length, merchants: merchants.results.length, pages: all.results.length};
}
"""


def shard_of(url: str, count: int) -> int:
    """The shard of a merchant page, from its URL (as builder/search.py assigns it)."""
    route = url.split("/gongshi/", 1)[1] + "index.html"
    return fnv1a(route) % count


@pytest.fixture(scope="module")
def sharded(serve_with_nginx: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The generated site built into 8 merchant shards, served by nginx: base URL, shard count, the unique page."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate_site  # type: ignore[import-not-found]

    tmp = tmp_path_factory.mktemp("sharded")
    site, out = tmp / "site", tmp / "output"
    generate_site(400, site, periods=2, seed=3, per_district=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 50)
        count = search.shard_count(400)
        target = add_unique_statement(site, count)
        rare = add_rare_statements(site, count)
        report = build(BuildOptions(site, out, as_of=dt.date(2026, 11, 20), audit_file=tmp / "audit.json"))
    assert count == 8 and report.indexed == merchant_pages(out) + 20  # and the 20 warnings
    return {"url": serve_with_nginx(out).base_url, "count": count, "target": target, "output": out, "rare": rare}


def add_unique_statement(site: Path, count: int) -> str:
    """Give one merchant of shard 6 or 7 a statement nobody else has; return its page's route."""
    for path in sorted((site / "content" / "complaints").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if str(data["period"]) != "2026-09":
            continue
        for merchant in data["merchants"]:
            route = f"merchants/{merchant.get('credit_code') or merchant['id']}/index.html"
            if fnv1a(route) % count >= 6 and merchant.get("status", "active") != "withdrawn":
                merchant["statement"] = f"本店已整改，店内陈列{UNIQUE}。"
                path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
                return route
    raise AssertionError("no merchant in a late shard")


def add_rare_statements(site: Path, count: int) -> list[str]:
    """Give one merchant of each of shards 0-5 the statement RARE; return their pages' routes."""
    routes: dict[int, str] = {}
    for path in sorted((site / "content" / "complaints").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if str(data["period"]) != "2026-09":
            continue
        for merchant in data["merchants"]:
            route = f"merchants/{merchant.get('credit_code') or merchant['id']}/index.html"
            shard = fnv1a(route) % count
            if shard < 6 and shard not in routes and merchant.get("status", "active") != "withdrawn" \
                    and "statement" not in merchant:
                merchant["statement"] = f"本店陈列{RARE}。"
                routes[shard] = route
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert sorted(routes) == list(range(6))
    return sorted(routes.values())


def merchant_pages(output: Path) -> int:
    """The merchant pages of a build (merchants/<slug>/index.html; by-complaints/ is a listing)."""
    return len([p for p in (output / "merchants").glob("*/index.html") if p.parent.name != "by-complaints"])


def test_the_bundles_searched_together_hold_every_page(page: Page, sharded: dict[str, Any],
                                                       external_requests: list[str]) -> None:
    listed = json.loads((sharded["output"] / "pagefind" / "bundles.json").read_text("utf-8"))["bundles"]
    assert listed[0] == "main/" and len(listed) == 1 + sharded["count"]
    page.goto(sharded["url"] + "search/")
    found = page.evaluate(ALL_BUNDLES_JS)
    assert found["bundles"] == 9
    assert found["merchants"] == merchant_pages(sharded["output"])
    assert found["pages"] == found["merchants"] + 20  # and the 20 warnings of the main bundle
    assert external_requests == []


def wait_for_answer(page: Page) -> str:
    page.wait_for_function("() => !['', '正在搜索…'].includes(document.getElementById('search-status').textContent)")
    page.wait_for_function("() => document.getElementById('search-results').getAttribute('aria-busy') !== 'true'")
    return page.locator("#search-status").inner_text()


def first_hit(page: Page) -> str:
    """The link of the first result shown."""
    return page.locator("#search-results li a.result-title").first.get_attribute("href", timeout=5000) or ""


def recorded_requests(page: Page) -> list[str]:
    """The URLs the page asks for from now on (the list grows as it does)."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    return requests


def shards_requested(requests: list[str]) -> set[str]:
    """The merchant shard folders (`m03` …) the page fetched anything from."""
    folders = {url.split("/pagefind/", 1)[1].split("/", 1)[0] for url in requests if "/pagefind/" in url}
    return {name for name in folders if re.fullmatch(r"m\d+", name)}


def test_a_query_merges_only_the_shards_that_hold_its_bigrams(page: Page, sharded: dict[str, Any],
                                                              external_requests: list[str],
                                                              page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    page.goto(sharded["url"] + "search/")
    page.locator("#search-input").fill(UNIQUE)
    wait_for_answer(page)
    hit = page.locator("#search-results li a.result-title").first
    expect(hit).to_be_visible()
    assert hit.get_attribute("href", timeout=5000).endswith(sharded["target"].removesuffix("index.html"))
    target = f"m{fnv1a(sharded['target']) % sharded['count']:02d}"
    fetched = shards_requested(requests)
    assert target in fetched and len(fetched) < sharded["count"], fetched  # routed, not all 8 shards
    assert any("/pagefind/routes/" in url for url in requests)
    assert external_requests == [] and page_errors == []


def test_a_word_that_occurs_nowhere_merges_no_shard(page: Page, sharded: dict[str, Any],
                                                    page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    page.goto(sharded["url"] + "search/")
    page.locator("#search-input").fill("麒麟")  # the generator keeps these characters out of every file
    assert wait_for_answer(page) == "没有找到“麒麟”的相关结果"
    assert shards_requested(requests) == set() and page_errors == []


def bundle_texts(output: Path) -> list[list[str]]:
    """The texts search.js checks for the pages of each bundle, in bundles.json order."""
    listed = json.loads((output / "pagefind" / "bundles.json").read_text("utf-8"))["bundles"]
    return [[searchroutes.checked_text(*text) for text in searchroutes.page_texts(output / "pagefind" / name)]
            for name in listed]


def characters_that_never_meet(output: Path) -> str:
    """Two characters that every merchant shard's pages hold but no page holds side by side (the pages say 汽车维修,
    never 汽修), found in the texts search.js checks."""
    texts = [" ".join(pages) for pages in bundle_texts(output)]
    pairs = (a + b for a in "汽车维修服务美容餐饮" for b in "汽车维修服务美容餐饮" if a != b)
    return next(pair for pair in pairs if all(pair[0] in text and pair[1] in text for text in texts[1:])
                and not any(pair in text for text in texts))


def test_a_word_whose_characters_never_meet_loads_no_pagefind(page: Page, sharded: dict[str, Any],
                                                              page_errors: list[str]) -> None:
    word = characters_that_never_meet(sharded["output"])
    requests = recorded_requests(page)
    page.goto(sharded["url"] + "search/?q=" + word)
    assert wait_for_answer(page) == f"没有找到“{word}”的相关结果"
    pagefind = sorted(url.split("/pagefind/", 1)[1] for url in requests if "/pagefind/" in url)
    assert pagefind and all(name == "bundles.json" or name.startswith("routes/") for name in pagefind), pagefind
    # Typed after Pagefind has warmed up: still no shard merged; one of its characters alone finds pages in shards.
    with page.expect_request(re.compile(r"/pagefind/main/wasm\.[^/]+\.pagefind$"), timeout=15_000):
        page.goto(sharded["url"] + "search/")
    answer = page.evaluate(RUN_QUERY_JS, [word, 20_000])
    assert answer["status"] == f"没有找到“{word}”的相关结果" and shards_requested(requests) == set(), answer
    answer = page.evaluate(RUN_QUERY_JS, [word[0], 20_000])
    assert answer["titles"] and shards_requested(requests) and page_errors == [], answer


def test_a_rare_word_merges_one_shard_then_two_and_the_rest_when_asked(page: Page, sharded: dict[str, Any],
                                                                       page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    with page.expect_request(re.compile(r"/pagefind/main/wasm\.[^/]+\.pagefind$"), timeout=15_000):
        page.goto(sharded["url"] + "search/")
    answer = page.evaluate(RUN_QUERY_JS, [RARE, 20_000])
    holding = {f"m{fnv1a(route) % sharded['count']:02d}" for route in sharded["rare"]}
    # One page in each of 6 shards: the first shard gives less than a page, so two more are merged, no more.
    assert answer["status"] == "找到至少 3 条结果" and len(answer["urls"]) == 3, answer
    assert len(shards_requested(requests)) == 3 and shards_requested(requests) <= holding, shards_requested(requests)
    more = page.locator("#search-results button.more")
    for _ in range(5):
        if not more.count():
            break
        more.click()
        wait_for_answer(page)
    urls = page.eval_on_selector_all("#search-results li a.result-title", "links => links.map((a) => a.href)")
    assert sorted(url.split("/gongshi/", 1)[1] + "index.html" for url in urls) == sharded["rare"]
    assert shards_requested(requests) == holding and page_errors == []


def test_a_common_word_fills_its_first_page_from_one_shard(page: Page, sharded: dict[str, Any],
                                                           page_errors: list[str]) -> None:
    word = "工作人员"  # in the details of many items (工作人员组织双方现场调解…), in no name, district or category
    texts = bundle_texts(sharded["output"])
    assert all(sum(word in text for text in shard) >= 10 for shard in texts[1:])
    requests = recorded_requests(page)
    with page.expect_request(re.compile(r"/pagefind/main/wasm\.[^/]+\.pagefind$"), timeout=15_000):
        page.goto(sharded["url"] + "search/")
    answer = page.evaluate(RUN_QUERY_JS, [word, 20_000])
    assert len(answer["urls"]) == 10 and answer["status"].startswith("找到至少"), answer
    assert len(shards_requested(requests)) == 1 and page_errors == []


def test_results_come_from_every_shard(page: Page, sharded: dict[str, Any]) -> None:
    page.goto(sharded["url"] + "search/?kind=经营者")
    wait_for_answer(page)
    for _ in range(40):
        more = page.locator("#search-results button.more")
        if not more.count():
            break
        more.click()
        wait_for_answer(page)
    urls = page.eval_on_selector_all("#search-results li a.result-title", "links => links.map((a) => a.href)")
    shards = {shard_of(url, sharded["count"]) for url in urls}
    assert shards == set(range(sharded["count"]))
    assert len(urls) == len(set(urls)) == merchant_pages(sharded["output"])


def page_title(output: Path, route: str) -> str:
    """The <h1> of a built page (a merchant's name)."""
    found = re.search(r"<h1>([^<]+)</h1>", (output / route).read_text("utf-8"))
    assert found is not None, route
    return found.group(1)


def test_the_full_text_does_not_wait_for_the_lookup_s_records(page: Page, sharded: dict[str, Any],
                                                              page_errors: list[str]) -> None:
    held: list[Route] = []
    page.route("**/search/lookup/r/**", lambda route: held.append(route))  # the lookup's records are on their way
    name = page_title(sharded["output"], sharded["target"])  # the lookup's buckets name fewer than a page for it
    with page.expect_request(re.compile(r"/pagefind/m\d+/"), timeout=15_000):  # a shard merged meanwhile
        page.goto(sharded["url"] + "search/?q=" + name)
    assert held, "the lookup asked for no record"
    expect(page.locator("#search-status")).to_have_text(re.compile("正在"))  # the page is still waiting
    page.unroute("**/search/lookup/r/**")
    for route in held:
        route.fallback()
    wait_for_answer(page)
    assert first_hit(page).endswith(sharded["target"].removesuffix("index.html")) and page_errors == []


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


def open_lookup_filled_query(page: Page, sharded: dict[str, Any]) -> tuple[list[str], int]:
    """Open the search page with `lookup_filled_query` (cold, as the home page's box does): the URLs it asks for
    from then on, and the number of merchants the lookup holds for the query."""
    requests = recorded_requests(page)
    district, count = lookup_filled_query(sharded["output"])
    page.goto(sharded["url"] + "search/?q=" + district)
    return requests, count


def test_a_query_the_lookup_fills_loads_pagefind_only_when_more_results_need_it(
        page: Page, sharded: dict[str, Any], page_errors: list[str]) -> None:
    requests, _ = open_lookup_filled_query(page, sharded)
    status = wait_for_answer(page)
    found = re.fullmatch(r"找到至少 (\d+) 条结果", status)
    assert found and int(found.group(1)) >= 10, status  # the lookup's results; the full text may add more
    first_page = page.eval_on_selector_all("#search-results li a.result-title", "links => links.map((a) => a.href)")
    assert len(first_page) == 10
    pagefind = sorted(url.split("/pagefind/", 1)[1] for url in requests if "/pagefind/" in url)
    assert all(name == "bundles.json" or name.startswith("routes/") for name in pagefind), pagefind
    more = page.locator("#search-results button.more")
    for _ in range(40):
        if not more.count():
            break
        more.click()
        wait_for_answer(page)
    assert shards_requested(requests), "the full text was never searched"
    urls = page.eval_on_selector_all("#search-results li a.result-title", "links => links.map((a) => a.href)")
    assert urls[:10] == first_page and len(urls) == len(set(urls)) >= int(found.group(1))
    assert re.fullmatch(rf"找到 {len(urls)} 条结果", wait_for_answer(page)) and page_errors == []


def test_the_press_that_searches_a_full_text_left_for_later_merges_as_a_first_query_does(
        page: Page, sharded: dict[str, Any], page_errors: list[str]) -> None:
    requests, count = open_lookup_filled_query(page, sharded)
    wait_for_answer(page)
    more = page.locator("#search-results button.more")
    presses = 0
    while not shards_requested(requests):
        more.click()
        wait_for_answer(page)
        presses += 1
        assert presses <= count // 10
    # The first press that showed more than the lookup's results searched the full text: one shard merged, and
    # two more at most when its results ran out.
    assert presses == count // 10 and len(shards_requested(requests)) <= 3, shards_requested(requests)
    assert page_errors == []


def test_a_typed_query_the_lookup_fills_merges_no_shard(page: Page, sharded: dict[str, Any],
                                                        page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    with page.expect_request(re.compile(r"/pagefind/main/wasm\.[^/]+\.pagefind$"), timeout=15_000):
        page.goto(sharded["url"] + "search/")  # Pagefind warmed up
    district, _ = lookup_filled_query(sharded["output"])
    page.locator("#search-input").fill(district)
    assert re.fullmatch(r"找到至少 \d+ 条结果", wait_for_answer(page))
    assert page.locator("#search-results li a.result-title").count() == 10
    assert shards_requested(requests) == set() and page_errors == []
    # and one the lookup cannot answer merges the shards it needs
    answer = page.evaluate(RUN_QUERY_JS, [UNIQUE, 20_000])
    assert answer["urls"][0].endswith(sharded["target"].removesuffix("index.html")), answer
    assert shards_requested(requests) and page_errors == []


def test_a_query_opened_with_absent_characters_loads_no_pagefind(page: Page, sharded: dict[str, Any],
                                                                 page_errors: list[str]) -> None:
    requests = recorded_requests(page)
    page.goto(sharded["url"] + "search/?q=" + "麒麟")
    assert wait_for_answer(page) == "没有找到“麒麟”的相关结果"
    pagefind = sorted(url.split("/pagefind/", 1)[1] for url in requests if "/pagefind/" in url)
    assert pagefind and all(name == "bundles.json" or name.startswith("routes/") for name in pagefind), pagefind
    assert page_errors == []


def test_an_empty_search_page_warms_pagefind_up_before_any_query(page: Page, sharded: dict[str, Any]) -> None:
    requests = recorded_requests(page)
    with page.expect_request(re.compile(r"/pagefind/main/wasm\.[^/]+\.pagefind$"), timeout=15_000):
        page.goto(sharded["url"] + "search/")  # nothing typed, no focus
    assert shards_requested(requests) == set()  # no shard before a query names one
    page.locator("#search-input").fill(UNIQUE)
    wait_for_answer(page)
    assert first_hit(page).endswith(sharded["target"].removesuffix("index.html"))
