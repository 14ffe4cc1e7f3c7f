"""Accessibility in a real browser: axe-core on every kind of page, keyboard use, reflow, larger text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from playwright.sync_api import Page, expect

#: axe-core 4.12.1 as shipped by axe-playwright-python 0.1.8 (see shared/TOOLING.md).
AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
#: One representative page of each kind in the sample site (path under the sub-path).
PAGE_KINDS: dict[str, str] = {
    "home": "",
    "directory": "merchants/",
    "merchant": "merchants/qh-jinsui-niuroumian/",
    "period": "periods/2026-09/",
    "rankings": "rankings/",
    "ranking": "rankings/2026-10/",
    "supplied ranking": "rankings/2026-09/",
    "statistics": "statistics/",
    "category statistics": "statistics/category/yufushixiaofei/",
    "warnings": "warnings/",
    "tag": "warnings/tag/yufuka/",
    "article": "warnings/2026-11-double11/",
    "data": "data/",
    "content": "pages/about/",
    "404": "no-such-page/",
    "search": "search/",
}
WIDTHS = (360, 1280)
#: A query with hits in the sample content (青禾区金穗牛肉面馆).
QUERY = "牛肉面"


def search_with_results(page: Page) -> None:
    """Type a query on the search page and wait until results are listed."""
    page.locator("#search-input").fill(QUERY)
    expect(page.locator("#search-results li a").first).to_be_visible(timeout=10_000)
    expect(page.locator("#search-results")).to_have_attribute("aria-busy", "false", timeout=10_000)


def open_kind(page: Page, base_url: str, kind: str) -> None:
    """Open the representative page of ``kind`` (the search page with results shown)."""
    response = page.goto(base_url + PAGE_KINDS[kind])
    assert response is not None
    assert response.status == (404 if kind == "404" else 200), f"{kind}: HTTP {response.status}"
    if kind == "search":
        search_with_results(page)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A and AA rules, already injected) on the current page; its violations."""
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node: rule, impact, help and the failing element."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} @ {' '.join(map(str, node['target']))}"
                         f"\n    {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


@pytest.mark.parametrize("kind", list(PAGE_KINDS))
def test_axe_finds_no_wcag_violation(page: Page, nginx_server: str, external_requests: list[str], kind: str) -> None:
    """axe-core reports no WCAG 2.1 A/AA violation on each kind of page, at phone and desktop widths."""
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    open_kind(page, nginx_server, kind)
    page.add_script_tag(content=AXE_JS)
    found = {}
    for width in WIDTHS:  # the same document, laid out again at each width
        page.set_viewport_size({"width": width, "height": 800})
        found[width] = axe_violations(page)
    assert found == {w: [] for w in WIDTHS}, "\n".join(
        f"{kind} at {w}px:\n{describe(v)}" for w, v in found.items() if v)
    assert external_requests == []


def test_axe_harness_reports_violations(page: Page) -> None:
    """The axe harness does report problems: a page with an unnamed image and grey-on-grey text fails."""
    page.set_content('<!DOCTYPE html><html lang="zh-CN"><title>t</title><main><img src="data:,">'
                     '<p style="color:#aaa;background:#bbb">浅色文字</p></main></html>')
    page.add_script_tag(content=AXE_JS)
    assert {v["id"] for v in axe_violations(page)} >= {"image-alt", "color-contrast"}


# ----------------------------------------------------------------------------------------- keyboard

#: Elements a keyboard user can reach with Tab, when rendered.
FOCUSABLE = ("a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
             "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])")
#: Number each rendered control in document order (data-kbd) and return how many there are.
NUMBER_CONTROLS = """(selector) => {
  const shown = [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length > 0);
  shown.forEach((e, i) => e.setAttribute('data-kbd', String(i)));
  return shown.length;
}"""
#: The focused control: its number, a short name and whether a focus indicator is drawn.
FOCUSED = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
    && s.outlineColor !== 'rgba(0, 0, 0, 0)';
  return {kbd: e.getAttribute('data-kbd'), name: e.tagName + ' ' + (e.textContent || e.id).trim().slice(0, 20), ring};
}"""


@pytest.mark.parametrize("kind", ["home", "merchant", "directory", "search"])
def test_every_control_is_reached_by_tab_with_a_visible_focus(page: Page, nginx_server: str, kind: str) -> None:
    """Tab visits every rendered control, in document order, and each shows a focus ring."""
    page.set_viewport_size({"width": 1280, "height": 800})
    if kind == "search":  # a query from the address, so that focus starts at the top of the page
        page.goto(nginx_server + PAGE_KINDS[kind] + "?q=" + QUERY)
        expect(page.locator("#search-results li a").first).to_be_visible(timeout=10_000)
        # the final answer: the lookup's is drawn first, then redrawn with the full text's
        expect(page.locator("#search-results")).to_have_attribute("aria-busy", "false", timeout=10_000)
        expect(page.locator("#search-filters")).to_be_visible()
    else:
        open_kind(page, nginx_server, kind)
    count = page.evaluate(NUMBER_CONTROLS, FOCUSABLE)
    assert count > 5, f"{kind}: only {count} controls found"
    visited: list[int] = []
    no_ring: list[str] = []
    for _ in range(count):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["kbd"] is None:
            break
        visited.append(int(focused["kbd"]))
        if not focused["ring"]:
            no_ring.append(focused["name"])
    assert visited == list(range(count)), f"{kind}: Tab order {visited}, expected 0..{count - 1}"
    assert no_ring == [], f"{kind}: focused without a visible focus indicator: {no_ring}"


def test_skip_link_is_first_shows_itself_and_lands_on_main(page: Page, nginx_server: str) -> None:
    """The first Tab shows the skip link; Enter brings <main> to the top and the next Tab to its first control."""
    page.set_viewport_size({"width": 360, "height": 800})
    open_kind(page, nginx_server, "merchant")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0, box
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    assert page.evaluate("() => Math.round(document.querySelector('main').getBoundingClientRect().top)") <= 0
    page.keyboard.press("Tab")
    first_in_main = page.evaluate("(s) => [...document.querySelectorAll('main :is(' + s + ')')]"
                                  ".find(e => e.getClientRects().length > 0) === document.activeElement", FOCUSABLE)
    assert first_in_main, "after the skip link, Tab did not reach the first control of <main>"


# ------------------------------------------------------------------------------------------- reflow

#: Horizontal overflow of the page, and up to five elements that stick out (outside scrolling boxes).
OVERFLOW = """() => {
  const d = document.documentElement;
  const out = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1 && !e.closest('.table-scroll, .prose table'))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
  return {scroll: d.scrollWidth, client: d.clientWidth, out};
}"""


def test_pages_reflow_at_320px_with_text_at_200_percent(page: Page, nginx_server: str) -> None:
    """At 320 CSS px no page scrolls sideways: normal text, 大字模式, and text at 200%."""
    page.set_viewport_size({"width": 320, "height": 640})
    problems = []
    for kind in PAGE_KINDS:
        open_kind(page, nginx_server, kind)
        for mode, js in (("100%", ""), ("大字模式", "document.documentElement.classList.add('text-large')"),
                         ("200%", "document.documentElement.style.fontSize = '200%'")):
            if js:
                page.evaluate(f"() => {{ {js}; }}")
            found = page.evaluate(OVERFLOW)
            if found["scroll"] > found["client"]:
                problems.append(f"{kind} at {mode}: scrollWidth {found['scroll']} > {found['client']}: {found['out']}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("kind", ["merchant", "period", "ranking", "statistics"])
def test_wide_tables_scroll_inside_their_own_box(page: Page, nginx_server: str, kind: str) -> None:
    """On a phone a table too wide for the screen scrolls in a focusable, named region, never the page.

    No sample table is that wide any more (they become cards), so one is made wide: a longer cell, as
    an editor's data could bring.
    """
    page.set_viewport_size({"width": 320, "height": 640})
    open_kind(page, nginx_server, kind)
    box = page.locator(".table-scroll").first
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    assert (box.get_attribute("aria-label") or "").strip()
    box.evaluate("e => { const t = e.querySelector('table'); t.style.minWidth = '900px'; "
                 "t.style.display = 'table'; }")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the table fits: this test proves nothing"
    assert box.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


# ------------------------------------------------------------------------------------ larger text

#: Record the class of <html> at the moment <body> is inserted, before any content can be drawn.
CLASS_BEFORE_BODY = """
window.__htmlClassAtBody = null;
new MutationObserver((records, observer) => {
  if (document.body) {
    window.__htmlClassAtBody = document.documentElement.className;
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""


def body_font_px(page: Page) -> float:
    """Computed font size of <body>, in CSS px."""
    return float(page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)"))


def test_larger_text_mode_is_remembered_across_pages_without_cookies(
    page: Page, nginx_server: str, external_requests: list[str]
) -> None:
    """The header button turns 大字模式 on; another page opens with it already applied; it turns off again."""
    page.add_init_script(CLASS_BEFORE_BODY)
    open_kind(page, nginx_server, "home")
    button = page.locator("header #text-size")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    normal = body_font_px(page)

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert "text-large" in (page.get_attribute("html", "class") or "")
    assert body_font_px(page) >= normal * 1.2
    assert page.evaluate("() => localStorage.getItem('gongshi-text-size')") == "large"

    open_kind(page, nginx_server, "merchant")  # another page, read fresh from the server
    assert "text-large" in page.evaluate("() => window.__htmlClassAtBody"), "applied only after <body> appeared"
    expect(page.locator("#text-size")).to_have_attribute("aria-pressed", "true")
    assert body_font_px(page) >= normal * 1.2

    page.locator("#text-size").focus()
    page.keyboard.press("Enter")  # the keyboard works as well
    expect(page.locator("#text-size")).to_have_attribute("aria-pressed", "false")
    page.reload()
    assert "text-large" not in page.evaluate("() => window.__htmlClassAtBody")
    assert body_font_px(page) == normal

    assert page.context.cookies() == [] and page.evaluate("() => document.cookie") == ""
    assert external_requests == []
