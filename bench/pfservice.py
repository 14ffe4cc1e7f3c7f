"""A minimal synchronous client of `pagefind_extended --service`, without the Python wrapper's 0.1 s sleeps.

The service reads requests as base64(JSON) followed by a comma on stdin and answers the same way on stdout
(the protocol of pagefind/service in the PyPI wrapper). Requests are pipelined: `add_file` does not wait
for its answer, a reader thread collects the answers, `write` waits for all of them. A prototype for the
sharded design (bench/SCALE_NOTES.md): one service per shard, fed the pages of that shard only.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any


class ServiceError(Exception):
    """The service answered with an error, or died."""


class PagefindService:
    """One `--service` process holding one index."""

    def __init__(self, binary: Path, force_language: str = "zh-cn") -> None:
        """Start the process and create its index."""
        self.proc = subprocess.Popen([str(binary), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, cwd=os.getcwd())
        self.pid = self.proc.pid
        self.next_id = 0
        self.answers: dict[int, dict[str, Any]] = {}
        self.errors: list[str] = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        answer = self.call({"type": "NewIndex", "config": {"force_language": force_language}})
        self.index_id = int(answer["index_id"])
        self.pages = 0
        self.rusage: Any = None

    def _read(self) -> None:
        """Collect answers until the process closes its stdout."""
        assert self.proc.stdout is not None
        buffer = b""
        while True:
            chunk = self.proc.stdout.read1(1 << 16)
            if not chunk:
                break
            buffer += chunk
            *messages, buffer = buffer.split(b",")
            for raw in messages:
                message = json.loads(base64.b64decode(raw))
                payload, mid = message.get("payload", {}), message.get("message_id")
                with self.cond:
                    if payload.get("type") == "Error":
                        self.errors.append(str(payload.get("message")))
                    if mid is not None:
                        self.answers[int(mid)] = payload
                    self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def send(self, payload: dict[str, Any]) -> int:
        """Send one request without waiting; return its message id."""
        self.next_id += 1
        assert self.proc.stdin is not None
        body = json.dumps({"message_id": self.next_id, "payload": payload}, ensure_ascii=False)
        self.proc.stdin.write(base64.b64encode(body.encode("utf-8")) + b",")
        return self.next_id

    def wait(self, mid: int) -> dict[str, Any]:
        """The answer to message mid."""
        assert self.proc.stdin is not None
        self.proc.stdin.flush()
        with self.cond:
            while mid not in self.answers:
                if self.proc.poll() is not None and not self.reader.is_alive():
                    raise ServiceError(f"pagefind service exited ({self.proc.returncode})")
                self.cond.wait(1.0)
            answer = self.answers.pop(mid)
        if answer.get("type") == "Error":
            raise ServiceError(str(answer.get("message")))
        return answer

    def call(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer."""
        return self.wait(self.send(payload))

    def add_file(self, url: str, html: str) -> None:
        """Queue one page (its URL as the site will serve it, relative to the site root)."""
        self.send({"type": "AddFile", "index_id": self.index_id, "url": url, "file_contents": html})
        self.pages += 1

    def write(self, output_path: Path) -> int:
        """Wait for every queued page, write the bundle, stop the process; return the pages indexed."""
        mid = self.send({"type": "WriteFiles", "index_id": self.index_id, "output_path": str(output_path)})
        self.wait(mid)
        with self.cond:
            failed = [a for a in self.answers.values() if a.get("type") == "Error"]
        self.close()
        if failed or self.errors:
            raise ServiceError("; ".join(self.errors[:3]) or "an AddFile request failed")
        return self.pages

    def close(self) -> None:
        """Stop the process and keep its rusage (ru_maxrss is its peak resident size)."""
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        if self.proc.returncode is None:
            _, status, self.rusage = os.wait4(self.proc.pid, 0)
            self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.reader.join(timeout=5)
