"""The build cache in SITE_DIR/.gongshi/cache/: what earlier builds read and wrote, to skip work that is unchanged.

Entries are pickles signed with a key kept outside the site folder (`$XDG_CACHE_HOME/gongshi/key`, else
`~/.cache/gongshi/key`): a site folder received from elsewhere cannot make a build run its cache's code, and an
entry that is not ours, damaged or from another version of the tool is simply not used. Every entry is keyed
by digests of what it was made from, the tool's own digest (`tool_digest`: its version and the bytes of its
code and built-in themes) and the build options; a doubt about an entry means the work is done again.

A long-running process that builds one site again and again (`gongshi serve`) keeps the entries named by a digest
of what they were made from (the files read: `content/…`) in memory as well (`kept_in_memory`): a file unchanged
since the last build costs neither reading its entry nor unpickling its records. The entries of its own output
folders (their manifests, what the warnings' quick rebuild continues from) it keeps in memory only.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import io
import os
import pickle
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from builder import __version__, readahead

PACKAGE = Path(__file__).resolve().parent
THEMES = PACKAGE.parent / "themes"
SIGNATURE = 32
TEMPORARY = ".entry-"  # an entry being written
#: Entries whose name is a digest of everything they were made from: a kept copy can never be stale. And the
#: entries of output trees: their manifests, which are checked against the tree on disk anyway
#: (outputtree.load_manifest), and what the warnings' quick rebuild keeps of them (warningsbuild.py): while kept in
#: memory, those are written to memory only (the preview's are of its own work folders, gone with it).
MEMORY_ONLY = ("trees/output-", "trees/data-side-", "trees/warnings-state-", "trees/lookup-merchants-")
IN_MEMORY = ("content/", *MEMORY_ONLY)
_MEMORY: dict[str, dict[str, Any]] = {}  # cache folder -> the entries this process keeps (kept_in_memory)


@contextlib.contextmanager
def kept_in_memory(site_dir: Path) -> Iterator[None]:
    """While this lasts, the site's cache also keeps its content entries in this process's memory, and its output
    trees' entries there only (MEMORY_ONLY)."""
    folder = str((site_dir / ".gongshi" / "cache").resolve())
    _MEMORY[folder] = {}
    try:
        yield
    finally:
        _MEMORY.pop(folder, None)


@functools.cache
def tool_digest() -> str:
    """The tool's version and a digest of its code and built-in themes (a changed tool invalidates the cache)."""
    hasher = hashlib.blake2b(__version__.encode(), digest_size=16)
    for folder in (PACKAGE, THEMES):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            hasher.update(path.relative_to(folder).as_posix().encode())
            hasher.update(path.read_bytes())
    return hasher.hexdigest()


def signing_key() -> bytes | None:
    """This user's cache key (created on first use), or None when it cannot be kept."""
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(home) / "gongshi" / "key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        os.replace(temporary, path)  # two builds racing here keep one key: the last one written
        key = path.read_bytes()
        return key if len(key) == 32 else None
    except OSError:
        return None


class _Pickler(pickle.Pickler):
    """Pickles text that is not ASCII as its UTF-8 bytes, made anew: the standard pickler asks a string for its
    UTF-8 form, which stays attached to it for its life (a whole site's Chinese text over twice as large while the
    build lasts: 200 MB more at 100,000 merchants)."""

    def persistent_id(self, obj: Any) -> bytes | None:
        """Text that is not ASCII goes as bytes (pickle's hook, asked about every object)."""
        if type(obj) is str and not obj.isascii():
            return obj.encode("utf-8", "surrogatepass")
        return None


class _Unpickler(pickle.Unpickler):
    """Reads what `_Pickler` wrote."""

    def persistent_load(self, pid: Any) -> str:
        """The text of one such bytes (pickle's hook)."""
        if type(pid) is not bytes:
            raise pickle.UnpicklingError(pid)  # not ours: the entry is not used (see `load`)
        return pid.decode("utf-8", "surrogatepass")


class _Signed:
    """A file being written that keeps the HMAC of what was written (the pickle is not held in memory whole:
    an output tree's manifest at 100,000 merchants is ~50 MB, and a buffer and its copy doubled that)."""

    def __init__(self, handle: io.BufferedWriter, key: bytes) -> None:
        self.handle = handle
        self.mac = hmac.new(key, digestmod="sha256")

    def write(self, data: bytes) -> int:
        """Write and sign a piece (the pickler's only call)."""
        self.mac.update(data)
        return self.handle.write(data)


def dump(value: Any, file: io.BytesIO | _Signed, plain: bool = False) -> None:
    """Pickle a value into a file, leaving its strings as they were (see `_Pickler`; `plain`: with the standard
    pickler, which calls no Python hook for each object: 3x faster for a manifest of routes, which are ASCII)."""
    (pickle.Pickler if plain else _Pickler)(file, protocol=pickle.HIGHEST_PROTOCOL).dump(value)


def loads(data: bytes) -> Any:
    """The value `dumps` pickled."""
    return _Unpickler(io.BytesIO(data)).load()


class BuildCache:
    """Signed pickles under one folder, by name."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key
        self._resolved = str(folder.resolve())
        self.pending: dict[str, Any] = {}  # saved with `later`, written by `write_pending`
        self.writers: list[int] = []  # children writing entries (`write_pending_beside`)

    @property
    def memory(self) -> dict[str, Any] | None:
        """The entries this process keeps in memory while `kept_in_memory` lasts (looked up at each use: the
        preview's indexer opens its cache before that begins)."""
        return _MEMORY.get(self._resolved) if _MEMORY else None

    @classmethod
    def open(cls, site_dir: Path) -> BuildCache | None:
        """The cache of a site folder, or None when no signing key can be kept."""
        key = signing_key()
        return None if key is None else cls(site_dir / ".gongshi" / "cache", key)

    def path(self, name: str) -> Path:
        """Where an entry is kept."""
        return self.folder / name

    def load(self, name: str) -> Any:
        """The value stored under a name, or None when absent, damaged or not signed with our key."""
        if name in self.pending:
            return self.pending[name]
        memory = self.memory if name.startswith(IN_MEMORY) else None
        # (the preview's indexer thread saves and forgets entries too: one look at the dict, never two)
        found = memory.get(name) if memory is not None else None
        if found is not None:
            return found
        value = self._load(name)
        if memory is not None and value is not None:
            memory[name] = value
        return value

    def _load(self, name: str) -> Any:
        try:
            data = self.path(name).read_bytes()
        except OSError:
            return None
        signature, body = data[:SIGNATURE], data[SIGNATURE:]
        if not hmac.compare_digest(signature, hmac.digest(self.key, body, "sha256")):
            return None
        try:
            return loads(body)
        except Exception:  # noqa: BLE001 - a damaged entry is a cache miss, whatever the unpickler says
            return None

    def save(self, name: str, value: Any, later: bool = False, plain: bool = False, lasting: bool = False) -> None:
        """Store a value under a name (atomically); a cache that cannot be written is only slower. `later`: on
        disk when `write_pending` is called (a build does it while Pagefind works: a core is free then). `plain`:
        see `dump` (for values whose text is mostly ASCII, or not kept after the build). `lasting`: on disk even
        while entries of its kind are kept in memory only (the output folder's manifest, which the preview writes
        when it publishes there: `gongshi build` reads it after the preview has ended)."""
        memory = self.memory
        if memory is not None and name.startswith(IN_MEMORY):
            memory[name] = value
            if name.startswith(MEMORY_ONLY) and not lasting:
                return
        if later:
            self.pending[name] = value
            return
        self.pending.pop(name, None)
        target = self.path(name)
        with contextlib.suppress(OSError):
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=TEMPORARY)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(bytes(SIGNATURE))  # the signature's place, filled once the body is written
                    signed = _Signed(handle, self.key)
                    dump(value, signed, plain)
                    handle.seek(0)
                    handle.write(signed.mac.digest())
                os.replace(temporary, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise

    def write_pending(self) -> None:
        """Write the entries saved with `later`, and wait for the children writing others."""
        while self.pending:
            name = next(iter(self.pending))
            self.save(name, self.pending[name])
        while self.writers:
            readahead.wait_child(self.writers.pop())

    def write_pending_beside(self) -> None:
        """Have a forked child write the entries saved with `later` (a core is free while a build checks what
        it read); where no child can be forked they stay for `write_pending`."""
        if not self.pending:
            return
        pid = readahead.run_in_child(self.write_pending)
        if pid is not None:
            self.writers.append(pid)
            self.pending.clear()

    def forget(self, name: str) -> None:
        """Remove an entry (a cache that cannot be written is only slower)."""
        self.pending.pop(name, None)
        memory = self.memory
        if memory is not None:
            memory.pop(name, None)
        with contextlib.suppress(OSError):
            os.unlink(self.path(name))

    def keep_only(self, folder: str, names: set[str]) -> None:
        """Remove the entries of a sub-folder that this build did not use."""
        memory = self.memory
        if memory is not None:
            prefix = folder.rstrip("/") + "/"
            for name in [name for name in list(memory) if name.startswith(prefix)]:  # (list: at once, see `load`)
                if name.removeprefix(prefix) not in names:
                    memory.pop(name, None)
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.folder / folder):
                if entry.name not in names and not _being_written(entry):
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)


def _being_written(entry: os.DirEntry[str]) -> bool:
    """An entry's temporary file that a process (e.g. the build's own child) may still be writing: younger than
    a day (an older one was left by a process that died, and goes)."""
    if not entry.name.startswith(TEMPORARY):
        return False
    try:
        return time.time() - entry.stat().st_mtime < 86_400
    except OSError:
        return False
