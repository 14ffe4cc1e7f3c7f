"""gongshi verify: compare what a published site serves (a URL or a folder) with the local build's SHA256SUMS."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from builder.errors import GongshiError
from builder.fetch import Fetched, Fetcher
from builder.i18n import _
from builder.manifest import Difference, Manifest, check_folder, path_key, read_manifest

#: Requests in flight at once.
WORKERS = 16
#: Bytes read of a file the local build no longer has (otherwise: its size, plus one byte).
DEFAULT_CAP = 64 << 20


class Unreachable(GongshiError):
    """The target could not be reached at all (exit status 2)."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(_("cannot reach {target}: {reason}").format(target=target, reason=reason))


class BadTarget(GongshiError):
    """The target is neither an http(s) URL nor a folder."""

    def __init__(self, target: str, reason: str) -> None:
        self.target = target
        self.reason = reason
        super().__init__(f"{target}: {reason}")


@dataclass
class VerifyReport:
    """What verify found."""

    target: str
    manifest: str
    files: int
    differences: list[Difference]
    seconds: float

    @property
    def status(self) -> int:
        """0 untouched; 1 something differs; 2 only unreachable files stand between us and an answer."""
        if not self.differences:
            return 0
        return 1 if any(d.kind != "unreachable" for d in self.differences) else 2

    def counts(self) -> dict[str, int]:
        """How many differences of each kind."""
        counts: dict[str, int] = {}
        for difference in self.differences:
            counts[difference.kind] = counts.get(difference.kind, 0) + 1
        return counts

    def as_dict(self) -> dict[str, object]:
        """Return the report as a JSON-ready mapping."""
        return {"target": self.target, "manifest": self.manifest, "files": self.files,
                "untouched": self.status == 0, "status": self.status, "counts": self.counts(),
                "differences": [d.as_dict() for d in self.differences], "seconds": round(self.seconds, 3)}


def is_url(target: str) -> bool:
    """True when the target names a URL rather than a folder."""
    return "://" in target


def verify(target: str, build_dir: Path, workers: int = WORKERS) -> VerifyReport:
    """Compare every file of the build's SHA256SUMS (and SHA256SUMS itself) with what target serves."""
    started = time.perf_counter()
    manifest = read_manifest(build_dir)
    if is_url(target):
        differences = verify_url(target, build_dir, manifest, workers)
    else:
        differences = verify_folder(Path(target), manifest)
    return VerifyReport(target, manifest.where, len(manifest.expected()), differences,
                        time.perf_counter() - started)


def verify_folder(root: Path, manifest: Manifest) -> list[Difference]:
    """Differences between a folder and the manifest, files the manifest does not list included."""
    if not root.is_dir():
        raise Unreachable(str(root), _("no such folder") if not root.exists() else _("not a folder"))
    try:
        return check_folder(root, manifest)
    except OSError as exc:
        raise Unreachable(str(exc.filename or root), _("cannot read: {reason}").format(reason=exc.strerror)) from None


def _cap(build_dir: Path, path: str) -> int:
    """How many bytes of a served file to read: the build's size of it (one more proves it longer)."""
    try:
        return os.stat(os.path.join(build_dir, path)).st_size
    except OSError:
        return DEFAULT_CAP


def judge(path: str, digest: str, fetched: Fetched, url: str, cap: int) -> Difference | None:
    """The difference one answer shows, or None when it serves the build's bytes."""
    if fetched.status == 200:
        if fetched.too_large:
            return Difference(path, "changed", _("longer than the build's {cap} bytes").format(cap=cap))
        if fetched.digest == digest:
            return None
        detail = (_("served with Content-Encoding: {encoding}").format(encoding=fetched.encoding)
                  if fetched.encoding else "")
        return Difference(path, "changed", detail)
    if fetched.status == 0:
        return Difference(path, "unreachable", fetched.error)
    if fetched.status in (404, 410):
        return Difference(path, "missing", f"HTTP {fetched.status}")
    if 300 <= fetched.status < 400:
        location = urljoin(url, fetched.location) if fetched.location else ""
        elsewhere = bool(location) and urlsplit(location).netloc != urlsplit(url).netloc
        detail = (_("HTTP {status} to {location} (another host; not followed)") if elsewhere else
                  _("HTTP {status} to {location}; not followed"))
        return Difference(path, "redirect", detail.format(status=fetched.status,
                                                          location=location or _("no Location")))
    return Difference(path, "status", f"HTTP {fetched.status}")


def verify_url(target: str, build_dir: Path, manifest: Manifest, workers: int = WORKERS) -> list[Difference]:
    """Fetch every file of the manifest under the URL concurrently and hash it; redirects are not followed."""
    base = target if target.endswith("/") else target + "/"
    try:
        fetcher = Fetcher(base)
    except ValueError as exc:
        raise BadTarget(target, str(exc)) from None
    expected = manifest.expected()
    caps = {path: _cap(build_dir, path) for path in expected}
    first = "index.html" if "index.html" in expected else next(iter(expected))
    try:
        probe = fetcher.get(first, caps[first])
        if probe.status == 0:
            raise Unreachable(base, probe.error)
        results = {first: probe}
        rest = [path for path in expected if path != first]
        with ThreadPoolExecutor(max(1, workers)) as pool:
            results.update(zip(rest, pool.map(lambda p: fetcher.get(p, caps[p]), rest), strict=True))
    finally:
        fetcher.close()
    differences = [judge(p, expected[p], results[p], fetcher.url(p), caps[p]) for p in expected]
    return sorted((d for d in differences if d is not None), key=lambda d: (path_key(d.path), d.kind))
