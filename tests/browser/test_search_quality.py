"""Search over the sample site in Chromium, through nginx under /gongshi/: the query set, the UI, filters, sorting."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from searchquality import RUN_QUERY_JS, load_queries, open_search_page, run_queries, score

QUERIES = Path(__file__).resolve().parents[1] / "search_queries.json"


def ask(page: Page, query: str) -> dict[str, Any]:
    """Submit a query on the open search page and return what it shows."""
    return page.evaluate(RUN_QUERY_JS, [query, 20_000])


def choose(page: Page, select_id: str, value: str) -> dict[str, Any]:
    """Pick a filter or sort value, wait for the new answer and return what the page shows."""
    page.select_option(f"#{select_id}", value)
    page.wait_for_function("() => !['', '正在搜索…'].includes(document.getElementById('search-status').textContent)")
    page.wait_for_function("() => document.getElementById('search-results').getAttribute('aria-busy') !== 'true'")
    return page.evaluate("""() => ({
        titles: Array.from(document.querySelectorAll('#search-results li a.result-title')).map((a) => a.textContent),
        facts: Array.from(document.querySelectorAll('#search-results li .meta')).map((m) => m.textContent),
        status: document.getElementById('search-status').textContent})""")


def complaints(facts: list[str]) -> list[int]:
    """The 投诉量 figures of the shown results."""
    return [int(m.group(1)) for fact in facts if (m := re.search(r"投诉量 (\d+)", fact))]


def test_query_set_over_the_sample(page: Page, nginx_server: str, page_errors: list[str]) -> None:
    queries = load_queries(QUERIES)
    assert len(queries) >= 60
    kinds = {q.kind for q in queries}
    assert {"name", "fullname", "code", "district", "category", "warning", "absent", "everyday", "synonym",
            "words"} <= kinds
    open_search_page(page, nginx_server)
    scores = score(run_queries(page, queries))
    assert scores.failures == [], "\n".join(scores.failures)
    assert scores.recall_at_10 == 1.0 and scores.first_hit_rate == 1.0 and scores.junk_rate == 0.0
    assert page_errors == []


def test_search_page_speaks_chinese(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    expect(page.locator("label[for=search-input]")).to_contain_text("经营者名称")
    for label in ("区域", "行业类别", "公示期", "类型", "排序"):
        expect(page.locator("#search-filters label", has_text=label)).to_have_count(1)
    kinds = page.locator("#filter-kind option").all_text_contents()
    assert kinds[0] == "全部类型" and set(kinds[1:]) == {"经营者", "消费预警", "消费提醒", "典型案例"}
    assert "西岭镇" in page.locator("#filter-district option").all_text_contents()
    # 公示期 newest first, in period order (not string order, which puts 10月 before 8月)
    assert page.locator("#filter-period option").all_text_contents() == ["全部公示期", "2026年10月", "2026年9月",
                                                                         "2026年8月"]
    shown = ask(page, "汽修")
    # The merchant. The typical-case article that names it (青禾顺通汽修有限公司) is in Pagefind's bundle, whose
    # word segmentation does not give 汽修 for that name: Pagefind returned it only while merchant shards were
    # merged with the warnings, and only the merchants' full text is an index of our own (it finds any fragment).
    assert shown["status"] == "找到 1 条结果"
    assert shown["titles"] == ["青禾顺通汽修有限公司"]
    assert ask(page, "麒麟")["status"] == "没有找到“麒麟”的相关结果"


def test_a_credit_code_typed_loosely_opens_its_merchant(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    shown = ask(page, "９１３５９９０２ ma0p-tjgy1x")  # full-width digits, spaces, hyphen, lower case
    assert shown["titles"][:1] == ["青禾顺通汽修有限公司"]
    assert len(ask(page, "923599")["titles"]) == 2  # the two 个体工商户 of the sample
    with page.expect_navigation() as navigation:
        page.locator("#search-results li a.result-title").first.click()
    assert navigation.value is not None and navigation.value.status == 200
    assert page.url == nginx_server + "merchants/92359902MAQ0TU0EG8/"
    expect(page.locator("h1")).to_have_text("青禾区步云鞋业商行")


def test_filters_narrow_the_results(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    ask(page, "青禾")
    shown = choose(page, "filter-district", "西岭镇")
    assert sorted(shown["titles"]) == sorted(["青禾驰远汽车销售服务有限公司", "青禾丰泽汽车维修服务有限公司",
                                              "青禾惠民生活超市有限公司", "青禾鑫达二手车经纪有限公司",
                                              "青禾区西岭镇老街手机维修部", "青禾畅行驾驶员培训有限公司"])
    assert all("西岭镇" in fact for fact in shown["facts"])
    assert "district=%E8%A5%BF%E5%B2%AD%E9%95%87" in page.url and "q=%E9%9D%92%E7%A6%BE" in page.url
    choose(page, "filter-district", "")
    shown = choose(page, "filter-category", "交通工具")
    assert sorted(shown["titles"]) == sorted(["青禾驰远汽车销售服务有限公司", "青禾鑫达二手车经纪有限公司",
                                              "青禾区畅骑电动车商行"])
    choose(page, "filter-category", "")
    ask(page, "顺通")  # 青禾顺通汽修有限公司 is disclosed in 2026年10月 only
    assert choose(page, "filter-period", "2026年8月")["titles"] == []
    assert choose(page, "filter-period", "2026年10月")["titles"] == ["青禾顺通汽修有限公司"]
    choose(page, "filter-period", "")
    ask(page, "维修")
    shown = choose(page, "filter-kind", "典型案例")
    assert shown["titles"][0] == "汽车维修消费投诉典型案例"
    assert shown["titles"] and all(fact.startswith("典型案例") for fact in shown["facts"])
    shown = choose(page, "filter-kind", "经营者")
    assert "青禾丰泽汽车维修服务有限公司" in shown["titles"] and "汽车维修消费投诉典型案例" not in shown["titles"]
    assert all("投诉量" in fact for fact in shown["facts"])


def test_filters_alone_list_a_district(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    shown = choose(page, "filter-district", "云溪镇")
    assert shown["status"] == "找到 6 条结果"
    assert "青禾区云溪镇山水农家乐" in shown["titles"] and len(shown["titles"]) == 6


def test_sorting_by_complaints(page: Page, nginx_server: str) -> None:
    open_search_page(page, nginx_server)
    ask(page, "东湖街道")
    shown = choose(page, "search-sort", "complaints-desc")
    counts = complaints(shown["facts"])
    assert len(counts) == len(shown["titles"]) >= 8 and counts == sorted(counts, reverse=True)
    assert shown["titles"][0] == "青禾汇力健身服务有限公司"  # 38 complaints in 2026年10月
    counts = complaints(choose(page, "search-sort", "complaints-asc")["facts"])
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_query_and_filters_come_from_the_url(page: Page, nginx_server: str) -> None:
    response = page.goto(nginx_server + "search/?q=%E6%B1%BD%E4%BF%AE&district=%E4%BA%91%E6%BA%AA%E9%95%87")
    assert response is not None and response.status == 200
    expect(page.locator("#search-input")).to_have_value("汽修")
    expect(page.locator("#filter-district")).to_have_value("云溪镇")
    hit = page.locator("#search-results li a.result-title").first
    expect(hit).to_have_text("青禾顺通汽修有限公司")
    with page.expect_navigation() as navigation:
        hit.click()
    assert navigation.value is not None and navigation.value.status == 200
    expect(page.locator("h1")).to_have_text("青禾顺通汽修有限公司")


def test_directory_finds_a_merchant_without_javascript(browser: Any, nginx_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(nginx_server + "merchants/")
        page.locator("nav.directory a", has_text="云溪镇").click()
        expect(page.locator("h1")).to_have_text("云溪镇的经营者")
        with page.expect_navigation() as navigation:
            page.locator("table a", has_text="山水农家乐").click()
        assert navigation.value is not None and navigation.value.status == 200
        expect(page.locator("h1")).to_have_text("青禾区云溪镇山水农家乐")
        page.goto(nginx_server + "merchants/")
        page.locator("nav.directory a", has_text="车辆维修服务").click()
        expect(page.locator("table a", has_text="青禾顺通汽修有限公司")).to_have_count(1)
        page.locator("nav.directory a", has_text="Q").first.click()
        expect(page.locator("h1")).to_have_text("拼音首字母 Q")
        assert all(url.startswith(nginx_server) for url in requests), requests
    finally:
        context.close()
