"""Statistics: a period's totals by category, district, demand and result; trends and hot spots over periods."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from builder.charts import Series
from builder.derived import PeriodView
from builder.directory import slugs

HOT_SPOTS = 5
#: A label is a hot spot only when its count in the previous period (the base of the comparison) is at least this:
#: growth from a smaller base (2 against 0) says nothing.
HOT_MIN_BASE = 5
#: The overview's chart of categories across periods shows this many of the newest periods (the table shows all).
MATRIX_PERIODS = 3


@dataclass(frozen=True)
class Tally:
    """One line of a statistics table: complaints (or disclosed items), resolved (or handled), merchants.

    `previous` is the complaints of the line before it in a trend (None: no line before).
    """

    label: str
    complaints: int
    resolved: int
    merchants: int
    previous: int | None = None


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
class Breakdown:
    """A statistics table and its bar chart: tallies under one heading, two series (e.g. 投诉量 and 办结量).

    `counts_items`: the table counts disclosed complaint items (a subset of the complaints), not complaints.
    """

    id: str
    heading: str
    column: str
    rows: tuple[Tally, ...]
    chart_title: str
    first: str = "投诉量"
    second: str = "办结量"
    show_merchants: bool = True
    show_changes: bool = False
    counts_items: bool = False

    def series(self) -> tuple[list[str], list[Series]]:
        """The chart's labels and its two series (first dark, second light)."""
        return ([row.label for row in self.rows], [Series(self.first, tuple(r.complaints for r in self.rows)),
                                                   Series(self.second, tuple(r.resolved for r in self.rows))])


@dataclass(frozen=True)
class HotTable:
    """The hot spots of one kind (categories or goods) and their chart: this period against the previous one."""

    id: str
    heading: str
    column: str
    spots: tuple[HotSpot, ...]
    chart_title: str
    unit: str = "件"
    min_base: int = HOT_MIN_BASE

    def series(self) -> tuple[list[str], list[Series]]:
        """The chart's labels and its two series: this period, the previous one."""
        return ([spot.label for spot in self.spots], [Series("本期", tuple(s.current for s in self.spots)),
                                                      Series("上期", tuple(s.previous for s in self.spots))])


@dataclass(frozen=True)
class PeriodStats:
    """A period's statistics, with hot spots against the previous period when there is one."""

    view: PeriodView
    by_category: tuple[Tally, ...]
    by_district: tuple[Tally, ...]
    by_demand: tuple[Tally, ...]
    by_result: tuple[Tally, ...]
    previous: PeriodView | None = None
    hot_categories: tuple[HotSpot, ...] = ()
    hot_goods: tuple[HotSpot, ...] = ()

    @property
    def items(self) -> int:
        """Disclosed complaint items in the period."""
        return sum(row.complaints for row in self.by_demand)

    @property
    def hot_tables(self) -> tuple[HotTable, ...]:
        """The hot-spot tables: categories by complaints, goods and services by disclosed items."""
        return (HotTable("hot-cat", "增长最多的行业类别（投诉量）", "行业类别", self.hot_categories,
                         "增长最多的行业类别：本期与上期投诉量", "件投诉"),
                HotTable("hot-goods", "增长最多的商品或服务（公示事项）", "商品或服务", self.hot_goods,
                         "增长最多的商品或服务：本期与上期公示事项数", "件公示事项"))

    @property
    def breakdowns(self) -> tuple[Breakdown, ...]:
        """The tables by category and district (complaints), then by demand and result (disclosed items)."""
        label = self.view.period.label
        tables = [Breakdown(key, heading, column, rows, f"{label}{heading}的投诉量与办结量")
                  for key, heading, column, rows in (("cat", "按行业类别", "行业类别", self.by_category),
                                                     ("district", "按区域", "区域", self.by_district))]
        tables += [Breakdown(key, heading, column, rows, f"{label}{heading}的事项数与已办结数", first="事项数",
                             second="已办结", show_merchants=False, counts_items=True)
                   for key, heading, column, rows in (("demand", "按基本诉求（公示事项）", "基本诉求", self.by_demand),
                                                      ("result", "按处理结果（公示事项）", "处理结果", self.by_result))
                   if rows]
        return tuple(tables)


@dataclass(frozen=True)
class CategoryTrend:
    """One category's series across periods (oldest first): complaints, resolved and merchants in each."""

    label: str
    slug: str
    trend: Breakdown

    @property
    def url(self) -> str:
        """The category's statistics page route, e.g. `statistics/category/yufushixiaofei/`."""
        return f"statistics/category/{self.slug}/"

    @property
    def total(self) -> int:
        """Complaints over every period."""
        return sum(row.complaints for row in self.trend.rows)


@dataclass(frozen=True)
class Matrix:
    """Categories across periods: one row per category, one column per period (oldest first); its chart shows
    the newest MATRIX_PERIODS periods."""

    id: str
    heading: str
    chart_title: str
    periods: tuple[str, ...]
    rows: tuple[CategoryTrend, ...]

    @property
    def charted(self) -> tuple[str, ...]:
        """The periods the chart shows (the newest MATRIX_PERIODS)."""
        return self.periods[-MATRIX_PERIODS:]

    def series(self) -> tuple[list[str], list[Series]]:
        """The chart's labels (categories) and one series per charted period."""
        start = len(self.periods) - len(self.charted)
        return ([row.label for row in self.rows],
                [Series(label, tuple(row.trend.rows[start + index].complaints for row in self.rows))
                 for index, label in enumerate(self.charted)])


@dataclass(frozen=True)
class Statistics:
    """Every period's statistics (newest first), the trend over periods (oldest first) and each category's."""

    periods: tuple[PeriodStats, ...]
    trend: Breakdown
    categories: Matrix | None = None


def _group(view: PeriodView, attribute: str) -> tuple[Tally, ...]:
    complaints: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    merchants: Counter[str] = Counter()
    for row in view.rows:
        label = getattr(row.entry, attribute)
        complaints[label] += row.entry.complaints
        resolved[label] += row.entry.resolved
        merchants[label] += 1
    rows = [Tally(label, complaints[label], resolved[label], merchants[label]) for label in complaints]
    return tuple(sorted(rows, key=lambda r: (-r.complaints, r.label)))


def _group_items(view: PeriodView, attribute: str) -> tuple[Tally, ...]:
    """Disclosed items by demand or result: items, items handled (with a handling date), merchants."""
    items: Counter[str] = Counter()
    handled: Counter[str] = Counter()
    merchants: dict[str, set[str]] = {}
    for row in view.rows:
        for item in row.entry.items:
            label = getattr(item, attribute)
            items[label] += 1
            handled[label] += item.handled is not None
            merchants.setdefault(label, set()).add(row.merchant.key)
    rows = [Tally(label, items[label], handled[label], len(merchants[label])) for label in items]
    return tuple(sorted(rows, key=lambda r: (-r.complaints, r.label)))


def _goods(view: PeriodView) -> Counter[str]:
    return Counter(item.goods for row in view.rows for item in row.entry.items if item.goods)


def hot_spots(current: Counter[str], previous: Counter[str], limit: int = HOT_SPOTS,
              min_base: int = HOT_MIN_BASE) -> tuple[HotSpot, ...]:
    """The labels that grew most (ties: larger count, then label), only those that grew from a base ≥ `min_base`."""
    spots = [HotSpot(label, count, previous.get(label, 0)) for label, count in current.items()]
    grown = [spot for spot in spots if spot.growth > 0 and spot.previous >= min_base]
    return tuple(sorted(grown, key=lambda s: (-s.growth, -s.current, s.label))[:limit])


def period_stats(view: PeriodView, previous: PeriodStats | None = None) -> PeriodStats:
    """Group a period's public entries and disclosed items; compare with the previous period's when given."""
    by_category = _group(view, "category")
    hot_categories: tuple[HotSpot, ...] = ()
    hot_goods: tuple[HotSpot, ...] = ()
    if previous is not None:
        before = Counter({row.label: row.complaints for row in previous.by_category})
        hot_categories = hot_spots(Counter({row.label: row.complaints for row in by_category}), before)
        hot_goods = hot_spots(_goods(view), _goods(previous.view))
    return PeriodStats(view, by_category, _group(view, "district"), _group_items(view, "demand"),
                       _group_items(view, "result"), previous.view if previous else None, hot_categories, hot_goods)


def statistics(views: tuple[PeriodView, ...]) -> Statistics:
    """Statistics of every period, each compared with the period before it, and the trend over periods."""
    ordered = sorted(views, key=lambda v: v.period)
    stats: list[PeriodStats] = []
    for view in ordered:
        stats.append(period_stats(view, stats[-1] if stats else None))
    trend: list[Tally] = []
    for one in stats:
        view = one.view
        trend.append(Tally(view.period.label, view.complaints, view.resolved, len(view.rows),
                           trend[-1].complaints if trend else None))
    return Statistics(tuple(stats[::-1]), Breakdown("trend", "各期投诉量与办结量", "公示期", tuple(trend),
                                                    "各期投诉量与办结量", show_changes=True),
                      category_matrix(stats) if stats else None)


def category_matrix(stats: list[PeriodStats]) -> Matrix:
    """Each category's complaints, resolved and merchants in every period (oldest first; 0 where absent)."""
    labels = {row.label for one in stats for row in one.by_category}
    names = slugs(sorted(labels))
    trends = []
    for label in labels:
        rows: list[Tally] = []
        for one in stats:
            found = next((row for row in one.by_category if row.label == label), None)
            rows.append(Tally(one.view.period.label, found.complaints if found else 0, found.resolved if found else 0,
                              found.merchants if found else 0, rows[-1].complaints if rows else None))
        trends.append(CategoryTrend(label, names[label], Breakdown(
            "cat-trend", f"{label}：各期投诉量与办结量", "公示期", tuple(rows), f"{label}各期投诉量与办结量",
            show_changes=True)))
    trends.sort(key=lambda t: (-t.total, t.label))
    periods = tuple(one.view.period.label for one in stats)
    return Matrix("cat-matrix", "各行业类别各期投诉量", f"各行业类别最近{min(len(periods), MATRIX_PERIODS)}期投诉量",
                  periods, tuple(trends))
