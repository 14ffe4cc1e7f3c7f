"""`gongshi init`: a new site folder from the starter files shipped inside the package."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from builder.errors import GongshiError
from builder.i18n import _

STARTER = "starter_site"
TEXT_SUFFIXES = (".md", ".yaml")
RENAMES = {"gitignore": ".gitignore"}  # a dot file would be left out of the package by some tools


class ScaffoldError(GongshiError):
    """The new site cannot be created; nothing was written."""


def starter_root() -> Traversable:
    """The starter site inside the installed package."""
    return files("builder") / STARTER


def _walk(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found: list[tuple[str, Traversable]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith((".", "__pycache__")):
            continue
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            found += _walk(entry, relative + "/")
        else:
            found.append((relative, entry))
    return found


def dates(today: dt.date) -> dict[str, str]:
    """The example's dates: last month's disclosure, published on the first of this month (never after today)."""
    published = today.replace(day=1)
    last_month = published - dt.timedelta(days=1)
    period = f"{last_month.year:04d}-{last_month.month:02d}"
    return {"__PERIOD__": period, "__PUBLISHED__": published.isoformat(), "__DAY_A__": f"{period}-03",
            "__DAY_B__": f"{period}-15", "__DAY_C__": f"{period}-20"}


def _fill(text: str, tokens: dict[str, str]) -> str:
    for token, value in tokens.items():
        text = text.replace(token, value)
    return text


def starter_files(today: dt.date) -> list[tuple[str, bytes]]:
    """(path inside the new site, bytes) of every starter file, with the example's dates filled in."""
    tokens = dates(today)
    result = []
    for relative, entry in _walk(starter_root()):
        parts = relative.split("/")
        parts[-1] = RENAMES.get(parts[-1], parts[-1])
        data = entry.read_bytes()
        if relative.endswith(TEXT_SUFFIXES):
            data = _fill(data.decode("utf-8"), tokens).encode("utf-8")
        result.append((_fill("/".join(parts), tokens), data))
    return result


def _refusal(target: Path) -> str | None:
    if target.exists() and not target.is_dir():
        return _("{folder} exists and is not a folder").format(folder=target)
    if target.is_dir():
        entries = sorted(p.name for p in target.iterdir())
        if entries:
            shown = _(", ").join(entries[:5]) + (" …" if len(entries) > 5 else "")
            return _("{folder} is not empty ({entries}); gongshi init only writes into a new or empty folder, so "
                     "that nothing of yours is overwritten").format(folder=target, entries=shown)
    return None


def init_site(target: Path, today: dt.date) -> list[str]:
    """Write a new site into `target` (new or empty); return the paths written. Refuses anything else."""
    try:
        refusal = _refusal(target)
    except OSError as exc:
        raise ScaffoldError(_("cannot use {folder}: {reason}").format(folder=target, reason=exc.strerror)) from None
    if refusal:
        raise ScaffoldError(refusal)
    created = not target.exists()
    written: list[Path] = []
    starter = starter_files(today)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for relative, data in starter:
            path = target.joinpath(*relative.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as handle:
                written.append(path)
                handle.write(data)
    except OSError as exc:
        _undo(target, written, created)
        raise ScaffoldError(_("cannot write {path}: {reason}; nothing was left behind").format(
            path=exc.filename or target, reason=exc.strerror)) \
            from None
    return [relative for relative, _ in starter]


def _undo(target: Path, written: list[Path], created: bool) -> None:
    """Remove what a failed init wrote (the whole folder when init created it)."""
    if created:
        shutil.rmtree(target, ignore_errors=True)
        return
    for path in reversed(written):
        path.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in written}, key=lambda p: len(p.parts), reverse=True):
        if folder != target:
            with contextlib.suppress(OSError):  # a folder that was there before, or not empty
                folder.rmdir()
