"""What the search page answers, and when: the lookup before the full text, shorter parts and synonyms when a query
finds nothing, a no-result state that leads on, filters folded on a phone, one button for more results."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, Route, expect

from searchquality import RUN_QUERY_JS, open_search_page

GYM = "青禾汇力健身服务有限公司"
TITLES = "#search-results li a.result-title"


def ask(page: Page, query: str) -> dict[str, Any]:
    """Submit a query on the open search page and return its final answer."""
    return page.evaluate(RUN_QUERY_JS, [query, 20_000])


def final(page: Page) -> None:
    """Wait until the page has its final answer."""
    page.wait_for_function("""() => !['', '正在搜索…'].includes(document.getElementById('search-status').textContent)
        && document.getElementById('search-results').getAttribute('aria-busy') === 'false'""")


def test_the_lookup_answers_before_the_full_text_loads(page: Page, nginx_server: str) -> None:
    held: list[Route] = []
    released: list[bool] = []

    def hold(route: Route) -> None:
        """Pagefind's files wait (as on a slow line) until released."""
        if released:
            route.fallback()
        else:
            held.append(route)

    page.route("**/pagefind/**", hold)
    status = page.locator("#search-status")
    page.goto(nginx_server + "search/?q=%E6%B1%BD%E4%BF%AE")  # 汽修
    expect(page.locator(TITLES)).to_have_text(["青禾顺通汽修有限公司"])
    expect(status).to_have_text("找到 1 条结果，正在查找全文…")
    expect(page.locator("#search-results")).to_have_attribute("aria-busy", "true")
    # The first of Pagefind's files asked for: the list of bundles (search.js then loads the first one's code). The
    # search's worker asks for it on its own turn: it may still be starting when the lookup's answer is drawn.
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert [r.request.url.rsplit("/", 1)[1] for r in held] == ["bundles.json"]
    # A query that finds nothing shows its shorter part's results while the full text is still on its way.
    held.clear()  # (the first page's request went with it)
    page.goto(nginx_server + "search/?q=%E5%81%A5%E8%BA%AB%E6%88%BF")  # 健身房
    expect(status).to_have_text("正在查找“健身房”的全文；以下是“健身”的结果")
    expect(page.locator(TITLES, has_text=GYM)).to_have_count(1)
    released.append(True)
    for route in held:
        route.fallback()
    expect(status).to_have_text("没有找到“健身房”，以下是“健身”的结果")
    expect(page.locator(TITLES, has_text=GYM)).to_have_count(1)


def test_a_credit_code_is_answered_by_the_lookup_alone(page: Page, nginx_server: str) -> None:
    asked: list[str] = []

    def refuse(route: Route) -> None:
        asked.append(route.request.url)
        route.abort()

    page.route("**/pagefind/**", refuse)
    page.goto(nginx_server + "search/?q=91359902MABPQLYYRT")
    final(page)
    expect(page.locator("#search-status")).to_have_text("找到 1 条结果")
    expect(page.locator(TITLES)).to_have_text([GYM])
    assert asked == [] and page.workers == []  # no worker started for Pagefind either


def test_a_query_without_result_tries_its_parts_and_says_so(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    for query, part in (("健身房", "健身"), ("健身卡", "健身"), ("汇力健身房", "汇力健身")):
        shown = ask(page, query)
        assert shown["status"] == f"没有找到“{query}”，以下是“{part}”的结果", query
        assert GYM in shown["titles"], query
        expect(page.locator("#search-empty")).to_be_hidden()
    assert ask(page, "汇力健身房")["titles"][0] == GYM
    # A part too common to stand for the query (青禾 is in every name) is not offered.
    shown = ask(page, "青禾鹦鹉")
    assert (shown["status"], shown["titles"]) == ("没有找到“青禾鹦鹉”的相关结果", [])


def test_synonyms_from_the_taxonomy_are_searched_and_named(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    shown = ask(page, "预付卡")
    assert re.fullmatch(r"找到 \d+ 条结果（含同义词“预付式消费”的结果）", shown["status"]), shown["status"]
    assert shown["titles"][0] == "关于健身、美容等预付卡消费风险的消费预警" and GYM in shown["titles"]
    shown = ask(page, "修 车")  # typed loosely: the synonym's key is compared as a search key
    assert shown["titles"][:2] == ["青禾顺通汽修有限公司", "青禾丰泽汽车维修服务有限公司"]


def test_no_result_leads_to_the_directory(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    empty = page.locator("#search-empty")
    expect(empty).to_be_hidden()
    assert ask(page, "麒麟")["status"] == "没有找到“麒麟”的相关结果"
    expect(empty).to_be_visible()
    with page.expect_navigation() as navigation:
        empty.get_by_role("link", name="经营者名录").click()
    assert navigation.value is not None and navigation.value.status == 200
    assert page.url == nginx_server + "merchants/"
    expect(page.locator("h1")).to_have_text("经营者名录")


def test_more_results_one_tap_at_a_time(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    shown = ask(page, "青禾")
    assert shown["status"] == "找到至少 41 条结果" and len(shown["titles"]) == 10
    more = page.locator("#search-results button.more")
    counts = [10]
    while more.count():
        expect(more).to_have_text("显示更多结果")
        more.click()
        final(page)
        counts.append(page.locator(TITLES).count())
        assert len(counts) < 10, counts
    assert counts == [10, 20, 30, 40, counts[4]] and 41 <= counts[4] < 50, counts
    status = page.locator("#search-status").text_content() or ""
    assert re.fullmatch(rf"找到 {counts[-1]} 条结果", status), status
    body = page.locator("main").text_content() or ""
    assert "继续查找" not in body and "未核对" not in body


def test_first_result_is_on_the_first_phone_screen_in_larger_text_mode(page: Page, nginx_server: str) -> None:
    """With 大字模式 on at 360 × 640, the first result's title is still above the fold (a compacter header)."""
    page.add_init_script("window.localStorage.setItem('gongshi-text-size', 'large')")
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(nginx_server + "search/?q=%E9%9D%92%E7%A6%BE")  # 青禾
    final(page)
    expect(page.locator("#text-size")).to_have_attribute("aria-pressed", "true")
    size = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('main')).fontSize)")
    assert size >= 20, size  # the text really is larger
    title = page.locator(TITLES).first.bounding_box()
    assert title is not None and title["y"] + title["height"] <= 640, title
    links = page.evaluate("() => [...document.querySelectorAll('.site-header a, #text-size')].map(e => "
                          "Math.round(e.getBoundingClientRect().height))")
    assert min(links) >= 44, links  # the compacter header keeps its tap targets
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_filters_fold_behind_a_button_on_a_phone(page: Page, nginx_server: str) -> None:
    page.set_viewport_size({"width": 360, "height": 640})  # a common phone screen in CSS pixels
    page.goto(nginx_server + "search/?q=%E9%9D%92%E7%A6%BE")  # 青禾
    final(page)
    toggle = page.locator("#search-filter-panel > summary")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text("筛选")
    expect(page.locator("#filter-district")).to_be_hidden()
    first = page.locator("#search-results li").first.bounding_box()  # title, facts and excerpt
    assert first is not None and first["y"] + first["height"] <= 640, first  # all on the first screen
    toggle.click()
    expect(page.locator("#filter-district")).to_be_visible()
    page.select_option("#filter-district", "西岭镇")
    final(page)
    expect(toggle).to_have_text("筛选（已选 1 项）")
    expect(page.locator(TITLES)).to_have_count(6)
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(toggle).to_be_hidden()
    expect(page.locator("#filter-kind")).to_be_visible()
