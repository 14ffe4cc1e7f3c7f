"""Fingerprints of model values: equal values give equal digests, in this build and the next.

A page's cache key is the fingerprint of everything its template is given (see `pages.PageWriter.page`). The
model is frozen dataclasses, tuples, dicts, text, numbers and dates; each dataclass instance that holds a
container is fingerprinted once per build (merchants appear on many pages) and kept alive with its digest, so
that its id stays its own; a flat one (no list, tuple or dict in its fields) is walked in place instead.
A value of any other type has no fingerprint (`Unfingerprintable`): its page is always rendered.

A process that builds one site again and again (`gongshi serve`) keeps one `Fingerprints` across builds
(`kept_across_builds`): the records and derived objects that did not change are the same objects in the next
build (buildcache.kept_in_memory, remembered.py), so their digests are found, not computed again. What one
build did not use is forgotten at the start of the next, so the memory held stays about one site's worth.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import operator
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

BIG_TUPLE = 16  # tuples longer than this are fingerprinted once per build, like dataclass instances
CONTAINERS = frozenset((list, tuple, dict))  # what a flat dataclass instance holds none of (see `_walk`)
SIMPLE = frozenset((bool, float, dt.date, Markup, tuple))  # kinds `_leaf` knows: never dataclasses
PILE = 65_536  # parts waiting to be hashed at most, past an item of a container (the lookup: ~3 million parts)


class Unfingerprintable(Exception):
    """A value of a type this module does not know."""


def digest(*parts: str | bytes) -> str:
    """A hex digest of several texts or byte strings (each length-prefixed, so the split cannot be moved)."""
    return digest_of(parts)


def digest_of(parts: Iterable[str | bytes]) -> str:
    """`digest` of the parts an iterable gives, taken one at a time (a generator need not hold them all)."""
    hasher = Digester()
    for part in parts:
        hasher.update(part)
    return hasher.hexdigest()


class Digester:
    """`digest` of parts given one at a time."""

    def __init__(self) -> None:
        self._hasher = hashlib.blake2b(digest_size=16)

    def update(self, part: str | bytes) -> None:
        """Add one part (length-prefixed)."""
        data = part.encode("utf-8") if isinstance(part, str) else part
        self._hasher.update(len(data).to_bytes(8, "little"))
        self._hasher.update(data)

    def hexdigest(self) -> str:
        """The digest of the parts so far."""
        return self._hasher.hexdigest()


class Fingerprints:
    """Digests of model values, remembered for the build."""

    def __init__(self, kept: bool = False) -> None:
        self._memo: dict[int, tuple[object, str]] = {}
        self._getters: dict[type, tuple[str, Callable[[object], tuple[Any, ...]]]] = {}
        self._used: set[int] | None = set() if kept else None  # kept across builds: what this build asked for

    @classmethod
    def for_build(cls) -> Fingerprints:
        """The fingerprints for one build: the kept ones (see the module's docstring), else new ones."""
        kept = _KEPT[-1] if _KEPT else None
        if kept is None:
            return cls()
        if kept._used is not None:
            kept._memo = {key: kept._memo[key] for key in kept._used if key in kept._memo}
            kept._used = set()
        return kept

    def knows(self, value: object) -> bool:
        """Whether this very object's digest is known already (kept from an earlier build)."""
        known = self._memo.get(id(value))
        if known is None or known[0] is not value:
            return False
        if self._used is not None:
            self._used.add(id(value))
        return True

    def preset(self, value: object, known: str) -> None:
        """Use `known` as the digest of a value (e.g. an entry: the digest of its file and its place in it)."""
        self._memo[id(value)] = (value, known)
        if self._used is not None:
            self._used.add(id(value))

    def of(self, value: object) -> str:
        """The hex digest of a value."""
        if type(value) is tuple and len(value) > BIG_TUPLE or dataclasses.is_dataclass(value):
            return self._remembered(value)
        parts = _Parts()
        self._walk((value,), parts)
        return parts.hexdigest()

    def _remembered(self, value: object) -> str:
        """The digest of a dataclass instance or a big tuple, remembered unless it is flat (see `_walk`)."""
        known = self._memo.get(id(value))
        if self._used is not None:
            self._used.add(id(value))
        if known is not None:
            return known[1]
        parts = _Parts()
        if type(value) is tuple:
            parts.append(f"t{len(value)};")
            items: tuple[Any, ...] = value
        else:
            header, items = self._fields(value)
            parts.append(header)
        self._walk(items, parts)
        found = parts.hexdigest()
        if type(value) is tuple or not CONTAINERS.isdisjoint(map(type, items)):
            self._memo[id(value)] = (value, found)
        return found

    def _fields(self, value: object) -> tuple[str, tuple[Any, ...]]:
        """A dataclass instance's kind (as a part) and the values of its fields."""
        kind = type(value)
        getter = self._getters.get(kind)
        if getter is None:
            names = [f.name for f in dataclasses.fields(kind) if f.init]  # type: ignore[arg-type]
            many = operator.attrgetter(*names) if len(names) > 1 else None
            one = names[0] if names else ""
            fetch = many if many is not None else (lambda obj: (getattr(obj, one),) if one else ())
            getter = self._getters[kind] = (f"c{kind.__module__}.{kind.__qualname__};", fetch)
        return getter[0], getter[1](value)

    def _walk(self, items: Iterable[Any], out: _Parts) -> None:
        """Append the parts of each value, depth first: nested containers are walked here, not by calls."""
        # A dataclass instance none of whose fields is a list, tuple or dict (a row: an entry and a merchant; a
        # page link) is flat: its parts are its kind's and its fields', in place, not the digest of them
        # remembered (100,000s of rows, each hashed and kept alive for nothing). Whether an instance is flat
        # depends on its own fields only, so its parts do too, whatever was fingerprinted before it.
        append, memo, used, getters = out.append, self._memo, self._used, self._getters
        stack: list[Iterator[Any]] = [iter(items)]
        while stack:
            for value in stack[-1]:
                if len(out) > PILE:  # a tuple of 100,000 merchants: one part each
                    out.flush()
                kind = type(value)
                if kind is str:
                    append(f"s{len(value)}:{value}")
                elif kind is int:
                    append(f"i{value};")
                elif value is None:
                    append("n")
                elif kind is list or kind is tuple and len(value) <= BIG_TUPLE:
                    append(f"l{len(value)};")
                    stack.append(iter(value))
                    break
                elif kind is dict:
                    append(f"m{len(value)};")
                    stack.append(chain.from_iterable(value.items()))
                    break
                elif (known := memo.get(id(value))) is not None:  # a record, a big tuple: digested already
                    append(f"h{known[1]}")
                    if used is not None:
                        used.add(id(value))
                elif kind in getters or kind not in SIMPLE and dataclasses.is_dataclass(value):
                    header, fields = self._fields(value)
                    if not CONTAINERS.isdisjoint(map(type, fields)):
                        append(f"h{self._remembered(value)}")
                        continue
                    append(header)
                    stack.append(iter(fields))
                    break
                else:
                    append(self._leaf(value))
            else:
                stack.pop()

    def _leaf(self, value: Any) -> str:
        """The part of a value that is neither text, a number, a container nor a dataclass (a big tuple: its digest)."""
        kind = type(value)
        if kind is bool:
            return "T" if value else "F"
        if kind is float:
            return f"f{value!r};"
        if kind is dt.date:
            return f"d{value.isoformat()}"
        if kind is Markup:
            return f"M{len(value)}:{value}"
        if kind is tuple:
            return f"h{self._remembered(value)}"
        if isinstance(value, PurePath):
            return f"p{len(str(value))}:{value}"
        raise Unfingerprintable(kind.__qualname__)


_KEPT: list[Fingerprints] = []


@contextlib.contextmanager
def kept_across_builds() -> Iterator[None]:
    """While this lasts, every build of this process uses one Fingerprints (see the module's docstring)."""
    _KEPT.append(Fingerprints(kept=True))
    try:
        yield
    finally:
        _KEPT.pop()


class _Parts(list[str]):
    """The texts a value's digest is made of, hashed in piles as they come (a large value is never held whole
    as text): the digest is the one of all of them joined."""

    __slots__ = ("hasher",)

    def flush(self) -> None:
        """Hash the waiting parts and let them go."""
        hasher = getattr(self, "hasher", None)
        if hasher is None:
            hasher = self.hasher = hashlib.blake2b(digest_size=16)
        hasher.update("".join(self).encode("utf-8", "surrogatepass"))
        self.clear()

    def hexdigest(self) -> str:
        """The digest of every part."""
        if getattr(self, "hasher", None) is None:
            return _hash("".join(self))
        self.flush()
        return str(self.hasher.hexdigest())


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
