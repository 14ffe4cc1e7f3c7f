"""Markdown rendering and sanitising."""

from builder.markup import MarkdownRenderer
from builder.model import Heading


def render(text: str) -> str:
    return MarkdownRenderer().render(text).html


def test_scripts_handlers_and_javascript_urls_are_removed() -> None:
    html = render('<script>alert(1)</script>\n\n<a href="javascript:alert(2)" onclick="x()">a</a>'
                  '<iframe src="https://evil.example/"></iframe><p onmouseover="y()">p</p>')
    for bad in ("<script", "alert(1)", "javascript:", "onclick", "<iframe", "onmouseover"):
        assert bad not in html


def test_remote_images_are_dropped_local_ones_kept() -> None:
    html = render("![远程](https://evil.example/a.png) ![本地](a.png)")
    assert "evil.example" not in html and 'src="a.png"' in html and 'alt="本地"' in html


def test_tables_get_header_scope_and_headings_get_chinese_anchors() -> None:
    rendered = MarkdownRenderer().render("## 预付卡 风险\n\n|a|b|\n|-|-|\n|1|2|\n")
    assert '<h2 id="预付卡-风险">' in rendered.html
    assert '<th scope="col">a</th>' in rendered.html
    assert rendered.toc == (Heading(2, "预付卡-风险", "预付卡 风险"),)


def test_level_one_headings_are_demoted() -> None:
    assert "<h1" not in render("# 标题\n")


def test_urls_are_judged_the_way_browsers_read_them() -> None:
    html = render('<img src="\\\\evil.example\\a.png"><img src="/\\evil.example/b.png">'
                  '<img src=" //evil.example/c.png">'
                  '<img src="HTTPS:evil.example/d.png"><a href="java\tscript:alert(1)">t</a>'
                  '<a href="&#106;avascript:alert(2)">e</a>[m](vbscript:x) <img src="local.png">')
    for bad in ("evil.example", "script:", "alert"):
        assert bad not in html
    assert '<img src="local.png">' in html


def test_styles_forms_and_embedded_objects_are_removed() -> None:
    html = render('<style>p{}</style><p style="color:red">x</p><form action="/x"><input></form>'
                  '<object data="a"></object><embed src="b"><svg onload="c()"></svg>'
                  '\n\n## y {: style="d" onclick="e()" }\n')
    for bad in ("<style", "style=", "<form", "<input", "<object", "<embed", "<svg", "onload", "onclick"):
        assert bad not in html
