"""Watching a site folder's inputs (site.yaml, content/, themes/) for the live preview, with watchfiles."""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Iterable
from pathlib import Path

from watchfiles import Change, watch

#: What a preview build reads from a site folder; nothing else there (output/, .gongshi/ …) is watched.
WATCHED_FILE = "site.yaml"
WATCHED_DIRS = ("content", "themes")
#: File names that editors write beside the file being edited, and that no build reads.
EDITOR_LITTER = (
    re.compile(r"^\."),             # hidden files: .foo.md.swp (vim), .#foo.md (emacs lock), .DS_Store
    re.compile(r"~$"),              # foo.md~ (backup copies: vim, emacs, gedit)
    re.compile(r"^#.*#$"),          # #foo.md# (emacs auto-save)
    re.compile(r"\.(swp|swo|swx|swpx|bak|tmp|kate-swp)$", re.IGNORECASE),
    re.compile(r"^4913$"),          # vim's probe for whether it may write in the folder
    re.compile(r"^~\$"),            # ~$book.xlsx (office lock files)
)
#: A change set is the site-relative paths (POSIX) that changed.
Changes = frozenset[str]


def is_editor_litter(name: str) -> bool:
    """True for a swap, backup, lock or probe file an editor writes beside the file being edited."""
    return any(pattern.search(name) for pattern in EDITOR_LITTER)


def relevant(site_dir: Path, path: str) -> str | None:
    """The site-relative path of a change the build cares about, or None for one to ignore."""
    try:
        relative = Path(path).relative_to(site_dir)
    except ValueError:
        return None
    parts = relative.parts
    if not parts or any(is_editor_litter(part) for part in parts):
        return None
    if parts[0] == WATCHED_FILE and len(parts) == 1:
        return WATCHED_FILE
    return relative.as_posix() if parts[0] in WATCHED_DIRS else None


def lasting(batch: set[tuple[Change, str]]) -> set[str]:
    """The changed paths, less files that were made and removed again within the batch (temporary files)."""
    added = {path for change, path in batch if change == Change.added}
    return {path for _change, path in batch if path not in added or os.path.lexists(path)}


def _identity(path: Path) -> tuple[int, int] | None:
    """A folder's device and inode, or None when it is not a folder (so a folder made anew is noticed)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino) if path.is_dir() else None


class SiteWatcher:
    """Threads that put each set of relevant changes into a queue (debounced by watchfiles).

    The site folder itself is watched without recursion (for site.yaml, and content/ or themes/ made
    anew: editors save by renaming, which a watch on the file alone misses); content/ and themes/ are
    watched recursively by a second watcher, restarted whenever one of them appears, goes or is replaced.
    """

    def __init__(self, site_dir: Path, step_ms: int = 50, debounce_ms: int = 1600) -> None:
        self.site_dir = site_dir.resolve()
        self.step_ms = step_ms
        self.debounce_ms = debounce_ms
        self.changes: queue.Queue[Changes] = queue.Queue()
        self._stop = threading.Event()
        self._tree_stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._watched: dict[str, tuple[int, int] | None] = {}

    def _run(self, paths: Iterable[Path], recursive: bool, stop: threading.Event) -> None:
        """Feed the queue from one watchfiles watcher until `stop` is set."""
        try:
            for batch in watch(*paths, stop_event=stop, step=self.step_ms, debounce=self.debounce_ms,
                               recursive=recursive, raise_interrupt=False,
                               watch_filter=lambda _change, path: relevant(self.site_dir, path) is not None):
                found = frozenset(filter(None, (relevant(self.site_dir, path) for path in lasting(batch))))
                if found:
                    self.changes.put(found)
        except (OSError, RuntimeError):  # a watched folder went away: the root watcher reports it
            return

    def _start(self, paths: list[Path], recursive: bool, stop: threading.Event) -> None:
        thread = threading.Thread(target=self._run, args=(paths, recursive, stop), daemon=True,
                                  name=f"watch {'tree' if recursive else 'root'}")
        thread.start()
        self._threads.append(thread)

    def _start_tree(self) -> None:
        self._watched = {name: _identity(self.site_dir / name) for name in WATCHED_DIRS}
        folders = [self.site_dir / name for name, ident in self._watched.items() if ident is not None]
        self._tree_stop = threading.Event()
        if folders:
            self._start(folders, True, self._tree_stop)

    def start(self) -> None:
        """Start watching."""
        self._start([self.site_dir], False, self._stop)
        self._start_tree()

    def refresh(self) -> bool:
        """Restart the recursive watcher if content/ or themes/ appeared, went or was replaced."""
        now = {name: _identity(self.site_dir / name) for name in WATCHED_DIRS}
        if now == self._watched:
            return False
        self._tree_stop.set()
        self._start_tree()
        return True

    def next_changes(self, timeout: float) -> Changes | None:
        """The changes seen since the last call (merged), waiting up to `timeout` seconds for the first."""
        try:
            merged = set(self.changes.get(timeout=timeout))
        except queue.Empty:
            return None
        while True:
            try:
                merged |= self.changes.get_nowait()
            except queue.Empty:
                break
        self.refresh()
        return frozenset(merged)

    def stop(self) -> None:
        """Stop every watcher thread (each notices within one step)."""
        self._stop.set()
        self._tree_stop.set()
        for thread in self._threads:
            thread.join(timeout=2)

