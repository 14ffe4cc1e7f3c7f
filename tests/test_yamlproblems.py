"""YAML syntax errors in the editors' words, at the place of the mistake (builder/yamlproblems.py via parse_yaml)."""

from __future__ import annotations

import pytest

from builder.source import SourceError, parse_yaml
from builder.yamlproblems import PROBLEMS, explain

# What an editor writes wrong, where gongshi says it is (1-based line:column) and what it says.
MISTAKES = [
    ("a: [1, 2\nb: 3\n", "2:2", "a list opened with '[' is not closed"),
    ("a: {x: 1\nb: 3\n", "2:2", "a group of fields in curly brackets is not closed"),
    ("name: 甲: 乙\n", "1:8", "a ':' followed by a space inside a value"),
    ("a:\n  b: 1\n c: 2\n", "3:2", "this line is not indented like the fields above it"),
    ("items:\n  - a: 1\n  b: 2\n", "3:3", "a list item starts with '- '"),
    ('name: "甲乙\nb: 1\n', "3:1", "a quote is opened and never closed"),
    ("name: @甲\n", "1:7", "a value cannot start with “@”"),
    ("name: `x`\n", "1:7", "a value cannot start with “`”"),
    ("a: 1\nhello\nb: 2\n", "3:1", "a line that is not 'name: value'"),
    ("a:\n\tb: 1\n", "2:1", "a tab character"),
    ("a: *x\n", "1:4", "a value starting with '*'"),
    ('a: "\\q"\n', "1:5", "a backslash inside double quotes"),
    # a full-width colon, as a Chinese input method types it: named on its own line, at the colon, wherever the
    # parser stopped (the line after it, or further)
    ("name：甲\nb: 1\n", "1:5", "a full-width colon '：' after “name”"),
    ("a: 1\nname：甲\nb: 2\n", "2:5", "a full-width colon '：' after “name”"),
    ("a: 1\nname：甲\n", "2:5", "a full-width colon '：' after “name”"),
    ("entries:\n  - name: 甲\n    demand：退款\n    result: 已办结\n", "3:11",
     "a full-width colon '：' after “demand”"),
    # ':' with no space after it, and a line indented with full-width spaces (the space bar in full-width mode)
    ("name:甲\nb: 1\n", "1:5", "no space after the ':' of “name”"),
    ("entries:\n  - name: 甲\n    district:乙街道\n    category: 餐饮\n", "3:13",
     "no space after the ':' of “district”"),
    ("entries:\n  - name: 甲\n\u3000\u3000\u3000\u3000district: 乙\n    category: 餐饮\n", "3:1",
     "a line indented with full-width spaces"),
]


@pytest.mark.parametrize(("text", "place", "meaning"), MISTAKES)
def test_a_mistake_is_explained_where_it_was_made(text: str, place: str, meaning: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml(text)
    error = caught.value
    assert f"{error.line}:{error.column}" == place
    assert error.field == "yaml"
    assert meaning in error.message.text
    for english in ("while parsing", "while scanning", "did not find expected", "could not find expected"):
        assert english not in error.message.text


def test_a_full_width_colon_or_a_time_inside_a_value_is_no_mistake() -> None:
    assert parse_yaml("result: 经调解：商家退款\ntime: 10:30\n") == {"result": "经调解：商家退款", "time": "10:30"}


def test_a_full_width_colon_far_from_the_error_is_not_blamed() -> None:
    text = "note: 甲\n  经调解：退款\ne: [1\n"  # a value going on over two lines, then an unclosed list
    with pytest.raises(SourceError) as caught:
        parse_yaml(text)
    assert "full-width" not in caught.value.message.text


def test_a_problem_not_known_keeps_the_parsers_own_words() -> None:
    assert explain("a: 1\n", 0, 0, "while doing something", "found something new") == (
        0, 0, "while doing something found something new")
    assert explain("a: 1\n", 0, 0, None, "did not find expected key") == (0, 0, PROBLEMS["did not find expected key"])
