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

import math
import operator
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from builder.derived import Merchant
from builder.lookup import fnv1a, write_json
from builder.searchkey import search_key

ROOT = "search/text"
FORMAT = 1
BLOCK = 8  # merchants per record file: a result's file costs a phone one request
BUCKET_POSTINGS = 2048  # aim for about this many listed ids per bucket file
MAX_RANGES = 16  # a frequent key's ids are cut into at most this many range files
MIN_RANGE = 2048  # and each range covers at least this many merchants
RARE_MIN = 1000  # a key is listed whole in its bucket while it is on at most this many merchants
RARE_SHARE = 100  # or, on a large site, on at most 1/RARE_SHARE of them
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


def text_records(merchants: Sequence[Merchant]) -> list[dict[str, Any]]:
    """The merchants' records in id order (newest 投诉量 first, then route): made from the merchants alone, so that
    the index is kept while the merchants are (pages.PageWriter.start_search_files)."""
    out = []
    for m in sorted(merchants, key=lambda m: (-m.latest.complaints, m.url)):
        latest = m.latest
        out.append({"u": m.url, "n": m.name, "d": latest.district, "c": latest.category, "x": latest.complaints,
                    "r": latest.resolved, "l": latest.period.label,
                    "p": sorted({e.period.label for e in m.history}, reverse=True), "t": merchant_texts(m)})
    return out


def record_keys(record: dict[str, Any]) -> set[str]:
    """The keys a record is found by: each character and bigram of each of its texts' search keys (none across
    two texts), and its filter keys."""
    keys: set[str] = {FILTER_KEYS["district"] + record["d"], FILTER_KEYS["category"] + record["c"]}
    keys.update(FILTER_KEYS["period"] + label for label in record["p"])
    for text in (record["n"], record["d"], record["c"], *record["t"]):
        norm = search_key(text)
        keys.update(norm)
        keys.update(map(operator.add, norm, norm[1:]))
    return keys


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
    """Write the full-text index of `text_records(merchants)` into `folder` (made if missing); return how many files."""
    postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
    for mid, record in enumerate(records):
        for key in record_keys(record):
            postings[key].append(mid)
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
