"""The link checker used on built sites must itself fail when it should."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.linkcheck import (
    Link,
    Problem,
    check_site,
    external_links,
    external_resources,
    main,
    scan_site,
)


def page(body: str, head: str = "") -> str:
    """A minimal HTML document."""
    return f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">{head}</head><body>{body}</body></html>'


def make_site(root: Path, files: dict[str, str]) -> Path:
    """Write files (site-relative path -> text) under root and return root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


GOOD_SITE = {
    "index.html": page(
        '<h1 id="top-title">公示</h1>'
        '<a href="merchants/">商户</a> <a href="merchants/niurou/">牛肉面</a>'
        '<a href="merchants/niurou/#tousu">投诉</a> <a href="#top-title">回到顶部</a> <a href="#">#</a>'
        '<a href="search/?q=牛肉面">搜索</a> <a href="data/complaints.csv">CSV</a>'
        '<a href="mailto:jiucuo@example.gov.cn">纠错</a> <a href="tel:12315">12315</a>'
        '<a href="https://www.gov.cn/">中国政府网</a> <a href="//www.samr.gov.cn/">市场监管总局</a>'
        '<a href="%E9%A2%84%E8%AD%A6/%E9%A2%84%E4%BB%98%E5%8D%A1.html#%E6%8F%90%E9%86%92">预警</a>'
        '<a href="预警/预付卡.html#提醒">预警（未编码）</a>'
        '<img src="static/logo.png" srcset="static/logo.png 1x, static/logo@2x.png 2x" alt="">'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">'
        '<form action="search/"><input type="search" name="q"></form>'
        '<div style="background:url(static/logo.png)"></div>',
        head='<link rel="stylesheet" href="static/site.css"><link rel="icon" href="static/logo.png">'
        '<link rel="canonical" href="https://www.example.gov.cn/gongshi/">'
        '<link rel="alternate" type="application/atom+xml" href="feed.xml">'
        '<script src="static/site.js" defer></script>',
    ),
    "merchants/index.html": page('<a href="../">首页</a> <a href="niurou/">牛肉面</a>'),
    "merchants/niurou/index.html": page(
        '<h1>青禾区金穗牛肉面馆</h1><h2 id="tousu">投诉</h2><a href="../../#top-title">首页</a>'
        '<a name="old-anchor"></a><a href="#old-anchor">旧锚点</a><a href="#top">top</a>'
    ),
    "search/index.html": page('<input id="search-input" type="search"><ol id="search-results"></ol>'),
    "预警/预付卡.html": page('<h2 id="提醒">提醒</h2><a href="../index.html">首页</a>'),
    "data/complaints.csv": "period,merchant\n",
    "feed.xml": "<feed/>",
    "static/site.css": 'body{background:url("bg.png")} @import "extra.css";',
    "static/extra.css": "h1{font-weight:bold}",
    "static/bg.png": "png",
    "static/logo.png": "png",
    "static/logo@2x.png": "png",
    "static/site.js": "console.log(1)",
}


def test_good_site_has_no_problems(tmp_path: Path) -> None:
    site = make_site(tmp_path, GOOD_SITE)
    report = scan_site(site)
    assert report.problems == []
    assert report.pages == 5
    assert report.urls_checked > 20
    assert report.external_resources == []
    assert sorted(report.external_links) == [
        Link("index.html", "//www.samr.gov.cn/"),
        Link("index.html", "https://www.example.gov.cn/gongshi/"),
        Link("index.html", "https://www.gov.cn/"),
    ]
    assert external_links(site) == report.external_links
    assert check_site(site) == []


def test_broken_link_is_reported(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "index.html": page('<a href="merchants/nobody/">无此商户</a><a href="about.html">关于</a>'),
            "about.html": page('<a href="missing.html?x=1">缺失</a>'),
        },
    )
    problems = check_site(site)
    assert [(p.page, p.url) for p in problems] == [
        ("about.html", "missing.html?x=1"),
        ("index.html", "merchants/nobody/"),
    ]
    assert "missing" in problems[0].reason
    page_, url, reason = problems[1]  # a plain (page, url, reason) tuple
    assert (page_, url) == ("index.html", "merchants/nobody/") and reason


def test_broken_anchor_is_reported(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<h2 id="here">here</h2><a href="#here">ok</a><a href="#nowhere">bad</a>'
                '<a href="other.html#tousu">ok</a><a href="other.html#%E6%B2%A1%E6%9C%89">bad</a>'
            ),
            "other.html": page('<h2 id="tousu">投诉</h2><p name="not-an-anchor"></p>'
                               '<a href="index.html#not-an-anchor">bad</a>'),
        },
    )
    problems = check_site(site)
    assert sorted((p.page, p.url) for p in problems) == [
        ("index.html", "#nowhere"),
        ("index.html", "other.html#%E6%B2%A1%E6%9C%89"),
        ("other.html", "index.html#not-an-anchor"),
    ]
    assert all("anchor" in p.reason for p in problems)
    assert any("#没有" in p.reason for p in problems)


@pytest.mark.parametrize(
    "markup",
    [
        '<script src="https://cdn.example.com/jquery.js"></script>',
        '<script src="//cdn.example.com/jquery.js"></script>',
        '<link rel="stylesheet" href="https://fonts.example.com/css?family=Noto">',
        '<link rel="preload" as="font" href="https://fonts.example.com/a.woff2">',
        '<img src="http://img.example.com/a.png" alt="">',
        '<img src="static/a.png" srcset="https://img.example.com/a@2x.png 2x" alt="">',
        '<iframe src="https://map.example.com/embed"></iframe>',
        '<video><source src="https://media.example.com/a.mp4"></video>',
        '<div style="background-image: url(\'https://img.example.com/bg.png\')"></div>',
        '<style>@import "https://fonts.example.com/x.css";</style>',
    ],
)
def test_external_resource_is_a_problem(tmp_path: Path, markup: str) -> None:
    site = make_site(tmp_path, {"index.html": page(markup), "static/a.png": "png"})
    report = scan_site(site)
    assert len(report.problems) == 1, report.problems
    assert report.problems[0].reason == "external resource"
    assert report.external_resources == [Link("index.html", report.problems[0].url)]
    assert external_resources(site) == report.external_resources
    assert report.external_links == []


def test_external_resource_in_stylesheet(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "index.html": page("", head='<link rel="stylesheet" href="static/site.css">'),
            "static/site.css": "@font-face{src:url(https://fonts.example.com/a.woff2)} h1{background:url(missing.png)}",
        },
    )
    problems = check_site(site)
    assert sorted((p.page, p.reason) for p in problems) == [
        ("static/site.css", "external resource"),
        ("static/site.css", "missing file static/missing.png"),
    ]


def test_paths_that_break_under_a_sub_path(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "index.html": page(
                '<a href="/merchants/">root-relative</a><a href="../outside.html">outside</a>'
                '<a href="merchants">no slash</a><a href="javascript:void(0)">js</a>'
            ),
            "merchants/index.html": page(""),
        },
    )
    reasons = {p.url: p.reason for p in check_site(site)}
    assert reasons == {
        "/merchants/": "root-relative URL (breaks under a sub-path)",
        "../outside.html": "URL leaves the site folder",
        "merchants": "directory URL without trailing slash",
        "javascript:void(0)": "unexpected URL scheme javascript:",
    }


def test_base_url_maps_absolute_and_root_relative_urls(tmp_path: Path) -> None:
    # The 404 page is served at any path, so it links through base_url's path or the whole base_url.
    site = make_site(
        tmp_path,
        {
            "404.html": page(
                '<a href="/gongshi/">首页</a><a href="https://www.example.gov.cn/gongshi/search/">搜索</a>'
                '<a href="/gongshi/nothing/">bad</a><a href="/elsewhere/">bad</a>',
                head='<link rel="stylesheet" href="/gongshi/static/site.css">',
            ),
            "index.html": page(""),
            "search/index.html": page(""),
            "static/site.css": "",
        },
    )
    base = "https://www.example.gov.cn/gongshi/"
    assert sorted(p.url for p in check_site(site, base_url=base)) == ["/elsewhere/", "/gongshi/nothing/"]
    # Without base_url every root-relative URL is a problem; skipped pages are not checked.
    assert len(check_site(site)) == 4
    assert check_site(site, skip_pages=["404.html"]) == []


def test_base_href_is_honoured(tmp_path: Path) -> None:
    site = make_site(
        tmp_path,
        {
            "a/index.html": page('<a href="target.html">t</a>', head='<base href="../b/">'),
            "b/target.html": page(""),
        },
    )
    assert check_site(site) == []


def test_problem_formatting_and_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path, {"index.html": page('<a href="gone.html">x</a>')})
    assert str(check_site(site)[0]) == "index.html: gone.html: missing file gone.html"
    assert Problem("a", "b", "c").reason == "c"
    assert main([str(site)]) == 1
    assert "gone.html" in capsys.readouterr().out
    (site / "gone.html").write_text(page(""), encoding="utf-8")
    assert main([str(site)]) == 0


def test_missing_site_dir_raises(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        scan_site(tmp_path / "nope")
