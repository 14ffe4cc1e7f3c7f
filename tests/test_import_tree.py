"""The tree an import builds while writing a period file is exactly what parse_yaml reads from that file.

The import checks its file as `gongshi check` would, but without parsing the text it has just written: the
check's reader takes the tree built beside the text (builder/importing/yamlwrite.py) when the file's text is
that text. These tests hold the tree against the parser for any text; conftest.py's import_tree_cross_checked
also holds every site check of every import test against the check that parses the written text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import content
from builder.importing import run, sitecheck
from builder.importing.merchants import Chosen, Merchant
from builder.importing.rows import Record
from builder.importing.yamlwrite import PeriodWriter
from builder.source import SourceError, parse_yaml
from importfixtures import CODE_A, COMPLAINT_HEADER, complaint_rows, invoke, tree_difference, write_xlsx

# Text as spreadsheets hold it, and text made to trip YAML: indicators, quotes, line breaks of every kind, tabs,
# BOMs, NEL, non-BMP characters, full-width forms, spaces at either end.
_ALPHABET = st.sampled_from(list("测试甲乙（）()东湖餐饮有限公司 　abcXYZ019-?:,[]{}#&*!|>'\"%@`~=<+.\\/_")
                            + ["\t", "\n", "\r", "\x85", "\u2028", "\u2029", "\ufeff", "\xa0", "\x7f", "\U0001f600",
                               "\U00020000", "ａ", "１", "：", "－"])
TEXT = st.text(_ALPHABET, max_size=12)
DATE = st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@st.composite
def merchants(draw: st.DrawFn) -> Merchant:
    """A merchant of any text, with items of any text."""
    items = [Record(row, received=draw(DATE), goods=draw(TEXT), issue=draw(TEXT), demand=draw(TEXT),
                    result=draw(TEXT), handled=draw(st.none() | DATE))
             for row in range(2, 2 + draw(st.integers(0, 3)))]
    count = len(items) + draw(st.integers(0, 3))
    return Merchant(Chosen(draw(TEXT), (2,), 3), Chosen(draw(st.sampled_from(["", CODE_A])), (2,), 4),
                    Chosen(draw(TEXT), (2,), 5), Chosen(draw(TEXT), (2,), 6), count, draw(st.integers(0, count)),
                    (2,), items, 2)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=st.lists(TEXT, max_size=3), period=st.sampled_from(["2026-09", "2026-Q3", "2026-H1", "2026"]),
       department=TEXT, listed=st.lists(merchants(), min_size=1, max_size=3))
def test_the_tree_is_what_the_parser_reads(header: list[str], period: str, department: str,
                                           listed: list[Merchant]) -> None:
    writer = PeriodWriter(header)
    writer.head(period, dt.date(2026, 11, 20), department)
    for merchant in listed:
        writer.merchant(merchant, {"name": 3, "credit_code": 4, "district": 5, "category": 6, "received": 2}, False)
    text = writer.text()
    tree = writer.tree(text)
    try:
        parsed = parse_yaml(text)
    except SourceError:
        assert tree is None  # the parser refuses the text: the check must parse it to say so
        return
    assert tree is None or tree_difference(tree, parsed) is None
    texts = [*header, department] + [value for merchant in listed for value in (
        merchant.name.value, merchant.district.value, merchant.category.value, *(
            text_ for record in merchant.items for text_ in (record.goods, record.issue, record.demand,
                                                             record.result)))]
    if all(text_ == "" or text_.isalnum() for text_ in texts):
        assert tree is not None  # letters and digits only: nothing for the parser to decide


def test_the_check_reads_the_tree_not_the_text(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               minimal_site: Path) -> None:
    parsed_files: list[str] = []
    real_parse = content.parse_yaml

    def counting(text: str, line_offset: int = 0) -> object:
        if text.startswith("# Written by `gongshi import`"):
            parsed_files.append(text)
        return real_parse(text, line_offset)

    monkeypatch.setattr(content, "parse_yaml", counting)
    monkeypatch.setattr(run, "check_in_place", sitecheck.check_in_place)  # without conftest's cross-check
    export = write_xlsx(tmp_path / "export.xlsx", [COMPLAINT_HEADER] + complaint_rows())
    assert invoke("import", export, minimal_site, "--period", "2026-11").exit_code == 0
    assert parsed_files == []  # the import's own check took the tree
    result = invoke("check", minimal_site)  # gongshi check parses the file the import wrote and accepts it too
    assert result.exit_code == 0, result.stderr
    assert len(parsed_files) == 1


def test_a_refused_file_is_refused_the_same_with_the_tree(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                          minimal_site: Path) -> None:
    calls: list[tuple[bool, list[object]]] = []
    checked = run.check_in_place  # conftest's cross-check: the same problems with and without the tree

    def recording(site_dir: Path, relative: str, data: bytes, as_of: dt.date,
                  parsed: tuple[str, object] | None = None) -> list[object]:
        found = checked(site_dir, relative, data, as_of, parsed)
        calls.append((parsed is not None and parsed[1] is not None, found))
        return found

    monkeypatch.setattr(run, "check_in_place", recording)
    rows = [COMPLAINT_HEADER] + complaint_rows()
    rows[1][5] = "餐饮"  # not a category of the taxonomy: read_period_file refuses it
    rows[3][8] = "退钱"  # not a demand of the taxonomy
    result = invoke("import", write_xlsx(tmp_path / "export.xlsx", rows), minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    assert calls and calls[0][0] and [p.field for p in calls[0][1]] == [  # type: ignore[attr-defined]
        "merchants[1].category", "merchants[2].items[1].demand"]
