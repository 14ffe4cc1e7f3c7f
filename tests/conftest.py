"""Shared fixtures: fixture sites and the sample site built once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The tests read English messages unless a test asks for Chinese (GONGSHI_LANG=zh in the environment it passes):
# set before any test module imports builder, whose language is chosen once, at import.
os.environ["GONGSHI_LANG"] = "en"

from helpers import NO_CACHE, REPO, SITES, run_cli  # noqa: E402


@pytest.fixture
def minimal_site(tmp_path: Path) -> Path:
    """A writable copy of tests/sites/minimal."""
    target = tmp_path / "site"
    shutil.copytree(SITES / "minimal", target, ignore=NO_CACHE)
    return target


@pytest.fixture(scope="session")
def sample_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's sample site, built once per test session."""
    out = tmp_path_factory.mktemp("sample") / "output"
    result = run_cli("build", REPO, "--output", out, "--audit", out.parent / "audit.json")
    assert result.returncode == 0, result.stderr
    return out
