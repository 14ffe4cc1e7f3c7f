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
from dataclasses import dataclass
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
    return record_texts(warning_record(w))


def record_texts(record: dict[str, Any]) -> list[str]:
    """The texts a warning's record (`warning_record`) is found by: its title and tags."""
    return [record["name"], *record["tags"]]


def synonym_table(synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, list[str]]:
    """The manifest's `synonyms`: each everyday word's search key → the words the site uses (searchcore.js reads it)."""
    return {search_key(word): list(terms) for word, terms in synonyms}


def encode(record: dict[str, Any]) -> dict[str, Any]:
    """A record with the one-letter keys it is stored under."""
    return {RECORD_KEYS[name]: value for name, value in record.items()}


FILTERS = ("district", "category", "kind", "period")  # the search filters, as the lookup's manifest lists them


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


def joined_filters(filters: dict[str, list[str]], merchants: bool,
                   warnings: list[dict[str, Any]]) -> dict[str, list[str]]:
    """`filter_values` of merchants' records and these warnings' records, from `filter_values` of the same merchants'
    records and other warnings' (whether there were merchants: their kind, 经营者): the kinds in the order those
    give them when they hold them all (no pinyin to work out), else by pinyin."""
    kinds = {r["kind"] for r in warnings} | ({"经营者"} if merchants else set())
    known = filters["kind"]
    ordered = [kind for kind in known if kind in kinds] if kinds <= set(known) else sorted(kinds, key=name_sort_key)
    return {**filters, "kind": ordered}


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


Postings = dict[str, list[int]]  # bigram -> the ids of the records holding it, ascending


def postings_of(texts: list[list[str]], start: int = 0) -> Postings:
    """Each bigram of these records' texts with the ids of the records holding it (the first record's id `start`)."""
    postings: Postings = defaultdict(list)
    known: dict[str, set[str]] = {}  # (districts and categories repeat from record to record)
    for rid, fields in enumerate(texts, start):
        grams: set[str] = set()
        for text in fields:
            found = known.get(text)
            if found is None:
                found = known[text] = bigrams(text)
            grams |= found
        for gram in sorted(grams):
            postings[gram].append(rid)
    return dict(postings)


def joined(first: Postings, then: Postings) -> Postings:
    """The postings of two runs of records, `then`'s ids all after `first`'s (neither is changed)."""
    both = dict(first)
    for gram, ids in then.items():
        both[gram] = first.get(gram, []) + ids
    return both


def bucket_count(postings: Postings, listed: int) -> int:
    """How many bucket files hold the bigrams on at most `listed` records (about BUCKET_POSTINGS postings each)."""
    return max(1, math.ceil(sum(len(ids) for ids in postings.values() if len(ids) <= listed) / BUCKET_POSTINGS))


@dataclass(frozen=True)
class Layout:
    """The lookup's files before they are written: the manifest, the buckets, the records, the credit codes."""

    manifest: dict[str, Any]
    buckets: list[dict[str, list[int]]]
    records: list[dict[str, Any]]
    shards: list[list[tuple[str, int]]]

    def routes(self) -> list[str]:
        """Every file's route under ROOT, in the order they are written."""
        return layout_routes(len(self.buckets), len(self.records), len(self.shards))

    def value(self, route: str) -> Any:
        """What one file (by its route under ROOT) holds."""
        folder, _slash, name = route.rpartition("/")
        if not folder:
            return self.manifest
        n = int(name.removesuffix(".json"))
        if folder == "b":
            return self.buckets[n]
        if folder == "r":
            return [encode(r) for r in self.records[n * BLOCK:(n + 1) * BLOCK]]
        return [[code, rid] for code, rid in self.shards[n]]

    def data(self, route: str) -> bytes:
        """One file's bytes."""
        return dumps(self.value(route)).encode("utf-8")


def layout_routes(buckets: int, records: int, shards: int) -> list[str]:
    """The routes under ROOT of a lookup of so many buckets, records and code shards, in the order they are written."""
    return (["manifest.json"] + [f"b/{n}.json" for n in range(buckets)]
            + [f"r/{n}.json" for n in range(math.ceil(records / BLOCK))] + [f"c/{n}.json" for n in range(shards)])


def lay_out(recs: list[dict[str, Any]], postings: Postings, filters: dict[str, list[str]], labels: list[str],
            synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> Layout:
    """The files of the lookup of these records (`postings`: of their texts; `filters`: `filter_values` of them)."""
    listed = listing_cap(len(recs))
    frequent = sorted(g for g, ids in postings.items() if len(ids) > listed)
    buckets_n = bucket_count(postings, listed)
    buckets: list[dict[str, list[int]]] = [{} for _ in range(buckets_n)]
    for gram, ids in postings.items():
        if len(ids) <= listed:
            buckets[fnv1a(gram) % buckets_n][gram] = ids
    codes = sorted((r["code"], rid) for rid, r in enumerate(recs) if "code" in r)
    shards = code_shards(codes)
    manifest = {"version": 1, "records": len(recs), "block": BLOCK, "buckets": buckets_n, "cap": CAP, "listed": listed,
                "codePrefix": CODE_PREFIX, "frequent": frequent, "codes": [shard[0][0] for shard in shards],
                "periods": labels, "filters": filters, "keys": RECORD_KEYS, "synonyms": synonym_table(synonyms)}
    return Layout(manifest, buckets, recs, shards)


@dataclass(frozen=True)
class Amended:
    """The lookup of a run of records followed by new ones, beside the lookup it had with the ones before."""

    layout: Layout
    changed: frozenset[str] | None  # the routes whose files may differ (None: every file may: cut anew)
    before: frozenset[str]  # every route of the lookup with the records before


def amended(first: list[dict[str, Any]], postings: Postings, filters: dict[str, list[str]],
            before: list[list[str]], after: tuple[list[dict[str, Any]], list[list[str]]], labels: list[str],
            synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> Amended:
    """The lookup of the records `first` (whose texts' postings are `postings`) followed by `after`'s (records and
    texts), and which of its files differ from those of `first` followed by records whose texts were `before` (the
    same filters, labels and synonyms): the manifest, the buckets of any bigram of either run that follows, the
    record files from the one holding the last of `first` on. The code files do not change (`first` alone has
    codes). When the listing cap or the number of buckets moves, every file may change."""
    start = len(first)
    earlier, later = postings_of(before, start), postings_of(after[1], start)
    layout = lay_out(first + after[0], joined(postings, later), filters, labels, synonyms)
    buckets, records = len(layout.buckets), len(layout.records)
    listed = listing_cap(start + len(before))
    buckets_before = bucket_count(joined(postings, earlier), listed)
    routes = frozenset(layout_routes(buckets_before, start + len(before), len(layout.shards)))
    if listed != layout.manifest["listed"] or buckets_before != buckets:
        return Amended(layout, None, routes)
    changed = {"manifest.json", *(f"b/{fnv1a(gram) % buckets}.json" for gram in earlier.keys() | later.keys()),
               *(f"r/{n}.json" for n in range(start // BLOCK, math.ceil(records / BLOCK)))}
    return Amended(layout, frozenset(changed), routes)


def write_layout(folder: Path, layout: Layout) -> int:
    """Write every file of a layout into `folder` (made if missing); return how many."""
    routes = layout.routes()
    for route in routes:
        path = folder / route
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(layout.data(route))
    return len(routes)


def write_lookup_files(folder: Path, records: tuple[list[dict[str, Any]], list[list[str]]], labels: list[str],
                       synonyms: tuple[tuple[str, tuple[str, ...]], ...]) -> int:
    """Write the lookup files of `lookup_records(site)` into `folder` (made if missing), with what its manifest also
    lists: the periods' labels (`period_labels`) and the editors' search synonyms; return how many."""
    recs, texts = records
    return write_layout(folder, lay_out(recs, postings_of(texts), filter_values(recs, labels), labels, synonyms))
