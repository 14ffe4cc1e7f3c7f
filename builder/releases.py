"""The layout of a publishing destination: DEST/releases/<UTC time>-<short hash>/ and the DEST/current link."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from builder.errors import GongshiError
from builder.i18n import _

#: A release folder's name: when it was published (UTC) and the start of its SHA256SUMS's SHA-256.
RELEASE = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{12}$")
#: The prefix of a release still being copied and checked; it becomes a release when it passes.
PARTIAL = ".partial-"
CURRENT = "current"


class PublishError(GongshiError):
    """Copying, checking or switching a release failed; DEST/current was left as it was."""

    def __init__(self, dest: str, reason: str) -> None:
        self.dest = dest
        self.reason = reason
        super().__init__(f"{dest}: {reason}")


class BuildRefused(GongshiError):
    """The output folder is not a complete build, or its files no longer match its SHA256SUMS."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass
class DestState:
    """What a destination holds: its releases (oldest first), where current points, and leftovers."""

    releases: list[str] = field(default_factory=list)
    current: str | None = None
    current_problem: str = ""
    partials: list[str] = field(default_factory=list)


def release_name(when: dt.datetime, manifest_digest: str) -> str:
    """`20261120T103000Z-1a2b3c4d5e6f`: the UTC time and 12 hex digits of the SHA256SUMS's hash."""
    return f"{when.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{manifest_digest[:12]}"


def read_current(link: str) -> tuple[str | None, str]:
    """The release a `current` link target names, or None and what is wrong with it."""
    parts = link.split("/")
    if len(parts) == 2 and parts[0] == "releases" and RELEASE.match(parts[1]):
        return parts[1], ""
    return None, _("{current} points to {link}, not to a folder releases/<UTC time>-<hash>").format(
        current=CURRENT, link=repr(link))


def sort_entries(names: Iterator[str] | list[str]) -> tuple[list[str], list[str]]:
    """Split the names in DEST/releases into releases (sorted: oldest first) and partial copies."""
    names = list(names)
    return sorted(n for n in names if RELEASE.match(n)), sorted(n for n in names if n.startswith(PARTIAL))


class Dest(Protocol):
    """A publishing destination: a local folder or an SSH/rsync target."""

    label: str

    def lock(self, create: bool) -> AbstractContextManager[None]:
        """Hold the destination for one publish or rollback (creating DEST when create is true)."""

    def state(self) -> DestState:
        """Its releases, where current points, and partial copies left by an interrupted publish."""

    def upload(self, build: Path, expected: dict[str, str], partial: str,
               previous: str | None) -> tuple[int, int | None]:
        """Copy the build into releases/<partial>, hard-linking unchanged files from releases/<previous>.

        Returns (files copied, files hard-linked), the second None when not known.
        """

    def hashes(self, release: str) -> tuple[dict[str, str], list[str]]:
        """SHA-256 of every file of releases/<release>, computed there, and entries that are not files."""

    def read_manifest(self, release: str) -> bytes:
        """The bytes of releases/<release>/SHA256SUMS."""

    def finish(self, partial: str, name: str) -> None:
        """Rename releases/<partial> to releases/<name>."""

    def switch(self, name: str) -> None:
        """Point current at releases/<name> atomically (a new link renamed over the old one)."""

    def remove(self, names: list[str]) -> list[str]:
        """Remove these folders of releases/; return a note for each that could not be removed."""
