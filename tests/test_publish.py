"""gongshi publish into a local folder: releases, hard links, the atomic switch, --keep, --rollback, refusals,
and a failed or killed publish that leaves DEST/current as it was."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import builder.cli
import builder.localdest
from builder.manifest import read_manifest, write_manifest
from builder.publish import publish as publish_build
from helpers import REPO, fixed_env, run_cli
from publishing import changed_build, copy_build, current_of, inodes, no_proxy_env, padded_build, releases_of

ENV = no_proxy_env(fixed_env())


def publish(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `gongshi publish ARGS`."""
    return run_cli("publish", *args, env=ENV)


def sha256sum_check(folder: Path) -> None:
    """GNU sha256sum agrees that the folder matches its SHA256SUMS."""
    done = subprocess.run(["sha256sum", "-c", "--strict", "--quiet", "SHA256SUMS"], cwd=folder, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture
def build_a(sample_output: Path, tmp_path: Path) -> Path:
    """A copy of the sample build."""
    return copy_build(sample_output, tmp_path / "build-a")


@pytest.fixture
def build_b(sample_output: Path, tmp_path: Path) -> Path:
    """The sample build with data/index.html changed: a newer build."""
    return changed_build(sample_output, tmp_path / "build-b")


def test_publish_twice_hard_links_unchanged_files_from_the_previous_release_only(
        build_a: Path, build_b: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    first = publish(dest, "--output", build_a)
    assert first.returncode == 0, first.stderr
    a = current_of(dest)
    files = len(read_manifest(build_a).expected())
    assert f"({files} files: {files} copied, 0 hard-linked from the previous release; checked there)" in first.stdout
    second = publish(dest, "--output", build_b)
    assert second.returncode == 0, second.stderr
    b = current_of(dest)
    assert a != b and [f"releases/{r}" for r in releases_of(dest)] == [a, b]
    assert f"({files} files: 2 copied, {files - 2} hard-linked from the previous release; checked there)" \
        in second.stdout and second.stdout.rstrip().endswith(f"current → {b} (was {a}).")
    assert os.path.islink(dest / "current") and not os.path.isabs(os.readlink(dest / "current"))

    old, new = inodes(dest / a), inodes(dest / b)
    assert {p for p in new if new[p] != old[p]} == {"data/index.html", "SHA256SUMS"}
    built = set(inodes(build_a).values()) | set(inodes(build_b).values())
    assert not built & (set(old.values()) | set(new.values())), "a release shares a file with the build output"
    assert all(p.stat().st_nlink == 1 for p in build_b.rglob("*") if p.is_file())
    for path in (dest / b).rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
    sha256sum_check(dest / "current")


def test_rollback_switches_back_and_stops_at_the_first_release(build_a: Path, build_b: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    assert publish(dest, "--output", build_a).returncode == 0
    a = current_of(dest)
    assert publish(dest, "--output", build_b).returncode == 0
    b = current_of(dest)
    back = publish(dest, "--rollback")
    assert back.returncode == 0, back.stderr
    assert back.stdout.strip() == f"Rolled back {dest}: current → {a} (was {b})."
    assert current_of(dest) == a and releases_of(dest) == [a[9:], b[9:]]
    again = publish(dest, "--rollback")
    assert again.returncode == 2 and current_of(dest) == a
    assert again.stderr.strip() == (f"Error: {dest}: no release before {a} to roll back to; "
                                    f"{dest}/current was left as it was.")


def test_rollback_refuses_a_release_that_no_longer_matches(build_a: Path, build_b: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    assert publish(dest, "--output", build_a).returncode == 0
    a = current_of(dest)
    assert publish(dest, "--output", build_b).returncode == 0
    b = current_of(dest)
    (dest / a / "data" / "index.html").write_text("被篡改", "utf-8")  # not shared with b: only a changes
    back = publish(dest, "--rollback")
    assert back.returncode == 2 and current_of(dest) == b
    assert (f"cannot roll back to {a}: it no longer matches its own SHA256SUMS (changed: data/index.html)"
            in back.stderr)


def test_keep_removes_the_oldest_releases(build_a: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    names = []
    for _ in range(3):
        done = publish(dest, "--output", build_a, "--keep", "2")
        assert done.returncode == 0, done.stderr
        names.append(current_of(dest)[9:])
    assert len(set(names)) == 3 and releases_of(dest) == names[1:]
    assert done.stdout.strip().endswith(f"Removed 1 old release(s): {names[0]}.")
    assert publish(dest, "--output", build_a, "--keep", "0").returncode == 2  # click: not in the range x>=1


def test_a_folder_that_is_not_a_complete_build_is_refused(build_a: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    assert publish(dest, "--output", build_a).returncode == 0
    live = current_of(dest)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "index.html").write_text("<p>hi</p>", "utf-8")
    done = publish(dest, "--output", empty)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {empty / 'SHA256SUMS'}: no SHA256SUMS: {empty} is not a complete "
                                   f"build of gongshi (build it with gongshi build); nothing was published.")
    (build_a / "404.html").unlink()
    write_manifest(build_a)
    done = publish(dest, "--output", build_a)
    assert done.returncode == 1 and "SHA256SUMS: lists no 404.html: not a complete build" in done.stderr
    assert publish(dest, "--output", tmp_path / "nowhere").returncode == 1
    assert current_of(dest) == live and releases_of(dest) == [live[9:]]


def test_a_build_whose_files_no_longer_match_is_refused(build_a: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    (build_a / "index.html").write_text("改过", "utf-8")
    (build_a / "extra.html").write_text("多出", "utf-8")
    done = publish(dest, "--output", build_a)
    assert done.returncode == 1
    assert done.stderr.strip() == (f"Error: {build_a}: 2 file(s) no longer match its SHA256SUMS (added: extra.html; "
                                   f"changed: index.html); build again with gongshi build; nothing was published.")
    assert not (dest / "current").exists()


def test_a_dest_inside_the_build_or_a_current_folder_is_refused(build_a: Path, tmp_path: Path) -> None:
    done = publish(build_a / "deploy", "--output", build_a)
    assert done.returncode == 1 and "lie inside one another" in done.stderr and not (build_a / "deploy").exists()
    dest = tmp_path / "dest"
    (dest / "current").mkdir(parents=True)
    done = publish(dest, "--output", build_a)
    assert done.returncode == 2
    assert "current exists and is not a symbolic link: move it away first" in done.stderr
    assert (dest / "current").is_dir() and not (dest / "current").is_symlink()


def test_a_publish_while_another_holds_the_lock_is_refused(build_a: Path, tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    assert publish(dest, "--output", build_a).returncode == 0
    with open(dest / ".gongshi-publish.lock", "rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = publish(dest, "--output", build_a)
    assert done.returncode == 2 and "another gongshi publish or rollback is running there" in done.stderr
    assert len(releases_of(dest)) == 1


def _run_in_process(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(builder.cli.main, args)
    return result.exit_code, result.output


def test_a_failed_copy_leaves_current_and_no_partial(build_a: Path, build_b: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "dest"
    assert _run_in_process(["publish", str(dest), "--output", str(build_a)])[0] == 0
    live = current_of(dest)
    real_copy, calls = shutil.copyfile, []

    def disk_full(source: Path, target: Path) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        real_copy(source, target)

    monkeypatch.setattr(builder.localdest.shutil, "copyfile", disk_full)
    status, output = _run_in_process(["publish", str(dest), "--output", str(build_b)])
    assert status == 2 and current_of(dest) == live and releases_of(dest) == [live[9:]]
    copied = calls[1].relative_to(dest)
    assert output.strip() == (f"Error: {dest}: cannot copy the build: {copied}: No space left on device; "
                              f"{dest}/current was left as it was.")


def test_a_copy_that_fails_its_check_leaves_current(build_a: Path, build_b: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "dest"
    assert _run_in_process(["publish", str(dest), "--output", str(build_a)])[0] == 0
    live = current_of(dest)
    real_copy = shutil.copyfile

    def corrupting(source: Path, target: Path) -> None:
        real_copy(source, target)
        if str(target).endswith("data/index.html"):
            with open(target, "ab") as handle:
                handle.write(b"\0")

    monkeypatch.setattr(builder.localdest.shutil, "copyfile", corrupting)
    status, output = _run_in_process(["publish", str(dest), "--output", str(build_b)])
    assert status == 2 and current_of(dest) == live and releases_of(dest) == [live[9:]]
    assert "does not match SHA256SUMS (changed: data/index.html); " in output
    sha256sum_check(dest / "current")


def test_a_killed_publish_leaves_current_and_the_next_one_cleans_up(sample_output: Path, build_a: Path,
                                                                    tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    assert publish(dest, "--output", build_a).returncode == 0
    live = current_of(dest)
    big = padded_build(sample_output, tmp_path / "big", files=4000)
    proc = subprocess.Popen([sys.executable, "-m", "builder", "publish", str(dest), "--output", str(big)], cwd=REPO,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    partial: list[Path] = []
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        partial = [p for p in (dest / "releases").iterdir() if p.name.startswith(".partial-")]
        if partial and (partial[0] / "data" / "pad").is_dir():
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait(timeout=60)
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    assert proc.returncode == -signal.SIGKILL, "the publish ended before it could be killed while copying"
    assert current_of(dest) == live and partial[0].is_dir()
    sha256sum_check(dest / "current")
    again = publish(dest, "--output", big)
    assert again.returncode == 0, again.stderr
    assert not partial[0].exists() and current_of(dest) != live and len(releases_of(dest)) == 2
    sha256sum_check(dest / "current")


def test_two_publishes_in_one_second_get_names_in_publishing_order(build_a: Path, build_b: Path,
                                                                    tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    start = dt.datetime(2026, 11, 20, 10, 30, 0, 900_000, tzinfo=dt.UTC)
    first = publish_build(str(dest), build_b, now=lambda: start)
    second = publish_build(str(dest), build_a, now=lambda: start)  # its hash may sort before the first's
    late = publish_build(str(dest), build_b, now=lambda: start - dt.timedelta(hours=1))  # a clock behind DEST's
    short_a, short_b = read_manifest(build_a).digest[:12], read_manifest(build_b).digest[:12]
    assert (first.release, second.release, late.release) == (
        f"20261120T103000Z-{short_b}", f"20261120T103001Z-{short_a}", f"20261120T103002Z-{short_b}")
    assert (second.copied, second.linked) != (0, second.files) and current_of(dest) == f"releases/{late.release}"
    back = publish(dest, "--rollback")
    assert back.returncode == 0, back.stderr
    assert current_of(dest) == f"releases/{second.release}"


def test_rolling_back_where_nothing_was_published(tmp_path: Path) -> None:
    done = publish(tmp_path / "dest", "--rollback")
    assert done.returncode == 2 and not (tmp_path / "dest").exists()
    assert done.stderr.strip() == (f"Error: {tmp_path / 'dest'}: no such folder: nothing has been published there; "
                                   f"{tmp_path / 'dest'}/current was left as it was.")


def test_publishing_again_repairs_a_defaced_release(build_a: Path, tmp_path: Path) -> None:
    """Releases share hard-linked files, so a defaced file is in the previous release too: roll forward."""
    dest = tmp_path / "dest"
    assert publish(dest, "--output", build_a).returncode == 0
    defaced = dest / "current" / "index.html"
    defaced.write_text("<h1>defaced</h1>", "utf-8")  # in place: every release linking it changes
    again = publish(dest, "--output", build_a)
    assert again.returncode == 0, again.stderr
    assert "1 copied" in again.stdout
    sha256sum_check(dest / "current")
    assert (dest / "current" / "index.html").read_bytes() == (build_a / "index.html").read_bytes()
