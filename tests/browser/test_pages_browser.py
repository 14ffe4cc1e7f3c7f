"""What consumers and journalists see, in Chromium at phone and desktop widths: whole tables, whole credit codes,
larger text that reaches the charts, tap targets, tag pages, and the way to complain."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

WIDTHS = (360, 1280)
#: Pages whose tables must show every number without sideways scrolling.
TABLE_PAGES = {
    "merchant": "merchants/91359902MABPQLYYRT/",
    "merchant without code": "merchants/qh-jinsui-niuroumian/",
    "period": "periods/2026-10/",
    "periods": "periods/",
    "computed ranking": "rankings/2026-10/",
    "supplied ranking": "rankings/2026-09/",
    "rankings": "rankings/",
}

#: Every table cell of <main> whose content, or box, lies outside the viewport, and every table box that scrolls.
CUT_CELLS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const tables = [...document.querySelectorAll('main table.data')];
  for (const table of tables) {
    const box = table.closest('.table-scroll');
    if (box && box.scrollWidth > box.clientWidth + 1) {
      const name = table.caption ? table.caption.textContent.trim() : 'table';
      found.push(`${name}: scrolls ${box.scrollWidth} > ${box.clientWidth}`);
    }
    for (const cell of table.querySelectorAll('tbody th, tbody td')) {
      const range = document.createRange();
      range.selectNodeContents(cell);
      const rects = [...range.getClientRects(), cell.getBoundingClientRect()];
      if (rects.some(r => r.width > 0 && (r.right > width + 0.5 || r.left < -0.5))) {
        found.push(`${cell.getAttribute('data-label') || 'header'}: ${cell.textContent.trim().slice(0, 30)}`);
      }
    }
  }
  return {tables: tables.length, found: found.slice(0, 10)};
}"""

#: Credit codes that wrap onto a second line or stick out of the viewport.
BROKEN_CODES = """() => {
  const width = document.documentElement.clientWidth;
  const codes = [...document.querySelectorAll('main .code')].filter(e => /[0-9A-Z]{18}/.test(e.textContent));
  const bad = codes.filter(e => {
    const range = document.createRange();
    range.selectNodeContents(e);
    const rects = [...range.getClientRects()].filter(r => r.width > 0);
    return rects.length !== 1 || rects[0].right > width + 0.5;
  }).map(e => e.textContent.trim());
  return {codes: codes.length, bad};
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", list(TABLE_PAGES))
def test_tables_show_every_number_without_sideways_scrolling(page: Page, nginx_server: str, kind: str,
                                                             width: int) -> None:
    """Merchant, period and ranking tables: no cell is cut off and no table scrolls sideways (cards on phones)."""
    page.set_viewport_size({"width": width, "height": 800})
    response = page.goto(nginx_server + TABLE_PAGES[kind])
    assert response is not None and response.status == 200
    result = page.evaluate(CUT_CELLS)
    assert result["tables"] >= 1, f"{kind}: no table: this test proves nothing"
    assert result["found"] == [], f"{kind} at {width}px: {result['found']}"
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_phone_cards_label_each_number(page: Page, nginx_server: str) -> None:
    """At 360 px a row is a card: its cells stack and each shows its column's name before the value."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(nginx_server + TABLE_PAGES["merchant"])
    cell = page.locator("table.stack td[data-label='未办结']").first
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") == '"未办结"'
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"
    page.set_viewport_size({"width": 1280, "height": 800})
    assert cell.evaluate("e => getComputedStyle(e).display") == "table-cell"
    assert cell.evaluate("e => getComputedStyle(e, '::before').content") in ("none", "normal")


@pytest.mark.parametrize(("width", "font"), [(360, "100%"), (320, "200%"), (640, "100%")])
def test_credit_codes_never_break_inside(page: Page, nginx_server: str, width: int, font: str) -> None:
    """A credit code stays on one line inside the screen: phone, 320 px with text at 200 %, desktop at 200 % zoom."""
    page.set_viewport_size({"width": width, "height": 800})
    for route in ("merchants/91359902MABPQLYYRT/", "periods/2026-10/"):
        page.goto(nginx_server + route)
        page.evaluate("(size) => { document.documentElement.style.fontSize = size; }", font)
        result = page.evaluate(BROKEN_CODES)
        assert result["codes"] >= 1, route
        assert result["bad"] == [], f"{route} at {width}px, text {font}: {result['bad']}"


def test_larger_text_label_says_it_is_on_and_charts_grow_with_it(page: Page, nginx_server: str) -> None:
    """The 大字模式 button's label changes when it is on (aria-pressed too), and chart labels grow with the text."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(nginx_server + "statistics/")
    button = page.locator("#text-size")
    expect(button).to_have_text("大字模式")
    expect(button).to_have_attribute("aria-pressed", "false")
    label = page.locator("svg.bar-chart text").first
    before = label.bounding_box()
    bar = page.locator("svg.bar-chart rect").first.bounding_box()
    button.click()
    expect(button).to_have_text("大字模式：已开启")
    expect(button).to_have_attribute("aria-pressed", "true")
    after = label.bounding_box()
    assert before is not None and after is not None and bar is not None
    assert after["height"] >= before["height"] * 1.2, (before, after)
    grown_bar = page.locator("svg.bar-chart rect").first.bounding_box()
    assert grown_bar is not None and grown_bar["height"] >= bar["height"] * 1.2  # rows grow with their text
    button.click()
    expect(button).to_have_text("大字模式")


@pytest.mark.parametrize("width", WIDTHS)
def test_footer_links_are_44_px_tap_targets(page: Page, nginx_server: str, width: int) -> None:
    """Every link of the footer is at least 44 × 44 CSS px."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(nginx_server + "merchants/91359902MABPQLYYRT/")
    sizes = page.evaluate("""() => [...document.querySelectorAll('footer a')].map(a => {
        const r = a.getBoundingClientRect();
        return [a.textContent.trim() || a.querySelector('img').alt, Math.round(r.width), Math.round(r.height)];
    })""")
    assert len(sizes) >= 6
    small = [s for s in sizes if s[1] < 44 or s[2] < 44]
    assert small == [], small


def test_tags_are_links_to_their_tag_page(page: Page, nginx_server: str) -> None:
    """A warning's tag opens the page of that tag, which lists every warning carrying it."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(nginx_server + "warnings/2026-08-prepaid-cards/")
    tag = page.locator("ul.tags a", has_text="预付卡")
    box = tag.bounding_box()
    assert box is not None and box["height"] >= 44
    tag.click()
    expect(page.locator("h1")).to_have_text("标签：预付卡")
    titles = page.locator("main .cards h2 a").all_inner_texts()
    assert len(titles) == 2 and any("预付" in t for t in titles)
    assert page.url.endswith("/warnings/tag/yufuka/")


@pytest.mark.parametrize("route", ["merchants/91359902MABPQLYYRT/", "warnings/2026-08-prepaid-cards/"])
def test_merchant_pages_and_warnings_say_how_to_complain(page: Page, nginx_server: str, route: str,
                                                         external_requests: list[str]) -> None:
    """我要投诉 links the 12315 platform and calls 12315; the footer does too. Nothing is loaded from 12315.cn."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(nginx_server + route)
    box = page.locator("main aside.complain")
    expect(box.locator("h2")).to_have_text("我要投诉")
    expect(box.locator("a[href='https://www.12315.cn/']")).to_be_visible()
    expect(box.locator("a[href='tel:12315']")).to_be_visible()
    expect(page.locator("footer a[href='tel:12315']")).to_have_text("投诉举报电话 12315")
    assert external_requests == []


def test_a_merchant_page_offers_the_way_to_complain_within_two_screens(page: Page, nginx_server: str) -> None:
    """On a phone, a link beside the merchant's figures jumps to 我要投诉 at the end of the long page."""
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(nginx_server + TABLE_PAGES["merchant"])
    aside = page.locator("main aside.complain")
    far = aside.bounding_box()
    assert far is not None and far["y"] > 2 * 640  # the box itself is far down: the link is what brings it near
    link = page.locator("main a[href='#complain']")
    expect(link).to_have_count(1)
    expect(link).to_have_text("我要投诉")
    box = link.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 2 * 640, box
    assert box["height"] >= 44 and box["width"] >= 44, box
    assert link.evaluate("e => getComputedStyle(e).backgroundColor") == "rgba(0, 0, 0, 0)"  # a link, not a banner
    link.click()
    expect(aside).to_be_in_viewport()
    assert page.url.endswith("#complain")


def test_item_cards_label_every_line_including_the_received_date(page: Page, nginx_server: str) -> None:
    """At 360 px each complaint item is a card whose every line, 受理日期 first, shows its column's name."""
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(nginx_server + TABLE_PAGES["merchant"])
    lines = page.evaluate("""() => [...document.querySelectorAll('main table.items tbody tr')].map(row =>
        [...row.children].map(cell => getComputedStyle(cell, '::before').content))""")
    assert len(lines) >= 3
    for line in lines:
        assert line == ['"受理日期"', '"商品或服务"', '"投诉问题"', '"基本诉求"', '"处理结果"', '"办结日期"'], line
    header = page.locator("main table.items tbody th").first
    page.set_viewport_size({"width": 1280, "height": 800})
    assert header.evaluate("e => getComputedStyle(e, '::before').content") in ("none", "normal")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("route", ["merchants/", "merchants/letter/J/"])
def test_directory_links_are_44_px_tap_targets(page: Page, nginx_server: str, width: int, route: str) -> None:
    """Every link of the directory (letters, districts, categories) is at least 44 × 44 CSS px, and none overlap."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(nginx_server + route)
    boxes = page.evaluate("""() => [...document.querySelectorAll('nav.directory a')].map(a => {
        const r = a.getBoundingClientRect();
        return [a.textContent.trim(), r.left, r.top, r.right, r.bottom];
    })""")
    letters = page.locator("nav.directory ul.directory-letter a")
    assert letters.count() >= 10 and len(boxes) >= 30
    small = [(b[0], round(b[3] - b[1]), round(b[4] - b[2])) for b in boxes if b[3] - b[1] < 44 or b[4] - b[2] < 44]
    assert small == [], small
    overlapping = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                   if a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5]
    assert overlapping == [], overlapping
