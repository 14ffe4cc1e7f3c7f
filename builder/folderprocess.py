"""Folders of files written by a child process while the builder renders the pages on the other core.

The search page's own indexes (the lookup, the merchants' full text) take a few seconds at 10,000 merchants, all
of it the builder's one thread. A forked child shares the site and the records already worked out without
copying them, writes each folder, and exits; the builder moves the folders into its output when it needs them.
Forking a process that runs other threads is not safe, so `FolderProcess.possible` says whether to.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from builder.errors import OutputError
from builder.i18n import _

Job = tuple[str, Path, Callable[[Path], object]]  # what it is (a route prefix), its new folder, what writes it


class FolderProcess:
    """A child process writing folders (`jobs`); `wait` for it before a folder is used, `stop` it should the build
    fail."""

    @staticmethod
    def possible() -> bool:
        """Whether this process may fork: no other thread runs (`gongshi serve` has several)."""
        return hasattr(os, "fork") and threading.active_count() == 1

    def __init__(self, jobs: Sequence[Job]) -> None:
        self.jobs = list(jobs)
        self.done = False
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: write the folders, say what failed, never return into the build
            code = 0
            try:
                os.close(read)
                for name, folder, make in self.jobs:
                    try:
                        make(folder)
                    except BaseException as exc:  # every failure goes to the parent as text
                        os.write(write, f"{name}\0{type(exc).__name__}: {exc}".encode()[:4000])
                        raise
            except BaseException:  # noqa: BLE001 - reported above; the child ends here whatever happened
                code = 1
            os._exit(code)
        os.close(write)
        self.pipe = read

    def wait(self) -> None:
        """Wait until every folder is written; raise OutputError (naming the folder) when one could not be."""
        if self.done:
            return
        with os.fdopen(self.pipe, "rb") as pipe:
            message = pipe.read().decode("utf-8", "replace")
        _pid, status = os.waitpid(self.pid, 0)
        self.done = True
        if os.waitstatus_to_exitcode(status) != 0:
            name, _sep, reason = message.partition("\0")
            raise OutputError(name or self.jobs[0][0], _("cannot write these files: {reason}").format(
                reason=reason or _("the process writing them was stopped ({status})").format(status=status)))

    def stop(self) -> None:
        """Stop the child if it still runs (the build failed) and reap it."""
        if self.done:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.close(self.pipe)
        os.waitpid(self.pid, 0)
        self.done = True
