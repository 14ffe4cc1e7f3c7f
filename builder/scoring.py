"""Ranking formulas declared as data: a merchant's score from its disclosed figures, exactly and reproducibly.

A ranking file may give `weights` over the figures below instead of `scores`. For every merchant disclosed in
the ranking period, gongshi sums its figures over the complaint periods lying inside it, multiplies each by its
weight and adds the products; the score is rounded half up (四舍五入) to `decimals` places. Rates count as
fractions (100 % = 1), so `resolution_rate: 60` gives at most 60 points. A rate whose denominator is 0 scores
0 points (shown as —). The arithmetic is exact (fractions, no binary floating point), so anyone recomputing the
published figures with the published weights gets the same score to the last decimal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from builder.model import Entry, Weight

#: The most decimal places a score is rounded to or shown with.
MAX_DECIMALS = 4


@dataclass(frozen=True)
class Figure:
    """A disclosed figure a formula may weigh: its key in ranking files, its label and its definition."""

    key: str
    label: str
    definition: str
    rate: bool


FIGURES = {figure.key: figure for figure in (
    Figure("resolution_rate", "办结率", "办结量 ÷ 投诉量", True),
    Figure("mediation_rate", "调解成功率", "调解成功量 ÷ 办结量", True),
    Figure("complaints_per_period", "平均每期投诉量", "投诉量 ÷ 统计期内的公示期数", False),
)}


@dataclass(frozen=True)
class Totals:
    """A merchant's disclosed figures summed over a ranking period (`mediated` None: not disclosed in every one)."""

    complaints: int
    resolved: int
    mediated: int | None
    periods: int


@dataclass(frozen=True)
class Component:
    """One term of a computed score: the figure as numerator/denominator, its weight and the points it gives."""

    figure: Figure
    numerator: int
    denominator: int
    weight: float
    points: Fraction

    @property
    def value(self) -> Fraction | None:
        """The figure's value (None when the denominator is 0)."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None


def totals(entries: Sequence[Entry], periods: int) -> Totals:
    """A merchant's entries of a ranking period, summed (`periods`: how many complaint periods it covers)."""
    mediated = [entry.mediated for entry in entries]
    return Totals(sum(entry.complaints for entry in entries), sum(entry.resolved for entry in entries),
                  None if None in mediated else sum(m or 0 for m in mediated), periods)


def exact(number: float) -> Fraction:
    """A weight as the decimal the editor wrote (0.1 is one tenth, not the nearest binary fraction)."""
    return Fraction(repr(number))


def round_half_up(value: Fraction, decimals: int) -> Decimal:
    """`value` rounded to `decimals` places, halves away from zero (四舍五入), as an exact decimal."""
    scaled = abs(value) * 10 ** decimals
    whole = math.floor(scaled + Fraction(1, 2))
    return Decimal(whole if value >= 0 else -whole).scaleb(-decimals)


def parts(figure: Figure, totals: Totals) -> tuple[int, int]:
    """The numerator and denominator of a figure."""
    if figure.key == "resolution_rate":
        return totals.resolved, totals.complaints
    if figure.key == "mediation_rate":
        return totals.mediated or 0, totals.resolved
    return totals.complaints, totals.periods


def why_not_scored(totals: Totals, weights: tuple[Weight, ...], minimum: int) -> str | None:
    """Why a merchant cannot be scored by the formula (None: it can)."""
    if totals.complaints < max(1, minimum):
        if totals.complaints == 0:
            return "统计期内无投诉"
        return f"统计期内投诉量 {totals.complaints} 件，少于 {minimum} 件"
    if totals.mediated is None and any(w.figure == "mediation_rate" for w in weights):
        return "调解成功量未全部公示，无法计算调解成功率"
    return None


def components(totals: Totals, weights: tuple[Weight, ...]) -> tuple[Component, ...]:
    """Each weighted figure of a merchant with the points it gives."""
    found = []
    for weight in weights:
        figure = FIGURES[weight.figure]
        numerator, denominator = parts(figure, totals)
        value = Fraction(numerator, denominator) if denominator else Fraction(0)
        found.append(Component(figure, numerator, denominator, weight.weight, value * exact(weight.weight)))
    return tuple(found)


def written_places(value: float) -> int:
    """The decimal places a supplied score was written with (94.0 → 0, 83.75 → 2), at most MAX_DECIMALS."""
    exponent = Decimal(repr(value)).normalize().as_tuple().exponent
    return min(MAX_DECIMALS, max(0, -exponent)) if isinstance(exponent, int) else 0


def score(terms: tuple[Component, ...], decimals: int) -> Decimal:
    """The score: the sum of the points, rounded half up to `decimals` places."""
    return round_half_up(sum((term.points for term in terms), Fraction(0)), decimals)


def number_text(number: float) -> str:
    """A weight as written, without exponent or trailing zeros (60, 0.5, 0.00001)."""
    text = format(Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def formula_text(weights: tuple[Weight, ...]) -> str:
    """The formula in words, e.g. 综合评价得分 = 办结率 × 60 + 调解成功率 × 40."""
    terms = []
    for index, weight in enumerate(weights):
        shown = number_text(abs(weight.weight))
        sign = ("−" if weight.weight < 0 else "") if index == 0 else (" − " if weight.weight < 0 else " + ")
        terms.append(f"{sign}{FIGURES[weight.figure].label} × {shown}")
    return "综合评价得分 = " + "".join(terms)
