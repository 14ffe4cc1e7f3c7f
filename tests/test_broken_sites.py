"""Every failure-mode fixture gives exactly its expected messages, exit 1, and leaves output/ untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_sites import BROKEN, assemble_case, broken_cases, case_args
from helpers import run_cli


@pytest.mark.parametrize("case", broken_cases())
def test_check_reports_every_expected_problem(case: str, tmp_path: Path) -> None:
    site = assemble_case(case, tmp_path / "site")
    result = run_cli("check", site, *case_args(case))
    expected = (BROKEN / case / "expected.txt").read_text("utf-8").splitlines()
    assert expected, f"{case}: expected.txt lists no problem"
    problems = [line for line in result.stderr.splitlines() if not line.startswith("Error: ")]
    assert result.returncode == 1
    assert problems == expected
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", broken_cases())
def test_failed_build_leaves_output_untouched(case: str, tmp_path: Path) -> None:
    site = assemble_case(case, tmp_path / "site")
    output = site / "output"
    output.mkdir()
    for name in ("index.html", "404.html", "sitemap.xml"):  # what a previous build leaves
        (output / name).write_text(f"previous build: {name}", "utf-8")
    result = run_cli("build", site, *case_args(case))
    assert result.returncode == 1
    assert "--output" not in result.stderr
    assert sorted(p.name for p in output.iterdir()) == ["404.html", "index.html", "sitemap.xml"]
    assert (output / "index.html").read_text("utf-8") == "previous build: index.html"
    assert not [p for p in site.iterdir() if ".staging-" in p.name]

