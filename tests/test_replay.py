"""Recording what a template reads of a value and rendering again from that record (replay.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.render import make_environment, theme_dirs
from builder.replay import Missing, Node, Recorder, Replay, Unrecordable, leaf_or_node


@dataclass(frozen=True)
class Item:
    name: str
    count: int
    day: dt.date
    note: str | None = None


@dataclass(frozen=True)
class Box:
    label: str
    items: tuple[Item, ...]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


BOX = Box("第一箱", (Item("苹果<红>", 3, dt.date(2026, 11, 1)), Item("梨", 0, dt.date(2026, 11, 2), "缺货")))
TEMPLATE = ("{{ box.label }}:{{ box.total }}|{% for i in box.items %}{{ i.name }} {{ i.day.isoformat() }}"
            "{% if i.note %}（{{ i.note }}）{% endif %};{% endfor %}|{{ box.items | length }}"
            "|{% for i in box.items | reverse %}{{ i.count }}{% endfor %}|{{ box.missing is defined }}")


def render(source: str, box: object) -> str:
    """Render with the site's own environment (autoescape, StrictUndefined, its escaping)."""
    env = make_environment(theme_dirs(Path("/nonexistent"), "default"))
    return env.from_string(source).render(box=box)


def recorded(source: str) -> tuple[str, Node]:
    """A rendering of BOX through a recorder, and the record."""
    node = leaf_or_node(BOX)
    assert isinstance(node, Node)
    return render(source, Recorder(BOX, node)), node


def test_a_replay_renders_what_the_real_value_renders() -> None:
    html, node = recorded(TEMPLATE)
    assert html == render(TEMPLATE, BOX)
    assert "苹果&lt;红&gt;" in html and html.endswith("|False")  # escaped; a missing attribute is still missing
    assert render(TEMPLATE, Replay(node)) == html


def test_reading_what_was_not_recorded_raises_missing_never_an_undefined_value() -> None:
    _html, node = recorded(TEMPLATE)
    for source in ("{{ box.items[5] is defined }}",  # never read: not an IndexError (which would give false)
                   "{{ box.items[1].unread | default(7) }}",  # nor an AttributeError (which would give 7)
                   "{{ box.other is defined }}"):
        with pytest.raises(Missing):
            render(source, Replay(node))


def test_what_raised_when_recorded_raises_alike_when_replayed() -> None:
    source = "{{ box.nothing is defined }}/{{ box.items[5] is defined }}"
    html, node = recorded(source)
    assert html == "False/False" == render(source, Replay(node))


def test_a_method_of_a_recorded_value_cannot_be_recorded() -> None:
    with pytest.raises(Unrecordable):
        recorded("{{ box.items.count(None) }}")
    node = Node()
    recorder = Recorder(BOX, node)
    with pytest.raises(Unrecordable):
        recorder.label = "x"
    with pytest.raises(Missing):
        Replay(node).label = "x"


def test_leaves_are_kept_as_they_are() -> None:
    assert leaf_or_node("文字") == "文字" and leaf_or_node(3) == 3 and leaf_or_node(None) is None
    assert leaf_or_node(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert isinstance(leaf_or_node((1, 2)), Node) and isinstance(leaf_or_node(BOX), Node)
    node = Node()
    recorder = Recorder(BOX.items, node)
    assert (str(recorder), bool(recorder), len(recorder)) == (str(BOX.items), True, 2)
    assert (str(Replay(node)), bool(Replay(node)), len(Replay(node))) == (str(BOX.items), True, 2)
    with pytest.raises(Missing):
        list(Replay(node))  # never iterated


def test_comparing_or_hashing_a_recorded_value_is_refused() -> None:
    # Real values compare (and hash) by their fields, a proxy only as itself: a record cannot hold that.
    for source in ("{{ box.items[0] == box.items[1] }}", "{{ box.items | unique | list | length }}",
                   "{{ box.items[0] in box.items }}"):
        with pytest.raises(Unrecordable):
            recorded(source)
    _html, node = recorded("{% for a in box.items %}{% for b in box.items %}{{ a.name }}{% endfor %}{% endfor %}")
    with pytest.raises(Missing):  # a branch the record never took compares: no silent answer
        render("{% for a in box.items %}{% for b in box.items %}{{ a == b }}{% endfor %}{% endfor %}", Replay(node))


def test_type_tests_answer_as_the_value_would_even_when_replayed() -> None:
    source = "{{ box is mapping }}/{{ box.items is sequence }}/{{ box is sequence }}/{{ box is iterable }}"
    html, node = recorded(source)
    assert html == render(source, BOX) == "False/True/False/False"
    assert render(source, Replay(node)) == html
    with pytest.raises(Missing):  # never asked of this value: Jinja's test, which swallows Exceptions, cannot
        render("{{ box.items[0] is sequence }}", Replay(node))
    assert isinstance(Recorder(BOX, Node()), Box) and isinstance(Replay(node), Box)
