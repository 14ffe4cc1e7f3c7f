"""Rankings whose formula is declared as data: scores checked against hand-computed ones, eligibility, reasons."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from rankingviews import HERE, rank_entries

from builder.derived import Ranking
from builder.model import Entry, RankingConfig, RankingFile, Score, Weight
from builder.periods import parse_period
from builder.scoring import formula_text, round_half_up

#: name -> (complaints, resolved, mediated) in one period
Figures = dict[str, tuple[int, int, int | None]]


def entry(name: str, period: str, figures: tuple[int, int, int | None]) -> Entry:
    """An entry of merchant `name` with its 投诉量, 办结量 and 调解成功量."""
    found = parse_period(period)
    assert found is not None
    complaints, resolved, mediated = figures
    return Entry(period=found, name=name, district="东街", category="餐饮服务", complaints=complaints,
                 resolved=resolved, mediated=mediated, source=HERE)


def ranked(periods: dict[str, Figures], ranking_period: str, weights: dict[str, float] | None = None,
           scores: dict[str, float] | None = None, minimum: int | None = None, decimals: int = 1,
           **config: int) -> Ranking:
    """Rank the merchants of `periods` (period -> name -> figures) by weights or by supplied scores."""
    entries = [entry(name, period, figures) for period, names in periods.items() for name, figures in names.items()]
    period = parse_period(ranking_period)
    assert period is not None
    record = RankingFile(period, "公式", tuple(Score(n, v, HERE) for n, v in (scores or {}).items()), HERE,
                         weights=tuple(Weight(k, v) for k, v in (weights or {}).items()), min_complaints=minimum,
                         decimals=decimals)
    return rank_entries(entries, periods, record, RankingConfig(**config))


def table(result: Ranking) -> list[tuple[str, float, int]]:
    return [(r.merchant.name, r.score, r.rank) for r in result.table]


def test_round_half_up_is_exact_and_away_from_zero() -> None:
    assert round_half_up(Fraction(225, 100), 1) == Decimal("2.3")  # Python's round() gives 2.2
    assert round_half_up(Fraction(-225, 100), 1) == Decimal("-2.3")
    assert round_half_up(Fraction(5, 2), 0) == Decimal("3")
    assert round_half_up(Fraction(1, 3), 2) == Decimal("0.33") and str(round_half_up(Fraction(2), 1)) == "2.0"


def test_formula_text_follows_the_weights() -> None:
    weights = (Weight("resolution_rate", 60.0), Weight("mediation_rate", 40.0), Weight("complaints_per_period", -0.5))
    assert formula_text(weights) == "综合评价得分 = 办结率 × 60 + 调解成功率 × 40 − 平均每期投诉量 × 0.5"


def test_monthly_scores_match_hand_computed_ones() -> None:
    month: Figures = {"甲": (13, 12, 10), "乙": (7, 7, 6), "丙": (20, 12, 6), "丁": (3, 3, 3), "戊": (8, 0, 0),
                      "己": (6, 5, None)}
    result = ranked({"2026-10": month}, "2026-10", {"resolution_rate": 60, "mediation_rate": 40}, minimum=5,
                    top_count=1, bottom_count=1)
    # 乙: 7/7 × 60 + 6/7 × 40 = 60 + 34.2857… = 94.2857… → 94.3
    # 甲: 12/13 × 60 + 10/12 × 40 = 55.3846… + 33.3333… = 88.7179… → 88.7
    # 丙: 12/20 × 60 + 6/12 × 40 = 36 + 20 = 56.0
    # 戊: 0/8 × 60 + (0/0: 0 points) = 0.0
    assert table(result) == [("乙", 94.3, 1), ("甲", 88.7, 2), ("丙", 56.0, 3), ("戊", 0.0, 4)]
    first = result.table[1].components
    assert [(c.figure.label, c.numerator, c.denominator, c.points) for c in first] == [
        ("办结率", 12, 13, Fraction(720, 13)), ("调解成功率", 10, 12, Fraction(100, 3))]
    zero = result.table[3].components[1]
    assert (zero.numerator, zero.denominator, zero.value, zero.points) == (0, 0, None, 0)
    assert [(r.merchant.name, r.rank) for r in result.top] == [("乙", 1)]
    assert [(r.merchant.name, r.rank) for r in result.bottom] == [("戊", 1)]  # 倒数第1名
    assert [(n.merchant.name, n.kind, n.reason) for n in result.not_ranked] == [
        ("丁", "below_minimum", "统计期内投诉量 3 件，少于 5 件"),
        ("己", "not_computable", "调解成功量未全部公示，无法计算调解成功率")]
    assert result.minimum == 5 and result.ranked_count == 4 and result.disclosed_count == 6


def test_a_quarter_sums_its_months_and_averages_complaints_per_period() -> None:
    quarter = {"2026-07": {"庚": (4, 3, 2), "辛": (2, 2, 2)}, "2026-08": {"辛": (3, 1, 1)},
               "2026-09": {"庚": (5, 5, 4), "辛": (1, 1, 1)}}
    result = ranked(quarter, "2026-Q3", {"resolution_rate": 100, "complaints_per_period": -0.5}, decimals=2)
    # 庚: 8/9 × 100 − 9/3 × 0.5 = 88.888… − 1.5 = 87.388… → 87.39 (absent in August: 0 complaints there)
    # 辛: 4/6 × 100 − 6/3 × 0.5 = 66.666… − 1 = 65.666… → 65.67
    assert table(result) == [("庚", 87.39, 1), ("辛", 65.67, 2)]
    per_period = result.table[0].components[1]
    assert (per_period.numerator, per_period.denominator, per_period.points) == (9, 3, Fraction(-3, 2))


def test_weights_are_the_decimals_written_not_binary_fractions() -> None:
    # 1 × 1.005 = 1.005 exactly, so two decimals give 1.01 (binary floating point would give 1.0).
    result = ranked({"2026-10": {"甲": (5, 5, 5)}}, "2026-10", {"resolution_rate": 1.005}, decimals=2)
    assert table(result) == [("甲", 1.01, 1)]


def test_equal_computed_scores_share_a_place() -> None:
    month = {"甲": (10, 9, 9), "乙": (20, 18, 18), "丙": (10, 5, 5)}
    result = ranked({"2026-10": month}, "2026-10", {"resolution_rate": 100}, top_count=1, bottom_count=1)
    # 甲 and 乙 both 90.0: fewer complaints first within the shared place; both are on the top list.
    assert table(result) == [("甲", 90.0, 1), ("乙", 90.0, 1), ("丙", 50.0, 3)]
    assert [r.merchant.name for r in result.top] == ["甲", "乙"] and result.top_extended


def test_supplied_scores_say_why_the_others_are_not_ranked() -> None:
    month = {"甲": (9, 9, 9), "乙": (6, 3, 1), "丙": (2, 2, 2), "丁": (8, 8, 8)}
    result = ranked({"2026-10": month}, "2026-10", scores={"甲": 90, "乙": 40, "丙": 99, "无此店": 50}, minimum=5)
    assert table(result) == [("甲", 90.0, 1), ("乙", 40.0, 2)]
    assert [(n.merchant.name, n.kind, n.reason) for n in result.not_ranked] == [
        ("丙", "below_minimum", "统计期内投诉量 2 件，少于 5 件"), ("丁", "not_scored", "未评分")]
    assert result.unpublished_count == 1 and result.table[0].components == ()
