"""Pinyin of Chinese names, for sorting and the initial-letter directory."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import cast

from pypinyin import Style, lazy_pinyin

# Characters without pinyin (Latin letters, digits, signs) stay, one item each. pypinyin accepts a callable that
# returns a list here, although its type hints say a string.
_KEEP_EACH = cast(Callable[[str], str], list)


@lru_cache(maxsize=65536)
def pinyin_key(name: str) -> str:
    """The name in tone-less pinyin, lower case, syllables separated by spaces."""
    return " ".join(lazy_pinyin(name, style=Style.NORMAL, errors=_KEEP_EACH)).lower()


def initial(name: str) -> str:
    """The upper-case Latin initial of a name (A–Z), or '#' when it has none."""
    first = next((ch for ch in pinyin_key(name) if ch.isalnum()), "#").upper()
    return first if "A" <= first <= "Z" else "#"


def name_sort_key(name: str) -> tuple[str, str]:
    """Sort key for Chinese names: pinyin, then the name itself (a total order)."""
    return (pinyin_key(name), name)
