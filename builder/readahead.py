"""Files read into the build cache by a second process while this one reads the others.

Reading is the first stage of a build and runs on one core while the other sits idle (Pagefind starts only once
pages are rendered). A forked child reads the last files of a list, about `SHARE` of their bytes, and stores what
each gave in the build cache; the parent reads the first ones, then takes the child's from the cache (unpickling
is a fraction of parsing and checking). The child reports each entry it wrote through a pipe once the entry is on
disk: whatever it did not report (it failed, was killed, the file changed meanwhile) the parent reads itself, so
the result is the same as reading every file here, only sooner.

A child is forked only where that is safe and pays: `os.fork` exists, this process runs no other thread (a
preview server does: its files are read here), and at least two cores are ours.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

SHARE = 0.45  # of the bytes: the child also pickles what it read, the parent unpickles it
MIN_BYTES = 1_000_000  # fewer bytes in all: not worth a process


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether a child may be forked here: POSIX, no other thread running, two cores or more."""
    return hasattr(os, "fork") and threading.active_count() == 1 and cores() >= 2


def child_share(sizes: Sequence[int]) -> int:
    """How many of the last files (of these sizes, in reading order) the child takes; 0: none."""
    total = sum(sizes)
    if total < MIN_BYTES or len(sizes) < 2:
        return 0
    taken = 0
    count = 0
    for size in reversed(sizes[1:]):  # the parent keeps at least the first file
        if taken + size > total * SHARE and count:
            break
        taken += size
        count += 1
    return count if taken <= total * (1 - SHARE) + 1 else 0


class ReadAhead:
    """A child process reading files into the cache; `written()` waits for it and names its entries."""

    def __init__(self, pid: int, reader: int, paths: Sequence[Path]) -> None:
        self.pid = pid
        self.reader = reader
        self.paths = set(paths)
        self._written: set[str] | None = None

    def written(self) -> set[str]:
        """The cache entries the child wrote (waiting for it to end, once)."""
        if self._written is None:
            with os.fdopen(self.reader, "r", encoding="utf-8") as pipe:
                reported = pipe.read()
            wait_child(self.pid)
            lines = reported.split("\n")
            self._written = set(lines[:-1])  # the last line is complete only if it ends with a newline
        return self._written

    def close(self) -> None:
        """Stop the child if it was not waited for (this process stops reading: an error, an interrupt)."""
        if self._written is not None:
            return
        self._written = set()
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.close(self.reader)
        wait_child(self.pid)


def run_in_child(work: Callable[[], object]) -> int | None:
    """Fork a child that runs `work` and exits (its process id; None: no child, run it yourself)."""
    if not can_fork():
        return None
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        status = 1
        try:
            work()
            status = 0
        except BaseException:  # noqa: BLE001 - the child reports nothing; its work only saves time
            pass
        finally:
            os._exit(status)
    return pid


def wait_child(pid: int) -> None:
    """Wait for a child of `run_in_child` to end."""
    with contextlib.suppress(ChildProcessError, InterruptedError):
        os.waitpid(pid, 0)


def start(paths: Sequence[Path], work: Callable[[Path], str | None]) -> ReadAhead | None:
    """Fork a child that calls `work` on each path (it returns the cache entry written, or None); None: no child."""
    if not paths:
        return None
    reader, writer = os.pipe()

    def report() -> None:
        os.close(reader)
        with os.fdopen(writer, "w", encoding="utf-8") as pipe:
            for path in paths:
                name = work(path)
                if name:
                    pipe.write(name + "\n")
                    pipe.flush()

    pid = run_in_child(report)  # whatever goes wrong in the child, the parent reads the rest itself
    os.close(writer)
    if pid is None:
        os.close(reader)
        return None
    return ReadAhead(pid, reader, paths)
