"""The live preview in Chromium: an edit shows without a manual reload, a broken file shows the overlay above
the last good page, fixing it removes the overlay, the page keeps its URL, search works, the policy holds."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import axe_playwright_python
import pytest
from playwright.sync_api import Page, expect

from helpers import REPO
from preview import Preview, edit

AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTICLE = "warnings/2026-11-double11/"
SOURCE = "content/warnings/2026-11-double11.md"
LISTEN_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of the repository's sample site (site.yaml and content/; the built-in theme)."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy2(REPO / "site.yaml", site / "site.yaml")
    shutil.copytree(REPO / "content", site / "content")
    return site


@pytest.fixture
def preview(sample_copy: Path) -> Iterator[Preview]:
    """`gongshi serve` on the sample copy, stopped with Ctrl-C after the test (which must exit 0)."""
    with Preview(sample_copy) as running:
        running.start()
        yield running
        assert running.stop() == 0, running.transcript()


def overlay_facts(page: Page) -> dict[str, Any]:
    """What the overlay looks like: widths, the smallest font size, whether the page scrolls sideways."""
    return dict(page.evaluate("""() => {
      const o = document.getElementById('gongshi-overlay');
      const sizes = [...o.querySelectorAll('h2, p, code, button')].map(e => parseFloat(getComputedStyle(e).fontSize));
      return {width: o.getBoundingClientRect().width, scroll: o.scrollWidth, client: o.clientWidth,
              minFont: Math.min(...sizes), pageScrolls: document.documentElement.scrollWidth > innerWidth,
              itemsFit: [...o.querySelectorAll('li')].every(li => li.scrollWidth <= li.clientWidth + 1)};
    }"""))


def axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (overlay included)."""
    page.evaluate(AXE_JS)  # evaluated by the browser's debugger, so the page's CSP does not block it
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", WCAG_TAGS)
    return [f"{v['id']}: {n['target']}" for v in result["violations"] for n in v["nodes"]]


def test_edits_errors_and_fixes_show_in_the_open_page(page: Page, preview: Preview, sample_copy: Path,
                                                       external_requests: list[str]) -> None:
    source = sample_copy / SOURCE
    page.add_init_script(LISTEN_CSP)
    page.set_viewport_size({"width": 360, "height": 740})
    url = preview.base + ARTICLE
    response = page.goto(url)
    assert response is not None and response.status == 200
    heading = page.locator("main h1")
    expect(heading).to_have_text("“双十一”网络购物消费预警")

    # 1. An edit shows in the open page by itself, at the same URL.
    edit(source, "title: “双十一”网络购物消费预警", "title: “双十一”网购消费预警（修订）")
    expect(heading).to_have_text("“双十一”网购消费预警（修订）", timeout=15_000)
    assert page.url == url

    # 2. A broken file: the overlay names it, above the last good page.
    edit(source, "type: 消费预警", "type: 消费警告")
    overlay = page.get_by_role("alert")
    expect(overlay).to_be_visible(timeout=15_000)
    expect(overlay).to_contain_text("构建发现 1 个问题")
    expect(overlay.locator("li")).to_have_text([
        f"{SOURCE}:4:7: type: `消费警告` is not one of: 消费预警, 消费提醒, 典型案例 (did you mean `消费预警`?)"])
    expect(heading).to_have_text("“双十一”网购消费预警（修订）")
    assert page.url == url

    # Readable at 360 px, accessible, and within the policy.
    facts = overlay_facts(page)
    assert facts["width"] <= 360 and facts["scroll"] <= facts["client"] and facts["itemsFit"], facts
    assert facts["minFont"] >= 16 and not facts["pageScrolls"], facts
    assert page.evaluate("() => window.__csp") == []
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 740})
        assert axe_violations(page) == [], width
    page.set_viewport_size({"width": 360, "height": 740})

    # Closable with the keyboard: Tab reaches 关闭 first, Enter closes.
    page.locator("body").focus()
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("关闭")
    page.keyboard.press("Enter")
    expect(overlay).to_have_count(0)

    # Another problem shows again (two now), and Escape closes it.
    edit(source, "date: 2026-11-03", "date: 2026-11-31")
    expect(overlay).to_be_visible(timeout=15_000)
    expect(overlay.locator("li")).to_have_count(2)
    expect(overlay.locator("li").first).to_contain_text(f"{SOURCE}:3:7: date: ")
    page.keyboard.press("Escape")
    expect(overlay).to_have_count(0)
    edit(source, "date: 2026-11-31", "date: 2026-11-03")
    expect(overlay).to_be_visible(timeout=15_000)  # the problems changed: shown again
    expect(overlay.locator("li")).to_have_count(1)

    # 3. Fixing the file removes the overlay by itself; the page is the new build, at the same URL.
    edit(source, "type: 消费警告", "type: 消费预警")
    expect(overlay).to_have_count(0, timeout=15_000)
    edit(source, "title: “双十一”网购消费预警（修订）", "title: “双十一”网购消费预警（定稿）")
    expect(heading).to_have_text("“双十一”网购消费预警（定稿）", timeout=15_000)
    assert page.url == url

    # 4. A page that no longer exists: the 404 page, still at its URL, and back when the file is back.
    text = source.read_text("utf-8")
    source.unlink()
    expect(heading).to_have_text("页面未找到", timeout=15_000)
    assert page.url == url
    source.write_text(text, "utf-8")
    expect(heading).to_have_text("“双十一”网购消费预警（定稿）", timeout=15_000)
    assert page.evaluate("() => window.__csp") == []
    assert external_requests == []


def test_an_open_page_waits_for_a_broken_site_and_shows_it_once_fixed(page: Page, sample_copy: Path) -> None:
    source = sample_copy / SOURCE
    edit(source, "type: 消费预警", "type: 消费警告")
    with Preview(sample_copy) as preview:
        preview.start(built=False)
        preview.wait_for(r"^Build failed", stream="err")
        page.goto(preview.root + "gongshi/" + ARTICLE)
        expect(page.get_by_role("alert")).to_contain_text(f"{SOURCE}:4:7: type: ", timeout=15_000)
        edit(source, "type: 消费警告", "type: 消费预警")
        expect(page.locator("main h1")).to_have_text("“双十一”网络购物消费预警", timeout=15_000)
        expect(page.get_by_role("alert")).to_have_count(0)
        assert page.url == preview.root + "gongshi/" + ARTICLE
        assert preview.stop() == 0


def test_search_works_in_the_preview_and_catches_up_with_edits(page: Page, preview: Preview,
                                                              sample_copy: Path) -> None:
    source = sample_copy / SOURCE
    word = "琥珀鹦鹉"  # in no page of the sample; put into an article's body, found only by the full-text index
    preview.wait_for(r"^Search index of build 1 ready")
    builds = preview.builds()
    edit(source, "现发布消费预警如下。", f"现发布消费预警如下。{word}牌商品请谨慎购买。")
    preview.wait_for(r"after changes to content/warnings/2026-11-double11\.md")
    assert preview.builds() == builds + 1
    preview.wait_for(rf"^Search index of build {builds + 1} ready", timeout=90)
    page.goto(preview.base + "search/")
    found = page.evaluate("""async (word) => {
      const root = new URL('../pagefind/', location.href);
      const listed = await fetch(new URL('bundles.json', root)).then(r => r.json());
      const bundles = listed.bundles.map(name => new URL(name, root).href);
      const pf = await import(new URL('pagefind.js', bundles[0]).href);
      await pf.init();
      for (const other of bundles.slice(1)) await pf.mergeIndex(other);
      const search = await pf.search(word);
      return Promise.all(search.results.map(r => r.data().then(d => d.url)));
    }""", word)
    assert [url for url in found if url.endswith(ARTICLE)], found
    page.locator("#search-input").fill(word)
    expect(page.locator("#search-results li a").first).to_contain_text("双十一", timeout=15_000)
    time.sleep(0.1)
