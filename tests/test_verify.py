"""gongshi verify against a folder and against nginx serving DEST/current under /gongshi/: exit 0, 1 or 2."""

from __future__ import annotations

import json
import select
import socket
import socketserver
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder.verify import WORKERS
from helpers import fixed_env, run_cli
from nginxserver import NginxServer, find_nginx, free_port, missing_tool
from publishing import changed_build, copy_build, current_of, no_proxy_env, releases_of

ENV = no_proxy_env(fixed_env())
#: Served by nginx with an error status, a redirect to another host and one to the same host.
ERROR_ROUTE, AWAY_ROUTE, HOME_ROUTE = "data/complaints.csv", "feed.xml", "statistics/index.html"
TRAPS = f"""
        location = /gongshi/{ERROR_ROUTE} {{ return 503; }}
        location = /gongshi/{AWAY_ROUTE} {{ return 302 https://deface.example/feed.xml; }}
        location = /gongshi/{HOME_ROUTE} {{ return 301 /gongshi/index.html; }}
"""


def verify(*args: str | Path) -> tuple[int, str, str]:
    """Run `gongshi verify ARGS`; return the exit status, stdout and stderr."""
    done = run_cli("verify", *args, env=ENV)
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def published(sample_output: Path, tmp_path: Path) -> Path:
    """The sample build published into tmp/dest (DEST/current → releases/…)."""
    dest = tmp_path / "dest"
    done = run_cli("publish", dest, "--output", sample_output, env=ENV)
    assert done.returncode == 0, done.stderr
    return dest


@pytest.fixture
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., NginxServer]]:
    """Factory: nginx serving a folder (a DEST/current link is followed on every request) under /gongshi/."""
    binary = find_nginx()
    if binary is None:
        missing_tool("nginx (Debian package nginx-light)")
    assert binary is not None
    servers: list[NginxServer] = []

    def serve(site: Path, extra: str = "") -> NginxServer:
        server = NginxServer(binary, site, tmp_path_factory.mktemp("nginx"), extra, resolve=False)
        server.start()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


# ----------------------------------------------------------------------------------------------- folder


def test_an_untouched_folder_passes(sample_output: Path, published: Path) -> None:
    status, out, err = verify(published / "current", "--output", sample_output)
    files = len((sample_output / "SHA256SUMS").read_text("utf-8").splitlines()) + 1
    assert (status, err) == (0, "")
    assert out.startswith(f"Untouched: {published / 'current'} serves all {files} files of ")


def test_a_tampered_folder_lists_changed_missing_and_added(sample_output: Path, published: Path) -> None:
    live = published / "current"
    (live / "index.html").write_text("<h1>被篡改</h1>", "utf-8")
    (live / "data" / "complaints.json").unlink()
    (live / "merchants" / "shell.php").write_text("<?php system($_GET['c']); ?>", "utf-8")
    status, out, _ = verify(live, "--output", sample_output)
    assert status == 1
    assert out.splitlines()[:3] == ["missing: data/complaints.json", "changed: index.html",
                                    "added: merchants/shell.php"]
    assert "Differs: 3 of " in out and "(1 added, 1 changed, 1 missing;" in out


def test_the_site_dir_argument_finds_its_output(sample_output: Path, published: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    copy_build(sample_output, site / "output")
    assert verify(published / "current", site)[0] == 0
    (site / "output" / "SHA256SUMS").unlink()
    status, _, err = verify(published / "current", site)
    assert status == 3 and f"{site / 'output' / 'SHA256SUMS'}: no SHA256SUMS" in err  # not 2: TARGET is fine


def test_quiet_prints_nothing_when_untouched_and_the_differences_otherwise(sample_output: Path,
                                                                           published: Path) -> None:
    assert verify(published / "current", "--output", sample_output, "--quiet") == (0, "", "")
    (published / "current" / "feed.xml").write_text("<feed/>", "utf-8")
    status, out, _ = verify(published / "current", "--output", sample_output, "--quiet")
    assert status == 1 and out.splitlines()[0] == "changed: feed.xml"


def test_json_report(sample_output: Path, published: Path) -> None:
    (published / "current" / "robots.txt").write_text("User-agent: *", "utf-8")
    status, out, _ = verify(published / "current", "--output", sample_output, "--format", "json")
    report = json.loads(out)
    assert status == 1 and report["status"] == 1 and report["untouched"] is False
    assert report["differences"] == [{"path": "robots.txt", "kind": "added", "detail": ""}]
    assert report["counts"] == {"added": 1} and report["files"] > 100


def test_a_missing_folder_or_closed_port_is_unreachable(sample_output: Path, tmp_path: Path) -> None:
    status, _, err = verify(tmp_path / "nowhere", "--output", sample_output)
    assert status == 2 and f"cannot reach {tmp_path / 'nowhere'}: no such folder" in err
    port = free_port()
    status, out, _ = verify(f"http://127.0.0.1:{port}/gongshi/", "--output", sample_output, "--format", "json")
    assert status == 2
    assert json.loads(out) == {"target": f"http://127.0.0.1:{port}/gongshi/", "untouched": False, "status": 2,
                               "error": f"cannot reach http://127.0.0.1:{port}/gongshi/: connection refused"}


def test_an_unsupported_url_is_refused(sample_output: Path) -> None:
    status, _, err = verify("ftp://example.gov.cn/gongshi/", "--output", sample_output)
    assert status == 2 and "is not an http:// or https:// URL" in err


# ------------------------------------------------------------------------------------------------ nginx


def test_nginx_serving_current_under_a_sub_path_is_untouched(sample_output: Path, published: Path,
                                                              nginx: Callable[..., NginxServer]) -> None:
    server = nginx(published / "current")
    status, out, err = verify(server.base_url, "--output", sample_output)
    assert (status, err) == (0, ""), out
    assert out.startswith(f"Untouched: {server.base_url} serves all ")
    requested = {line.split('"')[1].split()[1] for line in server.access_log.read_text().splitlines()}
    assert {"/gongshi/SHA256SUMS", "/gongshi/index.html", "/gongshi/data/complaints.csv"} <= requested


def test_nginx_tampered_changed_missing_error_status_and_redirects(sample_output: Path, published: Path,
                                                                   nginx: Callable[..., NginxServer]) -> None:
    live = published / "current"
    (live / "index.html").write_text("<h1>网站已被篡改</h1>", "utf-8")  # shorter than the build's
    with (live / "assets" / "site.css").open("a", encoding="utf-8") as handle:
        handle.write("body{display:none}")  # longer: reading stops at the build's size + 1 byte
    (live / "data" / "complaints.json").unlink()
    server = nginx(live, TRAPS)
    status, out, _ = verify(server.base_url, "--output", sample_output)
    size = (sample_output / "assets" / "site.css").stat().st_size
    assert status == 1
    assert out.splitlines()[:6] == [
        f"changed: assets/site.css (longer than the build's {size} bytes)",
        "status: data/complaints.csv (HTTP 503)",
        "missing: data/complaints.json (HTTP 404)",
        "redirect: feed.xml (HTTP 302 to https://deface.example/feed.xml (another host; not followed))",
        "changed: index.html",
        f"redirect: statistics/index.html (HTTP 301 to {server.base_url}index.html; not followed)",
    ]
    requested = server.access_log.read_text()
    assert requested.count(f"GET /gongshi/{ERROR_ROUTE} ") == 3  # the first try and two retries
    assert requested.count(f"GET /gongshi/{AWAY_ROUTE} ") == 1 and "deface.example" not in requested


def test_verify_follows_the_switch_of_current(sample_output: Path, published: Path, tmp_path: Path,
                                              nginx: Callable[..., NginxServer]) -> None:
    server = nginx(published / "current")
    newer = changed_build(sample_output, tmp_path / "newer")
    assert verify(server.base_url, "--output", newer)[0] == 1
    assert run_cli("publish", published, "--output", newer, env=ENV).returncode == 0
    assert verify(server.base_url, "--output", newer)[0] == 0
    assert verify(server.base_url, "--output", sample_output)[0] == 1
    assert run_cli("publish", published, "--rollback", env=ENV).returncode == 0
    assert verify(server.base_url, "--output", sample_output)[0] == 0
    assert current_of(published) == "releases/" + releases_of(published)[0] and len(releases_of(published)) == 2


def test_https_checks_the_certificate(sample_output: Path, published: Path, tmp_path: Path,
                                      nginx: Callable[..., NginxServer]) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2"],
                   check=True, capture_output=True)
    port = free_port()
    nginx(published / "current", f"listen 127.0.0.1:{port} ssl;\nssl_certificate {cert};\nssl_certificate_key {key};")
    url = f"https://127.0.0.1:{port}/gongshi/"
    status, _, err = verify(url, "--output", sample_output)
    assert status == 2 and f"cannot reach {url}: TLS certificate not accepted (self-signed certificate)" in err
    trusted = run_cli("verify", url, "--output", sample_output, env={**ENV, "SSL_CERT_FILE": str(cert)})
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    assert trusted.stdout.startswith(f"Untouched: {url} serves all ")

    tunnels: list[bytes] = []
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), connect_proxy(tunnels)) as proxy:
        proxy.daemon_threads = True
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        env = {**ENV, "SSL_CERT_FILE": str(cert), "https_proxy": f"http://127.0.0.1:{proxy.server_address[1]}"}
        through = run_cli("verify", url, "--output", sample_output, env=env)
        proxy.shutdown()
    assert through.returncode == 0, through.stdout + through.stderr
    assert {line.rsplit(b" ", 1)[0] for line in tunnels} == {f"CONNECT 127.0.0.1:{port}".encode()}
    assert len(tunnels) <= WORKERS + 1  # one tunnel per kept-alive connection, not one per file


def connect_proxy(tunnels: list[bytes]) -> type[socketserver.BaseRequestHandler]:
    """A proxy handler that only tunnels (HTTP CONNECT), recording each request line."""

    class Tunnel(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                head += chunk
            line = head.split(b"\r\n", 1)[0]
            tunnels.append(line)
            host, port = line.split()[1].decode().rsplit(":", 1)
            with socket.create_connection((host, int(port))) as upstream:
                self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                ends = [self.request, upstream]
                while True:
                    ready, _, _ = select.select(ends, [], [], 10)
                    if not ready:
                        return
                    for end in ready:
                        data = end.recv(65536)
                        if not data:
                            return
                        (upstream if end is self.request else self.request).sendall(data)

    return Tunnel
