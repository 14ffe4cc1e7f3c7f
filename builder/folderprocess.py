"""Folders of files written by a child process while the builder renders the pages on the other core.

The search page's own indexes (the lookup, the merchants' full text) take a few seconds at 10,000 merchants, all
of it the builder's one thread. A forked child shares the site and the records already worked out without
copying them, writes each folder, and exits; the builder moves the folders into its output when it needs them.
Forking a process that runs other threads is not safe, so `Child.possible` says whether to.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from builder.errors import OutputError
from builder.i18n import _

Job = tuple[str, Path, Callable[[Path], object]]  # what it is (a route prefix), its new folder, what writes it


class Child:
    """A forked child process and the pipe it answers through."""

    pid: int
    pipe: int
    done: bool

    @staticmethod
    def possible() -> bool:
        """Whether this process may fork: no other thread runs (`gongshi serve` has several)."""
        return hasattr(os, "fork") and threading.active_count() == 1

    def stop(self) -> None:
        """Stop the child if it still runs (the build failed) and reap it."""
        if self.done:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.close(self.pipe)
        os.waitpid(self.pid, 0)
        self.done = True


class FolderProcess(Child):
    """A child process writing folders (`jobs`); `wait` for it before a folder is used, `stop` it should the build
    fail."""

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


class Forked(Child):
    """A function run by a forked child, its picklable result sent back through a pipe (`result`). A child that
    fails gives no result: the caller does the work itself, and meets the error where it is reported."""

    def __init__(self, work: Callable[[], object]) -> None:
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never return into the build
            code = 1
            try:
                os.close(read)
                data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                code = 0
            except BaseException:  # noqa: BLE001, S110 - the parent does the work again and reports what fails
                pass
            os._exit(code)
        os.close(write)
        self.pipe = read
        self.done = False

    def result(self) -> object | None:
        """The function's result, once the child has ended; None when it failed."""
        with os.fdopen(self.pipe, "rb") as pipe:
            data = pipe.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.done = True
        if os.waitstatus_to_exitcode(status) != 0 or not data:
            return None
        found: object = pickle.loads(data)  # noqa: S301 - our own child's bytes
        return found
