"""Publishing into a local folder: copies, hard links to the previous release (os.link), an atomic switch."""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.i18n import _
from builder.manifest import file_sha256, hash_files, path_key, scan
from builder.releases import CURRENT, DestState, PublishError, read_current, sort_entries

LOCK_FILE = ".gongshi-publish.lock"
FILE_MODE, DIR_MODE = 0o644, 0o755


def _same_file_digest(path: Path, size: int) -> str | None:
    """SHA-256 of a regular file of the given size, else None (a link, another size, unreadable)."""
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return None
        return file_sha256(path)
    except OSError:
        return None


class LocalDest:
    """DEST as a folder on this machine."""

    def __init__(self, root: Path) -> None:
        """A destination folder (created by the first publish)."""
        self.root = root
        self.releases = root / "releases"
        self.label = str(root)

    def _show(self, name: object) -> str:
        """A path inside DEST relative to it (e.g. `releases/…/index.html`); any other path as it is."""
        path = os.fsdecode(name) if isinstance(name, (str, bytes, os.PathLike)) else str(name)
        relative = os.path.relpath(path, self.root)
        return path if relative.startswith("..") else relative

    def _fail(self, exc: OSError, what: str) -> PublishError:
        """The error for a failed file operation, naming the file (source → target for a copy)."""
        names = [self._show(n) for n in (exc.filename, exc.filename2) if n is not None]
        return PublishError(self.label, f"{what}: {' → '.join(names) or self.label}: {exc.strerror}")

    @contextmanager
    def lock(self, create: bool) -> Iterator[None]:
        """Hold DEST/.gongshi-publish.lock (flock) so that two publishes never interleave."""
        if not self.root.is_dir():
            if not create:
                raise PublishError(self.label, _("no such folder: nothing has been published there"))
            if self.root.exists():
                raise PublishError(self.label, _("exists and is not a folder"))
        try:
            if create:
                self.releases.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root / LOCK_FILE, os.O_CREAT | os.O_RDWR, FILE_MODE)
        except OSError as exc:
            raise self._fail(exc, _("cannot prepare the folder")) from None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise PublishError(self.label, _("another gongshi publish or rollback is running there")) from None
            yield
        finally:
            os.close(fd)

    def state(self) -> DestState:
        """Releases, current and partial copies, read from the folder."""
        state = DestState()
        current = self.root / CURRENT
        try:
            if current.is_symlink():
                state.current, state.current_problem = read_current(os.readlink(current))
            elif current.exists():
                state.current_problem = _("{current} exists and is not a symbolic link: move it away first").format(
                    current=CURRENT)
            names = [e.name for e in os.scandir(self.releases) if e.is_dir(follow_symlinks=False)] \
                if self.releases.is_dir() else []
        except OSError as exc:
            raise self._fail(exc, _("cannot read")) from None
        state.releases, state.partials = sort_entries(names)
        return state

    def _mkdirs(self, folder: Path, made: set[Path]) -> None:
        """Create folder and its missing parents with mode 755 whatever the umask."""
        if folder in made:
            return
        self._mkdirs(folder.parent, made)
        folder.mkdir(exist_ok=True)
        os.chmod(folder, DIR_MODE)
        made.add(folder)

    def upload(self, build: Path, expected: dict[str, str], partial: str,
               previous: str | None) -> tuple[int, int | None]:
        """Copy every file (never a link to the build); hard-link the previous release's identical files."""
        target = self.releases / partial
        paths = sorted(expected, key=path_key)
        try:
            sizes = {p: (build / p).stat().st_size for p in paths}
            before = self.releases / previous if previous is not None else None
            old = {p: _same_file_digest(before / p, sizes[p]) for p in paths} if before is not None else {}
            target.mkdir()
            os.chmod(target, DIR_MODE)
            made = {target}
            copied = linked = 0
            for path in paths:
                destination = target / path
                self._mkdirs(destination.parent, made)
                if previous is not None and old.get(path) == expected[path]:
                    try:
                        os.link(self.releases / previous / path, destination)
                        linked += 1
                        continue
                    except OSError:
                        pass  # another file system, too many links: copy instead
                shutil.copyfile(build / path, destination)
                os.chmod(destination, FILE_MODE)
                copied += 1
        except OSError as exc:
            raise self._fail(exc, _("cannot copy the build")) from None
        return copied, linked

    def hashes(self, release: str) -> tuple[dict[str, str], list[str]]:
        """Hash the release's files where they lie."""
        folder = self.releases / release
        try:
            files, odd = scan(folder)
            return hash_files(folder, files), odd
        except OSError as exc:
            raise self._fail(exc, _("cannot read the release")) from None

    def read_manifest(self, release: str) -> bytes:
        """releases/<release>/SHA256SUMS."""
        try:
            return (self.releases / release / "SHA256SUMS").read_bytes()
        except OSError as exc:
            raise self._fail(exc, _("cannot read the release's SHA256SUMS")) from None

    def finish(self, partial: str, name: str) -> None:
        """Rename the checked copy to its release name."""
        if (self.releases / name).exists():
            raise PublishError(self.label, _("releases/{name} already exists").format(name=name))
        try:
            os.rename(self.releases / partial, self.releases / name)
        except OSError as exc:
            raise self._fail(exc, _("cannot rename the checked copy")) from None

    def switch(self, name: str) -> None:
        """A new link to releases/<name>, renamed over current (rename(2) is atomic)."""
        link = self.root / f".{CURRENT}-{secrets.token_hex(6)}"
        try:
            os.symlink(f"releases/{name}", link)
            os.replace(link, self.root / CURRENT)
        except OSError as exc:
            link.unlink(missing_ok=True)
            raise self._fail(exc, _("cannot point {current} at releases/{name}").format(current=CURRENT,
                                                                                        name=name)) from None
        try:
            fd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError:
            pass  # the switch is done; a file system that cannot sync a folder is not an error

    def remove(self, names: list[str]) -> list[str]:
        """Remove old releases or partial copies."""
        notes = []
        for name in names:
            try:
                shutil.rmtree(self.releases / name)
            except OSError as exc:
                notes.append(_("could not remove releases/{name}: {reason}").format(name=name, reason=exc.strerror))
        return notes
