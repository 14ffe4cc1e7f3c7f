"""The preview's background work after each build: the Pagefind index, then the copy into the output folder.

Pages are served as soon as they are built; search of the warnings may lag while Pagefind indexes the
generation in the background (the same bundle as `gongshi build`, linked from the last indexed build when
unchanged: generationtree.py; the merchants' full text is written with the pages), and is served only once its
bundles are complete. The newest generation that is complete (pages and index) is then published into the
output folder, hard-linked (no bytes copied) and swapped in whole, so the output folder holds exactly what
`gongshi build` would write and never a half-written site.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from builder.buildcache import BuildCache
from builder.errors import GongshiError, OutputError, SearchIndexError
from builder.generationtree import GenerationTree
from builder.i18n import _
from builder.manifest import MANIFEST, ManifestError, read_manifest, write_manifest
from builder.output import Staging
from builder.outputtree import (
    FileRecord,
    TreeManifest,
    file_digest,
    folder_stats,
    load_manifest,
    output_manifest,
    stat_of,
    tree_id,
)
from builder.previewstate import Generation, PreviewState, Report
from builder.search import SearchIndexer
from builder.warningsbuild import keep_data_side

QUIET_S = 0.5  # after a build is served, indexing waits this long without a newer one


class Stopped(Exception):
    """The preview is stopping: leave the current job."""


def link_tree(source: Path, target: Path, stopping: Callable[[], bool], skip: str = "") -> None:
    """Fill `target` with hard links to every file under `source` (copies where links are impossible).

    `skip` names a file at the top that is left out (to be written anew: writing into a hard link would
    change the source too).
    """
    for folder, dirs, files in os.walk(source):
        dirs.sort()
        here = Path(folder)
        into = target / here.relative_to(source)
        into.mkdir(exist_ok=True)
        for name in sorted(files):
            if here == source and name == skip:
                continue
            if stopping():
                raise Stopped
            try:
                os.link(here / name, into / name)
            except OSError:
                shutil.copy2(here / name, into / name)


def make_spare(state: PreviewState, gen: Generation, cache: BuildCache | None) -> None:
    """Link a generation into a new folder that becomes the spare, with its manifest (hard links keep every
    file's size, time and inode, so its records hold): the first edit then brings a folder up to date too."""
    spare = gen.path.with_name(f"spare-{gen.number}")
    try:
        manifest = load_manifest(cache, output_manifest(gen.path), gen.path) if cache is not None else None
        if manifest is None or cache is None:
            return
        link_tree(gen.path, spare, lambda: state.stopping)
        identity = tree_id(spare)
        if identity is None:
            raise Stopped
        cache.save(output_manifest(spare), dataclasses.replace(manifest, tree=identity))
    except (OSError, Stopped):
        shutil.rmtree(spare, ignore_errors=True)
        return
    finally:
        state.drop(gen)
    state.give_back(spare)


class Indexer:
    """One background thread: index the served generation, serve its search bundle, publish it."""

    def __init__(self, state: PreviewState, output: Path, report: Callable[[Report], None],
                 cache: BuildCache | None = None) -> None:
        self.state = state
        self.output = output
        self.report = report
        self.cache = cache
        self.published: Generation | None = None
        self.last: GenerationTree | None = None  # the bundles of the last indexed generation (linked when unchanged)
        self.last_number = 0
        self._wake = threading.Event()
        self._stopping = False
        self._lock = threading.Lock()
        self._indexer: SearchIndexer | None = None
        self._thread = threading.Thread(target=self._run, name="search index", daemon=True)

    def start(self) -> None:
        """Start the background thread."""
        self._thread.start()

    def poke(self) -> None:
        """A new generation is served: index it when the current job is done."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait()
            self._wake.clear()
            # A moment for the open pages to reload first (and for a build that follows at once to be the one indexed).
            while not self._stopping and self._wake.wait(QUIET_S):
                self._wake.clear()
            gen = self.state.current()
            if self._stopping or gen is None or gen.indexed:
                continue
            self.state.hold(gen)
            try:
                self.index(gen)
                if self.state.current() is gen:  # a newer build will be published after its own index
                    self._publish(gen)
            except Stopped:
                return
            except GongshiError as exc:
                if not gen.indexed:  # its half-made bundles are served by no one
                    shutil.rmtree(gen.search_path, ignore_errors=True)
                self.report(Report("index-failed", str(exc)))
            finally:
                self.state.drop(gen)

    def index(self, gen: Generation) -> None:
        """Index a generation into its folder (bundles unchanged since the last indexed one are linked)."""
        started = time.perf_counter()
        try:
            digests = read_manifest(gen.path).entries
        except ManifestError as exc:
            raise SearchIndexError(str(exc)) from None
        tree = GenerationTree(gen.path, digests, self.last, gen.search_path)
        merchants = set(gen.merchants)
        others = [route for route in digests if route.endswith(".html") and route not in merchants]
        with self._lock:
            if self._stopping:
                raise Stopped
            self._indexer = SearchIndexer(tree, cache=self.cache, nice=10)
        try:
            pages = self._indexer.finish(others)
        except BaseException:
            self._indexer.abort()
            if self._stopping:
                raise Stopped from None
            raise
        finally:
            with self._lock:
                self._indexer = None
        if self._stopping:
            raise Stopped
        self.last = tree
        self.state.publish_search(gen)
        kept = (_(" (its Pagefind index kept from build {number})").format(number=self.last_number)
                if tree.linked else "")
        self.last_number = gen.number
        self.report(Report("indexed", _("Search index of build {number} ready: {pages} pages indexed in "
                                        "{seconds:.1f} s{kept}.").format(number=gen.number, pages=pages,
                                                                         seconds=time.perf_counter() - started,
                                                                         kept=kept)))

    def _publish(self, gen: Generation) -> None:
        started = time.perf_counter()
        with Staging(self.output) as staging:
            assert staging.root is not None
            try:
                link_tree(gen.path, staging.root, lambda: self._stopping, skip=MANIFEST)
                link_tree(gen.search_path, staging.root, lambda: self._stopping)
            except OSError as exc:
                raise OutputError(str(self.output), _("cannot copy the preview build: {reason}").format(
                    reason=exc.strerror)) from None
            write_manifest(staging.root)  # listing the search bundle too, as `gongshi build` does
            manifest = self._manifest(gen, staging.root)
            staging.publish()
        if self.cache is not None:
            keep_data_side(self.cache, self.output, None)  # (of the output this replaced)
            if manifest is not None:  # its folders as they stand now that it is the output
                manifest.folders, manifest.folders_at = folder_stats(self.output, manifest.files), time.time_ns()
                self.cache.save(output_manifest(self.output), manifest, plain=True, lasting=True)
            else:
                self.cache.forget(output_manifest(self.output))
        self.published = gen
        self.report(Report("published", _("Build {number} (pages and search index) published to {folder} in "
                                          "{seconds:.1f} s.").format(number=gen.number, folder=self.output,
                                                                     seconds=time.perf_counter() - started)))

    def _manifest(self, gen: Generation, root: Path) -> TreeManifest | None:
        """The manifest of a generation published into `root` (its pages' records, its bundles' groups), so that
        the next `gongshi build` keeps or links the files the preview published instead of making them again; None
        when the generation's own manifest is not known."""
        pages = load_manifest(self.cache, output_manifest(gen.path), gen.path)
        identity = tree_id(root)
        if pages is None or identity is None:
            return None
        try:
            digests = {**read_manifest(root).entries, MANIFEST: file_digest((root / MANIFEST).read_bytes())}
        except (ManifestError, OSError):
            return None
        files: dict[str, FileRecord] = {}
        for route, sha in digests.items():
            found = stat_of(root / route)
            if found is None:
                return None
            record = pages.files.get(route)
            files[route] = FileRecord(record.key if record is not None and record.digest == sha else "", sha, found)
        bundles = self.last.groups if self.last is not None and self.last_number == gen.number else {}
        # (a build key no build has: `gongshi build` never finds it up to date, it keeps or links what is unchanged)
        return TreeManifest(identity, "", files, {**pages.groups, **bundles}, pages.summary)

    def stop(self) -> None:
        """End the running Pagefind process, if any, and wait for the thread."""
        with self._lock:
            self._stopping = True
            running = self._indexer
        if running is not None:
            running.abort()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
