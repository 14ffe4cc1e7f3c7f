"""Pinyin of Chinese names, for sorting and the initial-letter directory."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from pypinyin import Style, lazy_pinyin

# Characters without pinyin (Latin letters, digits, signs) stay, one item each. pypinyin accepts a callable that
# returns a list here, although its type hints say a string.
_KEEP_EACH = cast(Callable[[str], str], list)


_KNOWN: dict[str, str] = {}  # every name's key, for the build (and, through the build cache, the next one)
_USED: set[str] = set()  # the names asked for since remember_keys (names, trade names, labels)


def pinyin_key(name: str) -> str:
    """The name in tone-less pinyin, lower case, syllables separated by spaces."""
    found = _KNOWN.get(name)
    if found is None:
        found = _KNOWN[name] = " ".join(lazy_pinyin(name, style=Style.NORMAL, errors=_KEEP_EACH)).lower()
    _USED.add(name)
    return found


def known_keys(names: set[str] | None = None) -> dict[str, str]:
    """The keys computed so far (of `names` only, when given)."""
    return dict(_KNOWN) if names is None else {name: _KNOWN[name] for name in names if name in _KNOWN}


def used_keys() -> dict[str, str]:
    """The keys of every name asked for since remember_keys (what the next build of the site will ask for)."""
    return known_keys(_USED)


def remember_keys(keys: dict[str, str]) -> None:
    """Keys computed by an earlier build (the same pypinyin gives the same keys: the tool digest covers it)."""
    _KNOWN.update(keys)
    _USED.clear()


def initial(name: str) -> str:
    """The upper-case Latin initial of a name (A–Z), or '#' when it has none."""
    first = next((ch for ch in pinyin_key(name) if ch.isalnum()), "#").upper()
    return first if "A" <= first <= "Z" else "#"


def name_sort_key(name: str) -> tuple[str, str]:
    """Sort key for Chinese names: pinyin, then the name itself (a total order)."""
    return (pinyin_key(name), name)
