"""Pinyin of Chinese names, for sorting and the initial-letter directory."""

from __future__ import annotations

import functools
import importlib.metadata
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

# Characters without pinyin (Latin letters, digits, signs) stay, one item each. pypinyin accepts a callable that
# returns a list here, although its type hints say a string.
_KEEP_EACH = cast(Callable[[str], str], list)


# lazy_pinyin(name) is the pinyin of each word pypinyin cuts the name into, one word at a time: the words repeat
# from name to name (districts, trades, 有限公司), so each word's pinyin is worked out once (10,000 names: 0.25 s
# instead of 1.4 s).
_WORDS: dict[str, tuple[str, ...]] = {}

_KNOWN: dict[str, str] = {}  # every name's key, for the build (and, through the build cache, the next one)
_USED: set[str] = set()  # the names asked for since remember_keys (names, trade names, labels)


def pinyin_key(name: str) -> str:
    """The name in tone-less pinyin, lower case, syllables separated by spaces."""
    found = _KNOWN.get(name)
    if found is None:
        found = _KNOWN[name] = " ".join(syllables(name)).lower()
    _USED.add(name)
    return found


@functools.cache
def converter() -> tuple[DefaultConverter, Pinyin]:
    """pypinyin's converter and segmenter, imported when a key is first worked out (the import takes 0.15 s: a
    build whose names' keys are all in the build cache does without it)."""
    from pypinyin.converter import DefaultConverter
    from pypinyin.core import Pinyin

    found = DefaultConverter()
    return found, Pinyin(found)


def cache_entry() -> str:
    """The build cache's entry of the keys (valid for one version of pypinyin)."""
    return f"pinyin-{importlib.metadata.version('pypinyin')}"


def syllables(name: str) -> list[str]:
    """The name's syllables, as pypinyin's `lazy_pinyin` gives them (tone-less; characters without pinyin each)."""
    return [syllable for word in converter()[1].seg(name) for syllable in _word(word)]


def _word(word: str) -> tuple[str, ...]:
    """One word's syllables, as `lazy_pinyin` gives them (tone-less; characters without pinyin kept each)."""
    found = _WORDS.get(word)
    if found is None:
        from pypinyin import Style

        found = _WORDS[word] = tuple(syllable for item in converter()[0].convert(
            word, Style.NORMAL, False, _KEEP_EACH, strict=True) for syllable in item)
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
