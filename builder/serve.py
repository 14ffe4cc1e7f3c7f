"""The live preview: build, serve, watch, rebuild, reload every open page; stop cleanly on Ctrl-C.

One recipe, run in the main thread (so Ctrl-C interrupts a build where `build` itself cleans up):
bind the port, start the server, the watcher and the indexer, build, then rebuild after every batch of
changes. Each build goes into a folder of its own in a work folder beside the output folder, through the same
incremental path as `gongshi build`: the folder of an earlier build that nothing reads any more is brought up
to date (only changed files written, or hard-linked from the build being served), or a new folder gets every
unchanged file hard-linked; when only warnings changed, only the pages they reach are rendered (warningsbuild.py,
continuing the build being served). The server switches to it only once it is complete. What unchanged files made
is kept in memory between builds: their records (buildcache.kept_in_memory), the model derived from them
(remembered.py), their fingerprints (fingerprint.kept_across_builds) and what the warnings' quick rebuild needs.
The work folder is removed when the preview stops.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import secrets
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from builder.build import build
from builder.buildcache import BuildCache, kept_in_memory
from builder.buildreport import BuildOptions, BuildReport
from builder.errors import ContentError, GongshiError, OutputError, Problem
from builder.fingerprint import kept_across_builds
from builder.i18n import _
from builder.livereload import PreviewServer
from builder.output import check_output_dir
from builder.outputtree import load_manifest, output_manifest
from builder.previewindex import Indexer, make_spare
from builder.previewstate import PreviewState, Report
from builder.remembered import remembering
from builder.warningsbuild import forget_output
from builder.watch import SiteWatcher
from builder.workfolders import claim, remove_leftovers

LOOPBACK = ("127.0.0.1", "localhost", "::1")
POLL_S = 0.5
#: The signals that stop the preview.
STOP_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")


def stop_signal_numbers() -> list[signal.Signals]:
    """The stop signals this platform has."""
    return [getattr(signal, name) for name in STOP_SIGNALS if hasattr(signal, name)]


@dataclass(frozen=True)
class ServeOptions:
    """What the user asked of `gongshi serve`."""

    build: BuildOptions
    host: str = "127.0.0.1"
    port: int = 8000
    reload: bool = True

    @property
    def public(self) -> bool:
        """True when the preview can be reached from other computers."""
        return not (self.host in LOOPBACK or self.host.startswith("127."))


class PortInUse(GongshiError):
    """The port is taken by another program."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        super().__init__(_("port {port} on {host} is already in use (another preview or server?)").format(
            port=port, host=host))


def base_path(report: BuildReport) -> str:
    """The URL path the site is built for (from base_url), served as it will be on the host: /gongshi/."""
    assert report.site is not None
    path = urlsplit(report.site.content.config.base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def changed_summary(changes: frozenset[str]) -> str:
    """A few changed paths for the terminal."""
    names = sorted(changes)
    more = _(" and {count} more").format(count=len(names) - 3) if len(names) > 3 else ""
    return _(", ").join(names[:3]) + more


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGINT (Ctrl-C), SIGTERM and SIGHUP (terminal closed) raise KeyboardInterrupt in the main thread."""
    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {name: signal.signal(getattr(signal, name), interrupt) for name in names}
    # A shell starting the preview in the background (`gongshi serve &`) ignores SIGINT for it; Ctrl-C
    # (or `kill -INT`) must still stop it.
    previous["SIGINT"] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP while threads start; one that arrived is raised when this ends.

    Interrupted inside Thread.start(), a thread may run on although is_alive() said no, and the
    server thread would then find its socket closed under it. The handlers are swapped, not the
    signal mask, so that the threads and the programs they start (Pagefind) keep receiving signals.
    """
    arrived: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        arrived.append(signum)

    stops = stop_signal_numbers()
    previous = {sig: signal.signal(sig, hold) for sig in stops}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if arrived:
        raise KeyboardInterrupt


class Preview:
    """A running live preview of one site."""

    def __init__(self, options: ServeOptions, report: Callable[[Report], None]) -> None:
        self.options = options
        self.report = report
        site, output = options.build.site_dir, options.build.output
        unsafe = check_output_dir(site, output)
        if unsafe:
            raise ContentError([Problem(str(output), 1, 1, "--output", unsafe)])
        self.server: PreviewServer | None = None
        self.work_dir: Path | None = None
        self.state: PreviewState | None = None
        self.watcher = SiteWatcher(site)
        self.indexer: Indexer | None = None

    def bind(self) -> int:
        """Listen on the host and port (PortInUse or OSError when that is impossible); return the port."""
        output = self.options.build.output
        try:
            output.resolve().parent.mkdir(parents=True, exist_ok=True)
            self.work_dir = Path(tempfile.mkdtemp(prefix=f".{output.name}.serve-", dir=output.resolve().parent))
            claim(self.work_dir)
        except OSError as exc:
            raise OutputError(str(output.parent), _("cannot create the preview's work folder: {reason}").format(
                reason=exc.strerror)) from None
        self._remove_leftovers()
        self.state = PreviewState(self.work_dir, secrets.token_hex(4))
        self.indexer = Indexer(self.state, output, self.report, BuildCache.open(self.options.build.site_dir))
        try:
            self.server = PreviewServer(self.options.host, self.options.port, self.state, self.options.reload)
        except OSError as exc:
            self.close()
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(self.options.host, self.options.port) from None
            raise
        return int(self.server.server_address[1])

    def _remove_leftovers(self) -> None:
        """Remove the work folders of previews of this output that were killed (their process is gone)."""
        output = self.options.build.output
        left = remove_leftovers(output.resolve().parent, output.name, keep=self.work_dir)
        if left.removed:
            self.report(Report("note", f"Removed {len(left.removed)} work folder(s) left by a preview that was "
                                       f"killed: {', '.join(str(p) for p in left.removed)}"))
        if left.unknown:
            self.report(Report("note", f"Left {', '.join(str(p) for p in left.unknown)}: no record of the preview "
                                       f"that made it (or it could not be removed); remove it by hand when no "
                                       f"preview of this site runs"))

    def url(self, path: str = "/") -> str:
        """The address to open in a browser on this computer."""
        assert self.server is not None
        host, port = str(self.server.server_address[0]), int(self.server.server_address[1])
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, f"[{host}]" if ":" in host else host)
        return f"http://{host}:{port}{path}"

    def run(self) -> None:
        """Build and serve until Ctrl-C, then stop everything (call within stop_signals())."""
        assert self.server is not None and self.state is not None and self.indexer is not None
        server_thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                         name="preview server", daemon=True)
        # What an unchanged file made stays in memory: its records, the model derived from them, their digests; until
        # the indexer has stopped (a publish reads the build's manifest, which is kept there only).
        memory = contextlib.ExitStack()
        try:
            with signals_held():  # a Ctrl-C now arrives once the threads have started and can be stopped
                server_thread.start()
                self.watcher.start()
                self.indexer.start()
            for context in (kept_in_memory(self.options.build.site_dir), remembering(), kept_across_builds()):
                memory.enter_context(context)
            self._build(frozenset())
            while True:
                changes = self.watcher.next_changes(POLL_S)
                if changes:
                    self._build(changes)
                self._sweep()  # after the build: deleting a let-go folder must not delay the page
        except KeyboardInterrupt:
            pass
        finally:
            stops = stop_signal_numbers()
            ignored = {sig: signal.signal(sig, signal.SIG_IGN) for sig in stops}
            try:
                self._stop(server_thread)
            finally:
                memory.close()
                self.close()
                for sig, handler in ignored.items():
                    signal.signal(sig, handler)

    def _build(self, changes: frozenset[str]) -> None:
        assert self.state is not None and self.indexer is not None
        number, folder = self.state.next_folder()
        self.state.building()
        last = self.state.current()  # unchanged pages are hard-linked from the build being served
        spare = self.state.take_spare() if last is not None else None  # or kept in an earlier build's folder
        # The first build links from the output folder when its manifest holds (as `gongshi build` left it): the
        # preview then starts in seconds when little changed since, and leaves `gongshi build` its spare.
        options = dataclasses.replace(self.options.build, output_dir=folder, search=False,
                                      link_from=last.path if last is not None else self._published(),
                                      recycle=spare, quick=last is not None, spare=False)
        started = time.perf_counter()
        if last is not None:
            self.state.hold(last)
        try:
            result = build(options)
        except ContentError as exc:
            count = sum(p.severity == "error" for p in exc.problems)
            self._failed([str(problem) for problem in exc.problems],
                         _("{count} problem(s) found").format(count=count))
            return
        except GongshiError as exc:
            self._failed([_("Error: {detail}").format(detail=exc)], _("the build failed"))
            return
        except Exception as exc:  # noqa: BLE001 - a bug in a build must not take the preview down
            self._failed([_("Error: unexpected {kind}: {detail}").format(kind=type(exc).__name__, detail=exc)],
                         _("the build failed unexpectedly"))
            return
        finally:
            if last is not None:
                self.state.drop(last)
            if spare is not None and spare.exists():  # the build failed before it took the spare
                self.state.give_back(spare)
            elif spare is not None:  # taken: now this build's folder, or gone with a build that failed
                self._forget(spare)
        if result.site is not None:
            merchants = tuple(f"{merchant.url}index.html" for merchant in result.site.merchants)
            path = base_path(result)
        else:  # the warnings' quick rebuild of the last build (a build into a new folder is never "up to date")
            assert last is not None
            merchants, path = last.merchants, last.base_path
        gen = self.state.publish_pages(number, folder, path, merchants)
        self.indexer.poke()
        if last is None:  # in the background: a folder the first edit can bring up to date
            self.state.hold(gen)
            threading.Thread(target=make_spare, args=(self.state, gen, BuildCache.open(self.options.build.site_dir)),
                             name="preview spare", daemon=True).start()
        seconds = time.perf_counter() - started
        why = _(" after changes to {files}").format(files=changed_summary(changes)) if changes else ""
        url = self.url(gen.base_path)
        self.report(Report("built", _("Built {pages} pages in {seconds:.2f} s{why}: {url}").format(
                               pages=result.pages, seconds=seconds, why=why, url=url),
                           tuple(str(p) for p in result.warnings)))

    def _published(self) -> Path | None:
        """The output folder when its manifest describes it (its unchanged files can be linked), else None."""
        output = self.options.build.output
        cache = BuildCache.open(self.options.build.site_dir)
        return output if load_manifest(cache, output_manifest(output), output) is not None else None

    def _failed(self, problems: list[str], summary: str) -> None:
        assert self.state is not None
        self.state.failed(problems)
        still = _("the last good build is still served") if self.state.current() else _("nothing to serve yet")
        self.report(Report("failed", _("Build failed: {summary}; {still}; open pages show the problems.").format(
                               summary=summary, still=still),
                           tuple(problems)))

    def _sweep(self) -> None:
        assert self.state is not None
        for folder in self.state.sweep():
            shutil.rmtree(folder, ignore_errors=True)
            self._forget(folder)

    def _forget(self, folder: Path) -> None:
        """Forget what the cache keeps in memory of a folder that is gone (its manifest, what the warnings' quick
        rebuild would continue from)."""
        cache = BuildCache.open(self.options.build.site_dir)
        if cache is not None:
            forget_output(cache, folder)

    def _stop(self, server_thread: threading.Thread) -> None:
        assert self.state is not None and self.server is not None and self.indexer is not None
        self.report(Report("stopping", _("Stopping: ending the server and removing the preview's builds…")))
        self.state.stop()
        if server_thread.is_alive():
            self.server.shutdown()
        self.watcher.stop()
        self.indexer.stop()
        current = self.state.current()
        if current is not None and self.indexer.published is not current:
            self.report(Report("note", _("{folder} does not hold the newest preview build (its search index was not "
                                         "finished): run `gongshi build` to publish it.").format(
                                             folder=self.options.build.output)))

    def close(self) -> None:
        """Close the socket and remove the work folder (again: harmless)."""
        if self.server is not None:
            self.server.server_close()
        if self.work_dir is not None:
            shutil.rmtree(self.work_dir, ignore_errors=True)
            self.work_dir = None
