"""Unit tests of small modules: periods, open data, output paths, rates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from builder.errors import Message, OutputError
from builder.opendata import _cell, to_csv
from builder.output import Staging, check_output_dir
from builder.periods import parse_period
from builder.pinyin import initial
from builder.render import change, number, rate


@pytest.mark.parametrize("text, start, end, label", [
    ("2026-09", dt.date(2026, 9, 1), dt.date(2026, 9, 30), "2026年9月"),
    ("2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026年2月"),
    ("2026-Q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026年第4季度"),
    ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年上半年"),
    ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026年"),
])
def test_periods(text: str, start: dt.date, end: dt.date, label: str) -> None:
    period = parse_period(text)
    assert period is not None and (period.start, period.end, period.label) == (start, end, label)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "2026-H3", "26-09", "2026/09", "2026-9"])
def test_bad_periods(text: str) -> None:
    assert parse_period(text) is None


def test_quarter_contains_its_months_and_sorts_after_them() -> None:
    quarter, month = parse_period("2026-Q3"), parse_period("2026-08")
    assert quarter and month and quarter.contains(month) and not month.contains(quarter)
    assert sorted([quarter, parse_period("2026-07")]) == [parse_period("2026-07"), quarter]


def test_rates_show_a_dash_without_a_denominator() -> None:
    assert rate(5, 0) == "—" and rate(1, 3) == "33.3%" and rate(None, 3) == "—"
    assert number(94.3) == "94.3" and number(92.0) == "92" and number(12345) == "12,345"
    assert change(5, 3) == "+2" and change(3, 5) == "−2" and change(3, None) == "—"


def test_csv_neutralises_formulas_and_has_bom() -> None:
    assert _cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _cell("@SUM(A1)") == "'@SUM(A1)" and _cell("正常名称") == "正常名称" and _cell(None) == ""
    data = to_csv([])
    assert data.startswith(b"\xef\xbb\xbf") and data.decode("utf-8-sig").startswith("公示期,")


def test_pinyin_initials() -> None:
    assert initial("青禾区金穗牛肉面馆") == "Q" and initial("（禾丰）汽修") == "H" and initial("1号店") == "#"


def test_staging_refuses_paths_outside_the_output(tmp_path: Path) -> None:
    with Staging(tmp_path / "out") as staging:
        for route in ("../x.html", "/etc/passwd", "a/../../b", "a\\..\\b/index.html", ""):
            with pytest.raises(OutputError):
                staging.write(route, "x")
        staging.write("ok/index.html", "x")
        root = staging.root
        assert root is not None and (root / "ok" / "index.html").is_file()
    assert not root.exists() and not (tmp_path / "out").exists()


def _why(site: Path, output: Path) -> str | None:
    found = check_output_dir(site, output)
    return None if found is None else found.text


def test_output_dir_safety(tmp_path: Path) -> None:
    assert _why(tmp_path, tmp_path) == (
        f"{tmp_path} contains the site folder itself; choose an output folder inside or beside it")
    assert _why(tmp_path / "site", tmp_path) == (
        f"{tmp_path} contains the site folder itself; choose an output folder inside or beside it")
    assert _why(tmp_path, tmp_path / "content" / "x") == (
        f"{tmp_path / 'content' / 'x'} is inside content/; choose another output folder")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", "utf-8")
    assert "holds files but is not a previous build" in (_why(tmp_path, other) or "")
    assert check_output_dir(tmp_path, tmp_path / "output") is None
    assert (check_output_dir(tmp_path, tmp_path) or Message("", "")).code == "GS901"
