"""On a government host: page weight through nginx, printing on A4, and the documented CSP enforced."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect
from test_a11y import PAGE_KINDS, QUERY, open_kind, search_with_results

REPO_ROOT = Path(__file__).resolve().parents[2]

KB = 1000
#: Transferred bytes allowed for one page load (HTML, CSS, JS, icon; search excluded).
BUDGETS = {"merchant": 60 * KB, "home": 100 * KB}


class NginxLog:
    """Reads what nginx sent since the last call, from the server's ``status bytes_sent uri`` log."""

    def __init__(self, path: Path) -> None:
        """Start reading at the end of the log."""
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def take(self) -> list[tuple[int, int, str]]:
        """Answers logged since the last call: (status, bytes sent, URI)."""
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        return [(int(st), int(n), uri) for st, n, uri in
                (line.split(" ", 2) for line in complete.decode("utf-8").splitlines())]

    def settle(self, quiet_s: float = 0.3, timeout_s: float = 15.0) -> list[tuple[int, int, str]]:
        """Everything logged until nothing new arrives for ``quiet_s`` (workers' fetches included)."""
        lines: list[tuple[int, int, str]] = []
        deadline, last = time.monotonic() + timeout_s, time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - last < quiet_s:
            new = self.take()
            if new:
                lines += new
                last = time.monotonic()
            time.sleep(0.05)
        return lines


@pytest.fixture(scope="module")
def weight_server(serve_with_nginx: Callable[..., Any], sample_site: Path) -> Any:
    """The sample site on an nginx of its own, so that its log holds only this module's requests."""
    return serve_with_nginx(sample_site)


def total(lines: list[tuple[int, int, str]]) -> tuple[int, int]:
    """(bytes, requests) of logged answers."""
    return sum(n for _, n, _ in lines), len(lines)


def test_page_weight_budgets(browser: Browser, browser_context_args: dict[str, Any], weight_server: Any) -> None:
    """Every kind of page loaded with an empty cache, measured by nginx; merchant and home keep their budget."""
    base = weight_server.base_url
    log = NginxLog(weight_server.bytes_log)
    weights: dict[str, tuple[int, int]] = {}
    external: list[str] = []
    for kind in PAGE_KINDS:
        context = browser.new_context(**browser_context_args)  # a new context: nothing cached
        context.route("**/*", lambda route: route.fallback() if urlsplit(route.request.url).hostname == "127.0.0.1"
                      else (external.append(route.request.url), route.abort("blockedbyclient")))
        page = context.new_page()
        log.take()  # forget what came before
        # networkidle: the browser asks for the icon after "load"; the search page gets no query yet
        response = page.goto(base + PAGE_KINDS[kind], wait_until="networkidle")
        assert response is not None and response.status == (404 if kind == "404" else 200), kind
        if kind == "search":  # the page (which loads Pagefind and its filters), then its first query
            expect(page.locator("#search-filters")).to_be_visible()
            weights["search (page)"] = total(log.settle())
            search_with_results(page)
            kind = "search (first query)"
        weights[kind] = total(log.settle())
        context.close()
    print("\npage weight (bytes nginx sent, headers included, empty cache):")
    for kind, (size, count) in weights.items():
        print(f"  {kind:22} {size / KB:7.1f} KB in {count:2} requests")
    assert external == []
    assert weights["search (first query)"][1] > 0, "the first query fetched nothing: the count misses requests"
    for kind, budget in BUDGETS.items():
        assert weights[kind][0] < budget, f"{kind}: {weights[kind][0]} bytes > budget {budget}"


# ------------------------------------------------------------------------------------------- print

#: A4 is 210 mm wide; the print stylesheet's margins leave 186 mm ≈ 703 CSS px for content.
A4_CONTENT_PX = 703
PRINT_STATE = """() => {
  const d = document.documentElement;
  const shown = s => [...document.querySelectorAll(s)].filter(e => getComputedStyle(e).display !== 'none').length;
  const cut = [...document.querySelectorAll('table')].filter(t =>
    t.getBoundingClientRect().right > d.clientWidth + 1
    || t.parentElement.scrollWidth > t.parentElement.clientWidth + 1);
  return {
    chrome: shown('.site-header nav, .skip-link, #text-size, .footer-links, .search-box, .pager'),
    header_bg: getComputedStyle(document.querySelector('.site-header')).backgroundColor,
    tables: document.querySelectorAll('table').length,
    cut: cut.map(t => t.className || t.tagName),
    overflow: d.scrollWidth - d.clientWidth,
  };
}"""


@pytest.mark.parametrize("kind", ["merchant", "article"])
def test_prints_cleanly_on_a4(page: Page, nginx_server: str, kind: str, tmp_path: Path) -> None:
    """In print, navigation chrome is hidden, tables fit the A4 width, and Chromium renders a PDF."""
    page.set_viewport_size({"width": A4_CONTENT_PX, "height": 1000})
    open_kind(page, nginx_server, kind)
    page.emulate_media(media="print")
    state = page.evaluate(PRINT_STATE)
    assert state["chrome"] == 0, state
    assert state["header_bg"] in ("rgba(0, 0, 0, 0)", "transparent"), state
    assert state["tables"] >= 1 and state["cut"] == [] and state["overflow"] <= 0, state
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
    (tmp_path / f"{kind}.pdf").write_bytes(pdf)  # kept by pytest for a look (pdftoppm -png)


# --------------------------------------------------------------------------------------------- CSP


def documented_csp() -> str:
    """The Content-Security-Policy that README.md tells a host to send (one line in a code block)."""
    readme = (REPO_ROOT / "README.md").read_text("utf-8")
    found = re.findall(r"^Content-Security-Policy: (.+)$", readme, flags=re.MULTILINE)
    assert len(found) == 1, "README.md must show the policy once, as `Content-Security-Policy: …`"
    return found[0].strip()


#: Record every CSP violation the page reports.
LISTEN_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '')));
"""


@pytest.fixture(scope="module")
def csp_server(serve_with_nginx: Callable[..., Any], sample_site: Path) -> str:
    """The sample site served by its own nginx that sends README's Content-Security-Policy on every answer."""
    policy = documented_csp().replace('"', '\\"')
    return serve_with_nginx(sample_site, f'add_header Content-Security-Policy "{policy}" always;').base_url


def test_site_works_under_the_documented_csp(page: Page, csp_server: str, external_requests: list[str]) -> None:
    """Under README's CSP every kind of page loads, search finds results, 大字模式 works: no violation."""
    page.add_init_script(LISTEN_CSP)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    for kind in PAGE_KINDS:
        response = page.goto(csp_server + PAGE_KINDS[kind])
        assert response is not None and response.status == (404 if kind == "404" else 200)
        assert response.headers.get("content-security-policy") == documented_csp(), kind
        if kind == "search":
            page.locator("#search-input").fill(QUERY)
            expect(page.locator("#search-results li a").first).to_be_visible(timeout=10_000)
            expect(page.locator("#search-results li a").first).to_contain_text(QUERY)
            expect(page.locator("#search-filters")).to_be_visible()
            # Pagefind runs in our worker (not on the page, nor in its own worker there)
            assert [w.url.rsplit("/", 1)[1] for w in page.workers] == ["searchworker.js"], page.workers
        if kind == "home":
            page.locator("#text-size").click()
            expect(page.locator("html")).to_have_class(re.compile(r"\btext-large\b"))
        violations = page.evaluate("() => window.__csp")
        assert violations == [], f"{kind}: {violations}"
    assert [m for m in console if re.search(r"Content.Security.Policy|falling back to main thread", m)] == []
    assert external_requests == []

    # The listener works: an inline script injected now is blocked and reported.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = '1'; document.head.append(s); }")
    page.wait_for_function("() => window.__csp.length > 0")
