"""Which search bundles can hold a query: every character and every bigram of the text search.js checks, with the
bundles that have it.

At 100,000 merchants the Pagefind index is 60-odd bundles, and each bundle merged into the search costs its meta
index and an index chunk per query word (about 70 KB) before a single result. A Pagefind result is shown only when
its text holds every word of the query (search.js: `contains`, over the search key of the page's title and content
as Pagefind's `data()` gives them), so a bundle none of whose pages holds one of a query word's bigrams (pairs of
consecutive characters), or the word itself when it is one character, cannot give a result. Characters alone would
name nearly every bundle for any Chinese word; bigrams name only the bundles where the characters meet
(汽修 is in no page although 汽 and 修 are in all). `pagefind/routes/<n>.json` maps each character and each bigram
(search key form: NFKC, lower case, no spaces) to the bundles holding it, as a hexadecimal bit mask over the bundles
of `pagefind/bundles.json`; the file of a key is FNV-1a of it modulo the number of files, as in the lookup. The keys
are read from the bundle Pagefind wrote (each page's fragment holds its title and content), so they are exactly
the texts search.js checks, whatever Pagefind leaves out of a page or inserts between its elements.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Protocol

from builder.lookup import fnv1a
from builder.searchbundle import SIGNATURE
from builder.searchkey import search_key

ROOT = "pagefind/routes"
FORMAT = "characters and bigrams, from fragments"  # part of the routes' key: routes of another kind are rewritten
FILE_BYTES = 6000  # about this many bytes of keys and masks per routes file
ZWSP = "\u200b"  # Pagefind puts it between the words it segmented; its search.js drops it from a page's content
# Where a text is cut into pieces that repeat across pages (Pagefind's ". " between block elements, the Chinese comma
# and full stop: a page's text is mostly the same clauses), and the search keys of those cuts.
_CUTS = re.compile("\\. |，|。")
_CUT_KEYS = (".", ",", "。")
SENTINEL = "\x00"  # stands for a cut between the pieces joined to be cut into words (never in a page's text)
CHUNK = 200  # pieces cut into words at once (each step holds the GIL briefly: the indexing threads go on)
# Characters whose search key does not depend on their neighbours (no combining marks, nothing NFKC composes,
# no Greek capital sigma, whose lower case does): Latin up to U+02FF, general punctuation, CJK symbols
# (without the ideographic tone marks), CJK ideographs and full-width ASCII and signs.
_CONTEXT_FREE = re.compile("[\x00-\u02ff\u2000-\u206f\u3000-\u3029\u3030-\u303f\u3400-\u4dbf"
                           "\u4e00-\u9fff\uff00-\uff5e\uffe0-\uffe6\u2212]*")
_FIRST, _LAST = itemgetter(0), itemgetter(-1)


def key_grams(key: str) -> set[str]:
    """The characters and bigrams (consecutive code points) of a search key."""
    grams = set(map(str.__add__, key, key[1:]))
    grams.update(key)
    return grams


def page_texts(bundle: Path) -> list[tuple[str, str]]:
    """Each page of a written bundle as (title, content), from its fragment (content still with Pagefind's ZWSPs)."""
    texts = []
    with os.scandir(bundle / "fragment") as entries:
        for entry in entries:
            with open(entry.path, "rb") as file:
                raw = gzip.decompress(file.read())
            if not raw.startswith(SIGNATURE):
                raise ValueError(entry.name)
            data = json.loads(raw[len(SIGNATURE):])
            texts.append((str((data.get("meta") or {}).get("title") or ""), str(data.get("content") or "")))
    return texts


def checked_text(title: str, content: str) -> str:
    """The search key of a page's text as search.js checks it (`itemOfPage`: title, a space, the content)."""
    return search_key(f"{title} {content.replace(ZWSP, '')}")


def text_keys(texts: Iterable[tuple[str, str]]) -> set[str]:
    """The characters and bigrams of the checked text of these pages (see `checked_text`)."""
    texts = list(texts)
    pieces: set[str] = set()
    for title, content in texts:
        if ZWSP in title or SENTINEL in title or SENTINEL in content:  # the exact way below
            break
        pieces.update(_CUTS.split(f"{title} {content}"))
    else:
        found = _keys_of_pieces(pieces)
        if found is not None:
            return found
    keys: set[str] = set()
    for title, content in texts:
        keys |= key_grams(checked_text(title, content))
    return keys


def _keys_of_pieces(pieces: Iterable[str]) -> set[str] | None:
    """The keys of texts cut into these pieces (at `_CUTS`), word by word: a word's key does not depend on its
    neighbours when its characters are context-free, and the words of a piece meet with nothing between them
    (spaces and ZWSPs are dropped). A piece meets a cut at either end: each cut's key is taken there (a superset:
    only one of them is, and the texts' own ends meet none). None when some word is not context-free."""
    keyed: dict[str, str] = {}
    grams = {a + b for a in _CUT_KEYS for b in _CUT_KEYS}  # cuts side by side (an empty piece between)
    grams.update(_CUT_KEYS)
    pieces = list(pieces)
    for start in range(0, len(pieces), CHUNK):  # joined a chunk at a time: a few MB at most
        joined = f" {SENTINEL} ".join(pieces[start:start + CHUNK])
        words = f"{SENTINEL} {joined} {SENTINEL}".replace(ZWSP, " ").split()
        for word in set(words).difference(keyed):
            if not _CONTEXT_FREE.fullmatch(word):
                return None
            keyed[word] = search_key(word)
        present = list(filter(None, map(keyed.__getitem__, words)))
        grams.update(map(str.__add__, map(_LAST, present), map(_FIRST, present[1:])))
    for key in set(keyed.values()):
        grams |= key_grams(key)
    for gram in [gram for gram in grams if SENTINEL in gram]:  # the sentinel stands for every cut
        grams.discard(gram)
        if gram[0] != SENTINEL:
            grams.update(gram[0] + cut for cut in _CUT_KEYS)
        elif len(gram) == 2 and gram[1] != SENTINEL:
            grams.update(cut + gram[1] for cut in _CUT_KEYS)
    return grams


def bundle_keys(bundle: Path) -> set[str]:
    """The characters and bigrams of the texts search.js checks for the pages of a written bundle."""
    return text_keys(page_texts(bundle))


class Writer(Protocol):
    """Anything that writes a file of the site by its route."""

    def write(self, route: str, data: str | bytes) -> None:
        """Write one file."""


def write_routes(staging: Writer, bundles: Sequence[set[str]]) -> int:
    """Write the routes files for these bundles' keys (in bundles.json order); return how many."""
    masks: dict[str, int] = {}
    for index, keys in enumerate(bundles):
        bit = 1 << index
        for key in keys:
            masks[key] = masks.get(key, 0) | bit
    width = len(format((1 << len(bundles)) - 1, "x"))
    size = sum(len(key.encode("utf-8")) for key in masks) + len(masks) * (width + 6)
    files = max(1, math.ceil(size / FILE_BYTES))
    grouped: list[dict[str, str]] = [{} for _ in range(files)]
    for key in sorted(masks):
        grouped[fnv1a(key) % files][key] = format(masks[key], "x")
    for number, table in enumerate(grouped):
        staging.write(f"{ROOT}/{number}.json", json.dumps(table, ensure_ascii=False, separators=(",", ":"),
                                                           sort_keys=True))
    return files
