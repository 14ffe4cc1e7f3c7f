"""Listings longer than one page: the directory and warnings paginate, every pager link resolves."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from builder.pages import PAGE_SIZE, pager_links
from helpers import REPO, run_cli
from tools.linkcheck import check_site


@pytest.fixture(scope="module")
def big_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated site with two and a half pages of merchants, built without search."""
    site = tmp_path_factory.mktemp("big") / "site"
    made = subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(PAGE_SIZE * 2 + 20), str(site),
                           "--periods", "1"], capture_output=True, text=True, timeout=600, check=False)
    assert made.returncode == 0, made.stderr
    result = run_cli("build", site, "--no-search")
    assert result.returncode == 0, result.stderr
    return site / "output"


def test_directory_has_a_page_per_fifty_merchants(big_output: Path) -> None:
    first = (big_output / "merchants" / "index.html").read_text("utf-8")
    third = (big_output / "merchants" / "page" / "3" / "index.html").read_text("utf-8")
    assert not (big_output / "merchants" / "page" / "4").exists()
    found = re.search(r"<p>共 (\d+) 家经营者。", first)
    assert found is not None and 2 * PAGE_SIZE < int(found.group(1)) <= 3 * PAGE_SIZE
    rows = [page.count('<th scope="row">') for page in (first, third)]
    assert rows == [PAGE_SIZE, int(found.group(1)) - 2 * PAGE_SIZE]
    pager = re.search(r'<nav class="pager" aria-label="分页">(.*?)</nav>', third, re.S)
    assert pager is not None
    assert re.findall(r'<a href="([^"]+)"( aria-current="page")?>(\d)</a>', pager.group(1)) == [
        ("../../../merchants/", "", "1"), ("../../../merchants/page/2/", "", "2"),
        ("../../../merchants/page/3/", ' aria-current="page"', "3")]


def test_every_link_of_a_paginated_site_resolves(big_output: Path) -> None:
    assert check_site(big_output, skip_pages=["404.html"]) == []


def test_a_long_listing_links_the_first_and_last_pages_and_its_neighbours() -> None:
    # 100,000 merchants are 2,000 directory pages: each page links 13 of them, not all 2,000.
    links = pager_links("merchants/", 10, 2000)
    assert [link.number for link in links] == [1, *range(5, 16), 2000]
    assert links[0].url == "merchants/" and links[-1].url == "merchants/page/2000/"
    assert [link.number for link in pager_links("merchants/", 1, 3)] == [1, 2, 3]
