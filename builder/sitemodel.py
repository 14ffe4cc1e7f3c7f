"""The derived site: merchants across periods, resolved references, rankings, totals."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from builder import creditcode
from builder.model import Article, Content, Entry, PeriodFile, RankingFile
from builder.periods import Period

if TYPE_CHECKING:
    from builder.disclosure import LeftOut
    from builder.rankings import Ranking


@dataclass(frozen=True)
class Merchant:
    """A merchant with its public history, newest period last."""

    key: str
    slug: str
    history: tuple[Entry, ...]

    @property
    def latest(self) -> Entry:
        """The newest public entry."""
        return self.history[-1]

    @property
    def name(self) -> str:
        """The name in the newest period."""
        return self.latest.name

    @property
    def credit_code(self) -> str:
        """The credit code, when the merchant has one."""
        return self.latest.credit_code

    @property
    def total_complaints(self) -> int:
        """投诉量 over every published period."""
        return sum(entry.complaints for entry in self.history)

    @property
    def total_resolved(self) -> int:
        """办结量 over every published period."""
        return sum(entry.resolved for entry in self.history)

    def previous_complaints(self, entry: Entry) -> int | None:
        """投诉量 of the period right before `entry`'s, when the merchant was disclosed in it; else None."""
        before = entry.period.start - dt.timedelta(days=1)
        return next((e.complaints for e in self.history if e.period.end == before
                     and e.period.months == entry.period.months), None)


@dataclass(frozen=True)
class PeriodView:
    """A period's public entries with their merchants."""

    source: PeriodFile
    rows: tuple[tuple[Entry, Merchant], ...]
    withdrawn: tuple[Entry, ...]

    @property
    def period(self) -> Period:
        """The period."""
        return self.source.period

    @property
    def complaints(self) -> int:
        """Total 投诉量."""
        return sum(entry.complaints for entry, _ in self.rows)

    @property
    def resolved(self) -> int:
        """Total 办结量."""
        return sum(entry.resolved for entry, _ in self.rows)


@dataclass
class Site:
    """Everything the pages are rendered from."""

    content: Content
    merchants: list[Merchant]
    periods: list[PeriodView]
    rankings: list[Ranking]
    warnings: list[Article]
    pages: list[Article]
    by_key: dict[str, Merchant] = field(default_factory=dict)
    related: dict[str, list[Merchant]] = field(default_factory=dict)
    as_of: dt.date | None = None
    left_out: list[LeftOut] = field(default_factory=list)


def merchant_slug(entry: Entry) -> str:
    """The URL slug of a merchant: credit code, else id, else a hash of the name."""
    if entry.credit_code:
        return entry.credit_code
    if entry.merchant_id:
        return entry.merchant_id.lower()
    return "m-" + hashlib.sha256(entry.name.encode()).hexdigest()[:12]


def name_sort_key(name: str) -> tuple[str, str]:
    """Sort key for Chinese names: pinyin, then the name itself (a total order)."""
    from builder.pinyin import pinyin_key

    return (pinyin_key(name), name)


class Resolver:
    """Finds a merchant from a reference: credit code, id or exact name."""

    def __init__(self, merchants: list[Merchant], all_entries: list[Entry]) -> None:
        self.public = {merchant.key: merchant for merchant in merchants}
        self.refs: dict[str, str] = {}
        for entry in all_entries:
            if entry.credit_code:
                self.refs.setdefault(entry.credit_code, entry.key)
            if entry.merchant_id:
                self.refs.setdefault(entry.merchant_id, entry.key)
            self.refs.setdefault(entry.name, entry.key)

    def key_of(self, ref: str) -> str | None:
        """The merchant key a reference names (public or not), or None."""
        normalised = creditcode.normalise(ref)
        return self.refs.get(ref) or self.refs.get(normalised)

    def find(self, ref: str) -> Merchant | None:
        """The public merchant a reference names, or None."""
        key = self.key_of(ref)
        return self.public.get(key) if key else None
