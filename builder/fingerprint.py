"""Fingerprints of model values: equal values give equal digests, in this build and the next.

A page's cache key is the fingerprint of everything its template is given (see `pages.PageWriter.page`). The
model is frozen dataclasses, tuples, dicts, text, numbers and dates; each dataclass instance is fingerprinted
once per build (merchants appear on many pages) and kept alive with its digest, so that its id stays its own.
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
from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import Any

from markupsafe import Markup

BIG_TUPLE = 16  # tuples longer than this are fingerprinted once per build, like dataclass instances
PILE = 65_536  # parts waiting to be hashed at most, past an item of a container (the lookup: ~3 million parts)


class Unfingerprintable(Exception):
    """A value of a type this module does not know."""


def digest(*parts: str | bytes) -> str:
    """A hex digest of several texts or byte strings (each length-prefixed, so the split cannot be moved)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


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
        self._parts(value, parts)
        return parts.hexdigest()

    def _remembered(self, value: object) -> str:
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
            kind = type(value)
            getter = self._getters.get(kind)
            if getter is None:
                names = [f.name for f in dataclasses.fields(kind) if f.init]  # type: ignore[arg-type]
                many = operator.attrgetter(*names) if len(names) > 1 else None
                one = names[0] if names else ""
                fetch = many if many is not None else (lambda obj: (getattr(obj, one),) if one else ())
                getter = self._getters[kind] = (f"c{kind.__module__}.{kind.__qualname__};", fetch)
            parts.append(getter[0])
            items = getter[1](value)
        for item in items:
            self._parts(item, parts)
            if len(parts) > PILE:  # a tuple of 100,000 merchants: one part each
                parts.flush()
        found = parts.hexdigest()
        self._memo[id(value)] = (value, found)
        return found

    def _parts(self, value: Any, out: _Parts) -> None:
        kind = type(value)
        if kind is str:
            out.append(f"s{len(value)}:{value}")
        elif kind is int:
            out.append(f"i{value};")
        elif value is None:
            out.append("n")
        elif kind is tuple or kind is list:
            if kind is tuple and len(value) > BIG_TUPLE:
                out.append(f"h{self._remembered(value)}")
                return
            out.append(f"l{len(value)};")
            for item in value:
                self._parts(item, out)
                if len(out) > PILE:
                    out.flush()
        elif kind is bool:
            out.append("T" if value else "F")
        elif kind is float:
            out.append(f"f{value!r};")
        elif kind is dt.date:
            out.append(f"d{value.isoformat()}")
        elif kind is dict:
            out.append(f"m{len(value)};")
            for key, item in value.items():
                self._parts(key, out)
                self._parts(item, out)
                if len(out) > PILE:
                    out.flush()
        elif kind is Markup:
            out.append(f"M{len(value)}:{value}")
        elif id(value) in self._memo or dataclasses.is_dataclass(value):
            out.append(f"h{self._remembered(value)}")
        elif isinstance(value, PurePath):
            out.append(f"p{len(str(value))}:{value}")
        else:
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
