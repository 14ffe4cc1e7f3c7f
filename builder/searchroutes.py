"""Which search bundles can hold a query: every character of the indexed text, with the bundles that have it.

At 100,000 merchants the Pagefind index is 40-odd bundles, and each bundle merged into the search costs its
meta index (about 9 bytes a page) before a single result: merging them all is over a megabyte. A Pagefind
result is shown only when its text holds every word of the query (search.js), so a bundle whose pages lack
one of the query's characters cannot give a result. `pagefind/routes/<n>.json` maps each character (search
key form: NFKC, lower case) to the bundles holding it, as a hexadecimal bit mask over the bundles of
`pagefind/bundles.json`; the file of a character is FNV-1a of it modulo the number of files, as in the
lookup. The search page merges only the bundles that hold every character of the query, one at a time, and
none at all for a word that occurs nowhere.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Sequence
from typing import Protocol

from builder.lookup import fnv1a
from builder.searchkey import search_key

ROOT = "pagefind/routes"
PER_FILE = 400  # characters per routes file (about 5 KB)
_TAG = re.compile(r"<[^>]*>")
_SHOWN_ATTRIBUTE = re.compile(r'(?:alt|title)="([^"]*)"')  # data-title= too: a superset is fine
# Characters whose search key does not depend on their neighbours (no combining marks, nothing NFKC composes,
# no Greek capital sigma, whose lower case does): Latin up to U+02FF, general punctuation, CJK symbols
# (without the ideographic tone marks), CJK ideographs and full-width ASCII and signs.
_CONTEXT_FREE = re.compile("[\x00-\u02ff\u2000-\u206f\u3000-\u3029\u3030-\u303f\u3400-\u4dbf"
                           "\u4e00-\u9fff\uff00-\uff5e\uffe0-\uffe6\u2212]*")


def page_characters(page: str) -> set[str]:
    """The characters of a page's indexed text, as search.js compares them (a superset: from the
    `data-pagefind-body` element to the end of the page, with the alt and title texts Pagefind may index)."""
    start = page.find("data-pagefind-body")
    if start < 0:
        return set()
    body = page[page.rfind("<", 0, start):]
    text, shown = html.unescape(_TAG.sub(" ", body)), html.unescape(" ".join(_SHOWN_ATTRIBUTE.findall(body)))
    distinct = set(text)
    distinct.update(shown)
    joined = "".join(distinct)
    if _CONTEXT_FREE.fullmatch(joined):  # each character's key alone: the same set, much faster
        return set(search_key(joined))
    return set(search_key(f"{text} {shown}"))


class Writer(Protocol):
    """Anything that writes a file of the site by its route."""

    def write(self, route: str, data: str | bytes) -> None:
        """Write one file."""


def write_routes(staging: Writer, bundles: Sequence[set[str]]) -> int:
    """Write the routes files for these bundles' characters (in bundles.json order); return how many."""
    masks: dict[str, int] = {}
    for index, characters in enumerate(bundles):
        for character in characters:
            masks[character] = masks.get(character, 0) | (1 << index)
    files = max(1, math.ceil(len(masks) / PER_FILE))
    grouped: list[dict[str, str]] = [{} for _ in range(files)]
    for character in sorted(masks):
        grouped[fnv1a(character) % files][character] = format(masks[character], "x")
    for number, table in enumerate(grouped):
        staging.write(f"{ROOT}/{number}.json", json.dumps(table, ensure_ascii=False, separators=(",", ":"),
                                                           sort_keys=True))
    return files
