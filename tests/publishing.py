"""Helpers for the verify and publish tests: builds to publish, and what a destination holds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from builder.manifest import write_manifest

#: Environment entries that would send a test's requests to a proxy.
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy",
                   "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


def no_proxy_env(env: dict[str, str]) -> dict[str, str]:
    """env without any proxy setting (a CI machine's proxy must not stand between a test and 127.0.0.1)."""
    return {k: v for k, v in env.items() if k not in PROXY_VARIABLES}


def copy_build(source: Path, target: Path) -> Path:
    """A copy of a build that a test may change."""
    shutil.copytree(source, target)
    return target


def changed_build(source: Path, target: Path, route: str = "data/index.html",
                  text: str = "<!-- 第二次发布 -->") -> Path:
    """A copy of a build with one file changed and SHA256SUMS written again: a newer build to publish."""
    copy_build(source, target)
    with (target / route).open("a", encoding="utf-8") as handle:
        handle.write(text)
    write_manifest(target)
    return target


def padded_build(source: Path, target: Path, files: int) -> Path:
    """A copy of a build with many more small files (a publish that takes long enough to be killed)."""
    copy_build(source, target)
    pad = target / "data" / "pad"
    pad.mkdir()
    for number in range(files):
        (pad / f"{number:05d}.txt").write_text(f"填充文件 {number}\n" * 20, "utf-8")
    write_manifest(target)
    return target


def current_of(dest: Path) -> str:
    """Where DEST/current points (`releases/<name>`)."""
    return os.readlink(dest / "current")


def releases_of(dest: Path) -> list[str]:
    """The names in DEST/releases/, sorted (partial copies included)."""
    return sorted(p.name for p in (dest / "releases").iterdir())


def inodes(root: Path) -> dict[str, tuple[int, int]]:
    """(device, inode) of every file under root, by relative path."""
    found = {}
    for path in root.rglob("*"):
        if path.is_file():
            info = path.stat()
            found[path.relative_to(root).as_posix()] = (info.st_dev, info.st_ino)
    return found
