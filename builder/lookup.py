"""The search lookup: static JSON that finds merchants by any fragment of a name or credit code.

Pagefind matches words and word prefixes, so a fragment from the middle of a segmented name can miss. This
module writes, next to the Pagefind bundle, a small exact index that the search page asks first:

- ``search/lookup/manifest.json``: sizes, the bigrams too frequent to list, the credit-code shard prefixes, the
  filter values (periods newest first) and the editors' search synonyms (content/taxonomy.yaml);
- ``search/lookup/b/<n>.json``: buckets of ``bigram -> [record id, ...]`` for every 2-character sequence of a
  merchant's name, district and category and of a warning's title and tags (a bigram held by more records than
  `listing_cap` allows is only named in the manifest: it narrows nothing);
- ``search/lookup/r/<n>.json``: the records themselves, ``BLOCK`` per file (what a result shows and filters on),
  with the one-letter keys of ``RECORD_KEYS`` (the manifest carries that table; search.js reads it from there).
  Merchants are numbered in the order of their trade names (字号), as the directory's letter pages list them, so
  that a brand's branches in several districts share record files: a query fetches one file per distinct block
  of its records, and on a phone each file costs a request (at 100,000 merchants, 39 sampled 字号 queries needed
  196 files instead of 482 in name order, where a district's name starts every merchant's name);
- ``search/lookup/c/<n>.json``: ``[code, record id]`` pairs in code order, ``LEAF`` per file; the manifest
  lists the first code of each file, so a prefix finds its files by binary search.

A query's rare bigrams are fetched and intersected, the candidates' records fetched and checked for the
whole fragment: a merchant is found from any 2+ character fragment, and from any 6+ character code prefix.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from builder.derived import Merchant
from builder.model import Article
from builder.pinyin import name_sort_key
from builder.searchkey import search_key
from builder.sitemodel import Site

ROOT = "search/lookup"
CAP = 100          # a query whose listed bigrams leave more records than this is too common for the lookup
LISTED_SHARE = 100  # on a large site a bigram is listed while it is on at most 1/LISTED_SHARE of the records
BLOCK = 8          # records per record file (a query's records are scattered: a smaller file costs less per record)
LEAF = 128         # credit codes per code file
BUCKET_POSTINGS = 256  # aim for about this many postings per bucket file
CODE_PREFIX = 6    # the shortest code prefix searched
# The lookup record's fields and their keys in the files (one letter: the records are downloaded by phones).
RECORD_KEYS = {
    "type": "t",        # "m" a merchant, "w" a warning
    "name": "n",        # the merchant's name or the warning's title
    "url": "u",         # the page's route, relative to the site root
    "district": "d",    # merchant: 区域 of the newest period
    "category": "c",    # merchant: 行业类别 of the newest period
    "complaints": "x",  # merchant: 投诉量 of the newest period
    "resolved": "r",    # merchant: 办结量 of the newest period
    "period": "l",      # merchant: label of the newest period
    "periods": "p",     # merchant: indexes into the manifest's `periods` of every period it was disclosed in
    "code": "k",        # merchant: 统一社会信用代码, when it has one
    "kind": "y",        # warning: 消费预警, 消费提醒 or 典型案例
    "date": "a",        # warning: YYYY-MM-DD
    "tags": "g",        # warning: its tags
}


def bigrams(text: str) -> set[str]:
    """Every 2-character sequence of the text's search key."""
    norm = search_key(text)
    return {norm[i:i + 2] for i in range(len(norm) - 1)}


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over UTF-16 code units (search.js computes the same)."""
    value = 0x811C9DC5
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        value ^= data[i] | (data[i + 1] << 8)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def listing_cap(records: int) -> int:
    """The most records a listed bigram may be on: CAP, or 1 % of the records on a large site, so that a fragment
    whose every bigram is on a hundred-odd records (鑫通通信 among 100,000 merchants) is still found by
    intersecting them (search.js gives up on a query whose intersection leaves more than CAP)."""
    return max(CAP, records // LISTED_SHARE)


def trade_name_order(site: Site) -> tuple[Merchant, ...]:
    """The merchants in the order of their trade names, as the directory's letter pages list them (the site's own
    order should those pages not hold every merchant once)."""
    ordered = tuple(m for group in site.directory.groups.get("letter", ()) for m in group.merchants)
    if len(ordered) != len(site.merchants) or len({id(m) for m in ordered}) != len(ordered):
        return site.merchants
    return ordered


def lookup_records(site: Site) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """The records, with RECORD_KEYS' long names (merchants by trade name, then warnings), and the texts each is
    found by."""
    index = {label: i for i, label in enumerate(period_labels(site))}
    out: list[dict[str, Any]] = []
    texts: list[list[str]] = []
    for m in trade_name_order(site):
        latest = m.latest
        record = {"type": "m", "name": m.name, "url": m.url, "district": latest.district,
                  "category": latest.category, "complaints": latest.complaints, "resolved": latest.resolved,
                  "period": latest.period.label,
                  "periods": sorted({index[e.period.label] for e in m.history if e.period.label in index})}
        if m.credit_code:
            record["code"] = m.credit_code
        out.append(record)
        texts.append([m.name, latest.district, latest.category])
    for w in site.warnings:
        out.append(warning_record(w))
        texts.append(warning_texts(w))
    return out, texts


def warning_record(w: Article) -> dict[str, Any]:
    """A warning's lookup record (with RECORD_KEYS' long names)."""
    return {"type": "w", "name": w.title, "url": w.url, "kind": w.kind, "date": w.date.isoformat() if w.date else "",
            "tags": list(w.tags)}


def warning_texts(w: Article) -> list[str]:
    """The texts a warning is found by."""
    return [w.title, *w.tags]


def synonym_table(synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[str]]:
    """The manifest's `synonyms`: each everyday word's search key → the words the site uses (searchcore.js reads it)."""
    return {search_key(word): list(terms) for word, terms in synonyms}


def encode(record: dict[str, Any]) -> dict[str, Any]:
    """A record with the one-letter keys it is stored under."""
    return {RECORD_KEYS[name]: value for name, value in record.items()}


def filter_values(recs: list[dict[str, Any]], labels: list[str]) -> dict[str, list[str]]:
    """The values of each search filter, as on the pages (the search page offers them without Pagefind): by
    pinyin as the directory lists them, periods newest first, so that the page need not sort them (a zh-CN
    collator costs a cold page on a phone ≈ 100 ms)."""
    used = {i for r in recs if r["type"] == "m" for i in r["periods"]}
    periods = [label for i, label in reversed(list(enumerate(labels))) if i in used]  # newest first
    values: dict[str, set[str]] = {"district": set(), "category": set(), "kind": set()}
    for r in recs:
        values["kind"].add("经营者" if r["type"] == "m" else r["kind"])
        if r["type"] == "m":
            values["district"].add(r["district"])
            values["category"].add(r["category"])
    by_pinyin = {key: sorted(found, key=name_sort_key) for key, found in values.items()}
    return {**by_pinyin, "period": periods}


def code_shards(codes: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    """Sorted (code, id) pairs cut into runs of at most LEAF; the manifest names each run's first code."""
    return [codes[i:i + LEAF] for i in range(0, len(codes), LEAF)]


def dumps(value: Any) -> str:
    """Compact, deterministic JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def write_json(folder: Path, route: str, value: Any) -> None:
    """Write `value` as compact JSON to `folder/route`, making its folders (the search indexes' files)."""
    path = folder / route
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(dumps(value).encode("utf-8"))


def period_labels(site: Site) -> list[str]:
    """The published periods' labels, oldest first (the lookup's filter values are newest first)."""
    return [view.period.label for view in reversed(site.periods)]


def write_lookup_files(folder: Path, records: tuple[list[dict[str, Any]], list[list[str]]], labels: list[str],
                       synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> int:
    """Write the lookup files of `lookup_records(site)` into `folder` (made if missing), with what its manifest also
    lists: the periods' labels (`period_labels`) and the editors' search synonyms; return how many."""
    recs, texts = records
    postings: dict[str, list[int]] = defaultdict(list)
    for rid, fields in enumerate(texts):
        grams: set[str] = set()
        for text in fields:
            grams |= bigrams(text)
        for gram in sorted(grams):
            postings[gram].append(rid)
    listed = listing_cap(len(recs))
    frequent = sorted(g for g, ids in postings.items() if len(ids) > listed)
    rare = {g: ids for g, ids in postings.items() if len(ids) <= listed}
    buckets_n = max(1, math.ceil(sum(len(ids) for ids in rare.values()) / BUCKET_POSTINGS))
    buckets: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for gram, ids in rare.items():
        buckets[fnv1a(gram) % buckets_n][gram] = ids
    codes = sorted((r["code"], rid) for rid, r in enumerate(recs) if "code" in r)
    shards = code_shards(codes)
    manifest = {"version": 1, "records": len(recs), "block": BLOCK, "buckets": buckets_n, "cap": CAP, "listed": listed,
                "codePrefix": CODE_PREFIX, "frequent": frequent, "codes": [shard[0][0] for shard in shards],
                "periods": labels, "filters": filter_values(recs, labels), "keys": RECORD_KEYS,
                "synonyms": synonym_table(synonyms)}
    written: list[str] = []

    def put(route: str, value: object) -> None:
        write_json(folder, route, value)
        written.append(route)

    put("manifest.json", manifest)
    for n in range(buckets_n):
        put(f"b/{n}.json", buckets.get(n, {}))
    for n in range(math.ceil(len(recs) / BLOCK)):
        put(f"r/{n}.json", [encode(r) for r in recs[n * BLOCK:(n + 1) * BLOCK]])
    for n, shard in enumerate(shards):
        put(f"c/{n}.json", [[code, rid] for code, rid in shard])
    return len(written)
