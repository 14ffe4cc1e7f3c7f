"""Unit tests of the 红黑榜 rule: order, ties at the cut, thresholds, overlap, periods inside periods."""

from __future__ import annotations

from rankingviews import HERE, rank_entries

from builder.derived import Ranking
from builder.model import Entry, RankingConfig, RankingFile, Score
from builder.periods import parse_period


def entry(name: str, period: str, complaints: int) -> Entry:
    """A minimal entry of merchant `name`."""
    found = parse_period(period)
    assert found is not None
    return Entry(period=found, name=name, district="东街", category="餐饮服务", complaints=complaints,
                 resolved=0, source=HERE)


def draw(scores: dict[str, float], complaints: dict[str, dict[str, int]], ranking_period: str = "2026-09",
         **config: int) -> Ranking:
    """Rank `scores` (name -> score) with `complaints` (period -> name -> count)."""
    entries = [entry(name, period, count) for period, counts in complaints.items() for name, count in counts.items()]
    period = parse_period(ranking_period)
    assert period is not None
    record = RankingFile(period, "得分", tuple(Score(name, value, HERE) for name, value in scores.items()), HERE)
    return rank_entries(entries, complaints, record, RankingConfig(**config))


def names(items: tuple) -> list[tuple[str, int, bool]]:
    return [(r.merchant.name, r.rank, r.tied) for r in items]


def test_order_by_score_then_fewer_complaints_then_name() -> None:
    result = draw({"甲": 90, "乙": 95, "丙": 90, "丁": 50, "戊": 60, "己": 70},
                  {"2026-09": {"甲": 9, "乙": 5, "丙": 4, "丁": 5, "戊": 5, "己": 5}}, top_count=3, bottom_count=2)
    assert names(result.top) == [("乙", 1, False), ("丙", 2, True), ("甲", 2, True)]
    assert names(result.bottom) == [("丁", 1, False), ("戊", 2, False)]
    assert not result.top_extended and not result.bottom_extended


def test_a_tie_straddling_the_cut_lists_everyone_tied() -> None:
    result = draw({"甲": 90, "乙": 80, "丙": 80, "丁": 80, "戊": 10},
                  {"2026-09": {n: 5 for n in "甲乙丙丁戊"}}, top_count=2, bottom_count=1)
    # 丁 < 丙 < 乙 in code-point order.
    assert names(result.top) == [("甲", 1, False), ("丁", 2, True), ("丙", 2, True), ("乙", 2, True)]
    assert result.top_extended
    assert names(result.bottom) == [("戊", 1, False)]  # 倒数第1名


def test_name_breaks_a_tie_of_score_and_complaints_in_code_point_order() -> None:
    result = draw({"b": 80, "a": 80}, {"2026-09": {"a": 5, "b": 5}}, top_count=1, bottom_count=0)
    assert [r.merchant.name for r in result.top] == ["a", "b"] and result.top_extended


def test_min_complaints_excludes_merchants_below_it_and_counts_them() -> None:
    result = draw({"甲": 99, "乙": 80, "丙": 10}, {"2026-09": {"甲": 2, "乙": 3, "丙": 3}}, min_complaints=3)
    assert [r.merchant.name for r in result.top] == ["乙", "丙"]
    assert result.ranked_count == 2 and result.excluded_count == 1
    at_threshold = draw({"甲": 99}, {"2026-09": {"甲": 3}}, min_complaints=3)
    assert [r.merchant.name for r in at_threshold.top] == ["甲"]


def test_few_merchants_are_never_on_both_lists() -> None:
    result = draw({"甲": 90, "乙": 80, "丙": 70, "丁": 60}, {"2026-09": {n: 5 for n in "甲乙丙丁"}},
                  top_count=3, bottom_count=3)
    assert [r.merchant.name for r in result.top] == ["甲", "乙", "丙"]
    assert [r.merchant.name for r in result.bottom] == ["丁"]
    assert not {r.merchant.key for r in result.top} & {r.merchant.key for r in result.bottom}


def test_everyone_tied_fills_the_top_list_and_leaves_the_bottom_empty() -> None:
    result = draw({"甲": 80, "乙": 80, "丙": 80}, {"2026-09": {n: 5 for n in "甲乙丙"}}, top_count=1, bottom_count=1)
    assert [r.rank for r in result.top] == [1, 1, 1] and all(r.tied for r in result.top)
    assert result.bottom == ()


def test_a_quarter_sums_its_months_and_ignores_other_periods() -> None:
    complaints = {"2026-07": {"甲": 1, "乙": 2}, "2026-08": {"甲": 1}, "2026-09": {"甲": 1, "乙": 0},
                  "2026-10": {"甲": 50, "乙": 50}}
    result = draw({"甲": 70, "乙": 90}, complaints, ranking_period="2026-Q3", min_complaints=3, bottom_count=0)
    assert [(r.merchant.name, r.complaints) for r in result.top] == [("甲", 3)]
    assert result.excluded_count == 1
    assert [p.key for p in result.covered] == ["2026-07", "2026-08", "2026-09"]


def test_scores_of_unpublished_merchants_are_counted_apart() -> None:
    result = draw({"甲": 70, "无": 90}, {"2026-09": {"甲": 5}})
    assert [r.merchant.name for r in result.top] == ["甲"] and result.unpublished_count == 1



def test_supplied_scores_are_shown_with_one_number_of_decimals_never_fewer_than_supplied() -> None:
    """Whole scores get the ranking's decimals (94 → 94.0); a more precise supplied score is never rounded away."""
    counts = {"2026-09": {"甲": 5, "乙": 5, "丙": 5}}
    assert draw({"甲": 94.0, "乙": 91.5, "丙": 86}, counts).decimals == 1
    assert draw({"甲": 94.0, "乙": 83.75, "丙": 86}, counts).decimals == 2
    assert draw({"甲": 94.0, "乙": 83.0001, "丙": 86}, counts).decimals == 4
    assert draw({"甲": 94.0, "乙": 0.1 + 0.2, "丙": 86}, counts).decimals == 4  # capped like the file's `decimals`
    period = parse_period("2026-09")
    assert period is not None
    whole = RankingFile(period, "得分", (Score("甲", 94.0, HERE),), HERE, decimals=0)
    assert Ranking(whole, (), ()).decimals == 0
    assert Ranking(RankingFile(period, "得分", (Score("甲", 94.5, HERE),), HERE, decimals=0), (), ()).decimals == 1


def test_reasons_for_not_ranking_are_counted_by_kind_in_the_pages_order() -> None:
    result = draw({"甲": 90, "乙": 80}, {"2026-09": {"甲": 5, "乙": 5, "丙": 5, "丁": 1, "戊": 2}}, min_complaints=3)
    assert result.not_ranked_by_kind == (("below_minimum", 2), ("not_scored", 1))
    assert draw({"甲": 90}, {"2026-09": {"甲": 5}}).not_ranked_by_kind == ()
