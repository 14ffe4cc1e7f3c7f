"""What a template reads of a value, recorded, and a rendering again from that record alone.

The warnings' quick rebuild (warningsbuild.py) renders the home page again when the newest warnings change, but
the home page is also given the latest period (at 10,000 merchants a 24 MB pickle, half a second to load). So a
full build renders the home page once more with `Recorder` proxies around those values: every attribute, item,
length, truth and text the templates read is kept in a `Node` tree, and the record is kept only when that
rendering gave the very bytes of the real one. The quick rebuild renders from `Replay` proxies of the record;
reading anything the record lacks raises `Missing` (never an AttributeError or LookupError, which Jinja would
turn into an undefined value, and not even an Exception: Jinja's `is sequence` test swallows those), and the build
then takes the full path.

The proxies answer type tests as their value would (`__class__`), and refuse what a record cannot hold: a method
call, an item by an object, comparing or hashing a recorded value (real values compare by their fields, proxies
could only compare as themselves). A theme that does any of these with the latest period, the newest ranking or a
named merchant keeps no record: its warnings are rebuilt by the full path.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass, field
from typing import Any

LEAVES = (str, int, float, bool, type(None), dt.date, decimal.Decimal)  # (dt.datetime is a dt.date)
_NOT_READ = object()


class Missing(BaseException):
    """A replayed rendering read something the record does not hold (its args: what, and the name or key; never
    shown to an editor: the build takes the full path)."""


class Unrecordable(BaseException):
    """A template used a recorded value in a way the record cannot hold (a method call, an item by an object):
    the build keeps no record (its args: what, and the value or key)."""


@dataclass(frozen=True)
class Raised:
    """Reading this raised an exception of this type (replayed as the same type)."""

    kind: type[BaseException]


@dataclass
class Node:
    """What was read of one value: its attributes, items, length, truth, elements and text."""

    attrs: dict[str, Any] = field(default_factory=dict)
    items: dict[Any, Any] = field(default_factory=dict)
    length: int | Raised | None = None
    truth: bool | None = None
    elements: list[Any] | Raised | None = None
    text: str | None = None
    kind: type | None = None  # the value's type (what `isinstance` and Jinja's type tests see)


def leaf_or_node(value: Any) -> Any:
    """A value as the record keeps it: a leaf as it is, anything else as the node of what is read of it."""
    return value if isinstance(value, LEAVES) else Node()


class Recorder:
    """A value whose reads are recorded into `node`."""

    __slots__ = ("_target", "_node")

    def __init__(self, target: Any, node: Node) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_node", node)
        node.kind = type(target)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # (what isinstance sees)
        return type(object.__getattribute__(self, "_target"))

    def __eq__(self, other: object) -> bool:
        raise Unrecordable("==", other)

    def __ne__(self, other: object) -> bool:
        raise Unrecordable("!=", other)

    def __hash__(self) -> int:
        raise Unrecordable("hash", None)

    def _wrap(self, value: Any, slot: Any) -> Any:
        if isinstance(slot, Node):
            if callable(value) and not isinstance(value, type):
                raise Unrecordable("call", value)
            return Recorder(value, slot)
        return value

    def __getattr__(self, name: str) -> Any:
        node: Node = object.__getattribute__(self, "_node")
        target = object.__getattribute__(self, "_target")
        try:
            value = getattr(target, name)
        except Exception as exc:
            node.attrs[name] = Raised(type(exc))
            raise
        slot = node.attrs.setdefault(name, leaf_or_node(value))
        return self._wrap(value, slot)

    def __getitem__(self, key: Any) -> Any:
        if not isinstance(key, LEAVES):
            raise Unrecordable("item", key)
        node: Node = object.__getattribute__(self, "_node")
        target = object.__getattribute__(self, "_target")
        try:
            value = target[key]
        except Exception as exc:
            node.items[key] = Raised(type(exc))
            raise
        slot = node.items.setdefault(key, leaf_or_node(value))
        return self._wrap(value, slot)

    def __len__(self) -> int:
        node: Node = object.__getattribute__(self, "_node")
        try:
            length = len(object.__getattribute__(self, "_target"))
        except Exception as exc:  # (Jinja's `is sequence` asks any value for its length)
            node.length = Raised(type(exc))
            raise
        node.length = length
        return length

    def __bool__(self) -> bool:
        node: Node = object.__getattribute__(self, "_node")
        node.truth = bool(object.__getattribute__(self, "_target"))
        return node.truth

    def __iter__(self) -> Any:
        node: Node = object.__getattribute__(self, "_node")
        try:
            values = list(object.__getattribute__(self, "_target"))
        except Exception as exc:  # (`is iterable` asks any value)
            node.elements = Raised(type(exc))
            raise
        if not isinstance(node.elements, list):
            node.elements = [leaf_or_node(value) for value in values]
        return iter([self._wrap(value, slot) for value, slot in zip(values, node.elements, strict=True)])

    def __str__(self) -> str:
        node: Node = object.__getattribute__(self, "_node")
        node.text = str(object.__getattribute__(self, "_target"))
        return node.text

    def __setattr__(self, name: str, value: Any) -> None:
        raise Unrecordable("setattr", name)


class Replay:
    """A value rendered from a record: what was read then, nothing else."""

    __slots__ = ("_node",)

    def __init__(self, node: Node) -> None:
        object.__setattr__(self, "_node", node)

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # (what isinstance sees)
        kind: type | None = object.__getattribute__(self, "_node").kind
        if kind is None:
            raise Missing("class", None)
        return kind

    def __eq__(self, other: object) -> bool:
        raise Missing("==", other)

    def __ne__(self, other: object) -> bool:
        raise Missing("!=", other)

    def __hash__(self) -> int:
        raise Missing("hash", None)

    @staticmethod
    def _out(slot: Any) -> Any:
        if isinstance(slot, Raised):
            raise slot.kind()
        return Replay(slot) if isinstance(slot, Node) else slot

    def __getattr__(self, name: str) -> Any:
        slot = object.__getattribute__(self, "_node").attrs.get(name, _NOT_READ)
        if slot is _NOT_READ:
            raise Missing("attribute", name)
        return self._out(slot)

    def __getitem__(self, key: Any) -> Any:
        items = object.__getattribute__(self, "_node").items
        if not isinstance(key, LEAVES) or key not in items:
            raise Missing("item", key)
        return self._out(items[key])

    def __len__(self) -> int:
        length = object.__getattribute__(self, "_node").length
        if length is None:
            raise Missing("length")
        if isinstance(length, Raised):
            raise length.kind()
        return int(length)

    def __bool__(self) -> bool:
        truth = object.__getattribute__(self, "_node").truth
        if truth is None:
            raise Missing("truth")
        return bool(truth)

    def __iter__(self) -> Any:
        elements = object.__getattribute__(self, "_node").elements
        if elements is None:
            raise Missing("elements")
        if isinstance(elements, Raised):
            raise elements.kind()
        return iter([self._out(slot) for slot in elements])

    def __str__(self) -> str:
        text = object.__getattribute__(self, "_node").text
        if text is None:
            raise Missing("text")
        return str(text)

    def __setattr__(self, name: str, value: Any) -> None:
        raise Missing("setattr", name)
