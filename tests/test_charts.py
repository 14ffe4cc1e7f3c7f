"""Unit tests of the SVG bar charts."""

from __future__ import annotations

import re

from builder.charts import Series, bar_chart


def test_chart_escapes_labels_and_scales_bars_to_the_largest_value() -> None:
    svg = str(bar_chart("c", "标题<b>", ["<script>x</script>", "乙"], [Series("", (10, 5)), Series("", (0, 2))]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "标题&lt;b&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)"', svg)]
    assert widths == [284.0, 0.0, 142.0, 56.8]
    assert 'role="img" aria-labelledby="c-title"' in svg
