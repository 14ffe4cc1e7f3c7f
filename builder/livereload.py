"""The preview's HTTP server: the served generation under the site's sub-path, reload events, the overlay files.

HTML pages get one line added on the way out, `<script src="/__gongshi__/livereload.js" …>`: the script is a
file of the preview server, never written into the output, so a built site is what `gongshi build` writes and
the Content-Security-Policy of the README (which this server also sends) holds under the preview.
"""

from __future__ import annotations

import http.server
import mimetypes
import re
import socket
import socketserver
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from builder.previewstate import PreviewState, View

#: Where the preview's own files and the event stream live (outside any site's sub-path).
PREFIX = "/__gongshi__/"
ASSETS = Path(__file__).resolve().parent / "preview"
OWN_FILES = {"livereload.js": "text/javascript; charset=utf-8", "livereload.css": "text/css; charset=utf-8"}
#: The policy the README asks hosts to send; the preview sends it too, so a violation shows while editing.
CSP = ("default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
       "style-src 'self'; img-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
KEEP_ALIVE_S = 15.0
TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".css": "text/css",
         ".json": "application/json", ".svg": "image/svg+xml", ".xml": "application/xml", ".csv": "text/csv",
         ".html": "text/html", ".txt": "text/plain", ".atom": "application/atom+xml"}
HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
WAITING = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>预览 - gongshi</title>
<link rel="stylesheet" href="{prefix}livereload.css">
</head>
<body class="gongshi-waiting">
<main>
<h1>预览尚无可显示的页面</h1>
<p>{message}</p>
</main>
</body>
</html>
"""


def reload_tag(build_id: str) -> bytes:
    """The one line added to every served HTML page."""
    return f'<script src="{PREFIX}livereload.js" data-build="{build_id}" defer></script>\n'.encode("ascii")


def inject(html: bytes, build_id: str) -> bytes:
    """The page with the reload script added before </head> (or at the end when it has no head)."""
    tag = reload_tag(build_id)
    match = HEAD_END.search(html)
    return html[:match.start()] + tag + html[match.start():] if match else html + tag


def content_type(path: Path) -> str:
    """The Content-Type of a site file (text with charset=utf-8)."""
    kind = TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    text = kind.startswith("text/") or kind in ("application/json", "application/xml", "application/atom+xml")
    return f"{kind}; charset=utf-8" if text else kind


def safe_parts(path: str) -> list[str] | None:
    """The parts of a URL path below the site root, or None for a path trick (.., backslash, NUL)."""
    parts = [part for part in path.split("/") if part]
    if any(part in (".", "..") or "\\" in part or "\0" in part for part in parts):
        return None
    return parts


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threading HTTP server bound to the preview's state."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, host: str, port: int, state: PreviewState, reload: bool) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.state = state
        self.reload = reload
        super().__init__((host, port), PreviewHandler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS look-up of the host (slow or hanging on some networks)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serves the current generation, the reload events and the preview's own files."""

    server: PreviewServer
    server_version = "gongshi-preview"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's signature
        """Keep the terminal for build reports."""

    def do_GET(self) -> None:
        """Answer a GET request."""
        self._answer(head=False)

    def do_HEAD(self) -> None:
        """Answer a HEAD request."""
        self._answer(head=True)

    # ------------------------------------------------------------------ responses
    def _send(self, status: int, body: bytes, kind: str, head: bool, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": kind, "Content-Length": str(len(body)), "Cache-Control": "no-store",
                   "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", **(extra or {})}
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str, head: bool) -> None:
        """A temporary redirect (a browser keeps a permanent one even after the site's base path changes)."""
        self._send(302, b"", "text/plain; charset=utf-8", head, {"Location": quote(location, safe="/%?=&")})

    def _file(self, path: Path, status: int, build_id: str, head: bool) -> None:
        body = path.read_bytes()
        kind = content_type(path)
        if self.server.reload and kind.startswith("text/html"):
            body = inject(body, build_id)
        self._send(status, body, kind, head)

    def _waiting(self, head: bool) -> None:
        state = self.server.state
        message = ("构建完成后，本页会自动刷新。" if self.server.reload else "构建完成后，请手动刷新本页。")
        if state.status.problems:
            shown = "和本页上方的提示" if self.server.reload else ""
            message = f"构建发现问题（见终端{shown}），修正后即可预览。"
        body = WAITING.format(prefix=PREFIX, message=message).encode("utf-8")
        if self.server.reload:
            body = inject(body, "")
        self._send(503, body, "text/html; charset=utf-8", head, {"Retry-After": "1"})

    def _events(self) -> None:
        """A server-sent event stream: the status now, then every change (a comment every 15 s keeps it open)."""
        state = self.server.state
        self.send_response(200)
        for name, value in (("Content-Type", "text/event-stream; charset=utf-8"), ("Cache-Control", "no-store"),
                            ("Content-Security-Policy", CSP)):
            self.send_header(name, value)
        self.end_headers()
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                seen, status = state.wait(seen, KEEP_ALIVE_S)
                if state.stopping:
                    break
                self.wfile.write(b": keep-alive\n\n" if status is None else f"data: {status.as_json()}\n\n".encode())
                self.wfile.flush()
        except OSError:  # the page was closed or reloaded
            return

    def _own(self, name: str, head: bool) -> None:
        if name == "events" and not head:
            self._events()
        elif name in OWN_FILES:
            self._send(200, (ASSETS / name).read_bytes(), OWN_FILES[name], head)
        else:
            self._send(404, "未找到\n".encode(), "text/plain; charset=utf-8", head)

    def _answer(self, head: bool) -> None:
        url = urlsplit(self.path)
        try:
            path = unquote(url.path, errors="strict")
        except UnicodeDecodeError:
            self._send(400, b"bad path\n", "text/plain; charset=utf-8", head)
            return
        if path.startswith(PREFIX):
            self._own(path[len(PREFIX):], head)
            return
        view = self.server.state.acquire()
        try:
            self._site(view, path, url.query, head)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            self.server.state.release(view)

    def _site(self, view: View, path: str, query: str, head: bool) -> None:
        pages = view.pages
        if pages is None:
            self._waiting(head)
            return
        base = pages.base_path
        suffix = f"?{query}" if query else ""
        if path + "/" == base:
            self._redirect(base + suffix, head)
            return
        if not path.startswith(base):  # e.g. / or a link written for the host's root
            self._redirect(base + path.lstrip("/") + suffix, head)
            return
        parts = safe_parts(path[len(base):])
        if parts is None:
            self._send(400, b"bad path\n", "text/plain; charset=utf-8", head)
            return
        roots = [gen for gen in view.search] if parts[:1] == ["pagefind"] else [pages]
        for gen in roots:
            target = gen.path.joinpath(*parts)
            if target.is_dir():
                if not path.endswith("/"):
                    self._redirect(path + "/" + suffix, head)
                    return
                target = target / "index.html"
            if target.is_file():
                self._file(target, 200, pages.build_id, head)
                return
        missing = pages.path / "404.html"
        if missing.is_file():
            self._file(missing, 404, pages.build_id, head)
        else:
            self._send(404, "未找到\n".encode(), "text/plain; charset=utf-8", head)
