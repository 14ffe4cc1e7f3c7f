"""红黑榜: drawing the top and bottom lists of a ranking period from its scores.

The rule, as published on every ranking page and in the README:

- A merchant takes part when its score names a published merchant and its complaints in the ranking
  period (the sum over every complaint period lying inside it, e.g. three months of a quarter) are at
  least `min_complaints`.
- Order: higher score first; among equal scores, fewer complaints first, then the name (code-point
  order). Equal scores share a place (competition ranking: 1, 2, 2, 4) and are marked as ties.
- The top list takes `top_count` merchants; when the last place is shared, every merchant tied at that
  place is listed too, so the list can be longer than `top_count` (and says so). The tie-break therefore
  only orders a list; it never decides who is on it.
- The bottom list is drawn the same way from the lowest scores, among the merchants not on the top list,
  so a merchant is never on both lists; with few merchants the bottom list is shorter or empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from builder.derived import Merchant, PeriodView, Placement, Ranked, Ranking
from builder.model import RankingConfig, RankingFile
from builder.periods import Period
from builder.resolver import Resolver


class Candidate(NamedTuple):
    """A merchant taking part in a ranking: its score and its complaints in the ranking period."""

    score: float
    complaints: int
    merchant: Merchant


def complaints_in(period: Period, views: tuple[PeriodView, ...]) -> tuple[dict[str, int], tuple[Period, ...]]:
    """Published complaints per merchant over every complaint period inside `period`, and those periods."""
    totals: dict[str, int] = {}
    covered = []
    for view in views:
        if period.contains(view.period):
            covered.append(view.period)
            for row in view.rows:
                totals[row.merchant.key] = totals.get(row.merchant.key, 0) + row.entry.complaints
    return totals, tuple(sorted(covered))


Better = Callable[[float, float], bool]


def _draw(ordered: list[Candidate], count: int, better: Better,
          scores: list[float]) -> tuple[tuple[Ranked, ...], bool]:
    """The first `count` candidates plus everyone tied with the last of them; whether ties extended it.

    Places and ties count among `scores`, the scores of everyone ranked (not only the candidates left).
    """
    if count <= 0 or not ordered:
        return (), False
    cut = min(count, len(ordered))
    last_score = ordered[cut - 1].score
    while cut < len(ordered) and ordered[cut].score == last_score:
        cut += 1
    placed = []
    for score, complaints, merchant in ordered[:cut]:
        place = 1 + sum(1 for other in scores if better(other, score))
        placed.append(Ranked(merchant, score, place, scores.count(score) > 1, complaints))
    return tuple(placed), cut > count


def rank(ranking: RankingFile, resolver: Resolver, views: tuple[PeriodView, ...], config: RankingConfig) -> Ranking:
    """Draw the top and bottom lists of one ranking period by the documented rule."""
    complaints, covered = complaints_in(ranking.period, views)
    candidates: list[Candidate] = []
    excluded = unpublished = 0
    for score in ranking.scores:
        merchant = resolver.find(score.ref)
        if merchant is None:
            unpublished += 1
            continue
        count = complaints.get(merchant.key, 0)
        if count < config.min_complaints:
            excluded += 1
            continue
        candidates.append(Candidate(score.score, count, merchant))
    scores = [c.score for c in candidates]
    best = sorted(candidates, key=lambda c: (-c.score, c.complaints, c.merchant.name, c.merchant.key))
    top, top_extended = _draw(best, config.top_count, lambda other, mine: other > mine, scores)
    on_top = {item.merchant.key for item in top}
    rest = [c for c in candidates if c.merchant.key not in on_top]
    worst = sorted(rest, key=lambda c: (c.score, c.complaints, c.merchant.name, c.merchant.key))
    bottom, bottom_extended = _draw(worst, config.bottom_count, lambda other, mine: other < mine, scores)
    return Ranking(ranking, top, bottom, len(candidates), excluded, unpublished, top_extended, bottom_extended,
                   covered)


def placements(rankings: tuple[Ranking, ...], config: RankingConfig) -> dict[str, tuple[Placement, ...]]:
    """Every merchant's places on the lists, newest ranking first, top list before bottom list."""
    found: dict[str, list[Placement]] = {}
    for ranking in rankings:
        for label, placed, prefix in ((config.top_label, ranking.top, "第"),
                                      (config.bottom_label, ranking.bottom, "倒数第")):
            for item in placed:
                place = f"{prefix}{item.rank}名" + ("，并列" if item.tied else "")
                found.setdefault(item.merchant.key, []).append(Placement(ranking, label, place))
    return {key: tuple(items) for key, items in found.items()}
