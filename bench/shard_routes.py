"""Prototype: route a query to the Pagefind shards that can hold it, with a bigram → shard-mask table.

    .venv/bin/python bench/shard_routes.py /tmp/c100k --shards 16   # after `shards.py index … --shards 16`

For every shard, every 2-character sequence of the normalised text of its pages (search.js's normalise:
NFKC, no spaces, hyphens, underscores or middle dots, lower case) sets that shard's bit in the sequence's
mask. The masks are written in buckets, public/pagefind/routes/<n>.json with n = FNV-1a (UTF-16) of the
bigram modulo the bucket count (the scheme of builder/lookup.py), and routes/manifest.json. A page that
contains a query term contains all the term's bigrams, so a shard whose mask lacks one of them holds no
page that search.js's check (every term in the page's text) would keep: skipping it loses nothing. A term
with a bigram in no shard at all is absent, and Pagefind need not be loaded. The primary bundle
(public/pagefind/, pagefind.js and its wasm) holds the pages that are not merchants (here: the home page).
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent)]

from peers import pagefind_binary  # noqa: E402
from shards import shard_keys  # noqa: E402

BODY = re.compile(r"<article data-pagefind-body>(.*?)</article>", re.S)
TAG = re.compile(r"<[^>]+>")
DROP = re.compile(r"[\s\-_·・]+")
BUCKET_BYTES = 4096  # aim for buckets of about this many bytes of JSON


def normalise(text: str) -> str:
    """search.js's normalise()."""
    return DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


def page_text(path: Path) -> str:
    """The text of a page's data-pagefind-body element (hidden spans included: a superset is safe)."""
    found = BODY.search(path.read_text("utf-8"))
    return html.unescape(TAG.sub(" ", found.group(1))) if found else ""


def fnv1a(text: str) -> int:
    """32-bit FNV-1a over UTF-16 code units (builder/lookup.py and search.js)."""
    value = 0x811C9DC5
    data = text.encode("utf-16-le")
    for i in range(0, len(data), 2):
        value ^= data[i] | (data[i + 1] << 8)
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def masks(public: Path, shards: int) -> dict[str, int]:
    """Bigram → bit mask of the shards whose pages contain it."""
    found: dict[str, int] = defaultdict(int)
    for k, keys in enumerate(shard_keys(public, shards)):
        grams: set[str] = set()
        for key in keys:
            norm = normalise(page_text(public / "merchants" / key / "index.html"))
            grams.update(norm[i:i + 2] for i in range(len(norm) - 1))
        bit = 1 << k
        for gram in grams:
            found[gram] |= bit
    return found


def write_routes(public: Path, table: dict[str, int], shards: int) -> dict[str, object]:
    """Write routes/<n>.json buckets and routes/manifest.json; return their figures."""
    routes = public / "pagefind" / "routes"
    shutil.rmtree(routes, ignore_errors=True)
    routes.mkdir(parents=True)
    per_entry = 8 + math.ceil(shards / 3.3)  # "xx":12345, in JSON
    count = max(1, math.ceil(len(table) * per_entry / BUCKET_BYTES))
    buckets: dict[int, dict[str, int]] = defaultdict(dict)
    for gram, mask in sorted(table.items()):
        buckets[fnv1a(gram) % count][gram] = mask
    sizes = []
    for n in range(count):
        data = json.dumps(buckets.get(n, {}), ensure_ascii=False, separators=(",", ":"))
        (routes / f"{n}.json").write_text(data, "utf-8")
        sizes.append(len(data.encode("utf-8")))
    (routes / "manifest.json").write_text(json.dumps({"buckets": count, "shards": shards}), "utf-8")
    everywhere = sum(1 for m in table.values() if m == (1 << shards) - 1)
    return {"bigrams": len(table), "in_every_shard": everywhere, "buckets": count,
            "routes_kb": round(sum(sizes) / 1024), "bucket_median_bytes": sorted(sizes)[len(sizes) // 2]}


def primary_bundle(public: Path) -> None:
    """Index the pages that are not merchants (the home page) into public/pagefind/ beside shards/."""
    with tempfile.TemporaryDirectory(prefix="primary-") as tmp:
        subprocess.run([str(pagefind_binary()), "--site", str(public), "--glob", "index.html", "--output-path", tmp,
                        "--force-language", "zh-cn", "--quiet"], check=True)
        target = public / "pagefind"
        for item in Path(tmp).iterdir():
            if item.name in ("shards", "routes"):
                continue
            dest = target / item.name
            if dest.is_dir():
                shutil.rmtree(dest)
            elif dest.exists():
                dest.unlink()
            shutil.move(str(item), dest)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", type=Path, help="a corpus folder whose public/pagefind/shards/ is indexed")
    parser.add_argument("--shards", type=int, required=True, help="the shard count it was indexed with")
    parser.add_argument("--json", type=Path, help="append the figures to this JSON-lines file")
    args = parser.parse_args(argv)
    public = args.dir / "public"
    started = time.perf_counter()
    table = masks(public, args.shards)
    result = {"shards": args.shards, **write_routes(public, table, args.shards),
              "seconds": round(time.perf_counter() - started, 1)}
    primary_bundle(public)
    text = json.dumps(result)
    print(text)
    if args.json:
        with open(args.json, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
