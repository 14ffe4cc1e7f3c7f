"""Disclosure rules on a fixture site: retention boundaries, statuses, audit, freshness, rankings, as-of date."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from builder.disclosure import Freshness, add_months, is_expired, resolve_as_of
from builder.periods import parse_period
from helpers import NO_CACHE, SITES, fixed_env, run_cli, text_indexed

SITE = SITES / "disclosure"


def build(tmp_path: Path, as_of: str | None, *extra: str, env: dict[str, str] | None = None) -> Path:
    """Build the disclosure fixture into tmp_path/out (audit in tmp_path/audit.json); return the output."""
    out = tmp_path / "out"
    args = ["build", SITE, "--output", out, "--audit", tmp_path / "audit.json", *extra]
    if "--search" in extra:
        args.remove("--search")
    else:
        args.append("--no-search")
    if as_of:
        args += ["--as-of", as_of]
    result = run_cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    return out


def audit(tmp_path: Path) -> dict:
    return json.loads((tmp_path / "audit.json").read_text("utf-8"))


def published_text(out: Path) -> str:
    """Every published file except the search bundle, concatenated."""
    return "\n".join(p.read_text("utf-8", errors="replace") for p in sorted(out.rglob("*"))
                     if p.is_file() and "pagefind" not in p.parts and p.suffix in (".html", ".json", ".csv", ".xml"))


def open_data(out: Path) -> list[dict]:
    return json.loads((out / "data" / "complaints.json").read_text("utf-8"))


def main_of(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


# --- retention ---------------------------------------------------------------------------------------------

def test_an_entry_exactly_at_the_retention_boundary_is_still_published(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")  # 2024-10 ended 2024-10-31; + 24 months = 2026-10-31
    assert (out / "merchants" / "bianjie-dangri" / "index.html").is_file()
    assert (out / "periods" / "2024-10" / "index.html").is_file()
    assert "边界当日食品店" in {row["name"] for row in open_data(out)}
    reasons = {(r["period"], r["reason"]) for r in audit(tmp_path)["left_out"]}
    assert reasons == {("2024-09", "expired"), ("2026-08", "withdrawn")}


def test_one_day_past_the_boundary_the_entry_vanishes_and_is_audited(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-11-01")
    text = published_text(out)
    assert "边界当日食品店" not in text and "bianjie-dangri" not in text and "2024-10" not in text
    assert not (out / "periods" / "2024-10").exists()
    assert "边界当日食品店" not in {row["name"] for row in open_data(out)}
    record = next(r for r in audit(tmp_path)["left_out"] if r["period"] == "2024-10")
    assert record == {"kind": "entry", "period": "2024-10", "name": "边界当日食品店", "ref": "bianjie-dangri",
                      "source": "content/complaints/2024-10.yaml:5", "reason": "expired",
                      "detail": "period ended 2024-10-31; retention 24 months, published until 2026-10-31; "
                                "as of 2026-11-01"}


def test_without_retention_months_nothing_expires(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site, ignore=NO_CACHE)
    config = (site / "site.yaml").read_text("utf-8").replace("retention_months: 24\n", "")
    (site / "site.yaml").write_text(config, "utf-8")
    out = tmp_path / "out"
    result = run_cli("build", site, "--output", out, "--no-search", "--as-of", "2030-01-01")
    assert result.returncode == 0, result.stderr
    assert {"过期旧事餐馆", "边界当日食品店"} <= {row["name"] for row in open_data(out)}
    assert [r["reason"] for r in json.loads((site / ".gongshi" / "audit.json").read_text("utf-8"))["left_out"]] \
        == ["withdrawn"]


def test_retention_arithmetic_at_month_ends() -> None:
    assert add_months(dt.date(2024, 10, 31), 24) == dt.date(2026, 10, 31)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    quarter = parse_period("2024-Q4")
    assert quarter is not None
    assert not is_expired(quarter, 12, dt.date(2025, 12, 31)) and is_expired(quarter, 12, dt.date(2026, 1, 1))


# --- statuses and the audit ----------------------------------------------------------------------------------

def test_each_status_on_the_merchant_page_and_in_the_open_data(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")
    review = main_of((out / "merchants" / "yi" / "index.html").read_text("utf-8"))
    assert "复核中" in review and "2026年9月的公示信息正在复核中" in review
    corrected = main_of((out / "merchants" / "bing" / "index.html").read_text("utf-8"))
    assert "已更正" in corrected and "2026年9月更正记录" in corrected
    assert re.search(r'<time datetime="2026-10-20">2026年10月20日</time>'
                     r'：办结量由 0 更正为 1（复核发现登记错误）', corrected)
    active = main_of((out / "merchants" / "jia" / "index.html").read_text("utf-8"))
    assert "复核中" not in active and "更正记录" not in active
    statuses = {(row["name"], row["period"]): row["status"] for row in open_data(out)}
    assert statuses[("乙好餐厅", "2026-09")] == "under_review"
    assert statuses[("丙好餐厅", "2026-09")] == "corrected"
    assert statuses[("甲好餐厅", "2026-09")] == "active"


def test_withdrawn_appears_nowhere_public_but_in_the_audit(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31", "--search")
    assert "撤回某某餐饮店" not in published_text(out) and "chehui" not in published_text(out)
    assert not (out / "merchants" / "chehui").exists()
    merchant_pages = [p for p in (out / "merchants").glob("*/index.html") if p.parent.name != "by-complaints"]
    assert len(merchant_pages) == 7 and text_indexed(out) == 7
    period = main_of((out / "periods" / "2026-08" / "index.html").read_text("utf-8"))
    assert "丁差餐厅" in period and "撤回某某" not in period
    withdrawn = [r for r in audit(tmp_path)["left_out"] if r["reason"] == "withdrawn"]
    assert withdrawn == [{"kind": "entry", "period": "2026-08", "name": "撤回某某餐饮店", "ref": "chehui",
                          "source": "content/complaints/2026-08.yaml:36", "reason": "withdrawn",
                          "detail": "status: withdrawn"}]


def test_audit_goes_to_the_site_folder_by_default_and_never_into_the_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITE, site, ignore=NO_CACHE)
    result = run_cli("build", site, "--no-search", "--as-of", "2026-10-31")
    assert result.returncode == 0, result.stderr
    assert "2 record(s) left out" in result.stdout
    assert json.loads((site / ".gongshi" / "audit.json").read_text("utf-8"))["as_of"] == "2026-10-31"
    assert not list((site / "output").rglob("audit*"))


def test_change_is_against_the_period_right_before_or_dash(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")

    def changes(slug: str) -> list[tuple[str, str]]:
        page = main_of((out / "merchants" / slug / "index.html").read_text("utf-8"))
        cells = (r'<th scope="row"><a [^>]*>([^<]+)</a></th><td class="num" data-label="投诉量">\d+</td>'
                 r'<td class="num" data-label="较上期">([^<]+)</td>')
        return re.findall(cells, page)

    assert changes("ding") == [("2026年9月", "+1"), ("2026年8月", "−1"), ("2026年7月", "—")]
    assert changes("wu") == [("2026年9月", "—"), ("2026年7月", "—")]  # not disclosed in 2026-08


def test_merchant_statement_is_attributed(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")
    page = main_of((out / "merchants" / "ding" / "index.html").read_text("utf-8"))
    assert "经营者说明（2026年9月）" in page and "本店已整改服务流程（示例说明）。" in page
    assert "—— 丁差餐厅" in page


# --- freshness and the as-of date -----------------------------------------------------------------------------

@pytest.mark.parametrize(("as_of", "stale"), [("2026-11-09", False), ("2026-11-10", True)])
def test_stale_notice_after_the_configured_days(tmp_path: Path, as_of: str, stale: bool) -> None:
    out = build(tmp_path, as_of)  # newest data published 2026-10-10; stale after 30 days
    pages = sorted(out.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text("utf-8")
        assert ('<p class="notice notice-stale" role="note"><strong>数据可能不是最新：</strong>' in html) is stale, page
        assert "数据更新：<time datetime=\"2026-10-10\">2026年10月10日</time>" in html
        day = dt.date.fromisoformat(as_of)
        assert f'信息截至：<time datetime="{as_of}">{day.year}年{day.month}月{day.day}日</time>' in html


def test_freshness_without_data_is_stale_only_when_configured() -> None:
    assert Freshness(dt.date(2026, 1, 1), None, 30).stale
    assert not Freshness(dt.date(2026, 1, 1), None).stale
    assert Freshness(dt.date(2026, 1, 31), dt.date(2026, 1, 1), 30).age_days == 30


def test_as_of_comes_from_the_option_then_source_date_epoch_then_today(tmp_path: Path) -> None:
    today = dt.date(2026, 5, 5)
    assert resolve_as_of(dt.date(2026, 1, 2), {"SOURCE_DATE_EPOCH": "0"}, today) == dt.date(2026, 1, 2)
    assert resolve_as_of(None, {"SOURCE_DATE_EPOCH": "1795132800"}, today) == dt.date(2026, 11, 20)
    assert resolve_as_of(None, {}, today) == today
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        resolve_as_of(None, {"SOURCE_DATE_EPOCH": "yesterday"}, today)
    out = build(tmp_path, None, env=fixed_env(SOURCE_DATE_EPOCH="1793491200"))  # 2026-11-01 UTC
    assert '信息截至：<time datetime="2026-11-01">' in (out / "index.html").read_text("utf-8")


def test_bad_as_of_values_are_reported() -> None:
    result = run_cli("check", SITE, "--as-of", "2026-13-01")
    assert result.returncode == 2 and "is not a date in the form YYYY-MM-DD" in result.stderr
    result = run_cli("check", SITE, env=fixed_env(SOURCE_DATE_EPOCH="soon"))
    assert result.returncode == 1
    assert "SOURCE_DATE_EPOCH:1:1: environment: SOURCE_DATE_EPOCH must be whole seconds" in result.stderr


# --- rankings on the built pages -----------------------------------------------------------------------------

def test_quarter_ranking_with_threshold_and_tie_at_the_cut(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")
    page = main_of((out / "rankings" / "2026-Q3" / "index.html").read_text("utf-8"))
    top = page[page.index('id="top-2026-Q3"'):page.index('id="bottom-2026-Q3"')]
    bottom = page[page.index('id="bottom-2026-Q3"'):]
    assert re.findall(r"第(\d)名(（并列）)?</span>\s*<a[^>]*>([^<]+)</a>", top) == [
        ("1", "", "甲好餐厅"), ("2", "（并列）", "丙好餐厅"), ("2", "（并列）", "乙好餐厅")]
    assert "末位并列，并列者全部列入，共 3 家" in top
    assert re.findall(r"倒数第(\d)名</span>\s*<a[^>]*>([^<]+)</a>", bottom) == [("1", "丁差餐厅")]
    lists = page[page.index('id="top-2026-Q3"'):page.index('id="full"')]
    assert "需改进" in bottom and "戊少餐厅" not in lists  # 1 complaint over the quarter < 3
    assert "统计范围：2026年7月、2026年8月、2026年9月的公示数据" in page
    assert "参评经营者 4 家（统计期内投诉量不少于 3 件方可参评，且须有评分单位的评分）" in page
    assert "；未参评 2 家（投诉量均不足 3 件）。" in page
    not_ranked = page[page.index('id="not-ranked"'):]
    assert re.findall(r'<a [^>]*>([^<]+)</a></th><td class="num" data-label="统计期投诉量">(\d+)</td>'
                      r'<td data-label="未参评原因">([^<]+)</td>', not_ranked) == [
        ("戊少餐厅", "1", "统计期内投诉量 1 件，少于 3 件"), ("己零投诉食品店", "0", "统计期内投诉量 0 件，少于 3 件")]
    assert "榜单只反映投诉处理情况（示例免责声明）" in page
    merchant = main_of((out / "merchants" / "ding" / "index.html").read_text("utf-8"))
    assert "2026年第3季度需改进</a>（倒数第1名）" in merchant
    tied = main_of((out / "merchants" / "yi" / "index.html").read_text("utf-8"))
    assert "2026年第3季度红榜</a>（第2名，并列）" in tied
    history = main_of((out / "rankings" / "index.html").read_text("utf-8"))
    assert ('<th scope="row"><a href="../rankings/2026-Q3/">2026年第3季度</a></th><td data-label="发布日期">2026-10-15'
            '</td><td class="num" data-label="参评">4</td><td data-label="红榜">甲好餐厅、丙好餐厅、乙好餐厅</td>'
            '<td data-label="需改进">丁差餐厅</td>') in history


# --- government conventions ---------------------------------------------------------------------------------

def test_a_sites_own_mark_or_favicon_replaces_the_built_in_one_in_any_format(tmp_path: Path) -> None:
    """The built-in marks are PNG; a site's own file of the same name, SVG as before or any other format, is the one
    the pages show, also in a build that keeps the pages of the one before (the cache knows the change)."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site, ignore=NO_CACHE)
    out = tmp_path / "out"
    args = ["build", site, "--output", out, "--no-search", "--as-of", "2026-10-31"]
    assert run_cli(*args).returncode == 0
    assert '<link rel="icon" href="assets/favicon.png">' in (out / "index.html").read_text("utf-8")
    static = site / "themes" / "default" / "static"
    static.mkdir(parents=True)
    (static / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>', "utf-8")
    (static / "dzjg.webp").write_bytes(b"RIFF\x00\x00\x00\x00WEBP")
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    for page in (out / "index.html", out / "merchants" / "jia" / "index.html"):
        html = page.read_text("utf-8")
        assert 'href="assets/favicon.svg">' in html or 'href="../../assets/favicon.svg">' in html
        assert 'assets/dzjg.webp" width="110"' in html and 'assets/jiucuo.png" width="110"' in html
    assert (out / "assets" / "favicon.svg").read_text("utf-8").startswith("<svg")


def test_government_marks_meta_tags_and_generated_method_page(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")
    home = (out / "index.html").read_text("utf-8")
    assert '<a href="https://www.example.gov.cn/badge/" rel="noopener"><img src="assets/dzjg.png"' in home
    assert '<a href="mailto:jiucuo@example.gov.cn"><img src="assets/jiucuo.png"' in home
    assert '<link rel="icon" href="assets/favicon.png">' in home
    for name in ("dzjg.png", "jiucuo.png", "favicon.png"):
        assert (out / "assets" / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    for name, value in (("SiteName", "规则区消费投诉信息公示"), ("SiteDomain", "www.example.gov.cn"),
                        ("SiteIDCode", "9900000002"), ("ColumnName", "首页"),
                        ("ContentSource", "规则区市场监督管理局")):
        assert f'<meta name="{name}" content="{value}">' in home
    merchant = (out / "merchants" / "jia" / "index.html").read_text("utf-8")
    assert '<meta name="PubDate" content="2026-09-30 00:00">' in merchant
    method = (out / "pages" / "method" / "index.html").read_text("utf-8")
    assert "<h1>公示说明</h1>" in method
    assert "<p>依据规则区投诉信息公示办法（示例）公示。</p><p>第二段依据文字。</p>" in method
    assert "保留 24 个月" in method and "超过 30 天未更新" in method and "并列者全部列入" in method
    assert 'href="../../pages/method/"' in (out / "pages" / "method" / "index.html").read_text("utf-8")


# --- statistics -----------------------------------------------------------------------------------------------

def rows_of(html: str, heading: str) -> list[list[str]]:
    """The body rows (header cell + data cells, tags stripped) of the table captioned `heading`."""
    start = html.index(f"<caption>{heading}（数据表）</caption>")
    table = html[start:html.index("</table>", start)]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", table)]


def test_period_statistics_tables_rates_and_hot_spots(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")
    page = main_of((out / "statistics" / "2026-09" / "index.html").read_text("utf-8"))
    # Withdrawn entries count nowhere: 2026-08's 餐饮服务 is 4, not 13; 4 is below the minimum base (5) of a hot
    # spot, so 6 against 4 is not one; neither is 外卖套餐 (2 items against 1).
    assert "增长最多的行业类别（投诉量）（数据表）" not in page
    assert "没有上期不少于 5 件投诉且本期增加的行业类别" in page
    assert "没有上期不少于 5 件公示事项且本期增加的商品或服务" in page
    assert "上期不少于 5 件、本期增加的才列为热点" in page
    assert rows_of(page, "按行业类别") == [["餐饮服务", "5", "6", "5", "83.3% （5/6）"],
                                         ["食品", "1", "0", "0", "— （0/0）"]]
    assert rows_of(page, "按区域")[1] == ["西街道", "1", "0", "0", "— （0/0）"]
    assert rows_of(page, "按基本诉求（公示事项）") == [["退款", "2", "1", "50.0% （1/2）"]]
    assert rows_of(page, "按处理结果（公示事项）") == [["调解成功", "1", "1", "100.0% （1/1）"],
                                                ["调解终止", "1", "0", "0.0% （0/1）"]]
    assert '<th scope="col">行业类别</th>' in page


def test_overview_trend_over_periods(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")
    page = main_of((out / "statistics" / "index.html").read_text("utf-8"))
    assert rows_of(page, "各期投诉量与办结量") == [
        ["2024年10月", "1", "3", "—", "2", "66.7% （2/3）"], ["2026年7月", "5", "7", "+4", "5", "71.4% （5/7）"],
        ["2026年8月", "4", "4", "−3", "3", "75.0% （3/4）"], ["2026年9月", "6", "6", "+2", "5", "83.3% （5/6）"]]
    for key in ("2024-10", "2026-07", "2026-08", "2026-09"):
        assert f'<a href="../statistics/{key}/">' in page


def test_charts_are_inline_accessible_svg_with_one_bar_per_value(tmp_path: Path) -> None:
    out = build(tmp_path, "2026-10-31")
    html = (out / "statistics" / "index.html").read_text("utf-8")
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert charts and "<script" not in html.split("</footer>")[0].split("<main")[1]
    trend = next(c for c in charts if 'aria-labelledby="trend-c-title"' in c)
    assert 'role="img"' in trend and '<title id="trend-c-title">各期投诉量与办结量' in trend
    assert trend.count("<rect ") == 8 and ">2024年10月</text>" in trend
    assert not re.search(r"(href|src)=\"(https?:)?//", trend)


def test_built_pages_pass_the_nu_checker(tmp_path: Path) -> None:
    jar = Path(__file__).resolve().parent.parent / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file() or shutil.which("java") is None:
        pytest.skip("vnu-jar or java missing: run ./scripts/setup --test")
    out = build(tmp_path, "2026-11-10")  # stale: the notice is checked too
    result = subprocess.run(["java", "-jar", str(jar), "--format", "gnu", "--errors-only", "--skip-non-html",
                             str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
