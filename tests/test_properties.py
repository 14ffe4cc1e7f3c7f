"""Property-based tests: random names, counts and texts through load → check → render."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tempfile
from pathlib import Path

import markupsafe
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_site import PageAudit

from builder.build import BuildOptions, build
from builder.errors import ContentError
from builder.privacy import find_personal_data, mask_personal_data
from helpers import NO_CACHE, SITES

AS_OF = dt.date(2026, 12, 31)  # after every date the generated sites use (2026-12-10)
PROBLEM_LINE = re.compile(r"^[^:]+:\d+:\d+: [^:]+: .+")
MARKUP = ["<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "{{ config }}", "{% raw %}", "&amp;",
          "<!--", "]]>", "（）&《》", "=HYPERLINK(\"x\")", "javascript:alert(1)", "\u202e", "\x00", "\x1b[31m"]
text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.text("测试商贸有限公司餐饮（）《》&<>\"' 　ABCabc0123456789１２３", max_size=30),
    st.lists(st.sampled_from(MARKUP), min_size=1, max_size=3).map("".join),
)
count = st.one_of(st.integers(-3, 10**7), st.sampled_from(["１２", "十二", "012", "1e3", "", None, True]))
SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def write_site(root: Path, name: object, district: object, issue: object, complaints: object,
               resolved: object, statement: object) -> None:
    """The minimal site with one more period holding the generated merchant."""
    shutil.copytree(SITES / "minimal", root, ignore=NO_CACHE)
    period = {
        "period": "2026-11", "published": "2026-12-10", "department": "测试区市场监督管理局",
        "merchants": [{
            "name": name, "id": "generated", "district": district, "category": "食品", "complaints": complaints,
            "resolved": resolved, "statement": statement,
            "items": [{"received": "2026-11-02", "issue": issue, "demand": "退款", "result": "调解成功"}],
        }],
    }
    (root / "content" / "complaints" / "2026-11.yaml").write_text(
        yaml.safe_dump(period, allow_unicode=True), "utf-8")


@SETTINGS
@given(name=text, district=text, issue=text, complaints=count, resolved=count, statement=text)
def test_random_input_builds_or_fails_cleanly(name: object, district: object, issue: object, complaints: object,
                                              resolved: object, statement: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        write_site(site, name, district, issue, complaints, resolved, statement)
        try:
            build(BuildOptions(site, search=False, as_of=AS_OF))
        except ContentError as exc:
            assert exc.problems
            assert all(PROBLEM_LINE.match(str(problem)) for problem in exc.problems)
            assert not (site / "output").exists()
            return
        page = (site / "output" / "merchants" / "generated" / "index.html").read_text("utf-8")
        assert str(markupsafe.escape(str(name).strip())) in page
        assert str(markupsafe.escape(str(issue).strip())) in page
        records = json.loads((site / "output" / "data" / "complaints.json").read_text("utf-8"))
        mine = [r for r in records if r["id"] == "generated"]
        assert len(mine) == 1
        assert mine[0]["complaints"] == int(str(complaints).translate({0xFF10 + i: 48 + i for i in range(10)}))
        assert mine[0]["name"] == str(name).strip()


@SETTINGS
@given(name=text, body=st.lists(st.one_of(text, st.sampled_from(MARKUP)), max_size=8).map("\n".join))
def test_random_warning_bodies_never_carry_script(name: object, body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        shutil.copytree(SITES / "minimal", site, ignore=NO_CACHE)
        meta = yaml.safe_dump({"title": name, "date": "2026-11-02", "type": "消费预警"}, allow_unicode=True)
        (site / "content" / "warnings" / "random.md").write_text(f"---\n{meta}---\n{body}\n正文。\n", "utf-8")
        try:
            build(BuildOptions(site, search=False, as_of=AS_OF))
        except ContentError as exc:
            assert all(PROBLEM_LINE.match(str(problem)) for problem in exc.problems)
            return
        page = site / "output" / "warnings" / "random" / "index.html"
        audit = PageAudit(page, site / "output")
        audit.feed(page.read_text("utf-8"))
        audit.close()
        assert audit.problems == []


digit_forms = st.sampled_from([str.maketrans("", ""), str.maketrans("0123456789", "０１２３４５６７８９")])
separator = st.sampled_from(["", " ", "-", "　", "－"])


@SETTINGS
@given(prefix=st.sampled_from(["13", "15", "17", "18", "19"]), rest=st.text("0123456789", min_size=9, max_size=9),
       sep=separator, form=digit_forms, before=st.text("电话联系人张先生，：", max_size=5),
       after=st.text("已回访。，", max_size=5))
def test_any_written_form_of_a_mobile_number_is_found_and_masked(prefix: str, rest: str, sep: str, form: dict,
                                                                 before: str, after: str) -> None:
    number = f"{prefix}{rest[0]}{sep}{rest[1:5]}{sep}{rest[5:]}".translate(form)
    line = f"{before}{number}{after}"
    assert [f.kind for f in find_personal_data(line)] == ["mobile"]
    masked, _ = mask_personal_data(line)
    assert find_personal_data(masked) == [] and masked.startswith(before) and masked.endswith(after)


printable = st.text("测试商贸有限公司餐饮（）《》&<>\"'/\\ 　ABCabc0123{}%#=+-@１２３", min_size=1, max_size=40).filter(
    lambda value: value.strip() and not find_personal_data(value))


@SETTINGS
@given(name=printable, district=printable, issue=printable, statement=printable, numbers=st.integers(1, 10**6).flatmap(
    lambda total: st.tuples(st.just(total), st.integers(0, total))))
def test_valid_random_input_is_published_escaped_and_exact(name: str, district: str, issue: str, statement: str,
                                                            numbers: tuple[int, int]) -> None:
    complaints, resolved = numbers
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        write_site(site, name, district, issue, complaints, resolved, statement)
        build(BuildOptions(site, search=False, as_of=AS_OF))
        page = (site / "output" / "merchants" / "generated" / "index.html").read_text("utf-8")
        for value in (name, district, issue, statement):
            assert str(markupsafe.escape(value.strip())) in page
        records = json.loads((site / "output" / "data" / "complaints.json").read_text("utf-8"))
        mine = [r for r in records if r["id"] == "generated"]
        assert [(r["name"], r["complaints"], r["resolved"]) for r in mine] == [(name.strip(), complaints, resolved)]
