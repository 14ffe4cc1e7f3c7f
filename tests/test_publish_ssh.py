"""gongshi publish to user@host:/path through a real sshd on 127.0.0.1 and rsync: releases, hard links made by
--link-dest, the check on the server, rollback, and a failed or killed copy that leaves current as it was."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import REPO, fixed_env, run_cli
from publishing import changed_build, copy_build, current_of, inodes, no_proxy_env, padded_build, releases_of
from sshserver import ALIAS, SshServer, require_ssh_tools


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """One sshd for this module's tests."""
    require_ssh_tools()
    server = SshServer(tmp_path_factory.mktemp("sshd"))
    server.start()
    yield server
    server.stop()


def publish(server: SshServer, *args: str | Path, ssh: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `gongshi publish ARGS` with GONGSHI_SSH set for the test server."""
    env = no_proxy_env(fixed_env(GONGSHI_SSH=ssh or server.ssh_command))
    return run_cli("publish", *args, env=env)


def verify_folder(folder: Path, build: Path) -> subprocess.CompletedProcess[str]:
    """Run `gongshi verify FOLDER --output BUILD`."""
    return run_cli("verify", folder, "--output", build, env=no_proxy_env(fixed_env()))


def test_publish_over_ssh_twice_then_roll_back(sshd: SshServer, sample_output: Path, tmp_path: Path) -> None:
    build_a = copy_build(sample_output, tmp_path / "a")
    build_b = changed_build(sample_output, tmp_path / "b")
    dest = tmp_path / "remote dest"  # a space: quoted through ssh and rsync
    target = f"{sshd.user}@{ALIAS}:{dest}"
    first = publish(sshd, target, "--output", build_a)
    assert first.returncode == 0, first.stderr
    a = current_of(dest)
    assert first.stdout.startswith(f"Published {build_a} to {target} as {a} (")
    second = publish(sshd, target, "--output", build_b)
    assert second.returncode == 0, second.stderr
    b = current_of(dest)
    files = len((build_b / "SHA256SUMS").read_text("utf-8").splitlines()) + 1
    assert f"({files} files: 2 copied, {files - 2} hard-linked from the previous release; checked there)" \
        in second.stdout
    assert [f"releases/{r}" for r in releases_of(dest)] == [a, b]

    old, new = inodes(dest / a), inodes(dest / b)
    assert {p for p in new if new[p] != old[p]} == {"data/index.html", "SHA256SUMS"}  # rsync --link-dest
    assert not (set(inodes(build_b).values()) & set(new.values()))
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in (dest / b).rglob("*") if p.is_file())
    assert verify_folder(dest / "current", build_b).returncode == 0

    back = publish(sshd, f"{ALIAS}:{dest}", "--rollback")
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == f"Rolled back {ALIAS}:{dest}: current → {a} (was {b})."
    assert current_of(dest) == a and verify_folder(dest / "current", build_a).returncode == 0


def test_a_failed_copy_over_ssh_leaves_current(sshd: SshServer, sample_output: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    target = f"{ALIAS}:{dest}"
    assert publish(sshd, target, "--output", sample_output).returncode == 0
    live = current_of(dest)
    # an ssh that drops the connection rsync opens (as a network failure would), and only that one
    dropping = tmp_path / "dropping-ssh"
    dropping.write_text(f'#!/bin/sh\ncase "$*" in *"rsync --server"*) echo "connection lost" >&2; exit 255;; esac\n'
                        f'exec {sshd.ssh_command} "$@"\n', "utf-8")
    dropping.chmod(0o755)
    newer = changed_build(sample_output, tmp_path / "newer")
    done = publish(sshd, target, "--output", newer, ssh=str(dropping))
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"Error: {target}: rsync failed (exit ")
    assert done.stderr.strip().endswith(f"; {target}/current was left as it was.")
    assert current_of(dest) == live and releases_of(dest) == [live[9:]]  # the partial copy was removed


def test_an_unreachable_host_or_bad_path_is_reported(sshd: SshServer, sample_output: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    done = publish(sshd, f"{ALIAS}:{blocker}/dest", "--output", sample_output)
    assert done.returncode == 2 and "taking the lock failed on gongshi-test-sshd (ssh exit 1)" in done.stderr
    done = publish(sshd, f"nobody@{ALIAS}:{tmp_path}/dest", "--output", sample_output)
    assert done.returncode == 2 and "(ssh exit 255)" in done.stderr and not (tmp_path / "dest").exists()
    done = publish(sshd, f"{ALIAS}:{tmp_path}/dest", "--rollback")
    assert done.returncode == 2 and not (tmp_path / "dest").exists()
    assert "taking the lock failed on gongshi-test-sshd (ssh exit 4): no such folder: nothing has been " \
           "published there" in done.stderr


def test_a_killed_publish_over_ssh_leaves_current(sshd: SshServer, sample_output: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    target = f"{ALIAS}:{dest}"
    assert publish(sshd, target, "--output", sample_output).returncode == 0
    live = current_of(dest)
    big = padded_build(sample_output, tmp_path / "big", files=3000)
    env = no_proxy_env(fixed_env(GONGSHI_SSH=sshd.ssh_command))
    # its own session, so that the kill reaches gongshi, rsync and ssh (like Ctrl-C or a killed cron job)
    proc = subprocess.Popen([sys.executable, "-m", "builder", "publish", target, "--output", str(big)], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    killed = False
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline:
        partial = [p for p in (dest / "releases").iterdir() if p.name.startswith(".partial-")]
        if partial and (partial[0] / "data" / "pad").is_dir():
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.005)
    proc.wait(timeout=60)
    assert killed, "the publish ended before it could be killed while copying"
    assert current_of(dest) == live
    assert verify_folder(dest / "current", sample_output).returncode == 0
    again = publish(sshd, target, "--output", big)
    assert again.returncode == 0, again.stderr
    assert not [p for p in (dest / "releases").iterdir() if p.name.startswith(".partial-")]
    assert verify_folder(dest / "current", big).returncode == 0


def test_a_publish_over_ssh_while_another_holds_the_lock_is_refused(sshd: SshServer, sample_output: Path,
                                                                    tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    target = f"{ALIAS}:{dest}"
    assert publish(sshd, target, "--output", sample_output).returncode == 0
    live = current_of(dest)
    newer = changed_build(sample_output, tmp_path / "newer")
    with open(dest / ".gongshi-publish.lock", "rb") as held:  # the server is this machine
        fcntl.flock(held, fcntl.LOCK_EX)
        done = publish(sshd, target, "--output", newer)
        back = publish(sshd, target, "--rollback")
    for refused in (done, back):
        assert refused.returncode == 2
        assert refused.stderr.strip() == (f"Error: {target}: another gongshi publish or rollback is running there; "
                                          f"{target}/current was left as it was.")
    assert current_of(dest) == live and len(releases_of(dest)) == 1
    # the lock went with the publishes that held it: nothing stale is left on the server
    assert publish(sshd, target, "--output", newer).returncode == 0 and current_of(dest) != live
