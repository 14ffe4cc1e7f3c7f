"""The fast YAML path (parser events) gives exactly what the composer path gives: values, types and marks."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.source import MarkedList, MarkedMap, SourceError, decode, parse_yaml, parse_yaml_composed
from helpers import REPO

# Scalars as an editor types them: YAML 1.1 and 1.2 look-alikes, dates, quotes, empty values, Chinese.
SCALARS = ["no", "yes", "on", "~", "null", "", "012", "1_000", "1e3", "-0", "+5", ".inf", "0x1F", "1:20",
           "true", "False", "2026-09-31", "2026-9-3", '"quoted: yes"', "'single'", "测试商贸", "a: b",
           "- x", "# not a comment", "<<", "123456789012345678901234567890123", "3.", ".5", "[1, 2]", "{a: 1}"]
keys = st.sampled_from(["name", "period", "complaints", "1", "true", "null", "名称", "a b", "<<x"])
scalars = st.one_of(st.sampled_from(SCALARS), st.integers(-10**6, 10**6).map(str),
                    st.text("测试abc012 -:.", max_size=8))


def lines(depth: int) -> Any:
    """A mapping or a list (kind, body) whose values are scalars or, while depth > 1, containers again."""
    leaf = scalars.map(lambda v: (v, None))
    child = leaf if depth <= 1 else st.one_of(leaf, st.deferred(lambda: lines(depth - 1)).map(lambda t: (None, t)))
    mapping = st.lists(st.tuples(keys, child), min_size=1, max_size=4).map(lambda pairs: ("map", pairs))
    sequence = st.lists(child, min_size=1, max_size=4).map(lambda items: ("seq", items))
    return st.one_of(mapping, sequence)


def render(tree: Any, indent: int = 0) -> str:
    kind, body = tree
    pad = " " * indent
    out = []
    for entry in body:
        key, value = entry if kind == "map" else (None, entry)
        head = f"{pad}{key}:" if kind == "map" else f"{pad}-"
        scalar, nested = value
        if nested is None:
            out.append(f"{head} {scalar}".rstrip())
        else:
            out.append(head)
            out.append(render(nested, indent + 2))
    return "\n".join(out)


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, MarkedMap):
        return (list(a) == list(b) and a.mark == b.mark and a.key_marks == b.key_marks
                and a.value_marks == b.value_marks and a.duplicates == b.duplicates
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, MarkedList):
        return (len(a) == len(b) and a.mark == b.mark and a.item_marks == b.item_marks
                and all(same(x, y) for x, y in zip(a, b, strict=True)))
    return bool(a == b)


def outcome(parse: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", parse(text)
    except SourceError as exc:
        return "error", str(exc)


def check(text: str) -> None:
    fast, slow = outcome(parse_yaml, text), outcome(parse_yaml_composed, text)
    assert fast[0] == slow[0], (text, fast, slow)
    assert same(fast[1], slow[1]) if fast[0] == "ok" else fast[1] == slow[1], (text, fast, slow)


@settings(max_examples=300, deadline=None)
@given(tree=lines(3), offset=st.sampled_from(["", "\n", "# 注释\n"]), tail=st.sampled_from(["", "\n", "\n---\nx: 1\n"]))
def test_generated_documents(tree: Any, offset: str, tail: str) -> None:
    check(offset + render(tree) + tail)


def test_every_yaml_file_of_the_repository() -> None:
    files = [*REPO.glob("content/**/*.yaml"), *(REPO / "tests" / "sites").glob("**/*.yaml")]
    assert len(files) > 50
    for path in files:
        if path.is_file():
            try:
                text = decode(path.read_bytes())
            except SourceError:
                continue
            check(text)


def test_odd_documents() -> None:
    for text in ["", "# only a comment\n", "---\n", "a: 1\na: 2\n", "- [a, b]\n- {c: d}\n", "? [a]\n: b\n",
                 "a: &x 1\nb: *x\n", "a: !!str 1\n", "a:\n\tb: 1\n", "a: [1, 2\n", "x: 1\n...\n---\ny: 2\n",
                 "<<: {a: 1}\nb: 2\n", "a:\n  - b: 1\n    c:\n      - 2\n"]:
        check(text)
