"""The no-JavaScript directory: merchants grouped by district, by category and by the pinyin initial of the 字号."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass

from builder.derived import Merchant
from builder.pinyin import initial, name_sort_key, pinyin_key
from builder.tradename import trade_name

NOT_ASCII = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Group:
    """One directory page: its kind (district, category or letter), label, ASCII slug and merchants in name order."""

    kind: str
    label: str
    slug: str
    merchants: tuple[Merchant, ...]

    @property
    def url(self) -> str:
        """The group page's route, e.g. `merchants/district/yunxizhen/`."""
        return f"merchants/{self.kind}/{self.slug}/"

    @property
    def shown(self) -> str:
        """The label as shown: 其他 for names without a Latin initial."""
        return self.label if self.label != "#" else "其他"


KINDS = ("district", "category", "letter")


@dataclass(frozen=True)
class Directory:
    """The merchant directory: every merchant by complaints, and the groups of each kind."""

    by_complaints: tuple[Merchant, ...]
    groups: dict[str, tuple[Group, ...]]


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


def group_by(merchants: tuple[Merchant, ...], kind: str, regions: tuple[str, ...] = ()) -> tuple[Group, ...]:
    """Merchants (already in name order) grouped by `district`, `category` or `letter`, groups in label order.

    Letters are the pinyin initial of the trade name (字号: the name after the region words in `regions`), and
    merchants under a letter are in the order of their trade names.
    """
    groups: dict[str, list[Merchant]] = defaultdict(list)
    if kind == "letter":
        traded = sorted(((name_sort_key(trade_name(m.name, regions)), m) for m in merchants),
                        key=lambda pair: (pair[0], pair[1].key))
        for key, merchant in traded:
            groups[initial(key[1])].append(merchant)
        ordered = sorted(groups, key=lambda c: (c == "#", c))
        return tuple(Group(kind, c, letter_slug(c), tuple(groups[c])) for c in ordered)
    for merchant in merchants:
        groups[getattr(merchant.latest, kind)].append(merchant)
    names = slugs(sorted(groups))
    ordered = sorted(groups, key=name_sort_key)
    return tuple(Group(kind, label, names[label], tuple(groups[label])) for label in ordered)


def build_directory(merchants: tuple[Merchant, ...], regions: tuple[str, ...] = ()) -> Directory:
    """The directory of merchants (given in name order): by newest 投诉量, then total, then name and key.

    `regions` are the region words names start with (`tradename.region_prefixes`), skipped for the initials.
    """
    by_complaints = sorted(merchants, key=lambda m: (-m.latest.complaints, -m.total_complaints,
                                                     name_sort_key(m.name), m.key))
    return Directory(tuple(by_complaints), {kind: group_by(merchants, kind, regions) for kind in KINDS})
