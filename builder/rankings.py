"""红黑榜: scoring a ranking period's merchants and drawing the top and bottom lists.

The rule, as published on every ranking page and in the README:

- Scores are either supplied by the ranking file (`scores`, computed elsewhere) or computed by gongshi from
  the published data with the formula the file declares as `weights` (see `builder/scoring.py`).
- A merchant takes part when it has a score (supplied, or computable: a computed ranking scores every merchant
  disclosed in the ranking period) and its complaints in the ranking period (the sum over every complaint
  period lying inside it, e.g. three months of a quarter) are at least the minimum (the file's
  `min_complaints`, else site.yaml's). Every other merchant disclosed in the period is listed with the reason.
- Order: higher score first; among equal scores, fewer complaints first, then the name (code-point
  order). Equal scores share a place (competition ranking: 1, 2, 2, 4) and are marked as ties.
- The top list takes `top_count` merchants; when the last place is shared, every merchant tied at that
  place is listed too, so the list can be longer than `top_count` (and says so). The tie-break therefore
  only orders a list; it never decides who is on it.
- The bottom list is drawn the same way from the lowest scores, among the merchants not on the top list,
  so a merchant is never on both lists; with few merchants the bottom list is shorter or empty.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import NamedTuple

from builder import scoring
from builder.derived import NOT_RANKED_KINDS, Merchant, NotRanked, PeriodView, Placement, Ranked, Ranking
from builder.model import Entry, RankingConfig, RankingFile
from builder.periods import Period
from builder.pinyin import name_sort_key
from builder.resolver import Resolver
from builder.scoring import Component, Totals


class Candidate(NamedTuple):
    """A merchant taking part in a ranking: its score, its complaints in the ranking period, the score's terms."""

    score: float
    complaints: int
    merchant: Merchant
    components: tuple[Component, ...] = ()


class PeriodTotals(NamedTuple):
    """What a ranking period holds: each merchant disclosed in it with its summed figures, and its periods."""

    merchants: dict[str, tuple[Merchant, Totals]]
    covered: tuple[Period, ...]


def totals_in(period: Period, views: tuple[PeriodView, ...]) -> PeriodTotals:
    """Published figures per merchant summed over every complaint period inside `period`, and those periods."""
    inside = [view for view in views if period.contains(view.period)]
    merchants: dict[str, Merchant] = {}
    entries: dict[str, list[Entry]] = {}
    for view in inside:
        for row in view.rows:
            merchants[row.merchant.key] = row.merchant
            entries.setdefault(row.merchant.key, []).append(row.entry)
    found = {key: (merchants[key], scoring.totals(items, len(inside))) for key, items in entries.items()}
    return PeriodTotals(found, tuple(sorted(view.period for view in inside)))


Better = Callable[[float, float], bool]


def _draw(ordered: list[Candidate], count: int, better: Better,
          scores: list[float]) -> tuple[tuple[Ranked, ...], bool]:
    """The first `count` candidates plus everyone tied with the last of them; whether ties extended it.

    Places and ties count among `scores`, the sorted scores of everyone ranked (not only the candidates left).
    """
    if count <= 0 or not ordered:
        return (), False
    cut = min(count, len(ordered))
    last_score = ordered[cut - 1].score
    while cut < len(ordered) and ordered[cut].score == last_score:
        cut += 1
    return tuple(_place(candidate, better, scores) for candidate in ordered[:cut]), cut > count


def _place(candidate: Candidate, better: Better, scores: list[float]) -> Ranked:
    """A candidate's place among `scores` (sorted; 1 + how many are better), and whether it shares it.

    By bisection: ties at the cut can list thousands at 100,000 merchants.
    """
    low, high = bisect_left(scores, candidate.score), bisect_right(scores, candidate.score)
    place = 1 + (len(scores) - high if better(1.0, 0.0) else low)
    return Ranked(candidate.merchant, candidate.score, place, high - low > 1, candidate.complaints,
                  candidate.components)


def below_minimum(merchant: Merchant, complaints: int, minimum: int) -> NotRanked:
    """A merchant with fewer complaints in the ranking period than the minimum."""
    return NotRanked(merchant, complaints, "below_minimum", f"统计期内投诉量 {complaints} 件，少于 {minimum} 件")


def computed_candidates(ranking: RankingFile, found: PeriodTotals,
                        minimum: int) -> tuple[list[Candidate], list[NotRanked]]:
    """Every merchant disclosed in the ranking period, scored by the declared formula, or why it cannot be."""
    candidates, left = [], []
    for merchant, totals in found.merchants.values():
        why = scoring.why_not_scored(totals, ranking.weights, minimum)
        if why is None:
            terms = scoring.components(totals, ranking.weights)
            candidates.append(Candidate(float(scoring.score(terms, ranking.decimals)), totals.complaints, merchant,
                                        terms))
        elif totals.complaints < max(1, minimum):
            left.append(NotRanked(merchant, totals.complaints, "below_minimum", why))
        else:
            left.append(NotRanked(merchant, totals.complaints, "not_computable", why))
    return candidates, left


def supplied_candidates(ranking: RankingFile, resolver: Resolver, found: PeriodTotals,
                        minimum: int) -> tuple[list[Candidate], list[NotRanked], int]:
    """The merchants with a supplied score that take part; the others of the period and why; unpublished scores."""
    candidates, left = [], []
    unpublished = 0
    scored: set[str] = set()
    for score in ranking.scores:
        merchant = resolver.find(score.ref)
        if merchant is None:
            unpublished += 1
            continue
        scored.add(merchant.key)
        count = found.merchants[merchant.key][1].complaints if merchant.key in found.merchants else 0
        if count < minimum:
            left.append(below_minimum(merchant, count, minimum))
        else:
            candidates.append(Candidate(score.score, count, merchant))
    for key, (merchant, totals) in found.merchants.items():
        if key in scored:
            continue
        if totals.complaints < minimum:
            left.append(below_minimum(merchant, totals.complaints, minimum))
        else:
            left.append(NotRanked(merchant, totals.complaints, "not_scored", "未评分"))
    return candidates, left, unpublished


def rank(ranking: RankingFile, resolver: Resolver, views: tuple[PeriodView, ...], config: RankingConfig) -> Ranking:
    """Score one ranking period and draw its top and bottom lists by the documented rule."""
    found = totals_in(ranking.period, views)
    minimum = config.min_complaints if ranking.min_complaints is None else ranking.min_complaints
    unpublished = 0
    if ranking.computed:
        candidates, left = computed_candidates(ranking, found, minimum)
    else:
        candidates, left, unpublished = supplied_candidates(ranking, resolver, found, minimum)
    scores = sorted(c.score for c in candidates)
    best = sorted(candidates, key=lambda c: (-c.score, c.complaints, c.merchant.name, c.merchant.key))
    higher: Better = lambda other, mine: other > mine  # noqa: E731
    top, top_extended = _draw(best, config.top_count, higher, scores)
    on_top = {item.merchant.key for item in top}
    rest = [c for c in candidates if c.merchant.key not in on_top]
    worst = sorted(rest, key=lambda c: (c.score, c.complaints, c.merchant.name, c.merchant.key))
    bottom, bottom_extended = _draw(worst, config.bottom_count, lambda other, mine: other < mine, scores)
    table = tuple(_place(candidate, higher, scores) for candidate in best)
    left.sort(key=lambda item: (NOT_RANKED_ORDER[item.kind], -item.complaints, name_sort_key(item.merchant.name),
                                item.merchant.key))
    return Ranking(ranking, top, bottom, table, tuple(left), minimum, unpublished, top_extended, bottom_extended,
                   found.covered)


NOT_RANKED_ORDER = {kind: index for index, kind in enumerate(NOT_RANKED_KINDS)}


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
