"""A client of `pagefind_extended --service`: pages go in through a pipe, a bundle comes out on disk.

The protocol is the one of the PyPI wrapper (`pagefind/service`): each request is base64 of a JSON object
followed by a comma on the service's standard input, each answer the same on its standard output. This client
sends pages without waiting (a thread collects the answers, so neither pipe fills up) and waits for everything
when it takes the bundle (`files`); it does not sleep between requests as the wrapper does (0.1 s per page).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder.errors import SearchIndexError
from builder.i18n import _


class PagefindService:
    """One service process building one index (one bundle)."""

    def __init__(self, binary: Path, language: str = "zh-cn", nice: int = 0) -> None:
        """Start the service; `nice` > 0 lowers the priority of every thread of it (it is started by `nice`)."""
        command = [str(binary), "--service"]
        renice = shutil.which("nice") if nice > 0 else None
        if renice is not None:
            command = [renice, "-n", str(nice), *command]
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL)
        except OSError as exc:
            raise SearchIndexError(_("cannot run {program}: {reason}").format(
                program=binary.name, reason=exc.strerror)) from None
        if nice > 0 and renice is None:  # no `nice` command: threads the service has started keep their priority
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid, nice)
        self.binary = binary
        self.answers: dict[int, dict[str, Any]] = {}
        self.awaited: set[int] = set()
        self.errors: list[str] = []
        self.done = threading.Condition()
        self.next_id = 0
        self.pages = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        answer = self._call({"type": "NewIndex", "config": {"force_language": language}})
        self.index_id = int(answer["index_id"])

    def add(self, url: str, html: str) -> None:
        """Queue one page, with the URL it is served at relative to the site root (e.g. `/merchants/X/`)."""
        self._send({"type": "AddFile", "index_id": self.index_id, "url": url, "file_contents": html})
        self.pages += 1

    def files(self) -> list[dict[str, Any]]:
        """Wait until every page is indexed and take the bundle (each file's `path` and base64 `content`); the
        service is stopped.

        The bundle comes back through the pipe (`GetFiles`) and is written by `write_files`: the service's own
        `WriteFiles` answers before its writes are finished (tokio files dropped unflushed), so a bundle
        read right after it can be cut short.
        """
        try:
            answer = self._call({"type": "GetFiles", "index_id": self.index_id}, timeout=3600)
            if self.errors:
                raise SearchIndexError(f"{self.binary.name}: {'; '.join(self.errors[:3])}")
            files = answer.get("files")
            if not isinstance(files, list):
                raise SearchIndexError(_("{program} sent no files").format(program=self.binary.name))
        finally:
            self.close()
        return files

    def write_files(self, files: list[dict[str, Any]], folder: Path,
                    keep: Callable[[str], bool] = lambda _path: True) -> int:
        """Write a bundle `files` gave (the files `keep` accepts) into `folder`; the number of files written."""
        written = 0
        made: set[str] = set()  # folders created (a bundle is thousands of files in a handful of folders)
        for item in files:
            name = str(item.get("path", ""))
            parts = [part for part in name.split("/") if part not in ("", ".")]
            if name.startswith("/") or ".." in parts or not parts:
                raise SearchIndexError(_("{program} named an unexpected file: {path}").format(
                    program=self.binary.name, path=name))
            if not keep("/".join(parts)):
                continue
            parent = os.path.join(folder, *parts[:-1])
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            with open(os.path.join(parent, parts[-1]), "wb") as target:
                target.write(base64.b64decode(item.get("content", "")))
            written += 1
        return written

    def close(self) -> None:
        """Stop the service (it exits when its input closes)."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        if self.process.stdout is not None and not self.reader.is_alive():
            self.process.stdout.close()

    def _send(self, payload: dict[str, Any]) -> int:
        self.next_id += 1
        body = json.dumps({"message_id": self.next_id, "payload": payload}, ensure_ascii=False).encode("utf-8")
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(base64.b64encode(body) + b",")
        except (BrokenPipeError, OSError):
            raise SearchIndexError(_("{program} stopped unexpectedly (exit status {status})").format(
                program=self.binary.name, status=self.process.poll())) from None
        return self.next_id

    def _call(self, payload: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
        with self.done:
            self.awaited.add(self.next_id + 1)
        message = self._send(payload)
        assert self.process.stdin is not None
        try:
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise SearchIndexError(_("{program} stopped unexpectedly").format(program=self.binary.name)) from None
        with self.done:
            finished = self.done.wait_for(lambda: message in self.answers or not self.reader.is_alive(), timeout)
            answer = self.answers.pop(message, None)
        if answer is None:
            if not finished:
                raise SearchIndexError(_("{program} did not answer in time").format(program=self.binary.name))
            raise SearchIndexError(_("{program} stopped unexpectedly (exit status {status})").format(
                program=self.binary.name, status=self.process.poll()))
        if answer.get("type") == "Error":
            raise SearchIndexError(f"{self.binary.name}: {answer.get('message')}")
        return answer

    def _read(self) -> None:
        """Collect answers until the service closes its output; errors about single pages are kept."""
        assert self.process.stdout is not None
        pending: list[bytes] = []  # the pieces of an unfinished answer (the bundle is one of many megabytes)
        while True:
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            if not chunk:
                break
            pending.append(chunk)
            if b"," not in chunk:
                continue
            *messages, rest = b"".join(pending).split(b",")
            pending = [rest]
            for raw in messages:
                try:
                    message = json.loads(base64.b64decode(raw))
                except ValueError:
                    continue
                payload, number = message.get("payload") or {}, message.get("message_id")
                with self.done:
                    if payload.get("type") == "Error":
                        self.errors.append(str(payload.get("message")))
                    if number is not None and int(number) in self.awaited:
                        self.answers[int(number)] = payload
                        self.done.notify_all()
        with self.done:
            self.done.notify_all()
