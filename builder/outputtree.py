"""The output tree of an incremental build: files that are unchanged are kept or hard-linked, not written again.

The output is still replaced whole by a folder beside it, as `output.Staging` does. What differs is where that
folder comes from and what is written into it:

- the *previous* output (the tree the last build replaced) waits in SITE_DIR/.gongshi/previous/; it becomes
  the staging folder of the next build, which brings it up to date (so unchanged files are neither created
  nor deleted: on these disks that is most of the cost of a build);
- every file of a tree is recorded in a manifest (`TreeManifest`, in the build cache): the key it was made
  from (a page's context, a group's inputs), the digest of its bytes and its size, modification time and
  inode. A file is kept only when its record matches and the file on disk still has that size, time and
  inode (anything else is a doubt, and the file is made again); a file the current output holds with the
  wanted key or bytes is hard-linked from there;
- after a successful build the output moves to .gongshi/previous/ and the staging folder takes its place.

A file is never written in place: new bytes go to a new file that replaces the old name, so the hard links
shared with the published output are never changed through the staging folder.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from builder.buildcache import BuildCache
from builder.errors import OutputError
from builder.i18n import _
from builder.manifest import MANIFEST, manifest_bytes
from builder.output import Staging, fresh_folder, write_hashed
from builder.sparefill import held, link_later
from builder.trash import throw_away

PREVIOUS_MANIFEST = "trees/previous"  # the spare: any output's previous tree serves as the base of the next
Stat = tuple[int, int, int]  # size, modification time (ns), inode
FolderStat = tuple[int, int]  # modification time (ns), inode
# A folder changed this close to the moment its time was recorded may have changed within one tick of its
# file system's clock (1-2 s on FAT, HFS+, ext3 and some network file systems): its entries are listed.
RACY_NS = 2_000_000_000


def file_digest(data: bytes) -> str:
    """The digest of a file's bytes, as manifests record it (SHA-256: SHA256SUMS lists the same digests)."""
    return hashlib.sha256(data).hexdigest()


def stat_of(path: Path | str) -> Stat | None:
    """A file's size, modification time and inode (None: not a regular file)."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


class FileRecord(NamedTuple):
    """One file of a tree: what it was made from, its bytes' digest and how it stands on disk (a named tuple: a
    manifest holds one per file, and tuples load from a pickle 1.6x faster than a dataclass's instances)."""

    key: str
    digest: str
    stat: Stat


@dataclass
class TreeManifest:
    """Every file of one output tree, the keys of its groups and what its build reported."""

    tree: tuple[int, int]  # st_dev, st_ino of the tree's folder: the manifest belongs to that folder only
    build_key: str = ""
    files: dict[str, FileRecord] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    # every folder holding a file ("": the tree itself) as the published output stood: a file added or removed by
    # hand changes its folder's modification time, so `verify_tree` need not list the folders' contents
    folders: dict[str, FolderStat] = field(default_factory=dict)
    folders_at: int = 0  # when `folders` was recorded (time.time_ns())

    def holds(self, root: Path, route: str, record: FileRecord | None = None) -> FileRecord | None:
        """The record of a route when the file under `root` still stands as recorded (and matches `record`)."""
        found = self.files.get(route)
        if found is None or (record is not None and (found.key, found.digest) != (record.key, record.digest)):
            return None
        return found if stat_of(root / route) == found.stat else None


def output_manifest(output_dir: Path) -> str:
    """The cache entry of the manifest of one output folder (a site may be built into several)."""
    return "trees/output-" + hashlib.blake2b(str(output_dir.resolve()).encode(), digest_size=8).hexdigest()


def tree_id(folder: Path) -> tuple[int, int] | None:
    """What identifies a folder across renames: its device and inode."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def load_manifest(cache: BuildCache | None, name: str, folder: Path) -> TreeManifest | None:
    """The manifest stored under `name` when it describes `folder` (the same folder, not a copy)."""
    if cache is None:
        return None
    manifest = cache.load(name)
    if not isinstance(manifest, TreeManifest) or manifest.tree != tree_id(folder):
        return None
    return manifest


class OutputTree(Staging):
    """A staging folder that reuses the previous output's files; see the module's docstring."""

    def __init__(self, output_dir: Path, cache: BuildCache | None, gongshi_dir: Path, reuse: bool = True,
                 link_from: Path | None = None, recycle: Path | None = None,
                 current: TreeManifest | None = None, spare: bool = True) -> None:
        super().__init__(output_dir)
        self.cache = cache
        self.trash = gongshi_dir / "trash"
        # The spare must be on the output's file system (it is renamed in and out); else there is none. A build
        # linking from another tree (the preview's newest build) goes into a new folder and keeps no spare.
        self.spare_dir: Path | None = (gongshi_dir / "previous" if spare and link_from is None
                                       and same_device(gongshi_dir, output_dir) else None)
        self.current_dir = link_from if link_from is not None else output_dir  # the tree files are linked from
        # A folder of an earlier build that nothing reads any more (the preview's): brought up to date like the
        # spare, so that unchanged files are neither linked nor their folders made again.
        self.recycle = recycle if link_from is not None else None
        self.reuse = reuse and cache is not None
        self.base: TreeManifest | None = None      # what the staging folder held when the build started
        self.current: TreeManifest | None = current   # the published output (loaded on entering when not given)
        self.written: dict[str, FileRecord] = {}
        self.groups: dict[str, str] = {}
        self.lock = threading.Lock()
        self.reused = 0
        self.exact = False  # the staging folder held exactly its manifest's files: pruned by it, not walked
        self._folders: set[str] = set()

    def __enter__(self) -> OutputTree:
        if self.reuse and self.current is None:
            self.current = load_manifest(self.cache, output_manifest(self.current_dir), self.current_dir)
        if self.recycle is not None and self.reuse:
            base = load_manifest(self.cache, output_manifest(self.recycle), self.recycle)
            if base is not None and self._take(self.recycle, base):
                return self
        spare = self.spare_dir
        if spare is not None and spare.is_dir() and not held(spare):  # (held: still being linked, sparefill.py)
            base = load_manifest(self.cache, PREVIOUS_MANIFEST, spare) if self.reuse else None
            if base is not None and worth_taking(base, self.current) and self._take(spare, base):
                assert self.root is not None
                # (it was an output: its folders were recorded; a file added to it by hand shows there)
                self.exact = verify_tree(self.root, base)
                return self
            throw_away(spare, self.trash)
        super().__enter__()
        return self

    def _take(self, folder: Path, base: TreeManifest) -> bool:
        """Make an earlier tree the staging folder (renamed beside the output); False when it cannot be moved."""
        out = self.output_dir
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.resolve().parent))
        try:
            os.replace(folder, staging)
        except OSError:
            staging.rmdir()
            return False
        self.root, self.base = staging, base
        return True

    def __exit__(self, *exc_info: object) -> None:
        if self.root is not None and self.root.exists() and self.base is not None and self.spare_dir is not None:
            # A failed build leaves the old spare half updated: it is no use as a base any more.
            throw_away(self.root, self.trash)
            self.root = None
        super().__exit__(*exc_info)

    # ------------------------------------------------------------------------------------------------ files

    def write(self, route: str, data: str | bytes) -> None:
        """Write one file of the site (kept or linked instead when an earlier tree has the same bytes)."""
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.put(route, "", data)

    def put(self, route: str, key: str, data: bytes) -> None:
        """Place a file made from `key` (may be empty) with these bytes."""
        record = FileRecord(key, file_digest(data), (0, 0, 0))
        if not self._reuse(route, record, by_key=False):
            self._write_new(route, data, record)

    def write_chunks(self, route: str, chunks: Iterable[str | bytes]) -> str:
        """Write a large file piece by piece (never kept by its bytes: its group decides); its SHA-256."""
        target = self.path(route)
        try:
            self._ensure_folder(target.parent)
            temporary = target.with_name(f".{target.name}.new-{os.getpid()}")
            with temporary.open("wb") as handle:
                sha256 = write_hashed(handle, chunks)
            os.replace(temporary, target)
        except OSError as exc:
            raise OutputError(route, _("cannot write: {reason}").format(reason=exc.strerror)) from None
        with self.lock:
            self.written[route] = FileRecord("", sha256, stat_of(target) or (0, 0, 0))
        return sha256

    def page(self, route: str, key: str | None, render: Callable[[], str]) -> bool:
        """Place a page made from `key`; render it only when no earlier tree holds it. True: it was rendered."""
        if key is not None and self._reuse(route, FileRecord(key, "", (0, 0, 0)), by_key=True):
            return False
        self.put(route, key or "", render().encode("utf-8"))
        return True

    def group(self, prefix: str, key: str, produce: Callable[[], object]) -> bool:
        """The files under `prefix`, made by `produce` from `key`; kept or linked whole when unchanged."""
        self.groups[prefix] = key
        found = self._keepable(prefix, key)
        if found is not None:
            members, root, link = found
            for route, record in members.items():
                self._place(route, record, root / route if link else None)
            return False
        produce()
        return True

    def keeps(self, prefix: str, key: str) -> bool:
        """Whether `group(prefix, key, …)` would keep the files of an earlier tree (and produce nothing)."""
        return self._keepable(prefix, key) is not None

    def _keepable(self, prefix: str, key: str) -> tuple[dict[str, FileRecord], Path, bool] | None:
        """The files under `prefix` of the earlier tree made from `key` and unchanged since, its folder, and whether
        they are linked from it (the output being served) rather than kept in place; None when there is none."""
        for manifest, root, link in ((self.base, self.root, False), (self.current, self.current_dir, True)):
            if manifest is None or manifest.groups.get(prefix) != key or root is None:
                continue
            members = {r: f for r, f in manifest.files.items() if r.startswith(prefix)}
            if all(stat_of(root / r) == f.stat for r, f in members.items()):
                return members, root, link
        return None

    def folder(self, prefix: str, key: str, make: Callable[[Path], None]) -> bool:
        """A folder of files (a search bundle) that `make` writes whole; kept or linked when `key` is unchanged."""
        if self.group(prefix, key, lambda: None) is False:
            return False
        assert self.root is not None
        target = self.path(prefix.rstrip("/"))
        fresh = fresh_folder(self._ensure_folder(target.parent), f".{target.name}.new-")  # the mode mkdir gives
        make(fresh)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        os.replace(fresh, target)
        made: dict[str, FileRecord] = {}
        for relative in sorted(_files_under(str(target)), key=lambda name: name.split("/")):
            path = os.path.join(target, relative)
            found = stat_of(path)
            if found is not None:
                with open(path, "rb") as file:
                    made[f"{prefix.rstrip('/')}/{relative}"] = FileRecord(key, file_digest(file.read()), found)
        with self.lock:
            self.written.update(made)
        return True

    def carry(self, skip: Callable[[str], bool]) -> bool:
        """Place every file of the published output but those `skip` names as it is (kept in the staging folder or
        linked from the output), with its groups but those of skipped files; False when a file no longer stands as
        its manifest records it (the build must not go on: it would publish what was changed by hand)."""
        current = self.current
        if current is None:
            return False
        base = self._exact_base()
        fresh: list[tuple[str, FileRecord]] = []  # to link into a new staging folder, where nothing stands yet
        for route, record in current.files.items():
            if skip(route):
                continue
            if self.base is None and route not in self.written:
                fresh.append((route, record))
            elif not self._carry(route, record, base):
                return False
        if fresh and not self._link_into_new(fresh):
            return False
        self.groups.update({prefix: key for prefix, key in current.groups.items() if not skip(prefix)})
        return True

    def _link_into_new(self, files: list[tuple[str, FileRecord]]) -> bool:
        """Hard-link files of the published output into a new staging folder, which holds none of them yet (their
        folders made first, parents before children); False when one no longer stands as recorded (see `carry`).
        What `_reuse` and `_place` do for one file, without their checks of what the staging folder holds: a
        first build after --clean links every unchanged file (19,000 at 10,000 merchants) this way."""
        assert self.root is not None and self.reuse
        source, target = str(self.current_dir), str(self.root)
        for route, _record in files:
            if route.startswith("/") or "\\" in route or any(p in ("", ".", "..") for p in route.split("/")):
                raise OutputError(route, _("refusing to write outside the output folder"))
        for folder in sorted(route_folders(route for route, _record in files) - {""}):  # a parent sorts first
            name = f"{target}/{folder}"
            if name not in self._folders:
                try:
                    os.mkdir(name)
                except FileExistsError:
                    pass
                except OSError as exc:
                    raise OutputError(folder, _("cannot write: {reason}").format(reason=exc.strerror)) from None
                self._folders.add(name)
        placed: dict[str, FileRecord] = {}
        for route, record in files:
            if stat_of(f"{source}/{route}") != record.stat:
                return False
            try:
                linked = link_or_copy(f"{source}/{route}", f"{target}/{route}")
            except OSError as exc:
                raise OutputError(route, _("cannot link from the previous output: {reason}").format(
                    reason=exc.strerror)) from None
            placed[route] = record if linked else record._replace(stat=stat_of(f"{target}/{route}") or (0, 0, 0))
        with self.lock:
            self.written.update(placed)
            self.reused += len(placed)
        return True

    def amend(self, prefix: str, key: str, kept: Iterable[str], files: dict[str, bytes]) -> bool:
        """The group under `prefix`, now made from `key`: the published output's files that `kept` names placed as
        `carry` places them (their records as they were: a group is kept by its own key, `_keepable`), and `files`
        (route -> bytes) written; False when a kept file is not in the output's manifest or no longer stands as it
        records (see `carry`)."""
        current, routes = self.current, list(kept)
        if current is None or not all(route.startswith(prefix) for route in [*routes, *files]):
            return False
        base = self._exact_base()
        for route in routes:
            record = current.files.get(route)
            if record is None or not self._carry(route, record, base):
                return False
        for route, data in files.items():
            self.put(route, key, data)
        self.groups[prefix] = key
        return True

    def _exact_base(self) -> dict[str, FileRecord]:
        """The spare's files when it was found exact (each stands as recorded: one with the same bytes is kept
        unlooked at, whatever it was made from: an older tool's page is often the same)."""
        return self.base.files if self.base is not None and self.exact else {}

    def _carry(self, route: str, record: FileRecord, base: dict[str, FileRecord]) -> bool:
        """Place a file of the published output as it is (see `carry`); False when it no longer stands as recorded."""
        kept = base.get(route)
        if kept is not None and kept.digest == record.digest:
            self._place(route, FileRecord(record.key, kept.digest, kept.stat), None)
            return True
        return self._reuse(route, record, by_key=False)

    def _reuse(self, route: str, wanted: FileRecord, by_key: bool) -> bool:
        """Keep the staging folder's file or link the output's when either was made from the same key/bytes."""
        if not self.reuse:
            return False
        for manifest, root, link in ((self.base, self.root, False), (self.current, self.current_dir, True)):
            if manifest is None or root is None:
                continue
            found = manifest.files.get(route)
            if found is None or (found.key != wanted.key if by_key else found.digest != wanted.digest):
                continue
            if stat_of(root / route) == found.stat:
                self._place(route, FileRecord(wanted.key, found.digest, found.stat), root / route if link else None)
                return True
        return False

    def _place(self, route: str, record: FileRecord, link_from: Path | None) -> None:
        """Record a kept file, or hard-link it from the output first."""
        if link_from is not None:
            target = self.path(route)
            self._ensure_folder(target.parent)
            try:
                there = _lstat(target)
                if there is not None and os.path.samestat(there, os.stat(link_from)):
                    pass  # the same file already (a rename onto a hard link of itself would leave the new name)
                elif there is not None:
                    temporary = target.with_name(f".{target.name}.link-{os.getpid()}")
                    copied = not link_or_copy(link_from, temporary)
                    os.replace(temporary, target)
                    record = record._replace(stat=stat_of(target) or (0, 0, 0)) if copied else record
                elif not link_or_copy(link_from, target):
                    record = record._replace(stat=stat_of(target) or (0, 0, 0))
            except OSError as exc:
                raise OutputError(route, _("cannot link from the previous output: {reason}").format(
                    reason=exc.strerror)) from None
        with self.lock:
            self.written[route] = record
            self.reused += 1

    def _write_new(self, route: str, data: bytes, record: FileRecord) -> None:
        target = self.path(route)
        try:
            self._ensure_folder(target.parent)
            # Never write over an existing name in place: it may be a hard link to the published output.
            if route in self.written or (self.base is not None and (target.exists() or target.is_symlink())):
                temporary = target.with_name(f".{target.name}.new-{os.getpid()}")
                temporary.write_bytes(data)
                os.replace(temporary, target)
            else:
                target.write_bytes(data)
        except OSError as exc:
            raise OutputError(route, _("cannot write: {reason}").format(reason=exc.strerror)) from None
        found = stat_of(target)
        with self.lock:
            self.written[route] = FileRecord(record.key, record.digest, found or (0, 0, 0))

    def _ensure_folder(self, folder: Path) -> Path:
        name = str(folder)
        if name not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(name)
        return folder

    # ------------------------------------------------------------------------------------------- finishing

    def prune(self) -> int:
        """Remove what the staging folder held that this build did not place (only a reused folder has any)."""
        if self.base is None or self.root is None:
            return 0
        if self.recycle is not None or self.exact:
            return self._prune_recorded()
        removed = 0
        root = str(self.root)
        for folder, _folders, files in os.walk(root, topdown=False):
            inside = folder[len(root) + 1:].replace(os.sep, "/")  # (os.walk joins onto `root`: no relpath needed)
            kept = 0
            for name in files:
                if (f"{inside}/{name}" if inside else name) not in self.written:
                    os.unlink(os.path.join(folder, name))
                    removed += 1
                else:
                    kept += 1
            if folder != root and not kept and not os.listdir(folder):  # (a folder keeping a file is not empty)
                os.rmdir(folder)
        return removed

    def _prune_recorded(self) -> int:
        """Prune by the manifest (a recycled preview folder, which nothing else writes into, or a spare found to
        hold exactly its manifest's files): no walk of the tree."""
        assert self.base is not None and self.root is not None
        gone = self.base.files.keys() - self.written.keys()
        removed = 0
        for route in gone:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.root / route)
                removed += 1
        folders = route_folders(gone) - {""}
        for folder in sorted(folders, key=len, reverse=True):  # the deepest first; a folder still used stays
            with contextlib.suppress(OSError):
                os.rmdir(self.root / folder)
        return removed

    def digests(self) -> dict[str, str]:
        """Every file placed so far with the SHA-256 of its bytes."""
        assert self.root is not None
        with self.lock:
            placed = dict(self.written)
        return {route: record.digest or file_digest((self.root / route).read_bytes())
                for route, record in placed.items()}

    def write_checksums(self) -> None:
        """SHA256SUMS: a build's last file, listing every other one (from the digests the tree keeps)."""
        self.write(MANIFEST, manifest_bytes({route: sha for route, sha in self.digests().items() if route != MANIFEST}))

    def manifest(self, build_key: str, summary: dict[str, Any]) -> TreeManifest:
        """The manifest of the staging folder as the build leaves it."""
        assert self.root is not None
        identity = tree_id(self.root)
        assert identity is not None
        return TreeManifest(identity, build_key, dict(self.written), dict(self.groups), summary)

    def publish_tree(self, manifest: TreeManifest) -> None:
        """Swap the staging folder in for the output (which becomes the spare) and record both manifests."""
        out = self.output_dir
        previous = self.current if self.current is not None else None
        if self.spare_dir is None or not out.exists():
            self.publish()
        else:
            assert self.root is not None
            self.spare_dir.parent.mkdir(parents=True, exist_ok=True)
            if self.spare_dir.exists():
                throw_away(self.spare_dir, self.trash)
            try:
                os.replace(out, self.spare_dir)
            except OSError as exc:
                raise OutputError(str(out), _("cannot replace the output folder: {reason}").format(
                    reason=exc.strerror)) from None
            try:
                os.replace(self.root, out)
            except OSError as exc:
                reason = _("cannot replace the output folder: {reason}").format(
                    reason=exc.strerror)
                try:
                    os.replace(self.spare_dir, out)
                except OSError:
                    reason += f"; the previous output is kept in {self.spare_dir}"
                raise OutputError(str(out), reason) from None
            self.root = None
        if self.cache is not None:
            if self.current_dir == out:  # (a preview's build goes into a new folder: never asked whether up to date)
                manifest.folders = folder_stats(out, manifest.files)
                manifest.folders_at = time.time_ns()
            spare = self.spare_dir is not None and previous is not None and self.spare_dir.exists()
            # The output's manifest, loaded from its entry when the build began, is the spare's now: the entry is
            # renamed rather than written again (a tenth of a second at 10,000 merchants). Not under --clean, which
            # trusts nothing of the tree it replaces (it did not load its manifest): the next build keeps no file of it.
            renamed = spare and self.current_dir == out and self.cache.memory is None and _rename(
                self.cache.path(output_manifest(out)), self.cache.path(PREVIOUS_MANIFEST))
            self.cache.save(output_manifest(out), manifest, plain=True)
            if self.spare_dir is None:
                pass  # a build without a spare (the preview's) leaves the spare of `gongshi build` alone
            elif spare:
                if not renamed:
                    self.cache.save(PREVIOUS_MANIFEST, previous, plain=True)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(self.cache.path(PREVIOUS_MANIFEST))
                if self.current_dir == out:
                    self._spare_later(manifest)

    def _spare_later(self, manifest: TreeManifest) -> None:
        """Make a new spare folder, recorded with the output's manifest, that a process started now links the
        output into (sparefill.py); a tree left in the spare's place (the output --clean replaced, which nothing
        trusts) is thrown away first."""
        assert self.spare_dir is not None and self.cache is not None
        if self.spare_dir.exists():
            throw_away(self.spare_dir, self.trash)
        try:
            self.spare_dir.mkdir()
        except OSError:
            return
        identity = tree_id(self.spare_dir)
        if identity is None or not link_later(self.output_dir, self.spare_dir):
            shutil.rmtree(self.spare_dir, ignore_errors=True)
            return
        # (its folders are not recorded: `verify_tree` finds it inexact, so each file is looked at before it is kept)
        self.cache.save(PREVIOUS_MANIFEST, TreeManifest(identity, manifest.build_key, manifest.files, manifest.groups,
                                                        manifest.summary), plain=True)


def worth_taking(spare: TreeManifest, output: TreeManifest | None) -> bool:
    """Whether a spare tree is worth bringing up to date: it holds at least half of the output's files as they are.
    (One that holds few, the output of two builds back when the last one changed every page (site.yaml, a new
    version of the tool), would have most of its files replaced one by one, each freeing its old blocks there and
    then: at 100,000 merchants that took minutes, against seconds for linking the output's files into a new folder
    while the spare is deleted at a low priority after the build.)"""
    if output is None or not output.files:
        return True
    held = spare.files
    same = sum(1 for route, record in output.files.items()
               if (found := held.get(route)) is not None and found.digest == record.digest)
    return 2 * same >= len(output.files)


NO_LINKS = frozenset({errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP})


def link_or_copy(source: Path | str, target: Path | str) -> bool:
    """Hard-link a file, or copy it where the file system has no hard links (FAT, exFAT, some network shares);
    True: linked (the target has the source's size, time and inode), False: copied."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in NO_LINKS:
            raise
        shutil.copy2(source, target)
        return False
    return True


def _rename(source: Path, target: Path) -> bool:
    """Rename a file over another; False when it cannot be done."""
    try:
        os.replace(source, target)
    except OSError:
        return False
    return True


def _lstat(path: Path) -> os.stat_result | None:
    """A path's own status (None: nothing there)."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def route_folders(routes: Iterable[str]) -> set[str]:
    """Every folder holding one of these files, their parents included, and the tree itself ("")."""
    folders = {""}
    for route in routes:
        end = route.rfind("/")
        while end > 0 and route[:end] not in folders:  # (a folder's parents were added with it)
            folders.add(route[:end])
            end = route.rfind("/", 0, end)
    return folders


def same_device(folder: Path, output_dir: Path) -> bool:
    """Whether a folder (created if needed) is on the same file system as the output folder's parent."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.stat(folder).st_dev == os.stat(output_dir.resolve().parent).st_dev
    except OSError:
        return False


def folder_stats(root: Path, routes: Iterable[str]) -> dict[str, FolderStat]:
    """The modification time and inode of the tree ("") and of every folder holding one of these files (empty
    when one cannot be read: `verify_tree` then doubts the tree)."""
    base = str(root)
    found: dict[str, FolderStat] = {}
    try:
        for folder in sorted(route_folders(routes)):
            status = os.lstat(f"{base}/{folder}" if folder else base)
            found[folder] = (status.st_mtime_ns, status.st_ino)
    except OSError:
        return {}
    return found


def verify_tree(root: Path, manifest: TreeManifest) -> bool:
    """Whether a folder holds exactly the files of its manifest, each as recorded (size, time, inode).

    Each recorded file and folder is looked at: a file added or removed changes its folder's modification time.
    Only a folder whose time is within `RACY_NS` of when it was recorded is listed too (a file added within the
    same tick of a coarse clock would leave its folder's time as it was).
    """
    folders: dict[str, FolderStat] = getattr(manifest, "folders", {})  # (none in a manifest of an older version)
    if manifest.tree != tree_id(root) or not folders:
        return False
    base = str(root)
    racy_from = getattr(manifest, "folders_at", 0) - RACY_NS
    racy: list[str] = []
    for folder, recorded in folders.items():
        try:
            status = os.lstat(f"{base}/{folder}" if folder else base)
        except OSError:
            return False
        if not stat.S_ISDIR(status.st_mode) or (status.st_mtime_ns, status.st_ino) != recorded:
            return False
        if status.st_mtime_ns >= racy_from:
            racy.append(folder)
    if not all(stat_of(f"{base}/{route}") == record.stat for route, record in manifest.files.items()):
        return False
    return not racy or _hold_only(root, racy, manifest)


def _hold_only(root: Path, folders: list[str], manifest: TreeManifest) -> bool:
    """Whether each of these folders lists exactly the files and folders its manifest puts in it."""
    wanted: dict[str, set[str]] = {folder: set() for folder in folders}
    for route in manifest.files:
        parts = route.split("/")
        for depth in range(len(parts)):
            parent = "/".join(parts[:depth])
            if parent in wanted:
                wanted[parent].add(parts[depth])
    try:
        return all(set(os.listdir(root / folder if folder else root)) == names for folder, names in wanted.items())
    except OSError:
        return False


def _files_under(folder: str) -> list[str]:
    """The paths (with `/`) of the files under `folder`, relative to it."""
    found: list[str] = []
    for directory, _folders, names in os.walk(folder):
        inside = os.path.relpath(directory, folder).replace(os.sep, "/")
        found += (name if inside == "." else f"{inside}/{name}" for name in names)
    return found
