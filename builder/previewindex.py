"""The preview's background work after each build: the Pagefind index, then the copy into the output folder.

Pages are served as soon as they are built; search may lag while Pagefind indexes the generation in the
background, and is served only once its bundle is complete. The newest generation that is complete (pages
and index) is then published into the output folder, hard-linked (no bytes copied) and swapped in whole,
so the output folder holds exactly what `gongshi build` would write and never a half-written site.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from builder.errors import GongshiError, OutputError, SearchIndexError
from builder.i18n import _
from builder.manifest import MANIFEST, write_manifest
from builder.output import Staging
from builder.previewstate import Generation, PreviewState, Report
from builder.search import finish_bundle, pagefind_binary, pagefind_command


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


class Indexer:
    """One background thread: index the served generation, serve its search bundle, publish it."""

    def __init__(self, state: PreviewState, output: Path, report: Callable[[Report], None]) -> None:
        self.state = state
        self.output = output
        self.report = report
        self.published: Generation | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
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
            gen = self.state.current()
            if self._stopping or gen is None or gen.indexed:
                continue
            self.state.hold(gen)
            try:
                self._index(gen)
                if self.state.current() is gen:  # a newer build will be published after its own index
                    self._publish(gen)
            except Stopped:
                return
            except GongshiError as exc:
                self.report(Report("index-failed", str(exc)))
            finally:
                self.state.drop(gen)

    def _index(self, gen: Generation) -> None:
        started = time.perf_counter()
        command = pagefind_command(pagefind_binary(), gen.path)
        with self._lock:
            if self._stopping:
                raise Stopped
            try:  # a session of its own, so that stopping the preview can end it and nothing it started
                self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                                 start_new_session=True)
            except OSError as exc:
                raise SearchIndexError(_("cannot run {program}: {reason}").format(program=Path(command[0]).name,
                                                                                   reason=exc.strerror)) from None
            with contextlib.suppress(OSError):  # the builds (edit to page) come first on a busy machine
                os.setpriority(os.PRIO_PROCESS, self._process.pid, 10)
        output, _unused = self._process.communicate()
        with self._lock:
            status, self._process = self._process.returncode, None
        if self._stopping:
            raise Stopped
        if status != 0:
            tail = output.decode("utf-8", "replace").strip().splitlines()[-3:]
            raise SearchIndexError(_("Pagefind exited with status {status}: {detail}").format(
                status=status, detail=" / ".join(tail)))
        pages = finish_bundle(gen.path)
        self.state.publish_search(gen)
        self.report(Report("indexed", _("Search index of build {number} ready: {pages} pages indexed in "
                                        "{seconds:.1f} s.").format(number=gen.number, pages=pages,
                                                                   seconds=time.perf_counter() - started)))

    def _publish(self, gen: Generation) -> None:
        started = time.perf_counter()
        with Staging(self.output) as staging:
            assert staging.root is not None
            try:
                link_tree(gen.path, staging.root, lambda: self._stopping, skip=MANIFEST)
            except OSError as exc:
                raise OutputError(str(self.output), _("cannot copy the preview build: {reason}").format(
                    reason=exc.strerror)) from None
            write_manifest(staging.root)  # listing the search bundle too, as `gongshi build` does
            staging.publish()
        self.published = gen
        self.report(Report("published", _("Build {number} (pages and search index) published to {folder} in "
                                          "{seconds:.1f} s.").format(number=gen.number, folder=self.output,
                                                                     seconds=time.perf_counter() - started)))

    def stop(self) -> None:
        """End the running Pagefind process, if any, and wait for the thread."""
        with self._lock:
            self._stopping = True
            if self._process is not None and self._process.poll() is None:
                with contextlib.suppress(OSError):
                    os.killpg(self._process.pid, signal.SIGTERM)
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
