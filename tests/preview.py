"""Running `gongshi serve` as a real process in tests and benchmarks: its output, its events, stopping it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from helpers import REPO, fixed_env

URL = re.compile(r"on (http://[^ ]+/) ")
BUILT = re.compile(r"^Built \d+ pages in [\d.]+ s.*: (http://\S+)$")


class Preview:
    """`python -m builder serve SITE ARGS…` on a free port, with its stdout and stderr collected line by line."""

    def __init__(self, site: Path, *args: str, env: dict[str, str] | None = None, background: bool = False) -> None:
        self.site = site
        command = [sys.executable, "-m", "builder", "serve", str(site), "--port", "0", *args]
        if background:  # started as `gongshi serve &` from a script: the shell makes it ignore SIGINT
            command = ["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command]
        self.process = subprocess.Popen(
            command, cwd=REPO,
            env=fixed_env() if env is None else env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, encoding="utf-8")
        self.out: list[str] = []
        self.err: list[str] = []
        self._lock = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.process.stdout, self.out), (self.process.stderr, self.err))]
        for reader in self._readers:
            reader.start()
        self.root = ""  # http://127.0.0.1:PORT/
        self.base = ""  # the site's address: http://127.0.0.1:PORT/ceshi/

    def _read(self, stream: Any, lines: list[str]) -> None:
        for line in stream:
            with self._lock:
                lines.append(line.rstrip("\n"))
                self._lock.notify_all()
        with self._lock:
            self._lock.notify_all()

    def wait_for(self, pattern: str, timeout: float = 60.0, stream: str = "out", after: int = 0) -> re.Match[str]:
        """Wait for a line (from line number `after` on) matching `pattern`; fail with the whole output."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                lines = self.out if stream == "out" else self.err
                for line in lines[after:]:
                    found = regex.search(line)
                    if found:
                        return found
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and not any(r.is_alive() for r in self._readers)):
                    raise AssertionError(f"no line matching {pattern!r} in {stream}; the preview said:\n"
                                         + self.transcript())
                self._lock.wait(min(left, 0.2))

    def transcript(self) -> str:
        """Everything the process printed so far."""
        return "stdout:\n" + "\n".join(self.out) + "\nstderr:\n" + "\n".join(self.err)

    def start(self, built: bool = True) -> Preview:
        """Wait for the address (and, unless `built` is False, the first good build)."""
        self.root = self.wait_for(URL.pattern).group(1)
        if built:
            self.base = self.wait_for(BUILT.pattern).group(1)
        return self

    def builds(self) -> int:
        """How many good builds the preview reported."""
        with self._lock:
            return sum(1 for line in self.out if BUILT.search(line))

    def status(self, timeout: float = 10.0) -> dict[str, Any]:
        """The status a page is sent first on /__gongshi__/events (build id, building, problems)."""
        with urllib.request.urlopen(self.root + "__gongshi__/events", timeout=timeout) as stream:
            for raw in stream:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    return dict(json.loads(line[len("data: "):]))
        raise AssertionError("the event stream ended without a status")

    def wait_status(self, check: Any, timeout: float = 30.0) -> dict[str, Any]:
        """Poll the status until `check(status)` is true."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if check(status):
                return status
            assert time.monotonic() < deadline, f"status stayed {status}\n{self.transcript()}"
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60.0) -> int:
        """Send a signal (Ctrl-C by default) and wait for the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            raise AssertionError(f"the preview did not stop within {timeout} s\n{self.transcript()}") from None
        for reader in self._readers:
            reader.join(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return status

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.stop()


def get(url: str, timeout: float = 10.0) -> tuple[int, dict[str, str], str]:
    """Status, headers and text of a GET (errors included, redirects followed)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a file the way an editor saves: a new file renamed over the old one."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} is not in {path}"
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text.replace(old, new, 1), "utf-8")
    temporary.replace(path)
