"""A spare for the next build, linked in the background after a build that left none (outputtree.py).

A build that replaced no earlier tree (the first one, one under --clean, one after the spare was thrown away) leaves
no spare: the next build, even one that renders a single page, would make every folder of the output again and link
every file into it (at 10,000 merchants, 12,000 folders: about a second of the kernel's time on these disks). So that
build makes the spare's folder, records it with the output's manifest (a hard link has the size, time and inode of
its file), and a separate process at the lowest priority, started as the build publishes, links the output into
it, going on after `gongshi` exits. That process holds a lock on the folder until it is done; a build that finds
the folder still locked does not take it (`held`). A spare left half linked (the process was killed) is still a
spare: each of its files is checked against its record before it is kept, and what it lacks is linked from the
output.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

try:
    import fcntl

    LOCKS = True
except ImportError:  # (not on Windows: no spare is linked in the background there)
    LOCKS = False

# Run as `python -I -c _LINK SOURCE TARGET FD`: FD is the folder's lock, taken by the build before it started this,
# and what the links are made into (not the path: a build that throws the folder away while this still runs moves
# it, and then this goes on linking into the moved folder, never into a new one of the same name).
_LINK = """import os, sys
source, into = sys.argv[1], int(sys.argv[3])
try:
    for folder, dirs, files in os.walk(source):
        dirs.sort()
        inside = os.path.relpath(folder, source)
        if inside != ".":
            os.mkdir(inside, dir_fd=into)
        for name in sorted(files):
            os.link(os.path.join(folder, name), name if inside == "." else os.path.join(inside, name), dst_dir_fd=into)
except OSError:
    pass
"""
_linking: list[subprocess.Popen[bytes]] = []  # held until they end (a process that builds again and again)


def link_later(output: Path, spare: Path) -> bool:
    """Start linking every file of `output` into the empty folder `spare` in a low-priority process of its own,
    which holds the folder's lock until it is done; False when it cannot be started."""
    if not LOCKS:
        return False
    _linking[:] = [process for process in _linking if process.poll() is None]
    try:
        lock = os.open(spare, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (the child's copy of this descriptor keeps it)
        command = [sys.executable, "-I", "-c", _LINK, str(output), str(spare), str(lock)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True, pass_fds=(lock,))
    except OSError:
        return False
    finally:
        os.close(lock)
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, process.pid, 19)
    _linking.append(process)
    return True


def held(folder: Path) -> bool:
    """Whether a process still links files into this folder (it holds the folder's lock)."""
    if not LOCKS:
        return False
    try:
        lock = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(lock)  # (closing it releases the lock taken here)
    return False
