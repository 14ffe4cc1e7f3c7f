"""Every page of the built sample: valid HTML (Nu checker), no inline script or style, 404 page links."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from helpers import REPO
from tools.linkcheck import scan_site

VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def html_pages(out: Path) -> list[Path]:
    """Every HTML file of the output, in a stable order."""
    return sorted(out.rglob("*.html"))


def vnu_messages(*targets: Path) -> list[dict]:
    """Errors the Nu Html Checker reports for every HTML, CSS and SVG file under ``targets`` (one run)."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        what = "java and node_modules/vnu-jar (./scripts/setup --test installs them)"
        if IN_CI:
            pytest.fail(f"missing in CI: {what}", pytrace=False)
        pytest.skip(f"missing: {what}")
    proc = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", "--skip-non-html",
         "--also-check-css", "--also-check-svg", *map(str, targets)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode in (0, 1), f"vnu failed to run ({proc.returncode}):\n{proc.stderr[-2000:]}"
    return list(json.loads(proc.stderr)["messages"])


def describe(messages: list[dict], root: Path) -> str:
    """One line per message: file:line: message."""
    return "\n".join(
        f"{m.get('url', '').replace(root.resolve().as_uri() + '/', '')}:{m.get('lastLine', '?')}: "
        f"{m.get('type')}: {m.get('message')}" for m in messages
    )


def test_nu_html_checker_finds_no_error_on_any_page(sample_output: Path, tmp_path: Path) -> None:
    """The Nu Html Checker, in one run over the whole output, reports no error (and does report a bad page)."""
    assert len(html_pages(sample_output)) > 60
    bad = tmp_path / "bad.html"  # a control in the same run: the checker runs and reports
    bad.write_text('<!DOCTYPE html><html lang="zh-CN"><title>x</title><p><div></span>', encoding="utf-8")
    messages = vnu_messages(sample_output, bad)
    control = [m for m in messages if m.get("url", "").endswith("/bad.html")]
    assert control != [], "vnu reported nothing for an invalid page: is it checking anything?"
    found = [m for m in messages if m not in control]
    assert found == [], f"{len(found)} errors:\n{describe(found, sample_output)}"


class InlineCode(HTMLParser):
    """Collects what a strict Content-Security-Policy would block: inline scripts, handlers and styles."""

    def __init__(self) -> None:
        """Start with nothing found."""
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record inline scripts, ``on*`` handlers, ``javascript:`` URLs and inline styles."""
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script" and not a.get("src"):
            self.found.append(f"inline <script type={a.get('type', '')!r}>")
        if tag == "style":
            self.found.append("<style> element")
        for key, value in a.items():
            if key.startswith("on"):
                self.found.append(f"<{tag} {key}=…> event handler")
            elif key == "style":
                self.found.append(f"<{tag} style=…> attribute")
            elif value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {key}={value[:30]}> javascript: URL")


def inline_code(html: str) -> list[str]:
    """What a strict CSP would block in one page."""
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def test_inline_code_detector() -> None:
    """The detector sees each kind of inline code and passes external scripts."""
    assert inline_code('<script src="a.js"></script><script type="module" src="b.js"></script>') == []
    found = inline_code('<script>x()</script><script type="application/ld+json">{}</script>'
                        '<a href="javascript:x()" onclick="x()" style="color:red">a</a><style>p{}</style>')
    assert len(found) == 6, found


def test_no_inline_script_handler_or_style_on_any_page(sample_output: Path) -> None:
    """No page carries inline scripts, event handlers, javascript: URLs or inline styles (strict CSP)."""
    problems = [f"{page.relative_to(sample_output)}: {what}"
                for page in html_pages(sample_output)
                for what in inline_code(page.read_text("utf-8"))]
    assert problems == [], "\n".join(problems)


def test_404_page_links_resolve_under_the_base_url(sample_output: Path) -> None:
    """404.html (served at any depth, so its URLs are absolute from base_url) links only to what exists."""
    base_url = yaml.safe_load((REPO / "site.yaml").read_text("utf-8"))["base_url"]
    others = [rel for rel in (p.relative_to(sample_output).as_posix() for p in html_pages(sample_output))
              if rel != "404.html"]
    report = scan_site(sample_output, base_url=base_url, skip_pages=others, check_css=False)
    assert report.pages == 1
    assert report.problems == [], "\n".join(map(str, report.problems))
    assert report.urls_checked >= 10  # navigation, stylesheet, icon and scripts were all seen


def test_link_checker_catches_a_missing_asset_on_pages_and_404(sample_output: Path, tmp_path: Path) -> None:
    """With assets/textsize.js gone, the checker flags it on an ordinary page and on 404.html."""
    base_url = yaml.safe_load((REPO / "site.yaml").read_text("utf-8"))["base_url"]
    shutil.copytree(sample_output / "assets", tmp_path / "assets")
    for name in ("index.html", "404.html"):
        shutil.copy(sample_output / name, tmp_path / name)
    (tmp_path / "assets" / "textsize.js").unlink()
    problems = scan_site(tmp_path, base_url=base_url).problems
    assert sorted(p.page for p in problems if p.url.endswith("assets/textsize.js")) == ["404.html", "index.html"]
