"""Prototype of a sharded Pagefind index: cost per shard, parallel indexing, stability after an edit.

    .venv/bin/python bench/shards.py corpus 100000 /tmp/c100k        # Hugo-rendered merchant pages (the corpus)
    .venv/bin/python bench/shards.py index /tmp/c100k --shards 16    # one bundle per shard, one at a time
    .venv/bin/python bench/shards.py index /tmp/c100k --shards 16 --parallel 2 --method service
    .venv/bin/python bench/shards.py stability /tmp/c10k --shards 8  # edit one page, re-index, diff the bundles

The corpus is bench/hugosite.py's pages (gongshi's merchant page markup and text, rendered by Hugo, because
the builder cannot yet read 50,000 merchants). A merchant's shard is FNV-1a of the last two characters of
its key, modulo the shard count, so that the same split can be given to the CLI as a glob
(`merchants/*{A1,B7,…}/index.html`). Shard k is written to public/pagefind/shards/<kk>/ (bench/SCALE_NOTES.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

from generate import generate_site  # noqa: E402
from hugosite import make_hugo_site  # noqa: E402
from peers import hugo_binary, pagefind_binary  # noqa: E402
from pfservice import PagefindService  # noqa: E402
from procs import MB, TreeWatcher, measure  # noqa: E402

SHARDS_DIR = Path("pagefind") / "shards"


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes of text."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_of(key: str, shards: int) -> int:
    """The shard of a merchant key (its last two characters, hashed)."""
    return fnv1a(key[-2:]) % shards


def shard_keys(public: Path, shards: int) -> list[list[str]]:
    """The merchant keys of each shard, sorted."""
    groups: list[list[str]] = [[] for _ in range(shards)]
    for key in sorted(os.listdir(public / "merchants")):
        if (public / "merchants" / key / "index.html").is_file():
            groups[shard_of(key, shards)].append(key)
    return groups


def shard_glob(keys: list[str]) -> str:
    """A Pagefind glob that selects exactly the pages of these keys (by their last two characters)."""
    tails = sorted({key[-2:] for key in keys})
    return "merchants/*{" + ",".join(tails) + "}/index.html"


@dataclass
class ShardRun:
    """One shard's indexing."""

    shard: int
    pages: int
    seconds: float
    cpu_s: float
    peak_mb: float
    bundle_mb: float
    files: int


def bundle_size(path: Path) -> tuple[int, int]:
    """(bytes, files) of a bundle folder."""
    sizes = [p.stat().st_size for p in path.rglob("*") if p.is_file()]
    return sum(sizes), len(sizes)


def reproducible(bundle: Path) -> None:
    """Sort the bundle's filter data like the builder does (builder/searchbundle.py), when importable."""
    try:
        from builder.searchbundle import make_reproducible
    except ImportError:
        return
    make_reproducible(bundle)


def index_cli(binary: Path, public: Path, shard: int, keys: list[str], out: Path) -> ShardRun:
    """Index one shard with the CLI and a glob."""
    cmd = [str(binary), "--site", str(public), "--glob", shard_glob(keys), "--output-path", str(out),
           "--force-language", "zh-cn", "--quiet"]
    m = measure(cmd)
    if m.exit_code != 0:
        raise SystemExit(f"shard {shard}: pagefind exited {m.exit_code}")
    reproducible(out)
    size, files = bundle_size(out)
    return ShardRun(shard, len(keys), m.seconds, m.cpu_seconds, m.largest_bytes / MB, size / MB, files)


def index_service(binary: Path, public: Path, shard: int, keys: list[str], out: Path) -> ShardRun:
    """Index one shard by streaming its pages to a `--service` process (as a builder would while rendering)."""
    started = time.perf_counter()
    service = PagefindService(binary)
    for key in keys:
        html = (public / "merchants" / key / "index.html").read_text("utf-8")
        service.add_file(f"/merchants/{key}/", html)
    service.write(out)
    seconds = time.perf_counter() - started
    reproducible(out)
    size, files = bundle_size(out)
    usage = service.rusage
    return ShardRun(shard, len(keys), seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, size / MB,
                    files)


def index_all(corpus: Path, shards: int, method: str, parallel: int, dest: Path | None = None) -> dict[str, object]:
    """Index every shard of corpus/public into dest (default public/pagefind/shards/); return the figures."""
    public = corpus / "public"
    dest = dest or public / SHARDS_DIR
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    groups = shard_keys(public, shards)
    binary = pagefind_binary()
    run = index_cli if method == "cli" else index_service
    watcher = TreeWatcher(os.getpid())
    watcher.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        futures = [pool.submit(run, binary, public, k, keys, dest / f"{k:02d}") for k, keys in enumerate(groups)]
        results = [f.result() for f in futures]
    wall = time.perf_counter() - started
    watcher.stop()
    return {"shards": shards, "method": method, "parallel": parallel, "pages": sum(len(g) for g in groups),
            "wall_s": round(wall, 1), "sum_shard_s": round(sum(r.seconds for r in results), 1),
            "sum_cpu_s": round(sum(r.cpu_s for r in results), 1), "loadavg": os.getloadavg()[0],
            "max_shard_peak_mb": round(max(r.peak_mb for r in results)),
            "tree_peak_mb": round(watcher.tree_peak / MB),
            "bundle_mb": round(sum(r.bundle_mb for r in results), 1), "files": sum(r.files for r in results),
            "per_shard": [asdict(r) | {"seconds": round(r.seconds, 1), "cpu_s": round(r.cpu_s, 1),
                                       "peak_mb": round(r.peak_mb),
                                       "bundle_mb": round(r.bundle_mb, 2)} for r in results]}


def make_corpus(n: int, corpus: Path, periods: int, seed: int) -> dict[str, object]:
    """Generate n merchants, render them with Hugo into corpus/public, drop the intermediate folders."""
    import subprocess
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir(parents=True)
    started = time.perf_counter()
    generate_site(n, corpus / "site", periods, seed)
    pages = make_hugo_site(corpus / "site", corpus / "hugo")
    shutil.rmtree(corpus / "site")
    subprocess.run([hugo_binary(), "--source", str(corpus / "hugo"), "--destination", str(corpus / "public"),
                    "--quiet"], check=True)
    shutil.rmtree(corpus / "hugo")
    return {"merchants": pages, "seconds": round(time.perf_counter() - started, 1)}


def digests(bundle: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file of a bundle folder."""
    return {str(p.relative_to(bundle)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(bundle.rglob("*")) if p.is_file()}


def compare(before: dict[str, str], after: dict[str, str]) -> dict[str, object]:
    """Files added, removed, changed (same name, other bytes) and kept between two digests; new files by folder."""
    added = after.keys() - before.keys()
    by_folder: dict[str, int] = {}
    for name in added:
        folder = name.split("/")[0] if "/" in name else "(top)"
        by_folder[folder] = by_folder.get(folder, 0) + 1
    return {"added": len(added), "removed": len(before.keys() - after.keys()),
            "changed": sum(1 for k in before.keys() & after.keys() if before[k] != after[k]),
            "same": sum(1 for k in before.keys() & after.keys() if before[k] == after[k]),
            "added_by_folder": by_folder,
            "index_chunks": sum(1 for k in after if k.startswith("index/"))}


def edit_one_page(public: Path, key: str) -> None:
    """Change one word of one merchant page's indexed text (as an edited complaint item would)."""
    page = public / "merchants" / key / "index.html"
    html = page.read_text("utf-8")
    edited = html.replace("<h2>各期投诉情况</h2>", "<p>更正说明：经营者地址已更新。</p>\n<h2>各期投诉情况</h2>", 1)
    if edited == html:
        raise SystemExit(f"{page}: nothing to edit")
    page.write_text(edited, "utf-8")


def stability(corpus: Path, shards: int, method: str, parallel: int) -> dict[str, object]:
    """Index twice unchanged, then once after editing one page; count the files that differ per shard."""
    public = corpus / "public"
    with tempfile.TemporaryDirectory(prefix="shards-", dir=corpus) as tmp:
        runs = []
        for name in ("first", "again", "edited"):
            if name == "edited":
                key = shard_keys(public, shards)[min(3, shards - 1)][0]
                backup = (public / "merchants" / key / "index.html").read_text("utf-8")
                edit_one_page(public, key)
            try:
                index_all(corpus, shards, method, parallel, Path(tmp) / name)
            finally:
                if name == "edited":
                    (public / "merchants" / key / "index.html").write_text(backup, "utf-8")
            runs.append({f"{k:02d}": digests(Path(tmp) / name / f"{k:02d}") for k in range(shards)})
        first, again, edited = runs
    edited_shard = shard_of(key, shards)
    return {"shards": shards, "edited_key": key, "edited_shard": edited_shard,
            "unchanged_rerun": {s: compare(first[s], again[s]) for s in first},
            "after_edit": {s: compare(first[s], edited[s]) for s in first}}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("corpus", help="render N merchant pages with Hugo into DIR/public")
    c.add_argument("n", type=int)
    c.add_argument("dir", type=Path)
    c.add_argument("--periods", type=int, default=3)
    c.add_argument("--seed", type=int, default=1)
    for name in ("index", "stability"):
        s = sub.add_parser(name)
        s.add_argument("dir", type=Path)
        s.add_argument("--shards", type=int, required=True)
        s.add_argument("--method", choices=("cli", "service"), default="cli")
        s.add_argument("--parallel", type=int, default=1, help="shards indexed at once (default 1)")
        s.add_argument("--json", type=Path, help="append the figures to this JSON-lines file")
    args = parser.parse_args(argv)
    if args.command == "corpus":
        result = make_corpus(args.n, args.dir, args.periods, args.seed)
    elif args.command == "index":
        result = index_all(args.dir, args.shards, args.method, args.parallel)
    else:
        result = stability(args.dir, args.shards, args.method, args.parallel)
    text = json.dumps(result, ensure_ascii=False)
    print(text)
    if getattr(args, "json", None):
        with open(args.json, "a", encoding="utf-8") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
