"""Links and images of warnings and pages: what may be published, pages linked by their Markdown file."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.markup import MarkdownRenderer
from builder.references import find_references, needs_check, refusal
from helpers import run_cli
from tools.linkcheck import check_site, external_links

PDF = b"%PDF-1.4\n" + b"0" * 2400 + b"\n%%EOF\n"

WARNING = """---
title: 双11 网购提醒
date: 2026-11-11
type: 消费提醒
---
## 退货时限 {#return}

详见[关于本站](../pages/about.md)与[公示说明](../pages/method.md#scope)，
附件：[告知书](示例告知书.pdf?v=2#page=3)，[再次](示例告知书.pdf)。

另见[投诉平台](https://www.12315.cn/)、[旧站](http://www.example.gov.cn/old/)、[来信](mailto:12315@samr.gov.cn)、
[电话](tel:12315)、[本页顶部](#return)、[本文](2026-11-双11.md)。
"""

PAGE = """---
title: 公示说明
slug: method
---
## 公示范围 {#scope}

消费提醒见[双11 提醒](../warnings/2026-11-双11.md#return)；[预付卡提醒](../warnings/prepaid.md)。
"""

LATER = """---
title: 双12 提醒
date: 2026-12-12
type: 消费提醒
---
同时发布的[年终提醒](年终.md)。
"""

YEAR_END = """---
title: 年终提醒
date: 2026-12-20
type: 消费提醒
---
年终提醒正文。
"""


@pytest.fixture
def linked_site(minimal_site: Path) -> Path:
    """The minimal site whose warnings and pages link each other by their Markdown files."""
    warnings = minimal_site / "content" / "warnings"
    (warnings / "2026-11-双11.md").write_text(WARNING, "utf-8")
    (warnings / "示例告知书.pdf").write_bytes(PDF)
    (warnings / "double12.md").write_text(LATER, "utf-8")
    (warnings / "年终.md").write_text(YEAR_END, "utf-8")
    (minimal_site / "content" / "pages" / "method.md").write_text(PAGE, "utf-8")
    return minimal_site


def test_pages_link_each_other_by_their_markdown_files(linked_site: Path) -> None:
    result = run_cli("build", linked_site, "--as-of", "2026-11-20")
    assert result.returncode == 0, result.stderr
    out = linked_site / "output"
    slug = next(p.name for p in (out / "warnings").iterdir() if p.name.startswith("2026-11-11-"))
    page = (out / "warnings" / slug / "index.html").read_text("utf-8")
    assert '<a href="../../pages/about/" rel="noopener noreferrer">关于本站</a>' in page
    assert '<a href="../../pages/method/#scope" rel="noopener noreferrer">公示说明</a>' in page
    assert f'<a href="../../warnings/{slug}/" rel="noopener noreferrer">本文</a>' in page
    method = (out / "pages" / "method" / "index.html").read_text("utf-8")
    assert f'<a href="../../warnings/{slug}/#return" rel="noopener noreferrer">双11 提醒</a>' in method
    assert '<a href="../../warnings/prepaid/" rel="noopener noreferrer">预付卡提醒</a>' in method
    assert ".md" not in page.split("<main", 1)[1] and ".md" not in method.split("<main", 1)[1]
    # every link resolves (anchors included) where the site is served under its sub-path /ceshi/
    assert check_site(out, base_url="https://www.example.gov.cn/ceshi/", skip_pages=["404.html"]) == []


def test_files_keep_query_and_fragment_and_other_sites_stay_links(linked_site: Path) -> None:
    assert run_cli("build", linked_site, "--as-of", "2026-11-20").returncode == 0
    out = linked_site / "output"
    slug = next(p.name for p in (out / "warnings").iterdir() if p.name.startswith("2026-11-11-"))
    page = (out / "warnings" / slug / "index.html").read_text("utf-8")
    pdf = "../../files/warnings/%E7%A4%BA%E4%BE%8B%E5%91%8A%E7%9F%A5%E4%B9%A6.pdf"
    assert f'<a href="{pdf}?v=2#page=3" rel="noopener noreferrer">告知书（PDF，2 KB）</a>' in page
    assert f'<a href="{pdf}" rel="noopener noreferrer">再次（PDF，2 KB）</a>' in page
    assert (out / "files" / "warnings" / "示例告知书.pdf").read_bytes() == PDF
    for link in ('<a href="https://www.12315.cn/" rel="noopener noreferrer">投诉平台</a>',
                 '<a href="http://www.example.gov.cn/old/" rel="noopener noreferrer">旧站</a>',
                 '<a href="mailto:12315@samr.gov.cn" rel="noopener noreferrer">来信</a>',
                 '<a href="tel:12315" rel="noopener noreferrer">电话</a>',
                 '<a href="#return" rel="noopener noreferrer">本页顶部</a>'):
        assert link in page
    named = {link.url for link in external_links(out, skip_pages=["404.html"])}
    assert {"https://www.12315.cn/", "http://www.example.gov.cn/old/"} <= named


def test_a_link_to_a_warning_not_yet_published_waits_for_it(linked_site: Path) -> None:
    # 双12 (2026-12-12) links 年终 (2026-12-20): nothing to say while both wait, an error once 双12 is out
    assert run_cli("check", linked_site, "--as-of", "2026-11-20").returncode == 0
    early = run_cli("check", linked_site, "--as-of", "2026-12-12")
    assert early.returncode == 1
    assert early.stderr.splitlines()[0] == (
        "content/warnings/double12.md:6:13: link: `年终.md` is not published on the as-of date (dated 2026-12-20 is "
        "after the as-of date 2026-12-12): the link would lead nowhere; link to it from its date on, or date it "
        "earlier")
    assert run_cli("check", linked_site, "--as-of", "2026-12-20").returncode == 0


def test_what_the_sanitiser_drops_is_still_found_and_placed() -> None:
    body = ('![远程](http://evil.example/x.png) [j](javascript:alert(1))\n'
            '<a href="file:///etc/passwd">本机</a> [ok](https://a.example/) [#](#top) [e](//b.example/x.pdf)\n')
    rendered = MarkdownRenderer().render(body)
    assert "evil.example" not in rendered.html and "javascript" not in rendered.html.lower()
    found = [(r.kind, r.url, r.line, r.column) for r in find_references(rendered.written, body, 6)]
    assert found == [("image", "http://evil.example/x.png", 6, 7), ("link", "javascript:alert(1)", 6, 38),
                     ("link", "file:///etc/passwd", 7, 10), ("link", "//b.example/x.pdf", 7, 76)]


@pytest.mark.parametrize(("kind", "url", "start"), [
    ("link", "/etc/passwd", "`/etc/passwd` starts with /"),
    ("link", "\\\\host\\share\\a.pdf", "`s` has no scheme"),  # browsers read backslashes as slashes
    ("link", "java\tscript:alert(1)", "`s` is a javascript: link"),
    ("link", "VBScript:x", "`s` is a vbscript: link"),
    ("link", "D:\\告知书.pdf", "`s` is a path on one computer"),
    ("image", "https://cdn.example/a.png", "`s` is not a file of this site"),
    ("image", "/a.png", "`s` starts with /"),
])
def test_refusals(kind: str, url: str, start: str) -> None:
    assert needs_check(kind, url)
    message = refusal(kind, url, "/etc/passwd" if start.startswith("`/etc") else "s")
    assert message is not None and message.text.startswith(start) and message.code == "GS402"


@pytest.mark.parametrize("url", ["https://www.12315.cn/", "HTTP://A.EXAMPLE/", "mailto:a@b.c", "tel:12315", "#top",
                                 ""])
def test_links_to_other_sites_and_anchors_are_not_checked(url: str) -> None:
    assert not needs_check("link", url)
