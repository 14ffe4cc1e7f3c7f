"""nginx serving a folder under a sub-path on 127.0.0.1, for the browser and publishing tests.

Locally a missing nginx skips the tests that need it; in CI (``CI=true``) it fails them, since
``./scripts/setup --test`` must have installed it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

#: The sub-path the site is served under, as on a real host.
SUB_PATH = "/gongshi/"
#: The only host a page may send requests to.
LOCAL_HOST = "127.0.0.1"
IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
NGINX_START_TIMEOUT_S = 15.0

MIME_FALLBACK = """
    types {
        text/html html htm; text/css css; application/javascript js mjs; application/json json;
        application/wasm wasm; image/svg+xml svg; image/png png; image/jpeg jpg jpeg; image/gif gif;
        image/x-icon ico; image/webp webp; font/woff2 woff2; font/woff woff; text/plain txt;
        text/csv csv; application/xml xml; application/atom+xml atom;
    }
"""


def missing_tool(what: str) -> None:
    """Skip when a tool is absent locally; fail in CI, where setup must have installed it."""
    hint = "./scripts/setup --test installs it"
    if IN_CI:
        pytest.fail(f"{what} is missing in CI ({hint})", pytrace=False)
    pytest.skip(f"{what} is not installed ({hint})")


def find_nginx() -> str | None:
    """Path of the nginx binary, or None."""
    found = shutil.which("nginx")
    if found:
        return found
    for candidate in ("/usr/sbin/nginx", "/usr/local/sbin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOCAL_HOST, 0))
        return int(s.getsockname()[1])


def nginx_conf(site: Path, run: Path, port: int, extra: str = "") -> str:
    """nginx.conf serving ``site`` at http://127.0.0.1:port/gongshi/ with every path under ``run``.

    ``extra`` is added to the ``server`` block (e.g. an ``add_header`` a host would send).
    """
    mime = '    include "/etc/nginx/mime.types";' if Path("/etc/nginx/mime.types").is_file() else MIME_FALLBACK
    # As root, nginx drops its workers to an unprivileged user, which cannot read pytest's 0700
    # temp folders: keep them as root (the master alone binds the port; nothing else changes).
    user = "user root root;" if os.geteuid() == 0 else ""
    tmp = run / "tmp"
    s = SUB_PATH.rstrip("/")
    return f"""
daemon off;
master_process on;
worker_processes 1;
{user}
pid "{run}/nginx.pid";
error_log "{run}/error.log" warn;
events {{ worker_connections 256; }}
http {{
{mime}
    default_type application/octet-stream;
    access_log "{run}/access.log";
    log_format bytes '$status $bytes_sent $request_uri';
    access_log "{run}/bytes.log" bytes;
    client_body_temp_path "{tmp}/body";
    proxy_temp_path "{tmp}/proxy";
    fastcgi_temp_path "{tmp}/fastcgi";
    uwsgi_temp_path "{tmp}/uwsgi";
    scgi_temp_path "{tmp}/scgi";
    sendfile on;
    server_tokens off;
    absolute_redirect off;
    server {{
        listen {LOCAL_HOST}:{port};
        server_name localhost;
        error_page 404 {SUB_PATH}404.html;
{extra}
        location = {s} {{ return 301 {SUB_PATH}; }}
        location {SUB_PATH} {{
            alias "{site}/";
            index index.html;
        }}
        location / {{ return 404; }}
    }}
}}
"""


def _answers(url: str) -> bool:
    """True once anything answers HTTP at url (any status)."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


def _log_tail(path: Path, lines: int = 40) -> str:
    """Last lines of a log file, or a note that it is absent."""
    if not path.is_file():
        return f"({path.name}: none)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class NginxServer:
    """One nginx process serving a folder under SUB_PATH on 127.0.0.1."""

    def __init__(self, nginx: str, site: Path, run: Path, extra: str = "", resolve: bool = True) -> None:
        """Prepare (does not start); ``extra`` is more configuration for the ``server`` block.

        ``resolve=False`` keeps a symbolic link in ``site`` as it is, so nginx follows it on every request
        (a published ``DEST/current`` that is switched while nginx runs).
        """
        self.nginx, self.run = nginx, Path(run)
        self.site = Path(site).resolve() if resolve else Path(site).absolute()
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/gongshi/``."""
        return f"http://{LOCAL_HOST}:{self.port}{SUB_PATH}"

    @property
    def access_log(self) -> Path:
        """The access log (one line per request)."""
        return self.run / "access.log"

    @property
    def bytes_log(self) -> Path:
        """One line per answer: ``status bytes_sent request_uri`` (bytes_sent counts headers and body)."""
        return self.run / "bytes.log"

    def start(self, attempts: int = 3) -> str:
        """Start nginx on a free port, wait until it answers, return the base URL."""
        for key in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.run / "tmp" / key).mkdir(parents=True, exist_ok=True)
        conf = self.run / "nginx.conf"
        last_error = ""
        for _ in range(attempts):
            self.port = free_port()
            conf.write_text(nginx_conf(self.site, self.run, self.port, self.extra), encoding="utf-8")
            with open(self.run / "stderr.log", "wb") as err:
                self.proc = subprocess.Popen(
                    [self.nginx, "-e", str(self.run / "error.log"), "-p", str(self.run), "-c", str(conf)],
                    stdin=subprocess.DEVNULL,
                    stdout=err,
                    stderr=err,
                )
            deadline = time.monotonic() + NGINX_START_TIMEOUT_S
            while time.monotonic() < deadline and self.proc.poll() is None:
                if _answers(self.base_url):
                    return self.base_url
                time.sleep(0.05)
            last_error = (
                f"exit code {self.proc.poll()}\n{_log_tail(self.run / 'stderr.log')}\n"
                f"{_log_tail(self.run / 'error.log')}"
            )
            self.stop()
            if "Address already in use" not in last_error:
                break
        raise RuntimeError(f"nginx did not start on {self.base_url}: {last_error}")

    def stop(self) -> None:
        """Graceful stop with SIGQUIT; SIGKILL if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGQUIT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
