"""gongshi publish: copy a checked build into DEST/releases/, check it there, switch DEST/current; roll back."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from builder.i18n import _
from builder.localdest import LocalDest
from builder.manifest import Manifest, ManifestError, check_folder, compare, parse_manifest, read_manifest, summary
from builder.output import BUILD_MARKS
from builder.releases import PARTIAL, BuildRefused, Dest, PublishError, release_name
from builder.sshdest import SshDest, parse_remote

#: Releases kept by default (current included).
KEEP = 5
#: Files a build must have for publishing.
REQUIRED = ("index.html", *BUILD_MARKS)


@dataclass
class PublishReport:
    """What a publish did."""

    dest: str
    release: str
    previous: str | None
    files: int
    copied: int
    linked: int | None
    removed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class RollbackReport:
    """What a rollback did."""

    dest: str
    release: str
    was: str
    seconds: float = 0.0


def open_dest(dest: str) -> Dest:
    """A local folder, or `user@host:/path` (a colon before the first slash) over SSH."""
    remote = parse_remote(dest)
    if remote is not None:
        return SshDest(remote[0], remote[1], dest)
    return LocalDest(Path(dest))


def check_build(build: Path) -> Manifest:
    """The build's manifest, when the folder is a complete build whose files all match it; else BuildRefused."""
    if not build.is_dir():
        raise BuildRefused(str(build), _("no such folder: run gongshi build first"))
    try:
        manifest = read_manifest(build)
    except ManifestError as exc:
        raise BuildRefused(exc.path, exc.reason) from None
    absent = [name for name in REQUIRED if name not in manifest.entries]
    if absent:
        raise BuildRefused(manifest.where, _("lists no {names}: not a complete build").format(
            names=_(", no ").join(absent)))
    try:
        differences = check_folder(build, manifest)
    except OSError as exc:
        raise BuildRefused(str(exc.filename or build), _("cannot read: {reason}").format(reason=exc.strerror)) from None
    if differences:
        raise BuildRefused(str(build), _("{count} file(s) no longer match its SHA256SUMS ({summary}); build again "
                                         "with gongshi build").format(count=len(differences),
                                                                      summary=summary(differences)))
    return manifest


def _refuse_nesting(build: Path, dest: Dest) -> None:
    """Refuse a local DEST inside the build or a build inside DEST (a release could link to the build)."""
    if isinstance(dest, LocalDest):
        out, target = build.resolve(), dest.root.resolve()
        if out == target or target in out.parents or out in target.parents:
            raise BuildRefused(str(build), _("the output folder and DEST {dest} lie inside one another; publish to "
                                             "a folder outside the build").format(dest=dest.label))


def _fresh_name(releases: list[str], digest: str, now: Callable[[], dt.datetime]) -> str:
    """A release name that sorts after every release in DEST: now, or one second after the newest one.

    Releases are ordered by name, so two publishes within one second (or a clock behind the
    destination's newest release) must not produce a name that sorts before the current release.
    """
    when = now().astimezone(dt.UTC).replace(microsecond=0)
    if releases:
        newest = dt.datetime.strptime(releases[-1][:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
        when = max(when, newest + dt.timedelta(seconds=1))
    return release_name(when, digest)


def publish(dest_spec: str, build: Path, keep: int = KEEP,
            now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> PublishReport:
    """Copy the checked build into DEST/releases/<name>, check it there, switch current, keep the last `keep`."""
    started = time.perf_counter()
    manifest = check_build(build)
    dest = open_dest(dest_spec)
    _refuse_nesting(build, dest)
    with dest.lock(create=True):
        state = dest.state()
        if state.current_problem:
            raise PublishError(dest.label, state.current_problem)
        notes = dest.remove(state.partials)  # left by a publish that was killed
        name = _fresh_name(state.releases, manifest.digest, now)
        partial = PARTIAL + name
        previous = state.current if state.current in state.releases else None
        if previous is None and state.releases:
            previous = state.releases[-1]
        expected = manifest.expected()
        try:
            copied, linked = dest.upload(build, expected, partial, previous)
            found, odd = dest.hashes(partial)
            differences = compare(found, odd, manifest)
            if differences:
                raise PublishError(dest.label, _("the copy in releases/{partial} does not match SHA256SUMS "
                                                 "({summary})").format(partial=partial, summary=summary(differences)))
            dest.finish(partial, name)
        except BaseException:
            dest.remove([partial])
            raise
        dest.switch(name)
        releases = sorted({*state.releases, name})
        old = [r for r in releases[:-keep] if r != name] if keep > 0 else []
        notes += dest.remove(old)
    return PublishReport(dest.label, name, state.current, len(expected), copied, linked, old, notes,
                         time.perf_counter() - started)


def rollback(dest_spec: str) -> RollbackReport:
    """Point DEST/current at the release before it, once that release matches its own SHA256SUMS."""
    started = time.perf_counter()
    dest = open_dest(dest_spec)
    with dest.lock(create=False):
        state = dest.state()
        if state.current_problem:
            raise PublishError(dest.label, state.current_problem)
        if state.current is None:
            raise PublishError(dest.label, _("nothing to roll back: there is no current release"))
        if state.current not in state.releases:
            raise PublishError(dest.label, _("current points to releases/{release}, which does not exist").format(
                release=state.current))
        index = state.releases.index(state.current)
        if index == 0:
            raise PublishError(dest.label, _("no release before releases/{release} to roll back to").format(
                release=state.current))
        target = state.releases[index - 1]
        where = f"{dest.label}/releases/{target}/SHA256SUMS"
        try:
            manifest = parse_manifest(dest.read_manifest(target), where)
        except ManifestError as exc:
            raise PublishError(dest.label, _("cannot roll back to releases/{release}: {reason}").format(
                release=target, reason=exc)) from None
        found, odd = dest.hashes(target)
        differences = compare(found, odd, manifest)
        if differences:
            raise PublishError(dest.label, _("cannot roll back to releases/{release}: it no longer matches its own "
                                             "SHA256SUMS ({summary})").format(release=target,
                                                                               summary=summary(differences)))
        dest.switch(target)
    return RollbackReport(dest.label, target, state.current, time.perf_counter() - started)
