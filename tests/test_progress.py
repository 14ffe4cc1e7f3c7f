"""Progress on a terminal for builds longer than ~2 s (stage, count, rate); nothing when not on a terminal."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.cli import ProgressLine
from helpers import REPO, fixed_env, run_cli

sys.path.insert(0, str(REPO / "bench"))
from generate import generate_site  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("progress") / "site"
    # Enough pages that rendering alone outlasts the line's 2 s delay even on an idle machine (with 2,500 merchants
    # every page was placed within 2 s in a run on 2026-12-05, and the line showed no count).
    generate_site(5000, site, periods=2, seed=5, per_district=True)
    return site


def on_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run the command line with its standard error on a pseudo-terminal; return its status and what it showed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "builder", *args], cwd=REPO, env=fixed_env(),
                               stdout=subprocess.DEVNULL, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal is closed once the process has exited
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    return process.wait(timeout=600), shown.decode("utf-8", "replace")


def test_a_long_build_shows_stage_count_and_rate_on_a_terminal(generated: Path, tmp_path: Path) -> None:
    status, shown = on_a_terminal(["build", str(generated), "--output", str(tmp_path / "out"), "--clean",
                                   "--audit", str(tmp_path / "audit.json")])
    assert status == 0, shown
    lines = [line for line in shown.split("\r") if "pages" in line]
    assert lines, shown
    assert any("/s)" in line for line in lines), lines  # a count with its rate, e.g. `pages 1,500 (812/s)`
    assert "\x1b[K" in shown  # the line is rewritten in place, then cleared


def test_no_progress_when_not_on_a_terminal(generated: Path, tmp_path: Path) -> None:
    result = run_cli("build", generated, "--output", tmp_path / "out", "--clean", "--audit", tmp_path / "audit.json")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stderr and "\x1b" not in result.stderr
    assert result.stdout.startswith("Built ")


def test_the_progress_line_waits_two_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    line = ProgressLine()
    line("pages", 100, None)
    assert capsys.readouterr().err == ""
    line.started -= 3  # as if the build had run for 3 s
    line.stage_started = time.monotonic() - 1
    line("pages", 500, None)
    shown = capsys.readouterr().err
    assert "pages 500" in shown and "/s)" in shown
    line.clear()
    assert capsys.readouterr().err.strip() == ""  # back to the line's start, erased (click drops the erase
    line.clear()                                   # code when the output is not a terminal)
    assert capsys.readouterr().err == ""  # cleared once
