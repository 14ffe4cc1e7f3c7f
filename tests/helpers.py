"""Helpers shared by the tests: paths and running the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
# The as-of date of every test build unless a test says otherwise: 2026-11-20 00:00 UTC.
AS_OF_EPOCH = "1795132800"


def fixed_env(**extra: str) -> dict[str, str]:
    """The environment with SOURCE_DATE_EPOCH fixed and English messages (GONGSHI_LANG=en), so output depends
    neither on the day the tests run nor on the machine's locale; `extra` may say otherwise (GONGSHI_LANG="zh")."""
    return {**os.environ, "SOURCE_DATE_EPOCH": AS_OF_EPOCH, "GONGSHI_LANG": "en", **extra}


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m builder ARGS` and capture its output (as of 2026-11-20 unless `env` says otherwise)."""
    return subprocess.run([sys.executable, "-m", "builder", *map(str, args)], capture_output=True, text=True,
                          cwd=REPO, env=fixed_env() if env is None else env, timeout=600)
