"""Every failure-mode fixture gives exactly its expected messages, exit 1, and leaves output/ untouched.

Each case holds its problems three ways: `expected.codes.txt` (`path:line:column: field: CODE`, the same in every
language), `expected.en.txt` and `expected.zh.txt` (the lines `gongshi check` prints in English and Chinese).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fixture_sites import BROKEN, assemble_case, broken_cases, case_args
from helpers import fixed_env, run_cli

SUMMARY = {"en": "Error: ", "zh": "错误："}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("case", broken_cases())
def test_check_reports_every_expected_problem(case: str, language: str, tmp_path: Path) -> None:
    site = assemble_case(case, tmp_path / "site")
    result = run_cli("check", site, *case_args(case), env=fixed_env(GONGSHI_LANG=language))
    expected = (BROKEN / case / f"expected.{language}.txt").read_text("utf-8").splitlines()
    assert expected, f"{case}: expected.{language}.txt lists no problem"
    problems = [line for line in result.stderr.splitlines() if not line.startswith(SUMMARY[language])]
    assert result.returncode == 1
    assert problems == expected
    assert result.stderr.splitlines()[-1].startswith(SUMMARY[language])
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("case", broken_cases())
def test_json_codes_are_the_same_in_both_languages(case: str, tmp_path: Path) -> None:
    site = assemble_case(case, tmp_path / "site")
    expected = (BROKEN / case / "expected.codes.txt").read_text("utf-8").splitlines()
    reports = {}
    for language in ("en", "zh"):
        result = run_cli("check", site, "--format", "json", *case_args(case), env=fixed_env(GONGSHI_LANG=language))
        assert result.returncode == 1, result.stderr
        reports[language] = json.loads(result.stdout)
        assert reports[language]["language"] == language
    coded = [f"{p['path']}:{p['line']}:{p['column']}: {p['field']}: {p['code']}" for p in reports["en"]["problems"]]
    assert coded == expected
    strip = [{k: v for k, v in p.items() if k != "message"} for p in reports["en"]["problems"]]
    assert strip == [{k: v for k, v in p.items() if k != "message"} for p in reports["zh"]["problems"]]
    english = (BROKEN / case / "expected.en.txt").read_text("utf-8").splitlines()
    assert [p["message"] for p in reports["en"]["problems"]] == [line.split(": ", 2)[2].removesuffix(" [warning]")
                                                                 for line in english]


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
