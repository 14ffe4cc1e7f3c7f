"""The sample site in a real browser, served by nginx under /gongshi/ like on a real host."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

MERCHANT = "牛肉面"  # the sample content has 青禾区金穗牛肉面馆


def test_search_finds_a_merchant_and_opens_its_page(
    page: Page, nginx_server: str, external_requests: list[str], page_errors: list[str]
) -> None:
    response = page.goto(nginx_server + "search/")
    assert response is not None and response.status == 200, response and response.status

    page.locator("#search-input").fill(MERCHANT)
    hit = page.locator("#search-results li a", has_text=MERCHANT).first
    expect(hit).to_be_visible(timeout=10_000)

    with page.expect_navigation() as navigation:
        hit.click()
    merchant = navigation.value
    assert merchant is not None and merchant.status == 200, f"{page.url}: {merchant and merchant.status}"
    assert page.url.startswith(nginx_server), page.url
    expect(page.locator("h1")).to_contain_text(MERCHANT)

    assert external_requests == [] and len(external_requests) == 0
    assert page_errors == []


def test_sub_path_without_slash_redirects_to_home(
    page: Page, nginx_server: str, external_requests: list[str]
) -> None:
    bare = nginx_server.rstrip("/")  # http://127.0.0.1:PORT/gongshi

    # The server's own answer: a relative 301 (absolute_redirect off), as a static host would send.
    parts = urlsplit(bare)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path)
        answer = conn.getresponse()
        assert answer.status == 301
        assert answer.getheader("Location") == parts.path + "/"
    finally:
        conn.close()

    # The browser follows it to the home page.
    response = page.goto(bare)
    assert response is not None and response.status == 200
    assert page.url == nginx_server
    redirected_from = response.request.redirected_from
    assert redirected_from is not None and redirected_from.url == bare
    expect(page.locator("h1").first).to_be_visible()
    assert page.title().strip() != ""
    assert external_requests == []
