"""On a large site the lookup lists bigrams on more than CAP records (up to 1 % of the records) and intersects
them, so that a fragment whose every bigram is common (鑫通通信 among 100,000 merchants) is still found.

A generated site of 300 merchants is built without Pagefind (the lookup alone answers) with the limits scaled
down: CAP 3 and LISTED_SHARE 10 (bigrams on up to a tenth of the records are listed)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from builder import lookup
from builder.build import BuildOptions, build
from builder.searchkey import search_key
from searchquality import RUN_QUERY_JS, open_search_page

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scaled(serve_with_nginx: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The site built with the scaled-down limits, served by nginx: base URL, manifest, records, postings."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate_site  # type: ignore[import-not-found]

    tmp = tmp_path_factory.mktemp("lookupscale")
    site, out = tmp / "site", tmp / "output"
    generate_site(300, site, periods=1, seed=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lookup, "CAP", 3)
        patch.setattr(lookup, "LISTED_SHARE", 10)
        build(BuildOptions(site, out, search=False, as_of=dt.date(2026, 11, 20), audit_file=tmp / "audit.json"))
    root = out / "search" / "lookup"
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    keys = manifest["keys"]
    records = [{name: stored[key] for name, key in keys.items() if key in stored}
               for n in range(-(-manifest["records"] // manifest["block"]))
               for stored in json.loads((root / "r" / f"{n}.json").read_text("utf-8"))]
    postings: dict[str, list[int]] = {}
    for n in range(manifest["buckets"]):
        postings |= json.loads((root / "b" / f"{n}.json").read_text("utf-8"))
    return {"url": serve_with_nginx(out).base_url, "manifest": manifest, "records": records, "postings": postings}


def matching(records: list[dict[str, Any]], fragment: str) -> list[str]:
    """The names of the records whose name, district or category holds the fragment."""
    return [r["name"] for r in records
            if any(fragment in search_key(r.get(f) or "") for f in ("name", "district", "category"))]


def test_bigrams_up_to_the_share_of_records_are_listed(scaled: dict[str, Any]) -> None:
    manifest, postings = scaled["manifest"], scaled["postings"]
    assert manifest["cap"] == 3 and manifest["listed"] == manifest["records"] // 10 > 30
    assert all(len(ids) <= manifest["listed"] for ids in postings.values())
    assert any(len(ids) > 3 for ids in postings.values())  # listed, though more than the cap
    assert manifest["frequent"] and not set(manifest["frequent"]) & set(postings)


def test_a_fragment_of_common_bigrams_is_found_by_intersecting_them(page: Page, scaled: dict[str, Any]) -> None:
    records, postings = scaled["records"], scaled["postings"]
    frequent = set(scaled["manifest"]["frequent"])
    found = None
    for record in (r for r in records if r["type"] == "m"):
        name = search_key(record["name"])
        for start, end in combinations(range(len(name) + 1), 2):
            fragment = name[start:end]
            grams = [fragment[i:i + 2] for i in range(len(fragment) - 1)]
            if len(grams) < 2 or any(g in frequent or g not in postings or len(postings[g]) <= 3 for g in grams):
                continue  # wanted: every bigram listed only because the site is large
            if 1 <= len(matching(records, fragment)) <= 3:
                found = fragment
                break
        if found:
            break
    assert found, "no fragment of common bigrams in the generated names"
    open_search_page(page, scaled["url"])
    shown = page.evaluate(RUN_QUERY_JS, [found, 20_000])
    expected = matching(records, found)
    assert sorted(shown["titles"]) == sorted(expected), (found, shown)
    assert shown["status"] == f"找到 {len(expected)} 条结果"
