"""Decoding files and parsing YAML with positions."""

import pytest

from builder.source import MarkedMap, SourceError, decode, parse_yaml, split_front_matter


def test_bom_and_crlf_are_accepted() -> None:
    assert decode("\ufeffa: 1\r\nb: 2\r\n".encode()) == "a: 1\nb: 2\n"


def test_gbk_file_is_recognised_with_a_hint() -> None:
    with pytest.raises(SourceError) as caught:
        decode("name: 青禾商贸\n".encode("gbk"))
    assert caught.value.line == 1 and caught.value.column == 7
    assert "GBK/GB18030" in caught.value.message and "--input-encoding gb18030" in caught.value.message


def test_gbk_file_decodes_when_asked() -> None:
    assert decode("name: 青禾商贸\n".encode("gbk"), "gb18030") == "name: 青禾商贸\n"


def test_marks_of_keys_and_values() -> None:
    data = parse_yaml("a: 1\nlist:\n  - x: 2\n    y: 3\n")
    assert isinstance(data, MarkedMap)
    assert data.key_mark("a") == (1, 1)
    item = data["list"][0]
    assert item.value_mark("y") == (4, 8)
    assert data["list"].item_mark(0) == (3, 5)


def test_dates_stay_text_so_impossible_dates_are_ours_to_report() -> None:
    assert parse_yaml("d: 2026-02-30\n")["d"] == "2026-02-30"


def test_duplicate_keys_are_remembered() -> None:
    data = parse_yaml("a: 1\na: 2\n")
    assert data.duplicates == [("a", (2, 1))]


def test_syntax_error_has_a_position() -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml("a: [1, 2\nb: 3\n")
    assert caught.value.line == 2 and caught.value.field == "yaml"


def test_front_matter_offsets_lines() -> None:
    doc = split_front_matter("---\ntitle: x\ndate: bad\n---\nbody\n")
    assert doc.meta.value_mark("date") == (3, 7)
    assert doc.body == "body\n" and doc.body_line == 5


@pytest.mark.parametrize("text, words", [("title: x\n", "missing front matter"),
                                         ("---\ntitle: x\n", "not closed")])
def test_front_matter_problems(text: str, words: str) -> None:
    with pytest.raises(SourceError, match=words):
        split_front_matter(text)
