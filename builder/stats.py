"""Statistics of a period: totals by category, district, demand and result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from builder.sitemodel import PeriodView


@dataclass(frozen=True)
class Row:
    """One line of a statistics table."""

    label: str
    complaints: int
    resolved: int
    merchants: int


@dataclass(frozen=True)
class PeriodStats:
    """A period's statistics."""

    view: PeriodView
    by_category: tuple[Row, ...]
    by_district: tuple[Row, ...]
    by_demand: tuple[tuple[str, int], ...]
    by_result: tuple[tuple[str, int], ...]


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


def _count(values: list[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(Counter(values).items(), key=lambda pair: (-pair[1], pair[0])))


def period_stats(view: PeriodView) -> PeriodStats:
    """Group a period's public entries and disclosed items."""
    items = [item for entry, _ in view.rows for item in entry.items]
    return PeriodStats(view, _group(view, "category"), _group(view, "district"),
                       _count([i.demand for i in items]), _count([i.result for i in items]))
