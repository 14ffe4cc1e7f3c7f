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


@pytest.fixture(autouse=True)
def import_tree_cross_checked(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In every import test, each site check the import runs with the tree it built while writing is held
    against the parser and against the check that parses the written text: same tree, same problems."""
    if not request.module.__name__.startswith("test_import"):
        return
    from builder.importing import run, sitecheck
    from builder.source import parse_yaml
    from importfixtures import tree_difference

    def cross_checked(site_dir: Path, relative: str, data: bytes, as_of: object,
                      parsed: tuple[str, object] | None = None) -> list[object]:
        found = sitecheck.check_in_place(site_dir, relative, data, as_of, parsed)  # type: ignore[arg-type]
        if parsed is not None and parsed[1] is not None:
            assert parsed[0].encode("utf-8") == data
            assert tree_difference(parsed[1], parse_yaml(parsed[0])) is None
            assert found == sitecheck.check_in_place(site_dir, relative, data, as_of, None)  # type: ignore[arg-type]
        return list(found)

    monkeypatch.setattr(run, "check_in_place", cross_checked)
