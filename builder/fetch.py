"""Fetching published files over HTTP(S) to hash them: kept-alive connections, the environment's proxy,
timeouts, retries, a cap on the body, and redirects reported, never followed."""

from __future__ import annotations

import base64
import hashlib
import http.client
import socket
import ssl
import threading
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from builder import __version__
from builder.i18n import _

#: Seconds to wait for a connection or for any read.
TIMEOUT_S = 10.0
#: Attempts after the first, for a failed connection or a 429/500/502/503/504 answer.
RETRIES = 2
#: Seconds before the first retry; doubled for each later one.
BACKOFF_S = 0.25
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK = 1 << 16
#: Bytes of a non-200 answer read to keep the connection alive; larger bodies close it.
DRAIN_LIMIT = 1 << 16


@dataclass(frozen=True)
class Fetched:
    """What the server answered for one file: the status and the body's SHA-256, or why there was no answer."""

    status: int  # 0: no HTTP answer at all
    digest: str = ""  # SHA-256 of the body (status 200, body within the cap)
    too_large: bool = False  # the body was longer than the cap (reading stopped there)
    location: str = ""  # the Location header of a redirect
    error: str = ""  # why there was no answer (status 0)
    encoding: str = ""  # a Content-Encoding other than identity


@dataclass(frozen=True)
class Origin:
    """Where requests go: the site's scheme, host and port, and the proxy in between, if any."""

    scheme: str
    host: str
    port: int
    proxy: tuple[str, int, str] | None  # host, port, Proxy-Authorization value ('' for none)

    @property
    def netloc(self) -> str:
        """`host` or `host:port` (the port only when it is not the scheme's default)."""
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def origin_of(url: str) -> Origin:
    """The origin of an http(s) URL with the proxy the environment names for it; ValueError when invalid."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(_("{url} is not an http:// or https:// URL with a host").format(url=url))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    proxy = None
    proxies = urllib.request.getproxies()
    chosen = proxies.get(parts.scheme)
    if chosen and not urllib.request.proxy_bypass(parts.hostname):
        proxy_parts = urlsplit(chosen if "://" in chosen else f"http://{chosen}")
        if not proxy_parts.hostname:
            raise ValueError(_("the {name} setting {value} names no host").format(name=f"{parts.scheme}_proxy",
                                                                                  value=repr(chosen)))
        auth = ""
        if proxy_parts.username is not None:
            pair = f"{unquote(proxy_parts.username)}:{unquote(proxy_parts.password or '')}"
            auth = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
        proxy = (proxy_parts.hostname, proxy_parts.port or 8080, auth)
    return Origin(parts.scheme, parts.hostname, port, proxy)


def describe(exc: BaseException, timeout: float) -> str:
    """A short reason for a failed request."""
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return _("no answer within {timeout:g} s").format(timeout=timeout)
    if isinstance(exc, socket.gaierror):
        return _("cannot resolve the host name ({reason})").format(reason=exc.strerror)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _("TLS certificate not accepted ({reason})").format(reason=exc.verify_message)
    if isinstance(exc, ConnectionRefusedError):
        return _("connection refused")
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class Fetcher:
    """GETs paths under one base URL from several threads, one kept-alive connection per thread."""

    def __init__(self, base_url: str, timeout: float | None = None, retries: int | None = None) -> None:
        """Prepare for base_url (which ends with `/`); ValueError when it is not an http(s) URL."""
        self.origin = origin_of(base_url)
        self.base_path = urlsplit(base_url).path or "/"
        self.timeout = TIMEOUT_S if timeout is None else timeout
        self.retries = RETRIES if retries is None else retries
        self._local = threading.local()
        self._open: set[http.client.HTTPConnection] = set()
        self._lock = threading.Lock()

    def _connect(self) -> http.client.HTTPConnection:
        """This thread's connection, opened when there is none."""
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        o = self.origin
        if o.scheme == "https":
            context = ssl.create_default_context()
            if o.proxy is None:
                conn = http.client.HTTPSConnection(o.host, o.port, timeout=self.timeout, context=context)
            else:
                conn = http.client.HTTPSConnection(o.proxy[0], o.proxy[1], timeout=self.timeout, context=context)
                conn.set_tunnel(o.host, o.port, headers={"Proxy-Authorization": o.proxy[2]} if o.proxy[2] else None)
        elif o.proxy is None:
            conn = http.client.HTTPConnection(o.host, o.port, timeout=self.timeout)
        else:
            conn = http.client.HTTPConnection(o.proxy[0], o.proxy[1], timeout=self.timeout)
        self._local.conn = conn
        with self._lock:
            self._open.add(conn)
        return conn

    def _drop(self) -> None:
        """Close this thread's connection (after an error, or when the server closes it)."""
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()
            with self._lock:
                self._open.discard(conn)

    def url(self, path: str) -> str:
        """The absolute URL of a file of the site."""
        return f"{self.origin.scheme}://{self.origin.netloc}{self._target_path(path)}"

    def _target_path(self, path: str) -> str:
        return self.base_path + quote(path.encode("utf-8", "surrogateescape"), safe="/")

    def get(self, path: str, cap: int) -> Fetched:
        """GET one file, reading at most cap + 1 bytes of its body; retries transient failures."""
        o = self.origin
        target = self._target_path(path)
        if o.proxy is not None and o.scheme == "http":
            target = self.url(path)  # a plain-HTTP proxy takes the absolute URL
        headers = {"Host": o.netloc, "User-Agent": f"gongshi-verify/{__version__}", "Accept": "*/*",
                   "Accept-Encoding": "identity", "Cache-Control": "no-cache", "Pragma": "no-cache"}
        if o.proxy is not None and o.scheme == "http" and o.proxy[2]:
            headers["Proxy-Authorization"] = o.proxy[2]
        attempt = 0
        while True:
            reused = getattr(self._local, "conn", None) is not None
            try:
                fetched = self._once(target, headers, cap)
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                if reused and isinstance(exc, (http.client.RemoteDisconnected, ConnectionResetError,
                                               BrokenPipeError)):
                    continue  # the server closed a kept-alive connection: reconnect, not a retry
                if attempt >= self.retries:
                    return Fetched(0, error=describe(exc, self.timeout))
            else:
                if fetched.status not in RETRY_STATUSES or attempt >= self.retries:
                    return fetched
            time.sleep(BACKOFF_S * 2 ** attempt)
            attempt += 1

    def _once(self, target: str, headers: dict[str, str], cap: int) -> Fetched:
        """One request on this thread's connection."""
        conn = self._connect()
        conn.request("GET", target, headers=headers)
        response = conn.getresponse()
        status = response.status
        encoding = (response.getheader("Content-Encoding") or "").strip().lower()
        encoding = "" if encoding in ("", "identity") else encoding
        if status != 200:
            location = response.getheader("Location") or ""
            body = response.read(DRAIN_LIMIT + 1)
            if len(body) > DRAIN_LIMIT or response.will_close:
                self._drop()
            return Fetched(status, location=location, encoding=encoding)
        digest = hashlib.sha256()
        deadline = time.monotonic() + max(self.timeout * 6, 60.0)
        seen = 0
        while seen <= cap:
            chunk = response.read(min(CHUNK, cap + 1 - seen))
            if not chunk:
                break
            seen += len(chunk)
            digest.update(chunk)
            if time.monotonic() > deadline:
                raise TimeoutError(_("the body took too long"))
        if seen > cap:
            self._drop()  # stop reading: the rest of the body is not wanted
            return Fetched(status, too_large=True, encoding=encoding)
        if response.will_close:
            self._drop()
        return Fetched(status, digest.hexdigest(), encoding=encoding)

    def close(self) -> None:
        """Close every connection this fetcher opened."""
        with self._lock:
            for conn in self._open:
                conn.close()
            self._open.clear()
