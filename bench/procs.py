"""Running one command and measuring its time, its largest process and its whole process tree."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")  # the unit of a process's CPU times in /proc
MB = 1024 * 1024


@dataclass
class Measured:
    """What one command cost."""

    exit_code: int
    seconds: float
    largest_bytes: int  # wait4 ru_maxrss: the largest single process of the tree (reaped descendants included)
    tree_bytes: int  # highest sampled sum of RSS over the whole tree
    cpu_seconds: float  # user + system time of the process and its reaped descendants
    by_command: dict[str, int] = field(default_factory=dict)  # peak VmHWM seen per command name

    @property
    def largest_command(self) -> str:
        """The command whose own high-water mark was the highest (from the samples)."""
        return max(self.by_command, key=lambda k: self.by_command[k]) if self.by_command else "?"


def proc_stats() -> dict[int, tuple[int, str, float]]:
    """Map every live pid to (parent pid, command name, user + system seconds so far), from /proc."""
    table: dict[int, tuple[int, str, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        close = stat.rindex(b")")
        name = stat[stat.index(b"(") + 1:close].decode("utf-8", "replace")
        fields = stat[close + 2:].split()
        table[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICKS)
    return table


def _proc_table() -> dict[int, tuple[int, str]]:
    """Map every live pid to (parent pid, command name), from /proc."""
    return {pid: (parent, name) for pid, (parent, name, _) in proc_stats().items()}


def _memory(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of pid in bytes; (0, 0) when it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1]) * 1024
                elif line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return rss, hwm


class TreeWatcher(threading.Thread):
    """Samples a process tree every interval: the summed RSS, and each command's own high-water mark."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        """Watch pid and its descendants."""
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.tree_peak = 0
        self.by_command: dict[str, int] = {}
        self.done = threading.Event()

    def sample(self) -> None:
        """Read the tree once."""
        table = _proc_table()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in table.items():
            children.setdefault(ppid, []).append(pid)
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, ()))
            rss, hwm = _memory(pid)
            total += rss
            name = table.get(pid, (0, "?"))[1]
            if hwm > self.by_command.get(name, 0):
                self.by_command[name] = hwm
        self.tree_peak = max(self.tree_peak, total)

    def run(self) -> None:
        """Sample until stop() is called."""
        while not self.done.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        """Stop sampling."""
        self.done.set()
        self.join()


def measure(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None,
            log: Path | None = None) -> Measured:
    """Run cmd to completion; stdout and stderr go to log.stdout / log.stderr (or nowhere)."""
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(f"{log}.stdout", "wb")) if log else subprocess.DEVNULL
        err = stack.enter_context(open(f"{log}.stderr", "wb")) if log else subprocess.DEVNULL
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        watcher = TreeWatcher(proc.pid)
        watcher.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # this child's rusage, with its reaped descendants' maxima
        except BaseException:
            watcher.stop()
            proc.kill()
            proc.wait()
            raise
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        watcher.stop()
    return Measured(proc.returncode, seconds, usage.ru_maxrss * 1024, watcher.tree_peak,
                    usage.ru_utime + usage.ru_stime, watcher.by_command)


def folder_stats(path: Path, skip_top: str | None = None) -> tuple[int, int, int]:
    """(bytes, files, .html files) under path; html files under the top-level folder skip_top are not counted."""
    total = files = pages = 0
    for dirpath, _, filenames in os.walk(path):
        rel = Path(dirpath).relative_to(path)
        skipped = skip_top is not None and rel.parts[:1] == (skip_top,)
        for name in filenames:
            total += os.lstat(os.path.join(dirpath, name)).st_size
            files += 1
            if name.endswith(".html") and not skipped:
                pages += 1
    return total, files, pages
