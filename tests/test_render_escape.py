"""Autoescaped output without a Markup object per value writes exactly what markupsafe.escape writes."""

from __future__ import annotations

from pathlib import Path

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from builder.render import FastTemplate, escape_output, make_environment, theme_dirs

VALUES = st.one_of(st.text(), st.text("<>&'\"公a "), st.integers(), st.booleans(), st.none(),
                   st.floats(allow_nan=False), st.text("<b>&").map(Markup))


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_escape_output_is_markupsafe_escape(value: object) -> None:
    assert escape_output(value) == str(escape(value))


@settings(max_examples=100, deadline=None)
@given(st.lists(VALUES, min_size=3, max_size=3))
def test_templates_render_the_same_bytes(values: list[object]) -> None:
    source = ("{% macro m(x) %}<i>{{ x }}</i>{% endmacro %}{{ a }}|{{ b }}{{ c }}{% set s %}{{ a }}&{% endset %}"
              "{{ s }}{{ m(b) }}{{ a ~ c }}{% for v in [a, b, c] %}[{{ v }}]{% endfor %}")
    plain = jinja2.Environment(autoescape=True).from_string(source)
    fast = jinja2.Environment(autoescape=True).from_string(source, template_class=FastTemplate)
    context = dict(zip("abc", values, strict=True))
    assert fast.render(context) == plain.render(context)


def test_the_build_environment_uses_it() -> None:
    env = make_environment(theme_dirs(Path("/nonexistent"), "default"))
    template = env.from_string("{{ x }}")
    assert isinstance(template, FastTemplate) and template.render(x="<a href='x'>&") == escape("<a href='x'>&")
    assert template.root_render_func.__globals__["escape"] is escape_output


def test_a_build_reads_each_template_once_and_never_looks_at_its_file_again(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base.html").write_text("<b>{% block main %}{% endblock %}</b>", encoding="utf-8")
    (tmp_path / "templates" / "page.html").write_text('{% extends "base.html" %}{% block main %}{{ x }}'
                                                      "{% endblock %}", encoding="utf-8")
    env = make_environment([tmp_path])
    first = env.get_template("page.html").render(x=1)
    (tmp_path / "templates" / "base.html").unlink()  # every page is rendered with what the build loaded
    assert env.get_template("page.html").render(x=1) == first == "<b>1</b>"
