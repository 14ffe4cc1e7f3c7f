"""The no-JavaScript directory: merchants grouped by district, by category and by pinyin initial."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from builder.pinyin import initial, pinyin_key
from builder.sitemodel import Merchant

NOT_ASCII = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Group:
    """One directory page: a label, its ASCII slug and its merchants in name order."""

    label: str
    slug: str
    merchants: tuple[Merchant, ...]


def short_hash(text: str) -> str:
    """Six hex digits of the SHA-256 of text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def slugs(labels: list[str]) -> dict[str, str]:
    """Stable ASCII slugs: the pinyin of each label, with a short hash where two labels would collide."""
    base = {label: NOT_ASCII.sub("", pinyin_key(label)) or short_hash(label) for label in labels}
    count: dict[str, int] = defaultdict(int)
    for slug in base.values():
        count[slug] += 1
    return {label: slug if count[slug] == 1 else f"{slug}-{short_hash(label)}" for label, slug in base.items()}


def letter_slug(letter: str) -> str:
    """The route segment of an initial: the letter itself, or `other` for names without a Latin initial."""
    return letter if letter != "#" else "other"


def group_by(merchants: list[Merchant], kind: str) -> list[Group]:
    """Merchants (already in name order) grouped by `district`, `category` or `letter`, groups in label order."""
    groups: dict[str, list[Merchant]] = defaultdict(list)
    for merchant in merchants:
        if kind == "letter":
            label = initial(merchant.name)
        else:
            label = getattr(merchant.latest, kind)
        groups[label].append(merchant)
    if kind == "letter":
        ordered = sorted(groups, key=lambda c: (c == "#", c))
        return [Group(c, letter_slug(c), tuple(groups[c])) for c in ordered]
    names = slugs(sorted(groups))
    ordered = sorted(groups, key=lambda label: (pinyin_key(label), label))
    return [Group(label, names[label], tuple(groups[label])) for label in ordered]
