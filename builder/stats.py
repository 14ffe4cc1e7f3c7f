"""Statistics: a period's totals by category, district, demand and result; trends and hot spots over periods."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from builder.sitemodel import PeriodView

HOT_SPOTS = 5


@dataclass(frozen=True)
class Row:
    """One line of a statistics table: complaints (or disclosed items), resolved (or handled), merchants."""

    label: str
    complaints: int
    resolved: int
    merchants: int


@dataclass(frozen=True)
class HotSpot:
    """A label whose count grew against the previous period."""

    label: str
    current: int
    previous: int

    @property
    def growth(self) -> int:
        """The increase in count."""
        return self.current - self.previous


@dataclass(frozen=True)
class PeriodStats:
    """A period's statistics, with hot spots against the previous period when there is one."""

    view: PeriodView
    by_category: tuple[Row, ...]
    by_district: tuple[Row, ...]
    by_demand: tuple[Row, ...]
    by_result: tuple[Row, ...]
    previous: PeriodView | None = None
    hot_categories: tuple[HotSpot, ...] = ()
    hot_goods: tuple[HotSpot, ...] = ()

    @property
    def items(self) -> int:
        """Disclosed complaint items in the period."""
        return sum(row.complaints for row in self.by_demand)


def _group(view: PeriodView, attribute: str) -> tuple[Row, ...]:
    complaints: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    merchants: Counter[str] = Counter()
    for entry, _ in view.rows:
        label = getattr(entry, attribute)
        complaints[label] += entry.complaints
        resolved[label] += entry.resolved
        merchants[label] += 1
    rows = [Row(label, complaints[label], resolved[label], merchants[label]) for label in complaints]
    return tuple(sorted(rows, key=lambda r: (-r.complaints, r.label)))


def _group_items(view: PeriodView, attribute: str) -> tuple[Row, ...]:
    """Disclosed items by demand or result: items, items handled (with a handling date), merchants."""
    items: Counter[str] = Counter()
    handled: Counter[str] = Counter()
    merchants: dict[str, set[str]] = {}
    for entry, merchant in view.rows:
        for item in entry.items:
            label = getattr(item, attribute)
            items[label] += 1
            handled[label] += item.handled is not None
            merchants.setdefault(label, set()).add(merchant.key)
    rows = [Row(label, items[label], handled[label], len(merchants[label])) for label in items]
    return tuple(sorted(rows, key=lambda r: (-r.complaints, r.label)))


def _goods(view: PeriodView) -> Counter[str]:
    return Counter(item.goods for entry, _ in view.rows for item in entry.items if item.goods)


def hot_spots(current: Counter[str], previous: Counter[str], limit: int = HOT_SPOTS) -> tuple[HotSpot, ...]:
    """The labels that grew most (ties: larger count, then label), only those that grew."""
    spots = [HotSpot(label, count, previous.get(label, 0)) for label, count in current.items()]
    grown = [spot for spot in spots if spot.growth > 0]
    return tuple(sorted(grown, key=lambda s: (-s.growth, -s.current, s.label))[:limit])


def period_stats(view: PeriodView, previous: PeriodView | None = None) -> PeriodStats:
    """Group a period's public entries and disclosed items; compare with the previous period when given."""
    by_category = _group(view, "category")
    hot_categories: tuple[HotSpot, ...] = ()
    hot_goods: tuple[HotSpot, ...] = ()
    if previous is not None:
        before = Counter({row.label: row.complaints for row in _group(previous, "category")})
        hot_categories = hot_spots(Counter({row.label: row.complaints for row in by_category}), before)
        hot_goods = hot_spots(_goods(view), _goods(previous))
    return PeriodStats(view, by_category, _group(view, "district"), _group_items(view, "demand"),
                       _group_items(view, "result"), previous, hot_categories, hot_goods)


def all_period_stats(views: list[PeriodView]) -> list[PeriodStats]:
    """Statistics of every period, newest first, each compared with the period before it."""
    ordered = sorted(views, key=lambda v: v.period)
    stats = [period_stats(view, ordered[i - 1] if i else None) for i, view in enumerate(ordered)]
    return stats[::-1]
