"""Derived records: merchants across periods, period disclosure lists and ranking lists with their places."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from builder.model import Entry, PeriodSummary, RankingFile, period_url
from builder.periods import Period
from builder.scoring import Component, formula_text, written_places


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One period of a merchant's history, with its 投诉量 in the period right before (None: not disclosed then)."""

    entry: Entry
    previous: int | None

    @property
    def url(self) -> str:
        """The route of the period's disclosure list."""
        return period_url(self.entry.period)


@dataclass(frozen=True, slots=True)  # one per entry or merchant: 100,000s of them
class Merchant:
    """A merchant with its public history, newest period last."""

    history: tuple[Entry, ...]
    key: str = field(init=False)
    slug: str = field(init=False)
    url: str = field(init=False)  # the merchant page's route, relative to the site root
    lines: tuple[HistoryLine, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        identity = self.history[-1].identity
        object.__setattr__(self, "key", identity.key)
        object.__setattr__(self, "slug", identity.slug)
        object.__setattr__(self, "url", identity.url)
        object.__setattr__(self, "lines", tuple(HistoryLine(e, _previous_complaints(self.history, e))
                                                for e in reversed(self.history)))

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

    @property
    def total_unresolved(self) -> int:
        """未办结 over every published period."""
        return self.total_complaints - self.total_resolved


def _previous_complaints(history: tuple[Entry, ...], entry: Entry) -> int | None:
    """投诉量 of the period of the same length right before `entry`'s, when the merchant was disclosed in it."""
    before = entry.period.start - dt.timedelta(days=1)
    return next((e.complaints for e in history if e.period.end == before
                 and e.period.months == entry.period.months), None)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a period's disclosure list: the entry and its merchant."""

    entry: Entry
    merchant: Merchant


@dataclass(frozen=True)
class PeriodView:
    """A period's public entries with their merchants, in list order (most complaints first)."""

    source: PeriodSummary
    rows: tuple[Row, ...]

    @property
    def period(self) -> Period:
        """The period."""
        return self.source.period

    @property
    def url(self) -> str:
        """The disclosure list's route, relative to the site root."""
        return period_url(self.period)

    @property
    def stats_url(self) -> str:
        """The period's statistics page route, relative to the site root."""
        return f"statistics/{self.period.key}/"

    @property
    def complaints(self) -> int:
        """Total 投诉量."""
        return sum(row.entry.complaints for row in self.rows)

    @property
    def resolved(self) -> int:
        """Total 办结量."""
        return sum(row.entry.resolved for row in self.rows)

    @property
    def unresolved(self) -> int:
        """Total 未办结."""
        return self.complaints - self.resolved


@dataclass(frozen=True, slots=True)
class Ranked:
    """One merchant's place among everyone ranked (`components`: the terms of a computed score)."""

    merchant: Merchant
    score: float
    rank: int
    tied: bool
    complaints: int
    components: tuple[Component, ...] = ()


#: Why a merchant of the ranking period is not ranked, in the order a page lists the kinds.
NOT_RANKED_KINDS = ("below_minimum", "not_scored", "not_computable")


@dataclass(frozen=True)
class NotRanked:
    """A merchant disclosed in the ranking period that is not ranked, and why (`kind` from NOT_RANKED_KINDS)."""

    merchant: Merchant
    complaints: int
    kind: str
    reason: str


@dataclass(frozen=True)
class Ranking:
    """A ranking period's lists, as published: `table` is everyone ranked, best first; `not_ranked` the others."""

    source: RankingFile
    top: tuple[Ranked, ...]
    bottom: tuple[Ranked, ...]
    table: tuple[Ranked, ...] = ()
    not_ranked: tuple[NotRanked, ...] = ()
    minimum: int = 0
    unpublished_count: int = 0
    top_extended: bool = False
    bottom_extended: bool = False
    covered: tuple[Period, ...] = ()

    @property
    def formula(self) -> str:
        """The formula as published: written from the weights for a computed ranking, else the file's text."""
        return formula_text(self.source.weights) if self.source.computed else self.source.formula

    @cached_property
    def decimals(self) -> int:
        """The decimals every score is shown with: the file's `decimals`, or more when a supplied score has more
        (worked out once: every score on every page that shows one asks, and each answer reads every score)."""
        return max((self.source.decimals, *(written_places(s.score) for s in self.source.scores)))

    @property
    def ranked_count(self) -> int:
        """How many merchants are ranked."""
        return len(self.table)

    @property
    def disclosed_count(self) -> int:
        """How many merchants are disclosed in the ranking period (ranked or not), as far as scores reach them."""
        return len(self.table) + len(self.not_ranked)

    @property
    def excluded_count(self) -> int:
        """How many merchants of the ranking period have fewer complaints than the minimum."""
        return sum(1 for item in self.not_ranked if item.kind == "below_minimum")

    def not_ranked_count(self, kind: str) -> int:
        """How many merchants are not ranked for the reason `kind`."""
        return sum(1 for item in self.not_ranked if item.kind == kind)

    @property
    def not_ranked_by_kind(self) -> tuple[tuple[str, int], ...]:
        """Each reason some merchants are not ranked, with how many, in NOT_RANKED_KINDS order."""
        return tuple((kind, count) for kind in NOT_RANKED_KINDS if (count := self.not_ranked_count(kind)))

    @property
    def period(self) -> Period:
        """The ranking's period."""
        return self.source.period

    @property
    def url(self) -> str:
        """The ranking page's route, relative to the site root."""
        return f"rankings/{self.period.key}/"


@dataclass(frozen=True)
class Placement:
    """A merchant's place on one list of one ranking, e.g. 2026年9月黑榜（倒数第3名）."""

    ranking: Ranking
    label: str
    place: str
