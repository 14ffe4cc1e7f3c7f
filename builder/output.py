"""Writing pages into a staging folder and swapping it in for output/ atomically."""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from builder.codes import say
from builder.errors import Message, OutputError
from builder.i18n import _

BUILD_MARKS = ("404.html", "sitemap.xml")


def check_output_dir(site_dir: Path, output_dir: Path) -> Message | None:
    """Why an output folder would be unsafe to replace, or None."""
    site, out = site_dir.resolve(), output_dir.resolve()
    if out == site or out in site.parents:
        return say("GS901", "{folder} contains the site folder itself; choose an output folder inside or beside it",
                   folder=output_dir)
    for protected in ("content", "themes", "builder", "tests", ".git"):
        if out == site / protected or (site / protected) in out.parents:
            return say("GS901", "{folder} is inside {protected}/; choose another output folder", folder=output_dir,
                       protected=protected)
    if out.exists() and not out.is_dir():
        return say("GS901", "{folder} exists and is not a folder", folder=output_dir)
    owned = out == site / "output"  # the default output folder belongs to gongshi
    if not owned and out.is_dir() and any(out.iterdir()) and not all((out / n).is_file() for n in BUILD_MARKS):
        return say("GS901", "{folder} holds files but is not a previous build (it has no {marks}); it would be "
                            "replaced whole: choose a new or empty folder", folder=output_dir,
                   marks=_(" and no ").join(BUILD_MARKS))
    return None


def fresh_folder(parent: Path, prefix: str) -> Path:
    """A new folder `parent/<prefix><random>` with the mode mkdir gives (umask applied), unlike mkdtemp's 0700.

    The staging folder becomes output/ itself: a web server running as another user must be able to read it.
    """
    for _attempt in range(100):
        folder = parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(errno.EEXIST, _("no free name"), str(parent / prefix))


def write_hashed(handle: BinaryIO, chunks: Iterable[str | bytes]) -> str:
    """Write the pieces (text as UTF-8) to an open file; the SHA-256 of what was written."""
    hasher = hashlib.sha256()
    for chunk in chunks:
        data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
        hasher.update(data)
        handle.write(data)
    return hasher.hexdigest()


def static_entries(folder: Path) -> list[Path]:
    """What of a static folder is published, if it is a file: everything below it in name order but hidden names
    and folders (a linked folder's files are not published either)."""
    return [path for path in sorted(folder.rglob("*")) if not path.name.startswith(".") and not path.is_dir()]


class Staging:
    """A fresh folder beside the output, filled by the build, then swapped in or removed."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.root: Path | None = None

    def __enter__(self) -> Staging:
        parent = self.output_dir.resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.root = fresh_folder(parent, f".{self.output_dir.name}.staging-")
        except OSError as exc:
            raise OutputError(str(parent), _("cannot create a staging folder: {reason}").format(
                reason=exc.strerror)) from None
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.root is not None and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    def path(self, route: str) -> Path:
        """The staging file for a route such as `merchants/X/index.html`, refusing any path trick."""
        assert self.root is not None
        parts = PurePosixPath(route).parts
        if not parts or route.startswith("/") or any(p in ("..", ".", "") or "\\" in p for p in parts):
            raise OutputError(route, _("refusing to write outside the output folder"))
        return self.root.joinpath(*parts)

    def write(self, route: str, data: str | bytes) -> None:
        """Write one file of the site."""
        target = self.path(route)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, str):
                data = data.encode("utf-8")
            target.write_bytes(data)
        except OSError as exc:
            raise OutputError(route, _("cannot write: {reason}").format(reason=exc.strerror)) from None

    def write_chunks(self, route: str, chunks: Iterable[str | bytes]) -> str:
        """Write one large file of the site piece by piece; the SHA-256 of its bytes."""
        target = self.path(route)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as handle:
                return write_hashed(handle, chunks)
        except OSError as exc:
            raise OutputError(route, _("cannot write: {reason}").format(reason=exc.strerror)) from None

    def copy_tree(self, source: Path, route: str) -> None:
        """Copy a folder of static files into the site, in name order."""
        inside = source.resolve()
        for path in static_entries(source):
            if path.is_file():  # a broken link is reported with the input (ContentReader.check_theme_files)
                relative = path.relative_to(source).as_posix()
                if not path.resolve().is_relative_to(inside):
                    raise OutputError(f"{route}/{relative}", _("refusing to publish {path}: it is a link to a file "
                                                               "outside {folder}").format(path=path, folder=source))
                self.write(f"{route}/{relative}", path.read_bytes())

    def publish(self) -> None:
        """Replace the output folder by the staging folder; the old output is removed afterwards."""
        assert self.root is not None
        out = self.output_dir
        old: Path | None = None
        try:
            if out.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.resolve().parent))
                os.replace(out, old / "site")
            os.replace(self.root, out)
        except OSError as exc:
            reason = _("cannot replace the output folder: {reason}").format(reason=exc.strerror)
            if old is not None and (old / "site").exists() and not out.exists():
                try:
                    os.replace(old / "site", out)
                except OSError:
                    reason += _("; the previous output is kept in {folder}").format(folder=old / "site")
            if old is not None and not (old / "site").exists():
                shutil.rmtree(old, ignore_errors=True)
            raise OutputError(str(out), reason) from None
        self.root = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
