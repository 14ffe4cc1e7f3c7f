"""Whole-site checks on the built sample: pages, counts, open data, withdrawn entries, links, determinism."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from builder import creditcode
from helpers import REPO, indexed_pages, run_cli
from tools.linkcheck import check_site, external_resources

PERIOD_FILES = sorted((REPO / "content" / "complaints").glob("*.yaml"))


def source_entries() -> list[dict]:
    """Every entry of the sample content, read independently of the builder."""
    entries = []
    for path in PERIOD_FILES:
        data = yaml.safe_load(path.read_text("utf-8"))
        for merchant in data["merchants"]:
            entries.append({**merchant, "period": str(data["period"])})
    return entries


def slug_of(entry: dict) -> str:
    """The merchant page folder for an entry, following the documented identity rule."""
    if entry.get("credit_code"):
        return creditcode.normalise(str(entry["credit_code"]))
    if entry.get("id"):
        return str(entry["id"]).lower()
    return "m-" + hashlib.sha256(entry["name"].encode()).hexdigest()[:12]


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def all_pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "pagefind" not in p.parts)


def test_sample_has_what_the_issue_asks_for() -> None:
    entries = source_entries()
    merchants = {slug_of(e) for e in entries}
    assert len(PERIOD_FILES) >= 3 and 35 <= len(merchants) <= 50
    assert sum(1 for e in entries if e.get("status") in ("withdrawn", "corrected")) >= 2
    kinds = [yaml.safe_load(p.read_text("utf-8").split("---")[1])["type"]
             for p in (REPO / "content" / "warnings").glob("*.md")]
    assert len(kinds) >= 6 and set(kinds) == {"消费预警", "消费提醒", "典型案例"}


def test_every_public_entry_is_on_its_merchant_and_period_page(sample_output: Path) -> None:
    for entry in source_entries():
        if entry.get("status") == "withdrawn":
            continue
        page = (sample_output / "merchants" / slug_of(entry) / "index.html").read_text("utf-8")
        year, month = entry["period"].split("-")
        label = f"{year}年{int(month)}月"
        row = re.search(rf'>{label}</a></th><td class="num" data-label="投诉量">(\d+)</td><td class="num" '
                        rf'data-label="较上期">[^<]*</td><td class="num" data-label="办结量">(\d+)</td>', page)
        assert row, (entry["name"], label)
        assert (int(row[1]), int(row[2])) == (entry["complaints"], entry["resolved"])
        period_page = (sample_output / "periods" / entry["period"] / "index.html").read_text("utf-8")
        assert entry["name"] in period_page


def test_withdrawn_entries_appear_nowhere(sample_output: Path) -> None:
    withdrawn = [e for e in source_entries() if e.get("status") == "withdrawn"]
    assert withdrawn
    records = json.loads((sample_output / "data" / "complaints.json").read_text("utf-8"))
    fragments = [json.loads(gzip.decompress(p.read_bytes()).removeprefix(b"pagefind_dcd"))
                 for p in (sample_output / "pagefind").glob("*/fragment/*.pf_fragment")]
    texts = [f["content"].replace("\u200b", "") for f in fragments]  # Pagefind puts zero-width spaces between words
    indexed = text_records(sample_output)
    assert len(fragments) >= 5 and len(indexed) > 40
    texts += [" ".join([r["n"], r["d"], r["c"], *r["t"]]) for r in indexed]  # the merchants' full text
    shown = [item["issue"] for e in source_entries() if e.get("status") != "withdrawn" for item in e.get("items") or []]
    assert any(issue in text for issue in shown for text in texts)  # the check below can see an item's issue
    for entry in withdrawn:
        assert not [r for r in records if r["name"] == entry["name"] and r["period"] == entry["period"]]
        period_page = (sample_output / "periods" / entry["period"] / "index.html").read_text("utf-8")
        assert entry["name"] not in period_page
        year, month = entry["period"].split("-")
        merchant_page = sample_output / "merchants" / slug_of(entry) / "index.html"
        disclosed_elsewhere = [e for e in source_entries() if slug_of(e) == slug_of(entry)
                               and e.get("status") != "withdrawn"]
        assert merchant_page.exists() == bool(disclosed_elsewhere), entry["name"]
        if disclosed_elsewhere:
            assert f">{year}年{int(month)}月</a>" not in merchant_page.read_text("utf-8")
        for item in entry.get("items") or []:
            for page in all_pages(sample_output):
                assert item["issue"] not in page.read_text("utf-8"), page
            assert not [text for text in texts if item["issue"] in text]
        assert entry["name"] not in (sample_output / "feed.xml").read_text("utf-8")


def test_open_data_matches_the_source_and_the_csv(sample_output: Path) -> None:
    records = json.loads((sample_output / "data" / "complaints.json").read_text("utf-8"))
    public = [e for e in source_entries() if e.get("status") != "withdrawn"]
    assert len(records) == len(public)
    by_key = {(r["period"], r["name"]): r for r in records}
    for entry in public:
        record = by_key[(entry["period"], entry["name"])]
        assert (record["complaints"], record["resolved"], record["district"], record["category"]) == (
            entry["complaints"], entry["resolved"], entry["district"], entry["category"])
        assert (sample_output / record["url"] / "index.html").is_file()
    raw = (sample_output / "data" / "complaints.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert len(rows) == len(records)
    assert {"公示期", "经营者名称", "统一社会信用代码", "区域", "行业类别", "投诉量", "办结量"} <= set(rows[0])
    assert [(r["公示期"], r["经营者名称"], int(r["投诉量"])) for r in rows] == [
        (r["period"], r["name"], r["complaints"]) for r in records]


def test_every_page_is_chinese_with_the_footer_and_relative_links(sample_output: Path) -> None:
    config = yaml.safe_load((REPO / "site.yaml").read_text("utf-8"))
    pages = all_pages(sample_output)
    assert len(pages) > 60
    for page in pages:
        html = page.read_text("utf-8")
        assert '<html lang="zh-CN">' in html, page
        assert config["organizer"] in html and config["icp"] in html and config["site_id_code"] in html, page
        assert not re.search(r'(?:href|src)="/(?!/)', html) or page.name == "404.html", page
        assert "<script>" not in html and not re.search(r"\son[a-z]+=", html), page


def test_no_broken_links_and_nothing_from_another_host(sample_output: Path) -> None:
    problems = check_site(sample_output, skip_pages=["404.html"])
    assert problems == []
    assert external_resources(sample_output) == []


def test_feed_and_sitemap_are_well_formed(sample_output: Path) -> None:
    feed = ET.parse(sample_output / "feed.xml").getroot()
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == len(list((REPO / "content" / "warnings").glob("*.md")))
    sitemap = ET.parse(sample_output / "sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert all(loc.startswith("https://") for loc in locs) and len(locs) == len(set(locs))


def text_records(output: Path) -> list[dict[str, Any]]:
    """The records of the merchants' full-text index (search/text/r/)."""
    return [r for p in sorted((output / "search" / "text" / "r").glob("*.json"))
            for r in json.loads(p.read_text("utf-8"))]


def test_search_indexes_merchants_and_warnings_only(sample_output: Path) -> None:
    """The merchants are in the full-text index of our own, the warnings in Pagefind's bundle."""
    merchants = {slug_of(e) for e in source_entries() if e.get("status") != "withdrawn"}
    warnings = list((REPO / "content" / "warnings").glob("*.md"))
    assert indexed_pages(sample_output) == len(warnings)
    assert sorted(r["u"] for r in text_records(sample_output)) == sorted(f"merchants/{s}/" for s in merchants)


def test_two_builds_give_identical_bytes(sample_output: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    result = run_cli("build", REPO, "--output", again, "--audit", tmp_path / "audit.json")
    assert result.returncode == 0, result.stderr

    def digest(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}

    assert digest(sample_output) == digest(again)


def test_a_merchant_page_indexes_its_facts_and_items_not_its_figures(sample_output: Path) -> None:
    """The full-text index holds the name, code, district, category, address, statement and items of a merchant
    page; the figures table, dates and field labels are left out of its text (not of its filters)."""
    entry = next(e for e in source_entries() if e.get("credit_code") and e.get("items") and e["period"] == "2026-10")
    found = next(r for r in text_records(sample_output) if r["u"] == f"merchants/{slug_of(entry)}/")
    text = " ".join([found["n"], found["d"], found["c"], *found["t"]])
    wanted = [entry["name"], slug_of(entry), entry["district"], entry["category"]]
    wanted += [str(item[key]) for item in entry["items"] for key in ("goods", "issue", "demand", "result", "detail")
               if item.get(key)]
    assert [w for w in wanted if w not in text] == []
    handled = [str(item["handled"]) for item in entry["items"] if item.get("handled")]
    assert handled and [d for d in handled if d in text] == []  # item dates
    boilerplate = ("统一社会信用代码", "累计投诉量", "各期投诉情况", "公示的投诉事项", "%", "公示中")
    assert [w for w in boilerplate if w in text] == []
    assert text.count(entry["district"]) == 1  # the facts only
    assert found["d"] == entry["district"] and "2026年10月" in found["p"]


def test_pagefind_reads_the_search_body_alone(sample_output: Path) -> None:
    """Pagefind is given a page's search body, not its navigation and footer: no page takes the footer's
    网站纠错 badge for its image (every page did when Pagefind read the whole page), nor its words for its text."""
    config = yaml.safe_load((REPO / "site.yaml").read_text("utf-8"))
    assert config.get("correction_url")  # the sample's footer has the badge on every page
    page = (sample_output / "merchants" / slug_of(next(e for e in source_entries() if e.get("items")))
            / "index.html").read_text("utf-8")
    assert 'alt="网站纠错"' in page and page.index("data-pagefind-body") < page.index('alt="网站纠错"')
    fragments = [json.loads(gzip.decompress(p.read_bytes()).removeprefix(b"pagefind_dcd"))
                 for p in (sample_output / "pagefind").glob("*/fragment/*.pf_fragment")]
    assert len(fragments) == len(list((REPO / "content" / "warnings").glob("*.md")))
    assert [f["url"] for f in fragments if "image" in f["meta"] or "image_alt" in f["meta"]] == []
    assert [f["url"] for f in fragments if "网站纠错" in f["content"].replace("\u200b", "")] == []


def test_search_view_is_the_body_or_the_whole_page() -> None:
    """The view given to Pagefind: the one search body in a bare document; any other page whole."""
    from builder.search import search_view

    page = ('<!DOCTYPE html><html lang="zh-CN"><head><title>甲</title></head><body><nav>导航</nav>'
            '<article data-pagefind-body><h1>青禾示例商店</h1><p>事项</p></article>'
            '<footer><img src="a.svg" alt="网站纠错"></footer></body></html>')
    view = search_view(page)
    assert "<article data-pagefind-body><h1>青禾示例商店</h1><p>事项</p></article>" in view
    assert "导航" not in view and "网站纠错" not in view and view.startswith("<!DOCTYPE html>")
    two = page.replace("<nav>导航</nav>", "<nav><article>别的</article></nav>")
    assert search_view(two) == two  # a theme with another <article>: Pagefind reads the whole page
    unclosed = page.replace("</article>", "")
    assert search_view(unclosed) == unclosed
    assert search_view("<p>no body</p>") == "<p>no body</p>"
    second = page.replace("<nav>导航</nav>", "<nav data-pagefind-body>导航</nav>")
    assert search_view(second) == second  # two search bodies: Pagefind reads both, so it is given the whole page


def test_the_words_data_pagefind_body_in_a_name_do_not_change_the_view() -> None:
    """A name holding the attribute's words (escaped text, an attribute's value) is not a second search body."""
    from builder.search import search_view

    words = "伪造 data-pagefind-body 商店"
    page = (f'<!DOCTYPE html><html><head><title>{words}</title><meta name="description" content="{words}"></head>'
            f'<body><nav>导航</nav><article data-pagefind-body><h1>{words}</h1>'
            f'<div aria-label="{words}" data-x=\'{words}\'>事项</div></article><footer>页脚</footer></body></html>')
    view = search_view(page)
    assert view != page and "导航" not in view and "页脚" not in view
    assert f"<h1>{words}</h1>" in view and "事项" in view


def test_pages_naming_a_merchant_with_the_attribute_s_words_are_not_sent_to_pagefind(minimal_site: Path,
                                                                                     tmp_path: Path) -> None:
    """A name holding `data-pagefind-body` appears on listings, periods and rankings: those pages are still not
    marked for the index, so the build neither sends them to Pagefind nor counts them as indexed."""
    from builder.build import BuildOptions, build

    period = minimal_site / "content" / "complaints" / "2026-10.yaml"
    text = period.read_text("utf-8")
    assert "  - name: 测试甲乙餐饮有限公司\n" in text
    period.write_text(text.replace("  - name: 测试甲乙餐饮有限公司\n",
                                   '  - name: "测试甲乙 data-pagefind-body <b data-pagefind-body>餐饮"\n', 1), "utf-8")
    out = tmp_path / "out"
    report = build(BuildOptions(minimal_site, out, clean=True, audit_file=tmp_path / "audit.json"))
    assert "data-pagefind-body &lt;b" in (out / "periods" / "2026-10" / "index.html").read_text("utf-8")
    assert report.indexed == indexed_pages(out)  # what was sent is what Pagefind indexed: no unmarked page
