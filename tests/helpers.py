"""Helpers shared by the tests: paths and running the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
# A build keeps its cache in SITE_DIR/.gongshi/: copies of fixture sites leave it behind.
NO_CACHE = shutil.ignore_patterns(".gongshi")
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


def text_indexed(output: Path) -> int:
    """How many merchants the full-text index (output/search/text/, builder/textindex.py) holds."""
    import json

    return int(json.loads((output / "search" / "text" / "manifest.json").read_text("utf-8"))["merchants"])


def indexed_pages(output: Path) -> int:
    """How many pages the Pagefind bundles listed in output/pagefind/bundles.json hold together."""
    import json

    bundles = json.loads((output / "pagefind" / "bundles.json").read_text("utf-8"))["bundles"]
    total = 0
    for name in bundles:
        entry = json.loads((output / "pagefind" / name / "pagefind-entry.json").read_text("utf-8"))
        total += sum(language["page_count"] for language in entry["languages"].values())
    return total
