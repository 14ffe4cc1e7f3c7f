"""SHA256SUMS: every file of a build with its SHA-256, in GNU sha256sum's format, and checks against it."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.errors import GongshiError, OutputError
from builder.i18n import N_, _

#: The manifest's file name, at the root of the output folder.
MANIFEST = "SHA256SUMS"
#: Files up to this size are read whole before hashing (faster for a site's many small files).
WHOLE_FILE = 16 << 20
_LINE = re.compile(rb"^(\\?)([0-9a-f]{64}) [ *](.+)$")
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r"}
_UNESCAPES = {v: k for k, v in _ESCAPES.items()}


class ManifestError(GongshiError):
    """A SHA256SUMS file is missing or not in sha256sum's format."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


KIND_LABELS = {"changed": N_("changed"), "missing": N_("missing"), "added": N_("added"),
               "not-a-file": N_("not-a-file"), "status": N_("status"), "redirect": N_("redirect"),
               "unreachable": N_("unreachable")}


@dataclass(frozen=True, order=True)
class Difference:
    """One way a copy of a build differs from the build's SHA256SUMS."""

    path: str
    kind: str  # changed | missing | added | not-a-file | status | redirect | unreachable
    detail: str = ""

    def __str__(self) -> str:
        kind = _(KIND_LABELS[self.kind]) if self.kind in KIND_LABELS else self.kind
        return f"{kind}: {self.path}" + (_(" ({detail})").format(detail=self.detail) if self.detail else "")

    def as_dict(self) -> dict[str, str]:
        """Return the difference as a JSON-ready mapping."""
        return {"path": self.path, "kind": self.kind, "detail": self.detail}


@dataclass(frozen=True)
class Manifest:
    """A parsed SHA256SUMS: path → SHA-256, and the SHA-256 of the manifest file itself."""

    entries: dict[str, str]
    digest: str
    where: str

    def expected(self) -> dict[str, str]:
        """Every file a copy of the build holds, SHA256SUMS itself included."""
        return {**self.entries, MANIFEST: self.digest}


def path_key(path: str) -> bytes:
    """Sort key of a manifest path: its UTF-8 bytes (the order of `LC_ALL=C sort`)."""
    return path.encode("utf-8", "surrogateescape")


def file_sha256(path: Path) -> str:
    """The SHA-256 of one file, in hex."""
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size <= WHOLE_FILE:
            return hashlib.sha256(handle.read()).hexdigest()
        return hashlib.file_digest(handle, "sha256").hexdigest()


def scan(root: Path) -> tuple[list[str], list[str]]:
    """Regular files and other non-folder entries (links, pipes) under root, as relative POSIX paths."""
    files: list[str] = []
    odd: list[str] = []
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                relative = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), relative + "/"))
                elif entry.is_file(follow_symlinks=False):
                    files.append(relative)
                else:
                    odd.append(relative)
    return files, odd


def hash_files(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """SHA-256 of each path under root; raises OSError.

    One thread: threads measured slower on these 2-core machines, for files of a few KB in the page cache.
    """
    return {path: file_sha256(root / path) for path in paths}


def _escape(path: str) -> tuple[str, str]:
    """GNU sha256sum's escaping of a file name: a leading backslash marks `\\\\`, `\\n` or `\\r` inside."""
    if not any(c in path for c in _ESCAPES):
        return "", path
    return "\\", "".join(_ESCAPES.get(c, c) for c in path)


def _unescape(name: str) -> str | None:
    """Undo _escape; None for a stray backslash."""
    out, i = [], 0
    while i < len(name):
        if name[i] != "\\":
            out.append(name[i])
            i += 1
            continue
        back = _UNESCAPES.get(name[i:i + 2])
        if back is None:
            return None
        out.append(back)
        i += 2
    return "".join(out)


def manifest_bytes(entries: Mapping[str, str]) -> bytes:
    """SHA256SUMS text: `<sha256>  <path>` per file, sorted by the path's UTF-8 bytes."""
    lines = []
    for path in sorted(entries, key=path_key):
        mark, name = _escape(path)
        lines.append(f"{mark}{entries[path]}  {name}\n")
    return "".join(lines).encode("utf-8", "surrogateescape")


def write_manifest(root: Path) -> int:
    """Write root/SHA256SUMS listing every other file under root; return the number of files listed."""
    try:
        files, odd = scan(root)
        if odd:
            raise OutputError(odd[0], _("is not a regular file; {manifest} lists regular files only").format(
                manifest=MANIFEST))
        entries = hash_files(root, (p for p in files if p != MANIFEST))
        (root / MANIFEST).write_bytes(manifest_bytes(entries))
    except OSError as exc:
        raise OutputError(str(exc.filename or root), _("cannot write {manifest}: {reason}").format(
            manifest=MANIFEST, reason=exc.strerror)) from None
    return len(entries)


def safe_path(path: str) -> bool:
    """True for a relative path with no `..`, `.` or empty parts (nothing outside the folder)."""
    return "\0" not in path and all(part not in ("", ".", "..") for part in path.split("/"))


def parse_manifest(data: bytes, where: str) -> Manifest:
    """Parse SHA256SUMS text; raise ManifestError naming the first bad line."""
    entries: dict[str, str] = {}
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line and number == data.count(b"\n") + 1:
            break
        match = _LINE.match(line)
        if match is None:
            raise ManifestError(f"{where}:{number}", _("not a `<sha256>  <path>` line (GNU sha256sum format)"))
        name = match.group(3).decode("utf-8", "surrogateescape")
        path = _unescape(name) if match.group(1) else name
        if path is None or not safe_path(path) or path == MANIFEST:
            raise ManifestError(f"{where}:{number}", _("`{name}` is not a file path inside the build").format(
                name=name))
        if path in entries:
            raise ManifestError(f"{where}:{number}", _("`{path}` is listed twice").format(path=path))
        entries[path] = match.group(2).decode("ascii")
    return Manifest(entries, hashlib.sha256(data).hexdigest(), where)


def read_manifest(root: Path) -> Manifest:
    """Read and parse root/SHA256SUMS."""
    where = root / MANIFEST
    try:
        data = where.read_bytes()
    except FileNotFoundError:
        raise ManifestError(str(where), _("no {manifest}: {folder} is not a complete build of gongshi (build it "
                                          "with gongshi build)").format(manifest=MANIFEST, folder=root)) from None
    except OSError as exc:
        raise ManifestError(str(where), _("cannot read: {reason}").format(reason=exc.strerror)) from None
    return parse_manifest(data, str(where))


def compare(found: Mapping[str, str], odd: Iterable[str], manifest: Manifest) -> list[Difference]:
    """Differences between the files of a copy (path → SHA-256; odd entries) and the manifest."""
    expected = manifest.expected()
    odd = set(odd)
    differences = []
    for path, digest in expected.items():
        if path in odd:
            differences.append(Difference(path, "not-a-file", _("a link or special file where the build has a "
                                                                "file")))
        elif path not in found:
            differences.append(Difference(path, "missing"))
        elif found[path] != digest:
            differences.append(Difference(path, "changed"))
    differences += [Difference(p, "added") for p in found if p not in expected]
    differences += [Difference(p, "added", _("not a regular file")) for p in odd if p not in expected]
    return sorted(differences, key=lambda d: (path_key(d.path), d.kind))


def check_folder(root: Path, manifest: Manifest) -> list[Difference]:
    """Hash every file under root and compare with the manifest; raises OSError."""
    files, odd = scan(root)
    return compare(hash_files(root, files), odd, manifest)


def summary(differences: list[Difference], limit: int = 10) -> str:
    """The first few differences on one line, e.g. `changed: a.html; missing: b.css; and 3 more`."""
    text = _("; ").join(str(d) for d in differences[:limit])
    more = len(differences) - limit
    return text + (_("; and {count} more").format(count=more) if more > 0 else "")
