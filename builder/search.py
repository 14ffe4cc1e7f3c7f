"""The Pagefind index of the staged site, in bundles the search page merges (extended build, Chinese segmentation).

One Pagefind process holding 10,000 pages needs about 1.7 GB (and past ~30,000 pages it runs out of memory
upstream), and one new page rewrites most of a bundle. So the index is cut into bundles under `pagefind/`:

- `pagefind/main/`: warnings and every other page marked `data-pagefind-body` that is not a merchant page;
- `pagefind/m00/` … : merchant pages, shard `fnv1a(route) mod count`, `count` a power of two chosen so that
  a shard holds at most `SHARD_PAGES` pages (≈ 450 MB for Pagefind; the count changes only when the number of
  merchants doubles, and then every shard is indexed once again);
- `pagefind/bundles.json`: the bundles in the order the search page uses them, and the number of
  `pagefind/routes/` files that say which bundles hold each character (`searchroutes.py`).

Each bundle is indexed by its own `pagefind_extended --service` process (`pagefindservice.py`) fed the
bundle's pages in route order (the bundle's bytes depend on that order) as soon as the last of them is
written: one bundle at a time (Pagefind already parses with two threads), beside the rendering. A bundle
whose pages (routes and bytes) are unchanged is kept from the previous build (`OutputTree.folder`).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from builder import searchroutes
from builder.buildcache import BuildCache
from builder.errors import SearchIndexError
from builder.fingerprint import digest
from builder.i18n import N_, _
from builder.lookup import fnv1a
from builder.outputtree import FileRecord
from builder.pagefindservice import PagefindService
from builder.searchbundle import make_reproducible

ROOT = "pagefind"
MAIN = "main"
SHARD_PAGES = 2500
BODY = "data-pagefind-body"
LANGUAGE = "zh-cn"
Progress = Callable[[str, int, int | None], None]


class BundleTree(Protocol):
    """Where the bundles go: a build's `outputtree.OutputTree`, or a preview build (`generationtree.py`)."""

    root: Path | None
    lock: threading.Lock
    written: dict[str, FileRecord]

    def path(self, route: str) -> Path:
        """The file of a route."""

    def write(self, route: str, data: str | bytes) -> None:
        """Write one file."""

    def group(self, prefix: str, key: str, produce: Callable[[], object]) -> bool:
        """The files under `prefix` made by `produce` from `key` (kept when unchanged); True: produced."""

    def folder(self, prefix: str, key: str, make: Callable[[Path], None]) -> bool:
        """A folder that `make` writes whole, kept when `key` is unchanged; True: made."""


def pagefind_binary() -> Path:
    """The Pagefind executable: $PAGEFIND_BINARY_PATH, else the extended build from PyPI."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError(_("Pagefind is not installed ({detail}); run ./scripts/setup").format(
            detail=exc)) from None
    binary = get_executable()
    if binary is None or not binary.is_file():
        raise SearchIndexError(_("no Pagefind binary found; install pagefind[extended] and "
                                 "pagefind-bin-extended"))
    return binary


def shard_count(merchants: int) -> int:
    """How many merchant shards: the smallest power of two that keeps each under SHARD_PAGES pages."""
    count = 1
    while count * SHARD_PAGES < merchants:
        count *= 2
    return count


def shard_name(index: int, count: int) -> str:
    """A merchant shard's folder name (`m00`, `m01` …; three digits past 100 shards)."""
    return f"m{index:0{max(2, len(str(count - 1)))}d}"


class SearchIndexer:
    """Indexes the bundles of one build into its output tree; see the module's docstring."""

    def __init__(self, tree: BundleTree, merchant_routes: Sequence[str], workers: int = 1,
                 progress: Progress | None = None, cache: BuildCache | None = None, nice: int = 0) -> None:
        self.tree = tree
        self.cache = cache
        self.nice = nice  # the preview lowers Pagefind's priority: its builds (edit to page) come first
        self.binary = pagefind_binary()
        found = self.binary.stat()
        self.version = f"{self.binary}:{found.st_size}:{found.st_mtime_ns}"  # another binary: another index
        self.count = shard_count(len(merchant_routes))
        self.shards: list[list[str]] = [[] for _ in range(self.count)]
        self.shard_of: dict[str, int] = {}
        for route in merchant_routes:
            index = fnv1a(route) % self.count
            self.shards[index].append(route)
            self.shard_of[route] = index
        self.waiting = [len(routes) for routes in self.shards]
        self.pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix="pagefind")
        self.futures: list[Future[int]] = []
        self.lock = threading.Lock()
        self.progress = progress
        self.done_bundles = 0
        self.pages = 0
        self.names: list[str] = []
        self.keys: dict[str, str] = {}  # bundle -> its key
        self.characters: dict[str, set[str]] = {}  # bundle -> the characters of its pages (searchroutes.py)
        self.services: set[PagefindService] = set()
        self.stopped = False
        self.finished = False

    def order(self, routes: Sequence[str]) -> list[int]:
        """Positions of merchant routes grouped by shard (so that shards fill one after another)."""
        return sorted(range(len(routes)), key=lambda i: self.shard_of.get(routes[i], 0))

    def placed(self, route: str) -> None:
        """A page is in the tree: a shard whose last page this is goes to Pagefind."""
        index = self.shard_of.get(route)
        if index is None:
            return
        with self.lock:
            self.waiting[index] -= 1
            complete = self.waiting[index] == 0
        if complete:
            self._submit(shard_name(index, self.count), sorted(self.shards[index]))

    def finish(self, other_routes: Sequence[str]) -> int:
        """Index the main bundle (pages outside merchants/ that ask for it), wait for all; pages indexed."""
        assert self.tree.root is not None
        root = self.tree.root
        main = [route for route in sorted(other_routes) if _asks_to_be_indexed(root / route)]
        for index, waiting in enumerate(self.waiting):
            if waiting > 0:  # a merchant page that was never placed: index what is there
                self._submit(shard_name(index, self.count), sorted(self.shards[index]))
                self.waiting[index] = 0
        self._submit(MAIN, main)
        try:
            for future in self.futures:
                future.result()
        except BaseException:
            self.abort()
            raise
        self.pool.shutdown(wait=True)
        self.finished = True
        names = sorted(self.names, key=lambda name: (name != MAIN, name))
        routes: list[int] = []
        self.tree.group(f"{searchroutes.ROOT}/", digest("routes", *(self.keys[name] for name in names)),
                        lambda: routes.append(searchroutes.write_routes(self.tree, [self.characters[name]
                                                                                   for name in names])))
        files = routes[0] if routes else len([r for r in self.tree.written if r.startswith(searchroutes.ROOT)])
        self.tree.write(f"{ROOT}/bundles.json", json.dumps({"bundles": [f"{name}/" for name in names],
                                                            "routes": files}, separators=(",", ":")) + "\n")
        return self.pages

    def abort(self) -> None:
        """Stop indexing (the build failed): bundles not started are dropped, running services stopped."""
        self.stopped = True
        with self.lock:
            running = list(self.services)
        for service in running:
            service.process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self, name: str, routes: list[str]) -> None:
        if routes:  # an empty shard has no bundle
            self.futures.append(self.pool.submit(self._bundle, name, routes))
            self.names.append(name)

    def _bundle(self, name: str, routes: list[str]) -> int:
        """Index one bundle (or keep it) and report its pages."""
        tree = self.tree
        with tree.lock:
            parts = [f"{route}:{tree.written[route].digest}" for route in routes if route in tree.written]
        key = digest("pagefind", self.version, LANGUAGE, *parts)
        characters: set[str] = set()
        counted: list[int] = []
        tree.folder(f"{ROOT}/{name}/", key,
                    lambda folder: counted.append(self._index(routes, folder, characters)))
        pages = counted[0] if counted else _page_count(tree.path(f"{ROOT}/{name}"))
        known = self.cache.load(f"routes/{key}") if self.cache is not None and not counted else None
        if counted or not isinstance(known, set):
            if not counted:  # a bundle kept from an earlier build whose characters are not in the cache
                characters = self._characters(routes)
            if self.cache is not None:
                self.cache.save(f"routes/{key}", characters)
        else:
            characters = known
        with self.lock:
            self.keys[name] = key
            self.characters[name] = characters
            self.pages += pages
            self.done_bundles += 1
            if self.progress is not None:
                self.progress(N_("search index"), self.done_bundles, self.count + 1)
        return pages

    def _characters(self, routes: list[str]) -> set[str]:
        """The characters of the indexed text of these pages (read from the tree)."""
        assert self.tree.root is not None
        found: set[str] = set()
        for route in routes:
            try:
                found |= searchroutes.page_characters((self.tree.root / route).read_text("utf-8"))
            except OSError as exc:
                raise SearchIndexError(_("cannot read {route}: {reason}").format(
                        route=route, reason=exc.strerror)) from None
        return found

    def _index(self, routes: list[str], folder: Path, characters: set[str]) -> int:
        """Feed the pages of one bundle to a Pagefind service and write the bundle into `folder`."""
        assert self.tree.root is not None
        if self.stopped:
            raise SearchIndexError("stopped")
        service = PagefindService(self.binary, LANGUAGE)
        if self.nice:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, service.process.pid, self.nice)
        with self.lock:
            self.services.add(service)
        try:
            for route in routes:
                try:
                    html = (self.tree.root / route).read_text("utf-8")
                except OSError as exc:
                    raise SearchIndexError(_("cannot read {route}: {reason}").format(
                        route=route, reason=exc.strerror)) from None
                if BODY in html:
                    service.add("/" + route.removesuffix("index.html"), html)
                    characters |= searchroutes.page_characters(html)
            service.write(folder, keep=wanted)
        except BaseException:
            service.close()
            raise
        finally:
            with self.lock:
                self.services.discard(service)
        try:
            make_reproducible(folder)
        except (OSError, ValueError, KeyError) as exc:
            raise SearchIndexError(_("unexpected Pagefind bundle: {detail}").format(detail=exc)) from None
        return service.pages


UI_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def wanted(path: str) -> bool:
    """Whether a file of a bundle is published: the search page uses none of Pagefind's UI files. Every bundle
    keeps pagefind.js, its worker and WebAssembly (about 155 KB on disk): whichever bundle is listed first runs
    the search, and a site without warnings has no main bundle."""
    return not path.rsplit("/", 1)[-1].startswith(UI_FILES)


def _asks_to_be_indexed(path: Path) -> bool:
    """Whether a page is marked for the search index."""
    try:
        return BODY in path.read_text("utf-8")
    except OSError:
        return False


def pagefind_command(binary: Path, site_dir: Path) -> list[str]:
    """The command that writes site_dir/pagefind as one bundle (Chinese segmentation for every page)."""
    return [str(binary), "--site", str(site_dir), "--output-subdir", "pagefind", "--force-language", "zh-cn",
            "--quiet"]


def finish_bundle(site_dir: Path) -> int:
    """Make site_dir/pagefind reproducible; return the number of pages it indexed."""
    bundle = site_dir / "pagefind"
    try:
        make_reproducible(bundle)
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise SearchIndexError(_("unexpected Pagefind bundle: {detail}").format(detail=exc)) from None
    return sum(int(language["page_count"]) for language in entry["languages"].values())


def _page_count(bundle: Path) -> int:
    """The pages of a bundle, from its entry file (0 when it has none)."""
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
        return sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError):
        return 0
