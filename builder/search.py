"""The Pagefind index of the staged site, in bundles the search page merges (extended build, Chinese segmentation).

One Pagefind process holding 10,000 pages needs about 1.7 GB (and past ~30,000 pages it runs out of memory
upstream), and one new page rewrites most of a bundle. So the index is cut into bundles under `pagefind/`:

- `pagefind/main/`: warnings and every other page marked `data-pagefind-body` that is not a merchant page;
- `pagefind/m00/` … : merchant pages, shard `fnv1a(route) mod count`, `count` a power of two chosen so that
  a shard holds at most `SHARD_PAGES` pages (≈ 450 MB for Pagefind; the count changes only when the number of
  merchants doubles, and then every shard is indexed once again);
- `pagefind/bundles.json`: the bundles in the order the search page uses them, and the number of
  `pagefind/routes/` files that say which bundles hold each character and bigram (`searchroutes.py`).

Each bundle is indexed by its own `pagefind_extended --service` process (`pagefindservice.py`) fed the
bundle's pages in route order (the bundle's bytes depend on that order) as soon as the last of them is
written, beside the rendering: in a build, two bundles at a time (`SERVICES`; one service keeps about one core
busy, and after the rendering the builder waits for the last shards), one at a time in the preview. A bundle
whose pages (routes and bytes) are unchanged is kept from the previous build (`OutputTree.folder`).
When no bundle can be kept (`stream`: a clean build, or no earlier output), merchant pages are rendered shard
by shard in route order and each goes to its shard's service as soon as it is rendered, so that Pagefind
parses one shard while the next is rendered. Pages wait in memory for their shard's turn only up to
`QUEUED_TEXT` characters in all; past that a page is queued by its route and read back from the tree when its
turn comes (Pagefind is slower than the rendering, and 100,000 waiting pages would hold gigabytes).

The builder's one thread is the longest path of a build, so a build's services run at a lower priority
(`BUILD_NICE`, every thread of them: `pagefindservice.py` starts them with `nice`) and take what the builder
leaves of the cores. A streamed shard's service gives its slot to the next shard as soon as it has answered with
its bundle; the bundle is written to disk by a thread of its own (`writer`): writing and hashing its thousands of
files competes with the rendering for the interpreter, and while a slot waited for it, both services stood idle
for seconds at 10,000 merchants (`bench/stages.py`).
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

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
SERVICES = 2  # Pagefind services at a time in a build (2 cores: the last shards are no longer indexed one by one)
BUILD_NICE = 10  # a build's Pagefind services yield to the builder, whose one thread is the longest path to the end
QUEUED_TEXT = 32_000_000  # characters of rendered pages held for the services at most (~64 MB of text)
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
                 progress: Progress | None = None, cache: BuildCache | None = None, nice: int = 0,
                 stream: bool = False) -> None:
        self.tree = tree
        self.stream = stream
        self.feeds: dict[int, queue.SimpleQueue[tuple[str, str | None] | None]] = {}
        self.cache = cache
        self.nice = nice  # lower the services' priority: the builder (or the preview's builds) come first
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
        # bundle -> the characters and bigrams of its pages (searchroutes.py), read from the written bundle beside the
        # indexing, so that the next bundle's Pagefind starts at once
        self.grams: dict[str, Future[set[str]]] = {}
        self.reader = ThreadPoolExecutor(1, thread_name_prefix="routes")
        # writes the bundles of streamed shards, so that a service slot is free as soon as its service has answered
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="bundles")
        self.stored: list[Future[int]] = []
        self.services: set[PagefindService] = set()
        self.stopped = False
        self.finished = False
        self.queued = 0  # characters of the pages waiting in `feeds`

    def order(self, routes: Sequence[str]) -> list[int]:
        """Positions of merchant routes grouped by shard (so that shards fill one after another)."""
        return sorted(range(len(routes)), key=lambda i: self.shard_of.get(routes[i], 0))

    def render_order(self, routes: Sequence[str]) -> list[int]:
        """The order to render merchant pages in: by shard, and in route order within one when streaming
        (the order each shard's service is fed)."""
        if not self.stream:
            return self.order(routes)
        return sorted(range(len(routes)), key=lambda i: (self.shard_of.get(routes[i], 0), routes[i]))

    def placed(self, route: str, html: str | None = None) -> None:
        """A page is in the tree (`html`: as rendered): streaming, it goes to its shard's service; a shard
        whose last page this is goes to Pagefind."""
        index = self.shard_of.get(route)
        if index is None:
            return
        feed = None
        if self.stream and not self.stopped:
            feed = self.feeds.get(index)
            if feed is None:
                feed = self.feeds[index] = queue.SimpleQueue()
                name = shard_name(index, self.count)
                self.futures.append(self.pool.submit(self._streamed, name, sorted(self.shards[index]), feed))
                self.names.append(name)
            with self.lock:
                if html is not None and self.queued + len(html) > QUEUED_TEXT:
                    html = None  # too much is waiting: the service reads this page back from the tree
                elif html is not None:
                    self.queued += len(html)
            feed.put((route, html))
        with self.lock:
            self.waiting[index] -= 1
            complete = self.waiting[index] == 0
        if complete:
            if feed is not None:
                feed.put(None)
            else:
                self._submit(shard_name(index, self.count), sorted(self.shards[index]))

    def finish(self, other_routes: Sequence[str], marked: Mapping[str, bool] | None = None) -> int:
        """Index the main bundle (pages outside merchants/ that ask for it: `marked` says so of the pages rendered
        in this build, the others are read), wait for all; pages indexed."""
        assert self.tree.root is not None
        root = self.tree.root
        known = marked or {}
        main = [route for route in sorted(other_routes)
                if (known[route] if route in known else _asks_to_be_indexed(root / route))]
        for index, waiting in enumerate(self.waiting):
            if waiting > 0:  # a merchant page that was never placed: index what is there
                if index in self.feeds:
                    self.feeds[index].put(None)
                else:
                    self._submit(shard_name(index, self.count), sorted(self.shards[index]))
                self.waiting[index] = 0
        self._submit(MAIN, main)
        try:
            for future in self.futures:
                future.result()
            for future in self.stored:  # every one is listed: the pool's work is done
                future.result()
            for name in self.names:
                self.grams[name].result()
        except BaseException:
            self.abort()
            raise
        self.pool.shutdown(wait=True)
        self.writer.shutdown(wait=True)
        self.reader.shutdown(wait=True)
        self.finished = True
        names = sorted(self.names, key=lambda name: (name != MAIN, name))
        routes: list[int] = []
        key = digest("routes", searchroutes.FORMAT, *(self.keys[name] for name in names))
        self.tree.group(f"{searchroutes.ROOT}/", key, lambda: routes.append(
            searchroutes.write_routes(self.tree, [self.grams[name].result() for name in names])))
        files = routes[0] if routes else len([r for r in self.tree.written if r.startswith(searchroutes.ROOT)])
        self.tree.write(f"{ROOT}/bundles.json", json.dumps({"bundles": [f"{name}/" for name in names],
                                                            "routes": files}, separators=(",", ":")) + "\n")
        return self.pages

    def abort(self) -> None:
        """Stop indexing (the build failed): bundles not started are dropped, running services stopped."""
        self.stopped = True
        for feed in self.feeds.values():
            feed.put(None)  # a streamed bundle waiting for pages stops waiting
        with self.lock:
            running = list(self.services)
        for service in running:
            service.process.kill()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.writer.shutdown(wait=True, cancel_futures=True)
        self.reader.shutdown(wait=True, cancel_futures=True)

    def _submit(self, name: str, routes: list[str]) -> None:
        if routes:  # an empty shard has no bundle
            self.futures.append(self.pool.submit(self._bundle, name, routes))
            self.names.append(name)

    def _key(self, routes: list[str]) -> str:
        """A bundle's key: Pagefind's version and its pages' routes and bytes."""
        tree = self.tree
        with tree.lock:
            parts = [f"{route}:{tree.written[route].digest}" for route in routes if route in tree.written]
        return digest("pagefind", self.version, LANGUAGE, *parts)

    def _streamed(self, name: str, routes: list[str],
                  feed: queue.SimpleQueue[tuple[str, str | None] | None]) -> int:
        """Index a shard from the pages `placed` sends, in route order, until the shard is complete."""
        service = self._service()
        expected = iter(routes)
        in_order = True
        try:
            while (item := feed.get()) is not None:
                route, html = item
                if html is not None:
                    with self.lock:
                        self.queued -= len(html)
                if self.stopped or not in_order:
                    continue
                if route != next(expected, None):  # not in route order after all: index from the files below
                    in_order = False
                    continue
                self._add(service, route, self._read(route) if html is None else html)
        except BaseException:
            self._drop(service)
            raise
        if self.stopped:
            self._drop(service)
            raise SearchIndexError("stopped")
        if not in_order:
            self._drop(service)
            return self._bundle(name, routes)
        key = self._key(routes)
        files = self._take(service)  # the service stops: the next shard's may start while this bundle is written
        with self.lock:
            self.stored.append(self.writer.submit(self._store, name, key, service, files))
        return service.pages

    def _store(self, name: str, key: str, service: PagefindService, files: list[dict[str, Any]]) -> int:
        """Write a streamed shard's bundle (the `files` its service gave) and record it."""
        counted: list[int] = []

        def make(folder: Path) -> None:
            counted.append(self._write_files(service, files, folder))

        self.tree.folder(f"{ROOT}/{name}/", key, make)
        return self._done(name, key, counted)

    def _bundle(self, name: str, routes: list[str]) -> int:
        """Index one bundle (or keep it) and report its pages."""
        key = self._key(routes)
        counted: list[int] = []
        self.tree.folder(f"{ROOT}/{name}/", key, lambda folder: counted.append(self._index(routes, folder)))
        return self._done(name, key, counted)

    def _done(self, name: str, key: str, counted: list[int]) -> int:
        """Record a bundle made (`counted` holds its pages) or kept, with its routing keys (searchroutes.py: from
        the cache for a kept bundle, else read from the bundle beside the indexing); its pages."""
        tree = self.tree
        folder = tree.path(f"{ROOT}/{name}")
        pages = counted[0] if counted else _page_count(folder)
        known = self.cache.load(f"grams/{key}") if self.cache is not None and not counted else None
        grams: Future[set[str]]
        if isinstance(known, set):
            grams = Future()
            grams.set_result(known)
        else:
            grams = self.reader.submit(self._grams, folder, key)
        with self.lock:
            self.keys[name] = key
            self.grams[name] = grams
            self.pages += pages
            self.done_bundles += 1
            if self.progress is not None:
                self.progress(N_("search index"), self.done_bundles, self.count + 1)
        return pages

    def _grams(self, folder: Path, key: str) -> set[str]:
        """The characters and bigrams of the texts search.js checks for the pages of a written bundle (cached)."""
        try:
            grams = searchroutes.bundle_keys(folder)
        except (OSError, ValueError) as exc:
            raise SearchIndexError(_("unexpected Pagefind bundle: {detail}").format(detail=exc)) from None
        if self.cache is not None:
            self.cache.save(f"grams/{key}", grams)
        return grams

    def _read(self, route: str) -> str:
        """A page of the tree."""
        assert self.tree.root is not None
        try:
            return (self.tree.root / route).read_text("utf-8")
        except OSError as exc:
            raise SearchIndexError(_("cannot read {route}: {reason}").format(
                route=route, reason=exc.strerror)) from None

    def _service(self) -> PagefindService:
        """A new Pagefind service, known to `abort`."""
        if self.stopped:
            raise SearchIndexError("stopped")
        service = PagefindService(self.binary, LANGUAGE, self.nice)
        with self.lock:
            self.services.add(service)
        return service

    def _drop(self, service: PagefindService) -> None:
        """Stop a service whose bundle is not wanted (or failed)."""
        service.close()
        with self.lock:
            self.services.discard(service)

    def _take(self, service: PagefindService) -> list[dict[str, Any]]:
        """The bundle a service holds, once every page is indexed (the service stops and is forgotten)."""
        try:
            return service.files()
        finally:
            with self.lock:
                self.services.discard(service)

    @staticmethod
    def _write_files(service: PagefindService, files: list[dict[str, Any]], folder: Path) -> int:
        """Write the bundle a service gave into `folder`, reproducibly (searchbundle.py); the pages it indexed."""
        service.write_files(files, folder, keep=wanted)
        try:
            make_reproducible(folder)
        except (OSError, ValueError, KeyError) as exc:
            raise SearchIndexError(_("unexpected Pagefind bundle: {detail}").format(detail=exc)) from None
        return service.pages

    @staticmethod
    def _add(service: PagefindService, route: str, html: str) -> None:
        """Give one page's search body to a Pagefind service (no search body: skipped)."""
        if is_marked(html):
            service.add("/" + route.removesuffix("index.html"), search_view(html))

    def _index(self, routes: list[str], folder: Path) -> int:
        """Feed the pages of one bundle to a Pagefind service and write the bundle into `folder`."""
        service = self._service()
        try:
            for route in routes:
                self._add(service, route, self._read(route))
        except BaseException:
            self._drop(service)
            raise
        return self._write_files(service, self._take(service), folder)


UI_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def wanted(path: str) -> bool:
    """Whether a file of a bundle is published: the search page uses none of Pagefind's UI files. Every bundle
    keeps pagefind.js, its worker and WebAssembly (about 155 KB on disk): whichever bundle is listed first runs
    the search, and a site without warnings has no main bundle."""
    return not path.rsplit("/", 1)[-1].startswith(UI_FILES)


def search_view(html: str) -> str:
    """What Pagefind is given of a page: its search body alone, when that is the page's one `<article>`; else the
    whole page. Pagefind reads nothing outside the body but parses it all (about a tenth of its CPU on a merchant
    page), and took the footer's first image for every page's `image` meta."""
    start = html.find("<article " + BODY)
    if start < 0 or html.count("<article") != 1:  # escaped text never holds `<article`
        return html
    if html.count(BODY) != 1 and [tag.start() for tag in _BODY_TAG.finditer(html)] != [start]:
        return html  # another element marked as a search body (the words alone, in a name or an attribute, are not)
    end = html.find("</article>", start)
    if end < 0:
        return html
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{html[start:end]}</article></body></html>'


# A start tag with the search body attribute (a quoted value is skipped whole: the words inside one do not count)
_BODY_TAG = re.compile(r"""<[a-zA-Z][a-zA-Z0-9-]*(?:\s+[^\s"'=<>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*?"""
                       r"""\s+data-pagefind-body(?=[\s/>=])""")


def is_marked(html: str) -> bool:
    """Whether a page is marked for the search index: an element of it has the search body attribute (the words
    alone, in a merchant's name on a listing, do not mark it; Pagefind would skip such a page after parsing it)."""
    return BODY in html and _BODY_TAG.search(html) is not None


def _asks_to_be_indexed(path: Path) -> bool:
    """Whether a page of the tree is marked for the search index."""
    try:
        return is_marked(path.read_text("utf-8"))
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
