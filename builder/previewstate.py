"""What the live preview serves right now: complete builds (generations), their search bundles, problems.

Every build goes into a folder of its own (a generation) that is never written again while it is served, so a
request sees either the previous complete site or the new one, never a half-written one. A generation's search
bundle is indexed into a folder of its own beside it. A folder is let go only when nothing refers to it any
more: not the pages being served, not one of the two newest search bundles, not the indexer, not a request
still being answered. The pages folder let go last is kept as the spare: the next build brings it up to date
(`BuildOptions.recycle`) instead of linking every unchanged file into a new folder; older ones are deleted.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(eq=False)
class Generation:
    """One complete build of the site in its own folder."""

    number: int
    path: Path
    build_id: str
    base_path: str
    refs: int = 0
    indexed: bool = False
    merchants: tuple[str, ...] = ()  # the merchant pages' routes (not given to Pagefind: textindex.py)
    pages: bool = True  # a folder of pages (kept as the spare when let go), else of a search bundle

    @property
    def search_path(self) -> Path:
        """The folder its search bundle is indexed into (it holds `pagefind/`)."""
        return self.path.with_name(f"search-{self.number}")


@dataclass(frozen=True)
class View:
    """The generations one request may read: the pages, and the search bundles newest first."""

    pages: Generation | None
    search: tuple[Generation, ...] = ()


@dataclass(frozen=True)
class Report:
    """Something the preview tells the terminal: a kind (built, failed, indexed …), a line, details."""

    kind: str
    message: str
    lines: tuple[str, ...] = ()


@dataclass
class Status:
    """What open pages are told: the build they should show and the problems of the last attempt."""

    build_id: str = ""
    building: bool = True
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> str:
        """The status as one line of JSON (one server-sent event)."""
        return json.dumps({"build": self.build_id, "building": self.building, "problems": self.problems},
                          ensure_ascii=False, separators=(",", ":"))


class PreviewState:
    """The registry of generations and the status, shared by the builder, the indexer and the server."""

    SEARCH_KEPT = 2  # an open page that loaded the older bundle can still fetch its files

    def __init__(self, work_dir: Path, session: str) -> None:
        self.work_dir = work_dir
        self.session = session
        self.status = Status()
        self.version = 0
        self.stopping = False
        self._changed = threading.Condition()
        self._pages: Generation | None = None
        self._search: list[Generation] = []
        self._count = 0
        self._doomed: list[Path] = []
        self._spare: Path | None = None

    # ------------------------------------------------------------------ generations
    def next_folder(self) -> tuple[int, Path]:
        """The number and (not yet existing) folder of the next generation."""
        with self._changed:
            self._count += 1
            return self._count, self.work_dir / f"build-{self._count}"

    def _ref(self, gen: Generation | None, delta: int) -> None:
        if gen is None:
            return
        gen.refs += delta
        if gen.refs == 0:
            if gen.pages and not self.stopping:
                if self._spare is not None:
                    self._doomed.append(self._spare)
                self._spare = gen.path
            else:
                self._doomed.append(gen.path)

    def take_spare(self) -> Path | None:
        """The pages folder let go last, for the next build to bring up to date (None: there is none)."""
        with self._changed:
            spare, self._spare = self._spare, None
            return spare

    def give_back(self, folder: Path) -> None:
        """A spare that a failed build left as it was: the spare again, unless a newer one came meanwhile."""
        with self._changed:
            if self._spare is None and not self.stopping:
                self._spare = folder
            else:
                self._doomed.append(folder)

    def publish_pages(self, number: int, path: Path, base_path: str, merchants: tuple[str, ...] = ()) -> Generation:
        """Serve a complete build from now on; open pages are told to reload."""
        gen = Generation(number, path, f"{self.session}-{number}", base_path, merchants=merchants)
        with self._changed:
            self._ref(gen, +1)
            self._ref(self._pages, -1)
            self._pages = gen
            self._announce(Status(gen.build_id, False, []))
        return gen

    def publish_search(self, gen: Generation) -> Generation:
        """Serve this generation's finished search bundle (in its search_path) from now on (the newest first)."""
        with self._changed:
            gen.indexed = True
            bundle = Generation(gen.number, gen.search_path, gen.build_id, gen.base_path, pages=False)
            self._ref(bundle, +1)
            self._search.insert(0, bundle)
            for old in self._search[self.SEARCH_KEPT:]:
                self._ref(old, -1)
            del self._search[self.SEARCH_KEPT:]
            return bundle

    def current(self) -> Generation | None:
        """The generation whose pages are served."""
        with self._changed:
            return self._pages

    def hold(self, gen: Generation) -> None:
        """Keep a generation alive while it is being worked on (indexing, copying)."""
        with self._changed:
            self._ref(gen, +1)

    def drop(self, gen: Generation) -> None:
        """Release a generation held with hold()."""
        with self._changed:
            self._ref(gen, -1)

    def acquire(self) -> View:
        """The generations a request reads; give them back with release()."""
        with self._changed:
            view = View(self._pages, tuple(self._search))
            for gen in (view.pages, *view.search):
                self._ref(gen, +1)
            return view

    def release(self, view: View) -> None:
        """Give back what acquire() returned."""
        with self._changed:
            for gen in (view.pages, *view.search):
                self._ref(gen, -1)

    def sweep(self) -> list[Path]:
        """The folders of generations nothing refers to any more (the caller deletes them)."""
        with self._changed:
            if self.stopping and self._spare is not None:
                self._doomed.append(self._spare)
                self._spare = None
            doomed, self._doomed = self._doomed, []
            return doomed

    # ------------------------------------------------------------------ status for open pages
    def _announce(self, status: Status) -> None:
        self.status = status
        self.version += 1
        self._changed.notify_all()

    def building(self) -> None:
        """A build has started."""
        with self._changed:
            self._announce(Status(self.status.build_id, True, self.status.problems))

    def failed(self, problems: list[str]) -> None:
        """The last build failed: the previous generation stays served; open pages show the problems."""
        with self._changed:
            self._announce(Status(self.status.build_id, False, problems))

    def wait(self, seen: int, timeout: float) -> tuple[int, Status | None]:
        """Wait for a status newer than version `seen`: (version, status), or (seen, None) on timeout or stop."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != seen or self.stopping, timeout)
            if self.stopping or self.version == seen:
                return seen, None
            return self.version, self.status

    def stop(self) -> None:
        """Wake every waiting event stream so that it ends."""
        with self._changed:
            self.stopping = True
            self._changed.notify_all()
