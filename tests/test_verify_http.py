"""verify over HTTP against small servers that misbehave on purpose: retries, timeouts, a size cap, gzip,
kept-alive concurrent connections, and the environment's proxy."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import builder.fetch
import builder.verify
from builder.verify import Unreachable, verify
from publishing import PROXY_VARIABLES

Rule = Callable[[BaseHTTPRequestHandler], None]


class StubServer(ThreadingHTTPServer):
    """Serves a build under /gongshi/ on 127.0.0.1, with rules that replace the answer for some paths."""

    daemon_threads = True

    def __init__(self, root: Path, rules: dict[str, Rule] | None = None, proxy_for: str = "") -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.root, self.rules, self.proxy_for = root, rules or {}, proxy_for
        self.requests: list[tuple[str, str, dict[str, str]]] = []  # (request target, client port, headers)
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0
        self.release = threading.Event()  # set when the test ends: frees handlers that hold an answer back

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/gongshi/"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StubServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Keep the test output clean."""

    def send_body(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up on this answer (a timeout, a size cap)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        server = self.server
        with server.lock:
            server.requests.append((self.path, str(self.client_address[1]), dict(self.headers.items())))
            server.in_flight += 1
            server.most_in_flight = max(server.most_in_flight, server.in_flight)
        try:
            time.sleep(0.002)  # long enough for requests to overlap
            self.answer()
        finally:
            with server.lock:
                server.in_flight -= 1

    def answer(self) -> None:
        server = self.server
        parts = urlsplit(self.path)
        if server.proxy_for and parts.netloc != server.proxy_for:
            self.send_body(502, b"this proxy only knows " + server.proxy_for.encode())
            return
        rule = server.rules.get(parts.path)
        if rule is not None:
            rule(self)
            return
        route = unquote(parts.path).removeprefix("/gongshi/")
        target = server.root / route
        if parts.path.startswith("/gongshi/") and target.is_file():
            self.send_body(200, target.read_bytes())
        else:
            self.send_body(404, b"not found")


#: The client's timeout in the tests of timeouts (the others keep the default, for a busy machine).
SHORT_TIMEOUT_S = 2.0


@pytest.fixture(autouse=True)
def quick_and_without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short back-offs; no proxy from the machine's environment."""
    monkeypatch.setattr(builder.fetch, "BACKOFF_S", 0.01)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def stub(sample_output: Path) -> Iterator[Callable[..., StubServer]]:
    """Factory: start a StubServer in a thread; all are shut down afterwards."""
    servers: list[StubServer] = []

    def start(rules: dict[str, Rule] | None = None, proxy_for: str = "") -> StubServer:
        server = StubServer(sample_output, rules, proxy_for)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.release.set()
        server.shutdown()
        server.server_close()


def flaky(failures: int) -> Rule:
    """Answer 503 the first `failures` times, then the file."""
    count = [0]

    def rule(handler: BaseHTTPRequestHandler) -> None:
        count[0] += 1
        if count[0] <= failures:
            handler.send_body(503, b"busy")  # type: ignore[attr-defined]
        else:
            handler.send_body(200, (handler.server.root / "index.html").read_bytes())  # type: ignore[attr-defined]

    return rule


def endless(handler: BaseHTTPRequestHandler) -> None:
    """200 with a body far larger than any file of the build (stops when the client hangs up)."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(1 << 30))
    handler.end_headers()
    try:
        for _ in range(1 << 10):
            handler.wfile.write(b"x" * (1 << 16))
    except (BrokenPipeError, ConnectionResetError):
        pass


def silent(handler: BaseHTTPRequestHandler) -> None:
    """Accept the request and answer nothing until the test ends."""
    handler.server.release.wait(60)  # type: ignore[attr-defined]
    handler.close_connection = True


def gzipped(handler: BaseHTTPRequestHandler) -> None:
    """The right file, but compressed although the client asked for identity."""
    body = gzip.compress((handler.server.root / "feed.xml").read_bytes(), mtime=0)  # type: ignore[attr-defined]
    handler.send_body(200, body, {"Content-Encoding": "gzip"})  # type: ignore[attr-defined]


def test_untouched_over_kept_alive_concurrent_connections(stub: Callable[..., StubServer],
                                                          sample_output: Path) -> None:
    server = stub()
    report = verify(server.url, sample_output)
    assert report.differences == [] and report.status == 0
    assert len(server.requests) == report.files
    assert server.most_in_flight > 1  # concurrent
    # kept alive: one connection per worker thread, plus the first request's on the calling thread
    assert len({port for _, port, _ in server.requests}) <= builder.verify.WORKERS + 1
    headers = server.requests[0][2]
    assert headers["Accept-Encoding"] == "identity" and headers["User-Agent"].startswith("gongshi-verify/")


def test_a_transient_error_is_retried(stub: Callable[..., StubServer], sample_output: Path) -> None:
    server = stub({"/gongshi/index.html": flaky(2)})
    assert verify(server.url, sample_output).status == 0
    assert [target for target, _, _ in server.requests].count("/gongshi/index.html") == 3


def test_an_error_that_outlasts_the_retries_is_a_difference(stub: Callable[..., StubServer],
                                                            sample_output: Path) -> None:
    server = stub({"/gongshi/index.html": flaky(3)})
    report = verify(server.url, sample_output)
    assert [str(d) for d in report.differences] == ["status: index.html (HTTP 503)"] and report.status == 1


def test_reading_stops_past_the_builds_size(stub: Callable[..., StubServer], sample_output: Path) -> None:
    server = stub({"/gongshi/feed.xml": endless})
    report = verify(server.url, sample_output)
    size = (sample_output / "feed.xml").stat().st_size
    assert [str(d) for d in report.differences] == [f"changed: feed.xml (longer than the build's {size} bytes)"]


def test_a_compressed_answer_is_a_change_and_says_why(stub: Callable[..., StubServer], sample_output: Path) -> None:
    server = stub({"/gongshi/feed.xml": gzipped})
    report = verify(server.url, sample_output)
    assert [str(d) for d in report.differences] == ["changed: feed.xml (served with Content-Encoding: gzip)"]


def test_a_file_that_times_out_is_unreachable_exit_2(stub: Callable[..., StubServer], sample_output: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder.fetch, "TIMEOUT_S", SHORT_TIMEOUT_S)
    server = stub({"/gongshi/feed.xml": silent})
    report = verify(server.url, sample_output)
    assert [str(d) for d in report.differences] == ["unreachable: feed.xml (no answer within 2 s)"]
    assert report.status == 2


def test_a_site_that_never_answers_is_unreachable(stub: Callable[..., StubServer], sample_output: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(builder.fetch, "TIMEOUT_S", SHORT_TIMEOUT_S)
    server = stub({"/gongshi/index.html": silent})
    with pytest.raises(Unreachable, match=r"cannot reach http://127\.0\.0\.1:\d+/gongshi/: no answer within 2 s"):
        verify(server.url, sample_output)


def test_the_environments_proxy_is_used(stub: Callable[..., StubServer], sample_output: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = stub(proxy_for="gongshi.invalid")  # .invalid never resolves: only the proxy can answer
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.server_address[1]}")
    report = verify("http://gongshi.invalid/gongshi", sample_output)
    assert report.status == 0, report.differences
    assert len(proxy.requests) == report.files
    assert all(t.startswith("http://gongshi.invalid/gongshi/") and h["Host"] == "gongshi.invalid"
               for t, _, h in proxy.requests)


def test_no_proxy_is_honoured(stub: Callable[..., StubServer], sample_output: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    site, proxy = stub(), stub(proxy_for="elsewhere.invalid")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{proxy.server_address[1]}")
    through_proxy = verify(site.url, sample_output)
    assert through_proxy.counts() == {"status": through_proxy.files} and site.requests == []
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    proxy.requests.clear()
    assert verify(site.url, sample_output).status == 0 and proxy.requests == []
