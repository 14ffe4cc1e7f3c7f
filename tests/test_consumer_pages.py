"""What the built pages tell consumers and journalists: what is open, how to complain, what 办结 means, a ranking
anyone can recompute, statistics that compare, tag pages and a directory by trade name."""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path, PurePosixPath

import yaml

from builder.stats import hot_spots
from builder.tradename import organizer_regions, trade_name
from helpers import REPO, run_cli

GYM = "merchants/91359902MABPQLYYRT/index.html"


def main_of(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def read(out: Path, route: str) -> str:
    return (out / route).read_text("utf-8")


def period_entries(period: str) -> list[dict]:
    """The sample's entries of one period, read independently of the builder."""
    data = yaml.safe_load((REPO / "content" / "complaints" / f"{period}.yaml").read_text("utf-8"))
    return [m for m in data["merchants"] if m.get("status") != "withdrawn"]


def cells(html: str, label: str) -> list[str]:
    """The text of every cell labelled `label` (data-label), tags stripped."""
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(rf'data-label="{label}">(.*?)</td>', html)]


# --- a merchant page shows what is open -------------------------------------------------------------------------

def test_merchant_page_shows_open_complaints_disclosed_share_handled_dates_and_mediation(sample_output: Path) -> None:
    page = main_of(read(sample_output, GYM))
    # October: 38 complaints, 25 办结, 15 调解成功, 3 items disclosed.
    assert cells(page, "未办结")[:3] == ["13", "8", "3"]
    assert cells(page, "调解成功率")[0] == "60.0% （15/25）"
    assert cells(page, "公示事项")[0] == "3/38"
    assert "本期投诉 38 件，已办结 25 件，未办结 13 件；以下公示其中 3 件（3 件已办结）。" in page
    assert cells(page, "办结日期")[:3] == ["2026-10-26", "2026-11-07", "2026-10-30"]
    assert "55（未办结 24）" in page


def test_mediation_rate_is_a_dash_without_resolved_complaints(minimal_site: Path, tmp_path: Path) -> None:
    summary = minimal_site / "content" / "complaints" / "2026-10.yaml"
    text = summary.read_text("utf-8")
    summary.write_text(text.replace("    complaints: 0\n    resolved: 0\n", "    complaints: 0\n    resolved: 0\n"
                                                                         "    mediated: 0\n"), "utf-8")
    out = tmp_path / "out"
    assert run_cli("build", minimal_site, "--output", out, "--no-search").returncode == 0
    page = main_of(read(out, "merchants/ceshi-bingding/index.html"))
    assert cells(page, "调解成功率")[0] == "— （0/0）" and cells(page, "办结率")[0] == "— （0/0）"
    assert cells(page, "未办结")[0] == "0" and cells(page, "公示事项")[0] == "0/0"


# --- how to complain ------------------------------------------------------------------------------------------

def test_every_merchant_page_and_warning_links_the_12315_platform_and_hotline(sample_output: Path) -> None:
    pages = [p for p in (sample_output / "merchants").glob("*/index.html") if p.parent.name != "by-complaints"]
    pages += [p for p in (sample_output / "warnings").glob("*/index.html")
              if p.parent.name not in ("page", "type", "tag")]
    assert len(pages) == 41 + 6
    for path in pages:
        page = main_of(path.read_text("utf-8"))
        assert '<h2 id="complain-h">我要投诉</h2>' in page, path
        assert 'href="https://www.12315.cn/"' in page and 'href="tel:12315"' in page, path
    gym = main_of(read(sample_output, GYM))
    assert "投诉时写明经营者名称和统一社会信用代码 <span class=\"code\">91359902MABPQLYYRT</span>" in gym
    for path in (sample_output / "index.html", sample_output / "periods" / "index.html"):
        footer = path.read_text("utf-8").split("<footer")[1]
        assert '<a href="tel:12315">投诉举报电话 12315</a>' in footer
        assert '<a href="https://www.12315.cn/" rel="noopener">我要投诉（www.12315.cn）</a>' in footer


def test_complaint_platform_and_hotline_come_from_site_yaml(minimal_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "default"
    assert run_cli("build", minimal_site, "--output", out, "--no-search").returncode == 0
    assert 'href="tel:12315"' in read(out, "index.html")  # the minimal site sets neither key
    with (minimal_site / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("complaint_url: https://tousu.example.gov.cn/ceshi/\ncomplaint_hotline: ０５９１-１２３４５\n")
    out = tmp_path / "own"
    assert run_cli("build", minimal_site, "--output", out, "--no-search").returncode == 0
    page = read(out, "warnings/prepaid/index.html")
    assert '<a class="action" href="https://tousu.example.gov.cn/ceshi/" rel="noopener">在线投诉' in page
    assert '<a class="action" href="tel:059112345">拨打投诉举报电话 0591-12345</a>' in page
    assert "tel:12315" not in page and "12315.cn" not in page


# --- what 办结 means -------------------------------------------------------------------------------------------

def links_to_terms(route: str, page: str) -> bool:
    """Whether the page links to the definitions on 公示说明 (pages/method/#terms), resolved from its own route."""
    base = PurePosixPath(route).parent
    for href in re.findall(r'<a href="([^"]+)"', page):
        if href.endswith("#terms") and "://" not in href:
            target = posixpath.normpath(str(base / href.split("#")[0]))
            if target == "pages/method":
                return True
    return False


def test_resolved_is_defined_where_it_is_shown_and_on_the_method_page(sample_output: Path) -> None:
    method = main_of(read(sample_output, "pages/method/index.html"))
    terms = method[method.index('<h3 id="terms">'):method.index("</dl>")]
    for kind in ("调解成功", "调解终止", "移送有关部门", "撤回"):
        assert kind in terms
    assert "本期已办结的投诉件数" not in method  # the circular definition is gone
    shown = sorted(path.relative_to(sample_output).as_posix() for path in sample_output.rglob("*.html")
                   if re.search("办结[率量]", main_of(path.read_text("utf-8"))))
    routes = set(shown)
    # every kind of page that shows the figures is among them, found from the output, not listed by hand
    for route in (GYM, "index.html", "periods/index.html", "periods/2026-10/index.html", "statistics/index.html",
                  "statistics/2026-10/index.html", "rankings/2026-09/index.html", "rankings/2026-10/index.html",
                  "merchants/index.html", "merchants/by-complaints/index.html", "data/index.html",
                  "pages/about/index.html"):
        assert route in routes, route
    assert any(r.startswith("merchants/letter/") for r in routes) and any(r.startswith("merchants/district/")
                                                                          for r in routes)
    assert any(r.startswith("merchants/category/") for r in routes)
    assert any(r.startswith("statistics/category/") for r in routes)
    missing = [route for route in shown if route != "pages/method/index.html"
               and not links_to_terms(route, main_of(read(sample_output, route)))]
    assert missing == []
    # pages written by templates carry the short definition itself, beside the link
    for route in shown:
        if not route.startswith("pages/"):
            page = main_of(read(sample_output, route))
            assert "撤回" in page and "办结率 = 办结量 ÷ 投诉量" in page, route


# --- rankings anyone can recompute ----------------------------------------------------------------------------

def ranking_rows(page: str, section: str) -> list[tuple[str, ...]]:
    part = page[page.index(f'id="{section}"'):]
    part = part[:part.index("</table>")]
    return [tuple(re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row))
            for row in re.findall(r'<tr><th scope="row">.*?</tr>', part)]


def test_sample_ranking_recomputes_from_the_published_figures(sample_output: Path) -> None:
    """Every merchant of October with ≥ 5 complaints is scored 办结率 × 60 + 调解成功率 × 40, rounded half up."""
    page = main_of(read(sample_output, "rankings/2026-10/index.html"))
    assert '<p class="formula">综合评价得分 = 办结率 × 60 + 调解成功率 × 40</p>' in page  # written from the weights
    expected = {}
    for m in period_entries("2026-10"):
        if m["complaints"] >= 5:
            exact = Fraction(m["resolved"], m["complaints"]) * 60 + Fraction(m["mediated"], m["resolved"]) * 40
            expected[m["name"]] = str((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
                Decimal("0.1"), ROUND_HALF_UP))
    rows = ranking_rows(page, "full")
    assert {row[0]: row[-1] for row in rows} == expected and len(rows) == 31
    scores = [Decimal(row[-1]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    not_ranked = ranking_rows(page, "not-ranked")
    small = {m["name"] for m in period_entries("2026-10") if m["complaints"] < 5}
    assert {row[0] for row in not_ranked} == small and len(small) == 9
    assert all(row[2].endswith("少于 5 件") for row in not_ranked)
    top = page[page.index('id="top-2026-10"'):page.index('id="bottom-2026-10"')]
    assert re.findall(r"<a [^>]*>([^<]+)</a>", top)[0] == rows[0][0] == "青禾邻里鲜超市有限公司"
    assert ("参评经营者 31 家（统计期内投诉量不少于 5 件方可参评，得分由本站计算）；"
            "未参评 9 家（投诉量均不足 5 件）。") in page
    first = rows[0]
    assert first[3:5] == ("100.0% （7/7）→ 60.00 分", "85.7% （6/7）→ 34.29 分")


def test_supplied_ranking_says_who_scored_whom_and_why_others_were_not(sample_output: Path) -> None:
    page = main_of(read(sample_output, "rankings/2026-09/index.html"))
    assert "本榜得分由青禾区消费者协会评定并提供" in page and "不能仅凭本站数据复算" in page
    assert "；未参评 9 家：投诉量不足 5 件的 8 家，无青禾区消费者协会评分的 1 家。" in page  # each reason, counted
    not_ranked = dict((row[0], row[2]) for row in ranking_rows(page, "not-ranked"))
    assert not_ranked["青禾云溪温泉度假村有限公司"] == "未评分（青禾区消费者协会未提供评分）"
    assert not_ranked["青禾区金穗牛肉面馆"] == "统计期内投诉量 3 件，少于 5 件"
    ranked = {row[0] for row in ranking_rows(page, "full")}
    disclosed = {m["name"] for m in period_entries("2026-09")}
    assert ranked | set(not_ranked) == disclosed and not ranked & set(not_ranked)


def test_supplied_scores_keep_the_rankings_decimals_on_whole_numbers(sample_output: Path) -> None:
    """94.0, 91.0 and 86.0 are shown as written, like 94.4 beside them: one decimal, in the table and the lists."""
    page = main_of(read(sample_output, "rankings/2026-09/index.html"))
    data = yaml.safe_load((REPO / "content" / "rankings" / "2026-09.yaml").read_text("utf-8"))
    names = {m.get("credit_code") or m.get("id"): m["name"] for m in period_entries("2026-09")}
    supplied = {names[s["merchant"]]: f'{s["score"]:.1f}' for s in data["scores"] if s["merchant"] in names}
    shown = {row[0]: row[-1] for row in ranking_rows(page, "full")}
    assert shown == {name: supplied[name] for name in shown} and len(shown) >= 18
    assert {"94.0", "91.0", "86.0"} <= set(shown.values())
    listed = re.findall(r'<span class="score">得分 ([^<]+)</span>', page)
    assert listed and all(re.fullmatch(r"\d+\.\d", score) for score in listed), listed


# --- statistics --------------------------------------------------------------------------------------------------

def test_each_category_has_its_series_across_periods(sample_output: Path) -> None:
    overview = main_of(read(sample_output, "statistics/index.html"))
    matrix = overview[overview.index('id="cat-matrix-h"'):]
    matrix = matrix[:matrix.index("</table>")]
    totals = {p: Counter() for p in ("2026-08", "2026-09", "2026-10")}
    for period, counter in totals.items():
        for m in period_entries(period):
            counter[m["category"]] += m["complaints"]
    rows = re.findall(r'<tr><th scope="row"><a href="([^"]+)">([^<]+)</a></th>(.*?)</tr>', matrix)
    assert len(rows) == len(set().union(*totals.values()))
    for url, label, row in rows:
        assert [int(v) for v in re.findall(r">(\d+)</td>", row)] == [totals[p][label] for p in totals]
        page = main_of(read(sample_output, url.removeprefix("../") + "index.html"))
        assert f"{label}：各期投诉量与办结量（数据表）" in page and page.count("<rect ") == 6
    assert matrix.count('class="series-2"') == len(rows)  # three periods charted


def test_item_charts_say_what_they_count_and_hot_spots_need_a_base(sample_output: Path) -> None:
    page = main_of(read(sample_output, "statistics/2026-10/index.html"))
    items = sum(len(m.get("items") or []) for m in period_entries("2026-10"))
    assert f"本图表统计的是本期逐件公示的 {items} 件投诉事项，不是本期全部 393 件投诉" in page
    assert "上期不少于 5 件、本期增加的才列为热点" in page
    # 2 against 0 and 12 against 4 grew from a base below 5; 9 against 5 is a hot spot.
    spots = hot_spots(Counter(new=2, grew=9, small_base=12), Counter(grew=5, small_base=4))
    assert [(s.label, s.current, s.previous) for s in spots] == [("grew", 9, 5)]


# --- tags and the directory -------------------------------------------------------------------------------------

def test_tags_link_to_tag_pages_listing_their_warnings(sample_output: Path) -> None:
    article = main_of(read(sample_output, "warnings/2026-08-prepaid-cards/index.html"))
    links = re.findall(r'<li><a class="tag" href="\.\./\.\./(warnings/tag/[a-z0-9-]+/)">([^<]+)</a></li>', article)
    assert [label for _, label in links] == ["预付卡", "健身", "美容", "退费"]
    for route, label in links:
        tag_page = main_of(read(sample_output, route + "index.html"))
        assert f"<h1>标签：{label}</h1>" in tag_page and "2026-08-prepaid-cards/" in tag_page
    both = main_of(read(sample_output, "warnings/tag/yufuka/index.html"))
    assert both.count('<h2><a href="../../../warnings/') == 2


def test_trade_name_follows_the_region_part_of_the_name() -> None:
    assert organizer_regions("青禾区市场监督管理局") == ["青禾区"]
    assert organizer_regions("福建省福州市市场监督管理局") == ["福建省", "福州市"]
    regions = ("东湖街道", "青禾区", "西岭镇", "青禾")
    assert trade_name("青禾区西岭镇老街手机维修部", regions) == "老街手机维修部"
    assert trade_name("青禾汇力健身服务有限公司", regions) == "汇力健身服务有限公司"
    assert trade_name("青禾区", regions) == "青禾区"  # nothing would be left
    assert trade_name("禾丰汽修", regions) == "禾丰汽修"


def test_directory_by_initial_uses_the_trade_name(sample_output: Path) -> None:
    letters = {}
    for page in (sample_output / "merchants" / "letter").glob("*/index.html"):
        letters[page.parent.name] = re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a>', main_of(
            page.read_text("utf-8")))
    assert "青禾汇力健身服务有限公司" in letters["H"] and "青禾区金穗牛肉面馆" in letters["J"]
    assert "青禾区西岭镇老街手机维修部" in letters["L"]
    assert sum(map(len, letters.values())) == 41 and max(map(len, letters.values())) <= 8
