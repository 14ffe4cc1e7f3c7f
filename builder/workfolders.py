"""Work folders of the live preview: who owns each one, and removing those whose preview was killed."""

from __future__ import annotations

import json
import os
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

OWNER_FILE = "owner.json"
_PROC = Path("/proc")


@dataclass(frozen=True)
class Owner:
    """The process that made a work folder: host, pid and a token of its start (so a reused pid differs)."""

    host: str
    pid: int
    start: str

    def as_json(self) -> str:
        """The owner file's text."""
        return json.dumps({"host": self.host, "pid": self.pid, "start": self.start}, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Leftovers:
    """Work folders of previews that are gone (removed), and those left: no owner record, or not removable."""

    removed: tuple[Path, ...]
    unknown: tuple[Path, ...]


def start_token(pid: int) -> str:
    """When a process started (boot id and start time in clock ticks, from /proc); "" where /proc has none."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text("ascii", "replace")
        boot = (_PROC / "sys" / "kernel" / "random" / "boot_id").read_text("ascii", "replace").strip()
    except OSError:
        return ""
    fields = stat[stat.rfind(")") + 2:].split()  # the name in parentheses may hold spaces
    return f"{boot}:{fields[19]}" if len(fields) > 19 else ""


def this_process() -> Owner:
    """The owner record of the running process."""
    return Owner(socket.gethostname(), os.getpid(), start_token(os.getpid()))


def claim(folder: Path) -> None:
    """Record in a new work folder that this process owns it."""
    (folder / OWNER_FILE).write_text(this_process().as_json(), "utf-8")


def read_owner(folder: Path) -> Owner | None:
    """The recorded owner of a work folder, or None when there is no readable record."""
    try:
        data = json.loads((folder / OWNER_FILE).read_text("utf-8"))
        owner = Owner(str(data["host"]), int(data["pid"]), str(data["start"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return owner if owner.pid > 0 else None


def is_running(owner: Owner) -> bool:
    """Whether the owner still runs (True when that cannot be told: another host)."""
    if owner.host != socket.gethostname():
        return True
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # a process of another user has that pid: judge by its start token
    now = start_token(owner.pid)
    return not (owner.start and now and now != owner.start)


def remove_leftovers(parent: Path, output_name: str, keep: Path | None = None) -> Leftovers:
    """Remove `.<output>.serve-*` folders in `parent` whose preview no longer runs; never one that still does."""
    removed: list[Path] = []
    unknown: list[Path] = []
    try:
        candidates = sorted(parent.glob(f".{output_name}.serve-*"))
    except OSError:
        return Leftovers((), ())
    for folder in candidates:
        if folder == keep or folder.is_symlink() or not folder.is_dir():
            continue
        owner = read_owner(folder)
        if owner is None:
            unknown.append(folder)
        elif not is_running(owner):
            shutil.rmtree(folder, ignore_errors=True)
            (unknown if folder.exists() else removed).append(folder)
    return Leftovers(tuple(removed), tuple(unknown))
