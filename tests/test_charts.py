"""Unit tests of the SVG bar charts."""

from __future__ import annotations

import re

from builder.charts import Series, bar_chart


def test_chart_escapes_labels_and_scales_bars_to_the_largest_value() -> None:
    svg = str(bar_chart("c", "标题<b>", ["<script>x</script>", "乙"], [Series("", (10, 5)), Series("", (0, 2))]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "标题&lt;b&gt;" in svg
    widths = [float(w) for w in re.findall(r'<rect x="0" y="[\d.]+em" width="([\d.]+)%"', svg)]
    assert widths == [72.0, 0.0, 36.0, 14.4]
    assert 'role="img" aria-labelledby="c-title"' in svg


def test_chart_lengths_down_are_em_so_text_and_rows_grow_together() -> None:
    svg = str(bar_chart("c", "t", ["甲", "乙"], [Series("", (3, 1)), Series("", (2, 0)), Series("", (1, 1))]))
    # Two rows of 1.5em label + 3 × (1em bar + .25em gap) + .5em: 5.75em each.
    assert 'width="100%" height="11.5em"' in svg and "viewBox" not in svg and "font-size" not in svg
    assert re.findall(r'<rect x="0" y="([\d.]+)em"', svg) == ["1.5", "2.75", "4", "7.25", "8.5", "9.75"]
    assert [c for c in re.findall(r'class="(series-\d)"', svg)][:3] == ["series-0", "series-1", "series-2"]
