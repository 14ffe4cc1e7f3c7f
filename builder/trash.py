"""The trash of SITE_DIR/.gongshi/: folders that builds threw away, deleted in the background once a build ends."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# Deleting 100,000 files is seconds of the kernel's time and, in a thread, of the builder's interpreter lock (and a
# running thread keeps the read-ahead from forking): a separate process at the lowest priority does it, started when
# the build has ended so that it never competes with the build for the disk, and going on after the process exits.
# It locks each folder first and leaves one that another process holds (an earlier build's deleter, still at work);
# the lock ends with the process, so a folder whose deleter was killed is deleted by the next build.
_DELETE = """import fcntl, os, shutil, sys
for path in sys.argv[1:]:
    try:
        held = os.open(path, os.O_RDONLY)
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        continue
    shutil.rmtree(path, ignore_errors=True)
"""
_deleting: list[subprocess.Popen[bytes]] = []  # held until they end (serve builds again and again in one process)
_pending: list[Path] = []  # thrown away during the build that is running
_pending_lock = threading.Lock()


def throw_away(folder: Path, trash: Path) -> None:
    """Move a folder into the trash, to be deleted once the build ends (deleted here when it cannot be moved)."""
    try:
        trash.mkdir(parents=True, exist_ok=True)
        holder = Path(tempfile.mkdtemp(prefix="tree-", dir=trash))
        os.replace(folder, holder / "tree")
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return
    with _pending_lock:
        _pending.append(holder)


def empty_trash(trash: Path) -> None:
    """Delete, once the build ends, what earlier builds threw away and could not finish deleting."""
    if trash.is_dir():
        with _pending_lock:
            _pending.extend(entry for entry in trash.iterdir() if entry not in _pending)


def delete_pending() -> None:
    """Start deleting what was thrown away so far (the build has ended)."""
    with _pending_lock:
        folders = list(_pending)
        _pending.clear()
    delete_later(folders)


def delete_later(folders: list[Path]) -> None:
    """Delete these folders in a low-priority process of their own (here, when none can be started)."""
    _deleting[:] = [process for process in _deleting if process.poll() is None]
    if not folders:
        return
    try:
        command = [sys.executable, "-I", "-c", _DELETE, *map(str, folders)]  # -I: nothing imported from the site
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return
    with contextlib.suppress(OSError):  # lowered from here: it holds when this returns (the process may be gone)
        os.setpriority(os.PRIO_PROCESS, process.pid, 19)
    _deleting.append(process)
