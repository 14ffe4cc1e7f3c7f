"""The merchants' full-text index: static JSON that finds a merchant page by any words of its text.

Pagefind indexed every merchant page until this index replaced it for them (it still indexes the warnings): at
10,000 merchants it took ≈ 25 CPU seconds, more than the rest of the build, where this index takes a few, and
its word segmentation missed fragments that this index, built on characters and bigrams, cannot miss. Files
under ``search/text/``:

- ``manifest.json``: how many merchants, buckets, ids per range and records per block;
- ``b/<n>.json``: buckets of ``key -> ids`` (keys: every character and bigram of the search key of each text of
  a merchant page, and `FILTER_KEYS` for the search filters), ``fnv1a(key) mod buckets``; ids ascending, written
  as differences. A key held by more than `rare_limit` merchants is only named in its bucket, as
  ``{"f": number}``: its ids are in ``f/<number>/<range>.json``, one file per `range` of ids (as differences
  from the range's first id), so that a query made only of frequent keys reads their first ranges and goes on
  only while its page of results is not full;
- ``r/<n>.json``: the merchants themselves, ``BLOCK`` per file, with the texts a result is checked against
  (a bigram intersection is not a substring) and shows its excerpt from.

Merchants are numbered by their newest 投诉量, most first (then by route): the first ids a query meets are its
most complained-of merchants, which is also the search page's order when sorting by 投诉量.
"""

from __future__ import annotations

import itertools
import math
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from builder.derived import Merchant
from builder.lookup import fnv1a, write_json
from builder.searchkey import search_key
from builder.sitemodel import Site

ROOT = "search/text"
FORMAT = 1
BLOCK = 8  # merchants per record file: a result's file costs a phone one request
BUCKET_POSTINGS = 2048  # aim for about this many listed ids per bucket file
MAX_RANGES = 16  # a frequent key's ids are cut into at most this many range files
MIN_RANGE = 2048  # and each range covers at least this many merchants
RARE_MIN = 1000  # a key is listed whole in its bucket while it is on at most this many merchants
RARE_SHARE = 100  # or, on a large site, on at most 1/RARE_SHARE of them
_UTF32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"  # (no byte-order mark; the buffers' order)
#: The search filters' keys: a merchant's newest district and category, and each period it was disclosed in.
FILTER_KEYS = {"district": "d:", "category": "c:", "period": "p:"}


def merchant_texts(m: Merchant) -> list[str]:
    """What a merchant page's full text is searched in, besides its name, district and category: its credit code
    and address, its statements and corrections, and each disclosed item (goods, issue, demand, result, detail),
    newest period first."""
    latest = m.latest
    texts = [m.credit_code, latest.address]
    for entry in reversed(m.history):
        texts.append(entry.statement)
        for correction in entry.corrections:
            texts += [correction.change, correction.reason]
        for item in entry.items:
            texts += [item.goods, item.issue, item.demand, item.result, item.detail]
    return [text for text in texts if text]


def text_records(site: Site) -> list[dict[str, Any]]:
    """The merchants' records in id order (newest 投诉量 first, then route)."""
    out = []
    for m in sorted(site.merchants, key=lambda m: (-m.latest.complaints, m.url)):
        latest = m.latest
        out.append({"u": m.url, "n": m.name, "d": latest.district, "c": latest.category, "x": latest.complaints,
                    "r": latest.resolved, "l": latest.period.label,
                    "p": sorted({e.period.label for e in m.history}, reverse=True), "t": merchant_texts(m)})
    return out


def record_keys(record: dict[str, Any]) -> set[str]:
    """The keys a record is found by: each character and bigram of each of its texts' search keys (none across
    two texts), and its filter keys."""
    return {key_of(code) if isinstance(code, int) else code for code in record_codes(record)}


def record_texts(record: dict[str, Any]) -> tuple[str, ...]:
    """The texts of a record that its keys are drawn from."""
    return (record["n"], record["d"], record["c"], *record["t"])


def record_codes(record: dict[str, Any], known: dict[str, set[int]] | None = None) -> set[int | str]:
    """`record_keys` with the characters and bigrams as `text_codes` gives them; `known`: the codes of texts
    already worked out."""
    codes: set[int | str] = {FILTER_KEYS["district"] + record["d"], FILTER_KEYS["category"] + record["c"]}
    codes.update(FILTER_KEYS["period"] + label for label in record["p"])
    for text in record_texts(record):
        found = known.get(text) if known is not None else None
        codes.update(found if found is not None else text_codes(text))
    return codes


def text_codes(text: str) -> set[int]:
    """Each character and bigram of a text's search key as a number (`key_of` gives the key back): the code point
    of a character, the eight bytes of a bigram's UTF-32 as one integer. Cut out of the UTF-32 by the buffer
    protocol, a text's codes cost a third of what its keys as strings do (≈ 6 million at 10,000 merchants)."""
    data = search_key(text).encode(_UTF32)
    codes = set(memoryview(data).cast("I"))
    for start in (0, 4):  # bigrams starting at even, then odd characters
        end = start + (len(data) - start) // 8 * 8
        if end > start:
            codes.update(memoryview(data)[start:end].cast("Q"))
    return codes


def key_of(code: int) -> str:
    """The key (a character, or a bigram) of one of `text_codes`' numbers."""
    return code.to_bytes(4 if code < 1 << 32 else 8, sys.byteorder).decode(_UTF32)


def repeated_text_codes(records: list[dict[str, Any]]) -> dict[str, set[int]]:
    """The codes of each text more than one record holds (a district, a category, a stock reply, the platform's
    wording of a result), worked out once."""
    counts = Counter(itertools.chain.from_iterable(map(record_texts, records)))
    return {text: text_codes(text) for text, count in counts.items() if count > 1}


def rare_limit(merchants: int) -> int:
    """The most merchants a key may be on to be listed whole in its bucket (a few KB of ids)."""
    return max(RARE_MIN, merchants // RARE_SHARE)


def range_size(merchants: int) -> int:
    """How many ids each range file of a frequent key covers."""
    return max(MIN_RANGE, math.ceil(merchants / MAX_RANGES))


def differences(ids: Iterable[int], start: int = -1) -> list[int]:
    """Ascending ids as differences from the one before (the first from `start`)."""
    out = []
    last = start
    for i in ids:
        out.append(i - last)
        last = i
    return out


def write_index(folder: Path, records: list[dict[str, Any]]) -> int:
    """Write the full-text index of `text_records(site)` into `folder` (made if missing); return how many files."""
    coded: dict[int | str, array[int]] = defaultdict(lambda: array("i"))
    known = repeated_text_codes(records)
    for mid, record in enumerate(records):
        for code in record_codes(record, known):
            coded[code].append(mid)
    del known
    postings = {key_of(code) if isinstance(code, int) else code: ids for code, ids in coded.items()}
    del coded
    count = len(records)
    rare = rare_limit(count)
    size = range_size(count)
    frequent = sorted(key for key, ids in postings.items() if len(ids) > rare)
    listed = sum(len(ids) for ids in postings.values() if len(ids) <= rare)
    buckets_n = max(1, math.ceil(listed / BUCKET_POSTINGS))
    buckets: dict[int, dict[str, Any]] = defaultdict(dict)
    files = 0

    def put(route: str, value: object) -> None:
        nonlocal files
        write_json(folder, route, value)
        files += 1

    for number, key in enumerate(frequent):
        buckets[fnv1a(key) % buckets_n][key] = {"f": number}
        ranges: dict[int, list[int]] = defaultdict(list)
        for mid in postings.pop(key):
            ranges[mid // size].append(mid)
        for k, in_range in sorted(ranges.items()):
            put(f"f/{number}/{k}.json", differences(in_range, k * size - 1))
    for key, ids in postings.items():
        buckets[fnv1a(key) % buckets_n][key] = differences(ids)
    del postings
    for n in range(buckets_n):
        put(f"b/{n}.json", buckets.get(n, {}))
    for n in range(math.ceil(count / BLOCK)):
        put(f"r/{n}.json", records[n * BLOCK:(n + 1) * BLOCK])
    put("manifest.json", {"version": FORMAT, "merchants": count, "buckets": buckets_n, "range": size,
                          "block": BLOCK, "filters": FILTER_KEYS})
    return files
