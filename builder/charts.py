"""Bar charts as inline SVG, drawn at build time: no script, nothing from another host, readable on a phone.

Each chart is a horizontal bar chart 340 units wide (about a phone's content width, so text keeps its
size there); every label sits on its own line above its bars and every bar carries its value as text.
The SVG has role="img" and a <title>; the page puts a data table beside it with the same numbers.
Colours come from the stylesheet: bars are `series-0` / `series-1` (the same custom properties colour the
legend's keys), text is `currentColor`.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 340
LABEL = 20        # height of a label line
BAR = 14          # height of one bar
GAP = 3           # between bars of one label
ROW_GAP = 10      # after a label's bars
VALUE_SPACE = 56  # room right of the longest bar for its value
FONT = 14


@dataclass(frozen=True)
class Series:
    """One set of values, one per label."""

    name: str
    values: tuple[int, ...]


def _fmt(value: int) -> str:
    return f"{value:,}"


def bar_chart(chart_id: str, title: str, labels: list[str], series: list[Series]) -> Markup:
    """An accessible horizontal bar chart of one or two series."""
    peak = max((v for s in series for v in s.values), default=0) or 1
    usable = WIDTH - VALUE_SPACE
    row_height = LABEL + len(series) * (BAR + GAP) + ROW_GAP
    height = max(row_height * len(labels), LABEL)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{escape(chart_id)}-title" '
             f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" class="bar-chart" '
             f'font-size="{FONT}">',
             f'<title id="{escape(chart_id)}-title">{escape(title)}（数据见图表旁的表格）</title>']
    if not labels:
        parts.append(f'<text x="0" y="{FONT}" fill="currentColor">暂无数据</text>')
    for index, label in enumerate(labels):
        top = index * row_height
        parts.append(f'<text x="0" y="{top + FONT + 1}" fill="currentColor">{escape(label)}</text>')
        for number, one in enumerate(series):
            value = one.values[index]
            y = top + LABEL + number * (BAR + GAP)
            width = round(usable * value / peak, 1)
            parts.append(f'<rect x="0" y="{y}" width="{width}" height="{BAR}" class="series-{number % 2}"/>')
            parts.append(f'<text x="{width + 4}" y="{y + BAR - 2}" fill="currentColor" font-size="{FONT - 1}">'
                         f'{_fmt(value)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
