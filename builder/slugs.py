"""Readable, safe ASCII slugs from Chinese titles (toneless pinyin joined by hyphens)."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 48
_LEADING = ("关于",)  # "concerning": most notices start with it, it says nothing
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _ascii(token: str) -> str:
    """A token folded to lower-case ASCII letters and digits: accents dropped, the rest becomes hyphens."""
    folded = unicodedata.normalize("NFKD", token)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return _NOT_ALNUM.sub("-", folded).strip("-")


def slugify(title: str, limit: int = MAX_SLUG, fallback: str = "untitled") -> str:
    """`关于预付卡的消费提醒` → `yu-fu-ka-de-xiao-fei-ti-xing`, cut at a hyphen within `limit` characters.

    A leading 关于 is dropped. Full-width letters and digits count as ASCII; every other character is a
    separator. A title with nothing readable (only punctuation or emoji) gives `fallback`.
    """
    from pypinyin import Style, lazy_pinyin  # (0.15 s to import: only when a title is made a slug)

    text = unicodedata.normalize("NFKC", title).strip()
    for word in _LEADING:
        if text.startswith(word) and len(text) > len(word):
            text = text[len(word):]
    tokens = [_ascii(token) for token in lazy_pinyin(text, style=Style.NORMAL)]
    slug = "-".join(token for token in tokens if token)
    slug = re.sub(r"-{2,}", "-", slug)
    if len(slug) > limit:
        cut = slug.rfind("-", 0, limit + 1)
        slug = slug[:cut] if cut > 0 else slug[:limit]
    return slug.strip("-") or fallback
