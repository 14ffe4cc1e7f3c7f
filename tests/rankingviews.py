"""A ranking drawn from bare entries, as assemble() would group them: shared by the ranking and scoring tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from builder.derived import Merchant, PeriodView, Ranking, Row
from builder.model import Entry, PeriodFile, PeriodSummary, RankingConfig, RankingFile, Source
from builder.periods import parse_period
from builder.rankings import rank
from builder.resolver import Resolver

HERE = Source("test.yaml", 1, 1)


def rank_entries(entries: list[Entry], periods: Iterable[str], record: RankingFile,
                 config: RankingConfig) -> Ranking:
    """Rank `entries` (one merchant per name) with a view of each of `periods`, in the order given."""
    history: dict[str, list[Entry]] = {}
    for item in entries:
        history.setdefault(item.name, []).append(item)
    merchants = [Merchant(tuple(sorted(items, key=lambda e: e.period))) for items in history.values()]
    by_key = {m.key: m for m in merchants}
    views = []
    for key in periods:
        found = parse_period(key)
        assert found is not None
        rows = tuple(Row(e, by_key[e.key]) for e in entries if e.period == found)
        summary = PeriodSummary(found, (PeriodFile(found, dt.date(2026, 12, 1), "局", tuple(r.entry for r in rows),
                                                   HERE),))
        views.append(PeriodView(summary, rows))
    return rank(record, Resolver(merchants, entries), tuple(views), config)
