"""The code passes its own linters: ruff (lint and import order) and mypy --strict on builder/ (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

from helpers import REPO


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run a tool module of this interpreter in the repository."""
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, cwd=REPO, timeout=600,
                          check=False)


def test_ruff_finds_nothing() -> None:
    result = run_tool("ruff", "check", "--no-cache", "--output-format", "concise", "builder", "tests", "bench",
                      "scripts")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_finds_nothing() -> None:
    result = run_tool("mypy", "--no-incremental", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr
