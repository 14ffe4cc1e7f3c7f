"""Bar charts as inline SVG, drawn at build time: no script, nothing from another host, readable on a phone.

Each chart is a horizontal bar chart as wide as its box; every label sits on its own line above its bars and
every bar carries its value as text. Lengths across are percentages of the chart's width and lengths down are
`em`, so the chart reflows to any width and its text grows with the page's text (大字模式, browser text size):
the stylesheet sets the chart's font size in `rem`. The SVG has role="img" and a <title>; the page puts a data
table beside it with the same numbers. Colours come from the stylesheet: bars are `series-0` … `series-2` (the
same custom properties colour the legend's keys), text is `currentColor`.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

USABLE = 72.0      # % of the width the longest bar takes; its value is written to its right
LABEL = 1.5        # em: a label line
BASELINE = 1.1     # em: a label's baseline below the top of its row
BAR = 1.0          # em: one bar
GAP = 0.25         # em: between the bars of one label
ROW_GAP = 0.5      # em: after a label's bars
SERIES_COLOURS = 3


@dataclass(frozen=True)
class Series:
    """One set of values, one per label."""

    name: str
    values: tuple[int, ...]


def _fmt(value: int) -> str:
    return f"{value:,}"


def _em(value: float) -> str:
    return f"{round(value, 3):g}em"


def bar_chart(chart_id: str, title: str, labels: list[str], series: list[Series]) -> Markup:
    """An accessible horizontal bar chart of one or more series."""
    peak = max((v for s in series for v in s.values), default=0) or 1
    row_height = LABEL + len(series) * (BAR + GAP) + ROW_GAP
    height = max(row_height * len(labels), LABEL)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{escape(chart_id)}-title" '
             f'width="100%" height="{_em(height)}" class="bar-chart">',
             f'<title id="{escape(chart_id)}-title">{escape(title)}（数据见图表旁的表格）</title>']
    if not labels:
        parts.append(f'<text x="0" y="{_em(BASELINE)}" fill="currentColor">暂无数据</text>')
    for index, label in enumerate(labels):
        top = index * row_height
        parts.append(f'<text x="0" y="{_em(top + BASELINE)}" fill="currentColor">{escape(label)}</text>')
        for number, one in enumerate(series):
            value = one.values[index]
            y = top + LABEL + number * (BAR + GAP)
            width = round(USABLE * value / peak, 1)
            parts.append(f'<rect x="0" y="{_em(y)}" width="{width:g}%" height="{_em(BAR)}" '
                         f'class="series-{number % SERIES_COLOURS}"/>')
            parts.append(f'<text x="{width + 1.5:g}%" y="{_em(y + BAR - 0.15)}" fill="currentColor">'
                         f'{_fmt(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
