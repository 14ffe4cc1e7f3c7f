"""Units of the importer: cell values, header matching, YAML scalars that must read back as the same text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.importing.columns import cell_ref, column_letter, find_header, fold
from builder.importing.values import (
    CellError,
    clean_text,
    fold_name,
    is_total,
    parse_count,
    parse_credit_code,
    parse_date,
)
from builder.importing.workbook import _MAY_HOLD_FORMULAS, _may_hold_formulas
from builder.importing.yamlwrite import comment, scalar
from builder.source import parse_yaml
from importfixtures import CODE_A


@pytest.mark.parametrize(("cell", "count"), [
    ("1,208", 1208), ("１２", 12), ("12件", 12), (" 12 ", 12), ("１，２０８", 1208), ("0", 0), (7, 7), (7.0, 7),
    ("12.0", 12), ("3 起", 3),
])
def test_counts(cell: object, count: int) -> None:
    assert parse_count(cell) == count


@pytest.mark.parametrize(("cell", "message"), [
    ("约20", "expected a whole number, found `约20`"), ("十二", "expected a whole number, found `十二`"),
    ("-3", "must be 0 or more, found `-3`"), (-1, "must be 0 or more, found `-1`"),
    ("1.5", "must be a whole number, found `1.5`"), (2.5, "must be a whole number, found `2.5`"),
    ("41.19%", "`41.19%` is a percentage, not a count"), ("12,08", "expected a whole number, found `12,08`"),
    (True, "expected a whole number, found `TRUE`"),
    (dt.date(2026, 1, 1), "expected a whole number, found `2026-01-01`"),
    ("  ", "is empty: write a whole number (0 when there is none)"),
])
def test_bad_counts(cell: object, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_count(cell)
    assert str(caught.value) == message


@pytest.mark.parametrize("cell", [
    "2026-10-05", "2026/10/5", "2026.10.5", "2026年10月5日", "2026年10月5日 14:30", "2026-10-05 14:30:59",
    "2026/10/05T08:00", "２０２６－１０－０５", dt.date(2026, 10, 5), dt.datetime(2026, 10, 5, 23, 59), 46300,
    46300.75, "46300",
])
def test_dates(cell: object) -> None:
    assert parse_date(cell) == dt.date(2026, 10, 5)


@pytest.mark.parametrize(("cell", "message"), [
    ("2026-02-29", "`2026-02-29` is not a real date"), ("2026年13月1日", "`2026年13月1日` is not a real date"),
    ("2026-10-05 24:00", "`2026-10-05 24:00` is not a real time of day"),
    ("2026-10/5", "expected a date such as 2026-10-05, 2026/10/5 or 2026年10月5日, found `2026-10/5`"),
    (2026, "expected a date, found the number `2026` (as an Excel date serial number it would fall before 1990 or "
           "after 2099)"),
    (dt.time(10, 0), "expected a date, found `10:00:00`"), (True, "expected a date, found `TRUE`"),
])
def test_bad_dates(cell: object, message: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date(cell)
    assert str(caught.value) == message


def test_names_and_text() -> None:
    assert fold_name(" 百合 (兰州)  商贸 ") == "百合（兰州）商贸" == fold_name("百合（兰州）商贸")
    assert fold_name("Jeep (进口)") == "Jeep（进口）"
    assert clean_text("办卡后\r\n门店\t停业\u3000 ", 100) == "办卡后 门店 停业"
    with pytest.raises(CellError, match="contains the control character U\\+001B; delete it"):
        clean_text("a\x1bb", 100)
    with pytest.raises(CellError, match="text is 3 characters long; at most 2 are allowed"):
        clean_text("abc", 2)
    assert [is_total(t) for t in ("合计", " 总 计：", "小计(东湖)", "合计商贸有限公司", "累计", 12)] == [
        True, True, True, False, False, False]


def test_credit_codes() -> None:
    assert parse_credit_code(" " + CODE_A.lower()[:9] + " " + CODE_A.lower()[9:]) == CODE_A
    assert parse_credit_code("") == ""
    with pytest.raises(CellError, match="stored as a number, so Excel kept only its first 15 digits"):
        parse_credit_code(1.212e17)


def test_headers() -> None:
    assert fold(" 投诉 量 ") == "投诉量" and fold("Ｆｉｒｍ Name") == "firmname"
    assert find_header([["2026年投诉明细"], ["导出时间"], ["被投诉人", "投诉量（件）"]], {}) == 2
    assert find_header([["被投诉人", "备注"]], {}) is None
    assert find_header([["Firm Name", "Complaints Received"]], {"name": "firm name", "complaints": "Complaints "
                                                                                                   "Received"}) == 0
    assert [column_letter(n) for n in (1, 26, 27, 52, 703, 16384)] == ["A", "Z", "AA", "AZ", "AAA", "XFD"]
    assert cell_ref(5, 3) == "C5"


@pytest.mark.parametrize("text", ["no", "NO", "yes", "on", "off", "y", "true", "null", "~", "", "121200004013590816",
                                  "012", "1_000", "1:20", "2026-10-05", ".inf", "- a", "a: b", "a #b", "[x]", "{x}",
                                  "x, y", "'x'", '"x"', "@x", "`x`", "!x", "&x", "*x", "%x", "?x", "|x", ">x", "<<",
                                  "=", "a\\b", "x ", "+1", "-1", "0x1F", "1e3"])
def test_scalars_that_yaml_would_misread_are_quoted(text: str) -> None:
    assert parse_yaml(f"key: {scalar(text)}\nflow: {{a: {scalar(text)}, b: 1}}\n") == {"key": text,
                                                                                     "flow": {"a": text, "b": 1}}
    assert scalar(text).startswith('"')


def test_plain_scalars_stay_plain() -> None:
    assert [scalar(t) for t in ("测试甲（东湖）餐饮有限公司", "东湖街道", "办卡后 门店停业", "Jeep（进口）")] == [
        "测试甲（东湖）餐饮有限公司", "东湖街道", "办卡后 门店停业", "Jeep（进口）"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_any_clean_text_round_trips(raw: str) -> None:
    try:
        text = clean_text(raw, 1000)
    except CellError:
        return
    assert parse_yaml(f"key: {scalar(text)}\nitem: {{a: {scalar(text)}}}\n") == {"key": text, "item": {"a": text}}


def test_comments_stay_one_masked_line() -> None:
    assert comment('source: "x\nperiod: 2099" 13912345678\x85\u2028') == '# source: "x period: 2099" 139****5678'
    assert parse_yaml(comment("a\r\nb: c") + "\nkey: 1\n") == {"key": 1}


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=16) | st.lists(st.sampled_from([b"<", b"f", b":", b">", b" ", b"t", b"=", b'"', b"e", b"x"]),
                                        max_size=16).map(b"".join))
def test_the_quick_formula_scan_finds_what_the_markers_find(window: bytes) -> None:
    assert _may_hold_formulas(window) == any(marker in window for marker in _MAY_HOLD_FORMULAS)
