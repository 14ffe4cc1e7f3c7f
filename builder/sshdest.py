"""Publishing to `user@host:/path` over SSH: rsync --link-dest copies, checks and switches run on the server."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from builder.i18n import _
from builder.releases import CURRENT, DestState, PublishError, read_current, sort_entries

#: The environment variable holding the ssh command (e.g. `ssh -p 2222 -i ~/.ssh/deploy`); default `ssh`.
SSH_ENV = "GONGSHI_SSH"
#: Added after the user's ssh command, so the user's own options win: never prompt, never hang.
SSH_DEFAULTS = ["-o", "BatchMode=yes", "-o", "ConnectTimeout=20", "-o", "ServerAliveInterval=15",
                "-o", "ServerAliveCountMax=4"]
REMOTE = re.compile(r"^(?P<host>(?:[^@/:\s]+@)?(?:[^@/:\s\[\]]+|\[[0-9A-Fa-f:.]+\])):(?P<path>.*)$")

#: Exit status of LOCK when another publish holds the lock.
LOCK_HELD = 5
#: Takes the lock (creating DEST when $2 is `create`), says so, then holds it until its input closes.
LOCK = r"""set -eu
if [ "$2" = create ]; then mkdir -p -- "$1/releases"
elif [ ! -d "$1" ]; then echo "no such folder: nothing has been published there" >&2; exit 4; fi
exec 9>>"$1/.gongshi-publish.lock"
flock -n 9 || exit 5
echo locked
exec cat >/dev/null
"""
STATE = r"""set -eu
if [ "$2" = create ]; then mkdir -p -- "$1/releases"
elif [ ! -d "$1" ]; then echo "no such folder: nothing has been published there" >&2; exit 4; fi
cd -- "$1"
if [ -L current ]; then printf 'current %s\n' "$(readlink current)"
elif [ -e current ]; then echo 'current-not-a-link'; fi
for d in releases/* releases/.partial-*; do
  if [ -d "$d" ] && [ ! -L "$d" ]; then printf 'dir %s\n' "${d#releases/}"; fi
done
"""
HASHES = r"""set -eu
cd -- "$1/releases/$2"
find . -type f -print0 | xargs -0r sha256sum -z --
find . ! -type d ! -type f -printf 'odd %p\0'
"""
READ = r"""cat -- "$1/releases/$2/SHA256SUMS" """
FINISH = r"""set -eu
cd -- "$1/releases"
if [ -e "$3" ]; then echo "releases/$3 already exists" >&2; exit 3; fi
mv -T -- "$2" "$3"
"""
SWITCH = r"""set -eu
cd -- "$1"
tmp=".current-$$"
ln -s -- "releases/$2" "$tmp"
mv -T -- "$tmp" current || { rm -f -- "$tmp"; exit 1; }
"""
REMOVE = r"""set -eu
cd -- "$1/releases"
shift
rm -rf -- "$@"
"""
_STATS = re.compile(r"Number of regular files transferred: ([\d,.]+)")


def parse_remote(dest: str) -> tuple[str, str] | None:
    """(`user@host`, path) for an rsync-style `user@host:/path` (a colon before any slash), else None."""
    match = REMOTE.match(dest)
    if match is None or not match.group("path"):
        return None
    return match.group("host"), match.group("path").rstrip("/") or "/"


def ssh_command() -> list[str]:
    """The ssh program and its options: $GONGSHI_SSH (default `ssh`), then ours."""
    return shlex.split(os.environ.get(SSH_ENV) or "ssh") + SSH_DEFAULTS


class SshDest:
    """DEST as `user@host:/path`: ssh and rsync here; sh, rsync, flock and GNU coreutils/findutils there."""

    def __init__(self, host: str, path: str, label: str) -> None:
        """A remote destination (created by the first publish)."""
        self.host, self.path, self.label = host, path, label
        self.create = True

    def _run(self, what: str, script: str, *args: str) -> bytes:
        """Run a shell script on the server with the destination path as $1; return its output."""
        command = shlex.join(["sh", "-c", script, "gongshi", self.path, *args])
        try:
            done = subprocess.run([*ssh_command(), self.host, "--", command], stdin=subprocess.DEVNULL,
                                  capture_output=True, check=False)
        except OSError as exc:
            raise PublishError(self.label, _("cannot run {program}: {reason}").format(program="ssh",
                                                                                     reason=exc.strerror)) from None
        if done.returncode != 0:
            raise PublishError(self.label, _("{what} failed on {host} (ssh exit {status}): {detail}").format(
                what=what, host=self.host, status=done.returncode, detail=_last_line(done.stderr)))
        return done.stdout

    @contextmanager
    def lock(self, create: bool) -> Iterator[None]:
        """Hold an flock on DEST/.gongshi-publish.lock on the server for as long as this lasts.

        One ssh session keeps the lock: when it ends (or this process is killed and ssh with it), the
        server's side sees its input close and the lock goes with it, so a killed publish never leaves a
        stale lock behind.
        """
        self.create = create
        command = shlex.join(["sh", "-c", LOCK, "gongshi", self.path, "create" if create else ""])
        try:
            holder = subprocess.Popen([*ssh_command(), self.host, "--", command], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as exc:
            raise PublishError(self.label, _("cannot run {program}: {reason}").format(program="ssh",
                                                                                     reason=exc.strerror)) from None
        assert holder.stdin is not None and holder.stdout is not None and holder.stderr is not None
        try:
            if holder.stdout.readline() != b"locked\n":
                holder.stdin.close()
                code, err = holder.wait(), holder.stderr.read()
                if code == LOCK_HELD:
                    raise PublishError(self.label, _("another gongshi publish or rollback is running there"))
                raise PublishError(self.label, _("{what} failed on {host} (ssh exit {status}): {detail}").format(
                    what=_("taking the lock"), host=self.host, status=code, detail=_last_line(err)))
            yield
        finally:
            if holder.stdin and not holder.stdin.closed:
                holder.stdin.close()
            try:
                holder.wait(timeout=60)
            except subprocess.TimeoutExpired:
                holder.kill()
                holder.wait()
            holder.stdout.close()
            holder.stderr.close()

    def state(self) -> DestState:
        """Releases, current and partial copies, listed on the server."""
        state = DestState()
        names = []
        listing = self._run(_("listing the releases"), STATE, "create" if self.create else "")
        for line in listing.decode("utf-8", "surrogateescape").splitlines():
            kind, _sep, value = line.partition(" ")
            if kind == "current":
                state.current, state.current_problem = read_current(value)
            elif kind == "current-not-a-link":
                state.current_problem = _("{current} exists and is not a symbolic link: move it away first").format(
                    current=CURRENT)
            elif kind == "dir":
                names.append(value)
        state.releases, state.partials = sort_entries(names)
        return state

    def upload(self, build: Path, expected: dict[str, str], partial: str,
               previous: str | None) -> tuple[int, int | None]:
        """rsync the build into releases/<partial>; --link-dest hard-links files identical to the previous one."""
        command = ["rsync", "--recursive", "--checksum", "--perms", "--chmod=D0755,F0644", "--stats",
                   "--rsh", shlex.join(ssh_command())]
        if previous is not None:
            command.append(f"--link-dest=../{previous}")
        command += [f"{build}/", f"{self.host}:{self.path}/releases/{partial}/"]
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=False)
        except OSError as exc:
            raise PublishError(self.label, _("cannot run {program}: {reason}").format(program="rsync",
                                                                                     reason=exc.strerror)) from None
        if done.returncode != 0:
            raise PublishError(self.label, _("rsync failed (exit {status}): {detail}").format(
                status=done.returncode, detail=_last_line(done.stderr)))
        match = _STATS.search(done.stdout.decode("utf-8", "replace"))
        if match is None:
            return len(expected), None
        copied = int(re.sub(r"\D", "", match.group(1)))
        return copied, len(expected) - copied if previous is not None else 0

    def hashes(self, release: str) -> tuple[dict[str, str], list[str]]:
        """sha256sum every file of the release on the server."""
        found: dict[str, str] = {}
        odd: list[str] = []
        for record in self._run(_("hashing the release"), HASHES, release).split(b"\0"):
            text = record.decode("utf-8", "surrogateescape")
            if text.startswith("odd ./"):
                odd.append(text[6:])
            elif re.match(r"^[0-9a-f]{64}  \./", text):
                found[text[68:]] = text[:64]
            elif text:
                raise PublishError(self.label, _("unexpected sha256sum output on {host}: {text}").format(
                    host=self.host, text=repr(text[:80])))
        return found, odd

    def read_manifest(self, release: str) -> bytes:
        """releases/<release>/SHA256SUMS, read over ssh."""
        return self._run(_("reading SHA256SUMS"), READ, release)

    def finish(self, partial: str, name: str) -> None:
        """Rename the checked copy on the server."""
        self._run(_("renaming the checked copy"), FINISH, partial, name)

    def switch(self, name: str) -> None:
        """ln -s to a new name, then mv -T over current (rename(2): atomic)."""
        self._run(_("pointing {current} at releases/{name}").format(current=CURRENT, name=name), SWITCH, name)

    def remove(self, names: list[str]) -> list[str]:
        """rm -rf the named release folders on the server."""
        if not names:
            return []
        try:
            self._run(_("removing old releases"), REMOVE, *names)
        except PublishError as exc:
            return [exc.reason]
        return []


def _last_line(stderr: bytes) -> str:
    """The last non-empty line a command printed on stderr."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1] if lines else _("no message")
