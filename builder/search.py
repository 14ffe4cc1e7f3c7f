"""The Pagefind index of the staged site's warnings and other marked pages (extended build, Chinese segmentation).

The merchant pages are not in it: their full text is in an index of our own (`textindex.py`), which a build
writes in a few seconds where Pagefind took ≈ 25 CPU seconds at 10,000 merchants, and which finds every fragment
that Pagefind's word segmentation can miss. The pages that stay in Pagefind are few (warnings, typical cases):

- `pagefind/main/`: one bundle of every page marked `data-pagefind-body` that is not a merchant page (merchant
  pages keep their markers, so that the output can still be indexed by Pagefind alone, as bench/peers.py does);
- `pagefind/routes/`: which characters and bigrams its pages hold (`searchroutes.py`), so that the search page
  loads Pagefind only for a query that can have a result there;
- `pagefind/bundles.json`: the bundles in the order the search page uses them, and the number of routes files.

The bundle is indexed by a `pagefind_extended --service` process (`pagefindservice.py`) fed its pages in route
order (the bundle's bytes depend on that order) once every page is written, at a lower priority (`BUILD_NICE`).
A bundle whose pages (routes and bytes) are unchanged is kept from the previous build (`OutputTree.folder`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from builder import searchroutes
from builder.buildcache import BuildCache
from builder.errors import SearchIndexError
from builder.fingerprint import digest
from builder.i18n import N_, _
from builder.outputtree import FileRecord
from builder.pagefindbinary import pagefind_binary
from builder.pagefindservice import PagefindService
from builder.searchbundle import make_reproducible

ROOT = "pagefind"
MAIN = "main"
BUILD_NICE = 10  # a build's Pagefind service yields to the builder
BODY = "data-pagefind-body"
LANGUAGE = "zh-cn"
MARKS = "search-marks"  # the cache entry: whether the pages of the last build, by the digest of their bytes, are marked
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


@dataclass
class _Prepared:
    """A main bundle being indexed before its pages are in the tree (`SearchIndexer.prepare`)."""

    key: str
    folder: Path
    thread: threading.Thread | None = None
    pages: int = 0
    error: BaseException | None = None


class SearchIndexer:
    """Indexes the main bundle of one build into its output tree; see the module's docstring."""

    def __init__(self, tree: BundleTree, progress: Progress | None = None, cache: BuildCache | None = None,
                 nice: int = 0) -> None:
        self.tree = tree
        self.cache = cache
        self.nice = nice  # lower the service's priority: the builder (or the preview's builds) come first
        self.binary = pagefind_binary()
        found = self.binary.stat()
        self.version = f"{self.binary}:{found.st_size}:{found.st_mtime_ns}"  # another binary: another index
        self.lock = threading.Lock()
        self.progress = progress
        self.services: set[PagefindService] = set()
        self.stopped = False
        self.finished = False
        self._prepared: _Prepared | None = None

    def prepare(self, other_routes: Sequence[str], marked: Mapping[str, bool], digests: Mapping[str, str],
                read: Callable[[str], str], beside: Path, kept: str | None) -> None:
        """Start indexing the main bundle in a thread, into a folder beside the output folder `beside`, before the
        pages are in the tree (warningsbuild.py knows every page's bytes first): `digests` of every page of
        `other_routes`, `read` the text of one (raising SearchIndexError when it is not the bytes of its digest);
        `kept`: the key of the bundle the output holds (nothing to do when it is the one wanted). `finish` takes
        the bundle when its key is the one it works out, else (or when this failed) indexes as it always does."""
        main = self._marked(sorted(other_routes), marked, digests, read)
        key = self._key(main, digests)
        if not main or key == kept:
            return
        folder = tempfile.mkdtemp(prefix=f".{beside.name}.pagefind-", dir=beside.resolve().parent)
        prepared = self._prepared = _Prepared(key, Path(folder))

        def index() -> None:
            try:
                prepared.pages = self._index(main, prepared.folder, read)
            except BaseException as exc:  # noqa: BLE001 - `finish` then indexes from the tree, where it shows again
                prepared.error = exc

        prepared.thread = threading.Thread(target=index, name="pagefind", daemon=True)
        prepared.thread.start()

    def _take_prepared(self, key: str, folder: Path) -> int | None:
        """Move the prepared bundle into `folder` when it has this key (its pages); None when there is none, or
        when preparing it failed (the bundle is then indexed from the tree: a real failure shows there again)."""
        prepared = self._prepared
        if prepared is None or prepared.key != key or prepared.thread is None:
            return None
        prepared.thread.join()
        self._prepared = None
        try:
            if prepared.error is not None:
                return None
            for name in sorted(os.listdir(prepared.folder)):
                os.replace(prepared.folder / name, folder / name)
            return prepared.pages
        finally:
            shutil.rmtree(prepared.folder, ignore_errors=True)

    def _drop_prepared(self) -> None:
        """Let go of a prepared bundle nothing took (stopped, or not the one wanted)."""
        prepared, self._prepared = self._prepared, None
        if prepared is not None:
            if prepared.thread is not None:
                prepared.thread.join()
            shutil.rmtree(prepared.folder, ignore_errors=True)

    def finish(self, other_routes: Sequence[str], marked: Mapping[str, bool] | None = None) -> int:
        """Index the main bundle (the pages that ask for it: `marked` says so of the pages rendered in this build,
        the others are read) and its routes; the pages indexed."""
        try:
            return self._finish(other_routes, marked)
        finally:
            self._drop_prepared()

    def _finish(self, other_routes: Sequence[str], marked: Mapping[str, bool] | None = None) -> int:
        """`finish`."""
        main = self._marked(sorted(other_routes), marked or {})
        names: list[str] = []
        grams: list[set[str]] = []
        keys: list[str] = []
        pages = 0
        if main:
            key = self._key(main)
            counted: list[int] = []

            def make(folder: Path) -> None:
                taken = self._take_prepared(key, folder)
                counted.append(taken if taken is not None else self._index(main, folder))

            made = self.tree.folder(f"{ROOT}/{MAIN}/", key, make)
            folder = self.tree.path(f"{ROOT}/{MAIN}")
            pages = counted[0] if counted else _page_count(folder)
            names, keys, grams = [MAIN], [key], [self._grams(folder, key, made)]
            if self.progress is not None:
                self.progress(N_("search index"), 1, 1)
        self.finished = True
        routes: list[int] = []
        self.tree.group(f"{searchroutes.ROOT}/", digest("routes", searchroutes.FORMAT, *keys),
                        lambda: routes.append(searchroutes.write_routes(self.tree, grams)))
        # the routes files kept from an earlier tree are counted where they are (a preview links them unrecorded)
        files = routes[0] if routes else len(list(self.tree.path(searchroutes.ROOT).glob("*.json")))
        self.tree.write(f"{ROOT}/bundles.json", json.dumps({"bundles": [f"{name}/" for name in names],
                                                            "routes": files}, separators=(",", ":")) + "\n")
        return pages

    def abort(self) -> None:
        """Stop indexing (the build failed): a running service is stopped."""
        with self.lock:
            self.stopped = True
            running = list(self.services)
        for service in running:
            service.process.kill()
        self._drop_prepared()

    def _marked(self, routes: list[str], known: Mapping[str, bool], digests: Mapping[str, str] | None = None,
                read: Callable[[str], str] | None = None) -> list[str]:
        """The routes of pages marked for the index: as `known` says (pages rendered now), else as the last build
        found the same bytes (a kept page), else as the page says (read; `digests` and `read`: of pages not yet in
        the tree, see `prepare`)."""
        last = self.cache.load(MARKS) if self.cache is not None else None
        last = last if isinstance(last, dict) else {}
        if digests is None:
            with self.tree.lock:
                digests = {route: record.digest for route in routes if (record := self.tree.written.get(route))}
        marks: dict[str, bool] = {}
        chosen = []
        for route in routes:
            found = digests.get(route, "")
            mark = known[route] if route in known else last.get(found) if found else None
            if mark is None:
                mark = _asks_to_be_indexed(route, read or self._read)
                if mark is None:  # unreadable: not indexed this time, and not remembered
                    mark, found = False, ""
            if found:
                marks[found] = mark
            if mark:
                chosen.append(route)
        if self.cache is not None and marks != last:
            self.cache.save(MARKS, marks, later=True)
        return chosen

    def _key(self, routes: list[str], digests: Mapping[str, str] | None = None) -> str:
        """A bundle's key: Pagefind's version and its pages' routes and bytes (`digests`: see `prepare`)."""
        if digests is None:
            with self.tree.lock:
                digests = {route: self.tree.written[route].digest for route in routes if route in self.tree.written}
        parts = [f"{route}:{digests[route]}" for route in routes if route in digests]
        return digest("pagefind", self.version, LANGUAGE, *parts)

    def _grams(self, folder: Path, key: str, made: bool) -> set[str]:
        """The characters and bigrams of the texts search.js checks for the pages of a bundle (cached by key)."""
        known = self.cache.load(f"grams/{key}") if self.cache is not None and not made else None
        if isinstance(known, set):
            return known
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

    def _index(self, routes: list[str], folder: Path, read: Callable[[str], str] | None = None) -> int:
        """Feed the pages of the bundle to a Pagefind service and write the bundle into `folder`, reproducibly
        (searchbundle.py); the pages it indexed (`read`: a page's text, when not from the tree)."""
        with self.lock:  # (`abort`, in another thread, stops the services it finds under this lock)
            if self.stopped:
                raise SearchIndexError("stopped")
            service = PagefindService(self.binary, LANGUAGE, self.nice)
            self.services.add(service)
        try:
            for route in routes:
                html = (read or self._read)(route)
                if is_marked(html):
                    service.add("/" + route.removesuffix("index.html"), search_view(html))
            files = service.files()
        except BaseException:
            service.close()
            raise
        finally:
            with self.lock:
                self.services.discard(service)
        service.write_files(files, folder, keep=wanted)
        try:
            make_reproducible(folder)
        except (OSError, ValueError, KeyError) as exc:
            raise SearchIndexError(_("unexpected Pagefind bundle: {detail}").format(detail=exc)) from None
        return service.pages


UI_FILES = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")


def wanted(path: str) -> bool:
    """Whether a file of a bundle is published: the search page uses none of Pagefind's UI files (it keeps
    pagefind.js, its worker and WebAssembly)."""
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


def _asks_to_be_indexed(route: str, read: Callable[[str], str]) -> bool | None:
    """Whether a page is marked for the search index (None: it cannot be read)."""
    try:
        return is_marked(read(route))
    except (OSError, SearchIndexError):
        return None


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
