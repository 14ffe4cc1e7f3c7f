"""Decoding files and parsing YAML with positions."""

import pytest

from builder.source import MarkedMap, SourceError, decode, parse_yaml, split_front_matter


def test_bom_and_crlf_are_accepted() -> None:
    assert decode("\ufeffa: 1\r\nb: 2\r\n".encode()) == "a: 1\nb: 2\n"


def test_gbk_file_is_recognised_with_a_hint() -> None:
    with pytest.raises(SourceError) as caught:
        decode("name: 青禾商贸\n".encode("gbk"))
    assert caught.value.line == 1 and caught.value.column == 7
    assert "GBK/GB18030" in caught.value.message.text and "--input-encoding gb18030" in caught.value.message.text


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


def test_scalars_follow_the_yaml_1_2_core_schema() -> None:
    data = parse_yaml("a: 012\nb: no\nc: on\nd: 1_000\ne: 1:20\nf: 0x1F\ng: .inf\nh: true\ni: 3.5\nj: ~\nk: =\n")
    assert dict(data) == {"a": 12, "b": "no", "c": "on", "d": "1_000", "e": "1:20", "f": "0x1F", "g": ".inf",
                          "h": True, "i": 3.5, "j": None, "k": "="}


@pytest.mark.parametrize("text, position, words", [
    ("a: &x [1]\nb: *x\n", (1, 4), "anchors and aliases"),
    ("a: &x [*x]\n", (1, 4), "anchors and aliases"),
    ("a: !!python/object/apply:os.system [ls]\n", (1, 4), "tag `!!python/object/apply:os.system` is not allowed"),
    ("a: !!timestamp 2026-02-30\n", (1, 4), "tag `!!timestamp` is not allowed"),
    ("a: !!binary aGk=\n", (1, 4), "tag `!!binary` is not allowed"),
    ("a: !!int abc\n", (1, 4), "`abc` cannot be read as !!int"),
    ("a: !!bool maybe\n", (1, 4), "`maybe` cannot be read as !!bool"),
    ("a: 1\n\tb: 2\n", (2, 1), "a tab character"),
    ("a: " + "9" * 5000 + "\n", (1, 4), "5000 digits"),
    ("a: " + "[" * 2000 + "]" * 2000 + "\n", (1, 1003), "more than 1,000 levels of brackets"),
])
def test_hostile_yaml_is_refused_with_a_position(text: str, position: tuple[int, int], words: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_yaml(text)
    assert (caught.value.line, caught.value.column) == position
    assert words in caught.value.message.text


def test_non_text_keys_keep_their_written_form() -> None:
    assert list(parse_yaml("1: a\ntrue: b\nnull: c\n[x]: d\n")) == ["1", "true", "null", "['x']"]


def test_gb18030_option_still_reads_utf8_files_as_utf8() -> None:
    assert decode("名称: 青禾\n".encode(), "gb18030") == "名称: 青禾\n"
    assert decode("名称: 青禾\n".encode("gb18030"), "gb18030") == "名称: 青禾\n"


@pytest.mark.parametrize("data, position, words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", (3, 1), "NUL byte"),
    (b"a: 1\nb: x\x07y\n", (2, 5), "control character U+0007"),
    ("a: x\u0085\n".encode(), (1, 5), "control character U+0085"),
])
def test_binary_and_control_characters_are_refused(data: bytes, position: tuple[int, int], words: str) -> None:
    with pytest.raises(SourceError) as caught:
        decode(data)
    assert (caught.value.line, caught.value.column) == position and words in caught.value.message.text
