"""A preview build's folder as the search indexer sees it: bundles kept from the last indexed build are linked.

`gongshi serve` builds every generation into a new folder (previewstate.py) without search, serves it, and
then indexes it in the background with the same `search.SearchIndexer` as `gongshi build`: the main
bundle (the warnings; the merchants' full text is written with the pages, textindex.py), keyed by the routes
and bytes of its pages. A bundle whose key is the one the last indexed generation had is hard-linked from
there (generations are never written once served), so an edit that changes no warning re-indexes nothing.
The pages are read from the generation's folder; the bundles (`pagefind/…`) go into a folder of their own
(`Generation.search_path`), so that the pages folder can be brought up to date by a later build once nothing
reads it (previewstate.py).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from builder.errors import OutputError
from builder.i18n import _
from builder.output import fresh_folder
from builder.outputtree import FileRecord


class GenerationTree:
    """The search bundles of one preview build, written into its folder (see the module's docstring)."""

    def __init__(self, root: Path, digests: Mapping[str, str], previous: GenerationTree | None,
                 out: Path | None = None) -> None:
        self.root: Path | None = root
        self.out = out if out is not None else root  # where the bundles go
        self.lock = threading.Lock()
        self.written: dict[str, FileRecord] = {route: FileRecord("", sha, (0, 0, 0)) for route, sha in digests.items()}
        self.groups: dict[str, str] = {}
        self.previous = previous
        self.linked = 0  # bundles linked from the previous generation (the preview reports them; not groups)

    def path(self, route: str) -> Path:
        """The file of a route (a bundle's in the bundles' folder, a page's in the pages folder)."""
        assert self.root is not None
        return (self.out if route.startswith("pagefind/") else self.root) / route

    def write(self, route: str, data: str | bytes) -> None:
        """Write one file (a new name: nothing under pagefind/ is shared with another generation)."""
        target = self.path(route)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.new-{os.getpid()}")
            temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
            os.replace(temporary, target)
        except OSError as exc:
            raise OutputError(route, _("cannot write: {reason}").format(reason=exc.strerror)) from None

    def group(self, prefix: str, key: str, produce: Callable[[], object]) -> bool:
        """The files under `prefix` made by `produce` from `key`; linked from the last generation when unchanged."""
        self.groups[prefix] = key
        if self._link(prefix, key):
            return False
        produce()
        return True

    def folder(self, prefix: str, key: str, make: Callable[[Path], None]) -> bool:
        """A folder that `make` writes whole; linked from the last generation when `key` is unchanged."""
        self.groups[prefix] = key
        if self._link(prefix, key):
            self.linked += 1
            return False
        target = self.path(prefix.rstrip("/"))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fresh = fresh_folder(target.parent, f".{target.name}.new-")  # the mode mkdir gives, not 0700
        except OSError as exc:
            raise OutputError(prefix, _("cannot create the folder: {reason}").format(reason=exc.strerror)) from None
        try:
            make(fresh)
            if target.exists():
                shutil.rmtree(target)
            os.replace(fresh, target)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        return True

    def _link(self, prefix: str, key: str) -> bool:
        """Hard-link `prefix` from the previous generation when it was made from the same key there."""
        previous = self.previous
        if previous is None or previous.root is None or previous.groups.get(prefix) != key:
            return False
        source, target = previous.path(prefix.rstrip("/")), self.path(prefix.rstrip("/"))
        if not source.is_dir():
            return False
        try:
            for folder, _dirs, files in os.walk(source):
                into = target / Path(folder).relative_to(source)
                into.mkdir(parents=True, exist_ok=True)
                for name in files:
                    os.link(Path(folder) / name, into / name)
        except OSError:  # the previous generation went away, or links are impossible: make it again
            shutil.rmtree(target, ignore_errors=True)
            return False
        return True
