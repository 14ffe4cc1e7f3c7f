"""A rebuild when only warnings changed (warningsbuild.py): the pages they reach, and the same bytes as a clean build.

Each test watches `builder.build.load_site`, which only the full path calls: the quick path never reads the
merchants. Where the quick path has a doubt, the full path must build (and report) instead. Each comparison is
with a clean build of a copy of the site: a clean build of the site itself would throw away the spare tree that
the next quick build brings up to date.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from test_incremental import AS_OF, site_copy, snapshot

from builder import build as build_module
from builder import serve as serve_module
from builder.build import BuildOptions, build
from builder.buildcache import BuildCache, kept_in_memory
from builder.buildreport import BuildReport
from builder.errors import ContentError
from builder.fingerprint import kept_across_builds
from builder.outputtree import OutputTree, output_manifest
from builder.previewstate import Report
from builder.remembered import remembering
from builder.render import BUILTIN_THEMES
from builder.replay import Node
from builder.warningsbuild import data_side_entry, keep_data_side, merchants_lookup_entry, warnings_state_entry

SECOND = ("---\ntitle: 装修合同提醒\ndate: 2026-10-15\ntype: 消费预警\ntags: [装修]\n"
          "related: [ceshi-gengxin]\n---\n签订装修合同前，请核实经营者资质。\n")
MERCHANTS = ("91350100M000100Y43", "ceshi-gengxin", "91350100MA0000001P")  # two named by the warnings, one not


@pytest.fixture
def full_builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The sites `load_site` read (the full path)."""
    loaded: list[Path] = []
    watch_full_builds(monkeypatch, loaded)
    yield loaded


def watch_full_builds(monkeypatch: pytest.MonkeyPatch, loaded: list[Path]) -> None:
    """Note each site `load_site` reads."""
    real = build_module.load_site

    def watched(options: BuildOptions, *args: object, **kwargs: object) -> BuildReport:
        loaded.append(options.site_dir)
        return real(options, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "load_site", watched)


def two_warnings(target: Path) -> Path:
    """The incremental tests' site with a second warning, naming another merchant, and a page linking the first."""
    site = site_copy(target)
    (site / "content" / "warnings" / "renovation.md").write_text(SECOND, "utf-8")
    (site / "content" / "pages" / "links.md").write_text("---\ntitle: 相关链接\n---\n见[预付卡消费提醒]"
                                                         "(../warnings/prepaid.md)。\n", "utf-8")
    return site


def override(site: Path, template: str, old: str, new: str) -> None:
    """Give the site its own copy of a built-in template with `old` (which it holds once) replaced by `new`."""
    text = (BUILTIN_THEMES / "default" / "templates" / template).read_text("utf-8")
    assert text.count(old) == 1
    templates = site / "themes" / "default" / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    (templates / template).write_text(text.replace(old, new), "utf-8")


def edit(site: Path, name: str, old: str, new: str) -> None:
    """Replace text in a warning's file."""
    path = site / "content" / "warnings" / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def same_as_clean(site: Path, report: BuildReport, work: Path) -> None:
    """The output, the audit and what the build reported are those of a clean build of a copy of the site."""
    copy = work / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".gongshi", "output"))
    fresh = build(BuildOptions(copy, as_of=AS_OF, clean=True))
    assert snapshot(site / "output") == snapshot(copy / "output")
    for field in ("pages", "indexed", "counts", "warnings", "masked", "notes"):
        assert getattr(report, field) == getattr(fresh, field), field
    assert (site / ".gongshi" / "audit.json").read_bytes() == (copy / ".gongshi" / "audit.json").read_bytes()


def test_warning_edits_render_only_what_they_reach_and_equal_a_clean_build(
        tmp_path: Path, full_builds: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    exact: list[bool] = []
    carry = OutputTree.carry
    monkeypatch.setattr(OutputTree, "carry", lambda tree, skip: exact.append(tree.exact) or carry(tree, skip))
    site = two_warnings(tmp_path / "site")
    first = build(BuildOptions(site, as_of=AS_OF))
    steps = [
        ("prepaid.md", "请确认经营者资质。", "请确认经营者资质，并保留好合同和付款凭证。"),  # a body
        ("prepaid.md", "related: [91350100M000100Y43]", "related: [ceshi-gengxin]"),  # now names the other merchant
        ("renovation.md", "related: [ceshi-gengxin]", "related: []"),  # and this one names none
        ("renovation.md", "签订装修合同前", "签订家装合同前"),
    ]
    for number, (name, old, new) in enumerate(steps):
        edit(site, name, old, new)
        report = build(BuildOptions(site, as_of=AS_OF))
        assert full_builds.count(site) == 1, f"step {number} took the full path"
        assert 0 < report.rendered < first.rendered and report.kept == report.pages - report.rendered
        same_as_clean(site, report, tmp_path / f"clean-{number}")
    # the first one linked the output's files into a new tree; the others brought the spare tree up to date
    assert exact == [False, True, True, True]
    assert [p.name for p in tmp_path.iterdir() if ".pagefind-" in p.name] == []  # (Pagefind's own folder)


EDITS = st.one_of(
    st.tuples(st.just("body"), st.sampled_from(["prepaid.md", "renovation.md"]), st.integers(0, 99)),
    st.tuples(st.just("title"), st.sampled_from(["prepaid.md", "renovation.md"]), st.integers(0, 99)),
    st.tuples(st.just("extra"), st.sampled_from(MERCHANTS[:2]), st.booleans()),  # a published warning, its tag known
    st.tuples(st.just("related"), st.sampled_from(["prepaid.md", "renovation.md"]),
              st.lists(st.sampled_from(MERCHANTS[:2]), max_size=2, unique=True)),
    st.tuples(st.just("held"), st.sampled_from(MERCHANTS), st.booleans()),  # a warning dated after the as-of date
    st.tuples(st.just("tags"), st.sampled_from(["prepaid.md", "renovation.md"]),  # new tags, last uses removed
              st.lists(st.sampled_from(["预付卡", "装修", "健身", "预付咖"]), max_size=3, unique=True)),
)


def apply(site: Path, change: tuple[object, ...]) -> None:
    """One edit of the warnings that the quick path takes."""
    kind, what, value = change
    warnings = site / "content" / "warnings"
    if kind == "body":
        path = warnings / str(what)
        path.write_text(path.read_text("utf-8") + f"\n补充说明第{value}条：<保留凭证> & 发票。\n", "utf-8")
    elif kind == "title":
        path = warnings / str(what)
        path.write_text(re.sub(r"title: (.*)", lambda m: f"title: {m.group(1)}（第{value}版）", path.read_text("utf-8"),
                               count=1), "utf-8")
    elif kind == "extra" and value:
        (warnings / "extra.md").write_text(f"---\ntitle: 双十一网购提醒\ndate: 2026-11-11\ntype: 消费提醒\n"
                                           f"tags: [装修]\nrelated: [{what}]\n---\n理性下单。\n", "utf-8")
    elif kind == "extra":
        (warnings / "extra.md").unlink(missing_ok=True)
    elif kind in ("related", "tags"):
        path = warnings / str(what)
        listed = ", ".join(value) if isinstance(value, list) else ""
        path.write_text(re.sub(rf"{kind}: \[.*\]", f"{kind}: [{listed}]", path.read_text("utf-8"), count=1), "utf-8")
    elif value:
        (warnings / "held.md").write_text(f"---\ntitle: 元旦消费提醒\ndate: 2026-12-25\ntype: 消费提醒\n"
                                          f"related: [{what}]\n---\n元旦将至。\n", "utf-8")
    else:
        (warnings / "held.md").unlink(missing_ok=True)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(changes=st.lists(EDITS, min_size=1, max_size=4), search=st.booleans())
def test_any_warnings_only_edits_take_the_quick_path_and_equal_a_clean_build(
        changes: list[tuple[object, ...]], search: bool) -> None:
    with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory(prefix="quick-") as tmp:
        loaded: list[Path] = []
        watch_full_builds(patch, loaded)
        site = two_warnings(Path(tmp) / "site")
        build(BuildOptions(site, as_of=AS_OF, search=search))
        for number, change in enumerate(changes):
            apply(site, change)
            report = build(BuildOptions(site, as_of=AS_OF, search=search))
            assert loaded.count(site) == 1, f"{change} took the full path"
            copy = Path(tmp) / f"clean-{number}"
            shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".gongshi", "output"))
            fresh = build(BuildOptions(copy, as_of=AS_OF, search=search, clean=True))
            assert snapshot(site / "output") == snapshot(copy / "output")
            assert (report.pages, report.counts, report.indexed) == (fresh.pages, fresh.counts, fresh.indexed)


@pytest.mark.parametrize("change, field", [
    (("title: 预付卡消费提醒\n", ""), "title"),  # a warning without its title: the full path reports it
    (("related: [91350100M000100Y43]", "related: [不存在的经营者]"), "related"),
])
def test_a_warning_in_error_is_reported_by_the_full_path_and_the_output_is_untouched(
        tmp_path: Path, full_builds: list[Path], change: tuple[str, str], field: str) -> None:
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    before = snapshot(site / "output")
    edit(site, "prepaid.md", *change)
    with pytest.raises(ContentError) as raised:
        build(BuildOptions(site, as_of=AS_OF))
    assert [(p.path, p.field) for p in raised.value.problems] == [("content/warnings/prepaid.md", field)]
    assert full_builds.count(site) == 2 and snapshot(site / "output") == before


def test_what_the_record_never_read_takes_the_full_path(tmp_path: Path, full_builds: list[Path]) -> None:
    # A theme's home page that shows the latest period's first merchant only when the newest warning says 特别:
    # the full build that recorded the home page never read that merchant, so the quick path cannot render it.
    # (`is defined` is false after an AttributeError or IndexError: the replay must raise neither.)
    site = two_warnings(tmp_path / "site")
    marker = "{% if warnings %}"
    override(site, "home.html", marker, '{% if warnings and "特别" in warnings[0].text %}<p>首位：'
             "{% if latest.rows[0] is defined %}{{ latest.rows[0].entry.name }}{% else %}（无）{% endif %}</p>"
             "{% endif %}\n" + marker)
    build(BuildOptions(site, as_of=AS_OF))
    edit(site, "prepaid.md", "请确认经营者资质。", "请确认经营者资质，谨防办卡后商家跑路。")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 1  # the quick path rendered this one
    same_as_clean(site, report, tmp_path / "clean-1")
    edit(site, "prepaid.md", "谨防办卡后商家跑路。", "特别提醒：谨防办卡后商家跑路。")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 2  # the full path rendered this one
    assert "首位：" in (site / "output" / "index.html").read_text("utf-8")
    same_as_clean(site, report, tmp_path / "clean-2")


def test_a_theme_that_calls_a_method_of_the_data_keeps_no_record(tmp_path: Path, full_builds: list[Path]) -> None:
    site = two_warnings(tmp_path / "site")
    override(site, "home.html", "{% endblock %}", "<p>{{ latest.rows.count(None) }}</p>{% endblock %}")
    build(BuildOptions(site, as_of=AS_OF))
    cache = BuildCache.open(site)
    assert cache is not None and cache.load(data_side_entry(site / "output")) is None
    edit(site, "prepaid.md", "请确认经营者资质。", "请先确认经营者资质。")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 2
    same_as_clean(site, report, tmp_path / "clean")


def test_an_output_file_changed_by_hand_is_a_doubt(tmp_path: Path, full_builds: list[Path]) -> None:
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    edit(site, "prepaid.md", "请确认经营者资质。", "请先确认经营者资质。")
    build(BuildOptions(site, as_of=AS_OF))  # (now the spare is an output, exact, that the next build takes)
    assert full_builds.count(site) == 1
    page = site / "output" / "periods" / "index.html"
    page.write_text(page.read_text("utf-8") + "<p>篡改</p>", "utf-8")  # (a hard link: the spare's changes too)
    edit(site, "prepaid.md", "请先确认经营者资质。", "请务必确认经营者资质。")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 2
    assert "篡改" not in page.read_text("utf-8")
    same_as_clean(site, report, tmp_path / "clean")


def test_a_new_warning_rewrites_the_lookup(tmp_path: Path, full_builds: list[Path]) -> None:
    # The search lookup holds the warnings' titles beside the merchants: the quick path writes it again from the
    # merchants' records the last full build kept.
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    shutil.copy(site / "content" / "warnings" / "renovation.md", site / "content" / "warnings" / "renovation-2.md")
    edit(site, "renovation-2.md", "title: 装修合同提醒", "title: 家装预付款提醒")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 1
    same_as_clean(site, report, tmp_path / "clean-1")
    lookup = (site / "output" / "search" / "lookup").rglob("*.json")
    assert any("家装预付款提醒" in path.read_text("utf-8") for path in lookup)


def tag_pages_of(site: Path) -> list[str]:
    """The folders of the output's tag pages."""
    return sorted(p.name for p in (site / "output" / "warnings" / "tag").iterdir())


def test_a_new_tag_and_a_tags_last_use_take_the_quick_path_and_equal_a_clean_build(
        tmp_path: Path, full_builds: list[Path]) -> None:
    # Only the warnings' listings and articles link the tags' pages (site.tag_urls), and the quick path renders
    # those: a tag's page comes and goes with it. A new tag of an old one's pinyin (预付咖, 预付卡) moves the old
    # one's page too (both get a hash).
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    assert tag_pages_of(site) == ["yufuka", "zhuangxiu"]
    steps = [
        ("prepaid.md", "tags: [预付卡]", "tags: [预付卡, 健身]"),  # a new tag
        ("renovation.md", "tags: [装修]", "tags: [预付咖]"),  # 装修's last use gone, a tag of 预付卡's pinyin
        ("renovation.md", "签订装修合同前", "签订家装合同前"),  # a body: the tags as the last build had them
        ("renovation.md", "tags: [预付咖]", "tags: [装修]"),  # back to the full build's tags but 健身
        ("prepaid.md", "tags: [预付卡, 健身]", "tags: [预付卡]"),  # and all of them
    ]
    shown = []
    for number, (name, old, new) in enumerate(steps):
        edit(site, name, old, new)
        report = build(BuildOptions(site, as_of=AS_OF))
        assert full_builds.count(site) == 1, f"step {number} took the full path"
        assert 0 < report.rendered < report.pages
        same_as_clean(site, report, tmp_path / f"clean-{number}")
        shown.append(tag_pages_of(site))
    assert shown[0] == ["jianshen", "yufuka", "zhuangxiu"] and shown[-1] == ["yufuka", "zhuangxiu"]
    assert len(shown[1]) == 3 and "zhuangxiu" not in shown[1] and "yufuka" not in shown[1]


def test_a_tag_that_a_merchants_page_shows_takes_the_full_path(tmp_path: Path, full_builds: list[Path]) -> None:
    # A theme whose merchant pages read the tags: a new tag changes every one of them, which the quick path does
    # not render.
    site = two_warnings(tmp_path / "site")
    override(site, "merchant.html", "{% endblock %}", "<p>标签 {{ site.tag_urls | length }} 个</p>{% endblock %}")
    build(BuildOptions(site, as_of=AS_OF))
    edit(site, "prepaid.md", "请确认经营者资质。", "请先确认经营者资质。")
    build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 1  # (the tags as they were: the quick path)
    edit(site, "prepaid.md", "tags: [预付卡]", "tags: [预付卡, 健身]")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 2
    page = site / "output" / "merchants" / MERCHANTS[2] / "index.html"  # (named by no warning)
    assert "标签 3 个" in page.read_text("utf-8")
    same_as_clean(site, report, tmp_path / "clean")


def test_the_sites_pages_that_show_the_tags_are_rendered_when_the_tags_change(
        tmp_path: Path, full_builds: list[Path]) -> None:
    # A theme whose article template shows the tags on the site's own pages too (content/pages/): the quick path
    # renders them when the tags differ from those the output's were rendered with, the full build's or not.
    site = two_warnings(tmp_path / "site")
    override(site, "article.html", "<h1>{{ article.title }}</h1>",
             "<h1>{{ article.title }}</h1><p>标签：{{ site.tag_urls | join('、') }}</p>")
    build(BuildOptions(site, as_of=AS_OF))
    page = site / "output" / "pages" / "links" / "index.html"
    steps = [
        ("prepaid.md", "tags: [预付卡]", "tags: [预付卡, 健身]"),
        ("prepaid.md", "请确认经营者资质。", "请先确认经营者资质。"),
        ("prepaid.md", "tags: [预付卡, 健身]", "tags: [预付卡]"),
    ]
    for number, (name, old, new) in enumerate(steps):
        edit(site, name, old, new)
        report = build(BuildOptions(site, as_of=AS_OF))
        assert full_builds.count(site) == 1, f"step {number} took the full path"
        assert ("健身" in page.read_text("utf-8")) == (number < 2)
        same_as_clean(site, report, tmp_path / f"clean-{number}")


@pytest.mark.parametrize("change", ["replaced", "deleted"])
def test_pagefind_indexes_the_pages_the_new_tree_holds_not_an_output_changed_by_hand(
        tmp_path: Path, full_builds: list[Path], change: str) -> None:
    # A theme that gives every article to Pagefind: the quick path indexes kept pages too, while the tree is made
    # ready. A page of the output replaced or deleted by hand is placed from the spare tree, as it was built; the
    # index must be made from that, not from what the hand left.
    site = two_warnings(tmp_path / "site")
    override(site, "article.html", "<article{% if article.kind %} data-pagefind-body{% endif %}>",
             "<article data-pagefind-body>")
    build(BuildOptions(site, as_of=AS_OF))
    edit(site, "prepaid.md", "请确认经营者资质。", "请先确认经营者资质。")
    build(BuildOptions(site, as_of=AS_OF))
    page = site / "output" / "pages" / "links" / "index.html"
    if change == "replaced":  # a new file under the old name (the spare's hard link keeps the built bytes)
        other = page.with_name("new.html")
        other.write_text(page.read_text("utf-8").replace("相关链接", "篡改的链接"), "utf-8")
        os.replace(other, page)
    else:
        page.unlink()
    edit(site, "prepaid.md", "请先确认经营者资质。", "请务必确认经营者资质。")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 1 and report.indexed == 5  # two warnings, three pages (公示说明 too)
    same_as_clean(site, report, tmp_path / "clean")


def test_data_compared_in_a_branch_the_record_never_took_takes_the_full_path(
        tmp_path: Path, full_builds: list[Path]) -> None:
    # Real values compare by their fields; a proxy could only compare as itself, so comparing is refused. Here
    # the comparison is reached only once a second warning names the merchant, after the record was made.
    site = two_warnings(tmp_path / "site")
    override(site, "merchant.html", "{% endblock %}",
             "{% if warnings | length > 1 %}<p>多次警示{% for p in placements %}"
             "{% if p.ranking.period == merchant.latest.period %}，且本期上榜{% endif %}{% endfor %}</p>{% endif %}"
             "{% endblock %}")
    build(BuildOptions(site, as_of=AS_OF))
    edit(site, "renovation.md", "related: [ceshi-gengxin]", "related: [ceshi-gengxin, 91350100M000100Y43]")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 2
    page = site / "output" / "merchants" / "91350100M000100Y43" / "index.html"
    assert "多次警示，且本期上榜" in page.read_text("utf-8")
    same_as_clean(site, report, tmp_path / "clean")


def add_synonym(site: Path, word: str) -> None:
    """Give the site's taxonomy one search synonym more (the search lookup's manifest lists them)."""
    taxonomy = site / "content" / "taxonomy.yaml"
    text = taxonomy.read_text("utf-8")
    if "synonyms:" not in text:
        text += "synonyms:\n"
    taxonomy.write_text(text + f"  {word}: 预付式消费\n", "utf-8")


def test_a_synonym_edited_alone_writes_the_lookup_again(tmp_path: Path, full_builds: list[Path]) -> None:
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    add_synonym(site, "充值卡")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 2
    assert "充值卡" in (site / "output" / "search" / "lookup" / "manifest.json").read_text("utf-8")
    same_as_clean(site, report, tmp_path / "clean")


def test_a_lookup_a_quick_rebuild_wrote_for_an_earlier_full_build_is_never_kept(
        tmp_path: Path, full_builds: list[Path]) -> None:
    # The spare tree is the output of two builds back: it may hold a lookup that a quick rebuild wrote for the same
    # warnings' records, with the synonyms of an earlier full build (found by a review, which reproduced it).
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    edit(site, "prepaid.md", "title: 预付卡消费提醒", "title: 预付卡消费提醒（二）")
    build(BuildOptions(site, as_of=AS_OF))  # quick: the lookup written with no synonyms
    edit(site, "prepaid.md", "title: 预付卡消费提醒（二）", "title: 预付卡消费提醒（三）")
    add_synonym(site, "充值卡")
    build(BuildOptions(site, as_of=AS_OF))  # full: the quick rebuild's output is now the spare
    edit(site, "prepaid.md", "title: 预付卡消费提醒（三）", "title: 预付卡消费提醒（二）")
    report = build(BuildOptions(site, as_of=AS_OF))  # quick again: the same records as two builds back
    assert full_builds.count(site) == 2
    same_as_clean(site, report, tmp_path / "clean")


def test_a_record_that_cannot_be_kept_leaves_no_entries_and_no_error(tmp_path: Path) -> None:
    # A record may hold what pickle refuses (say, a class a theme's helper made on the fly): the build is done, and
    # the output simply gets no quick rebuild.
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    cache = BuildCache.open(site)
    assert cache is not None
    side = cache.load(data_side_entry(site / "output"))
    state = cache.load(warnings_state_entry(site / "output"))
    assert side is not None and state is not None
    side.home["latest"] = Node(kind=type("Made", (), {}))  # a class pickle cannot find by its name
    keep_data_side(cache, site / "output", (side, state, None))  # type: ignore[arg-type]
    assert cache.load(data_side_entry(site / "output")) is None
    assert cache.load(warnings_state_entry(site / "output")) is None


def test_the_preview_rebuilds_warnings_edits_the_quick_way_and_serves_a_clean_builds_bytes(
        tmp_path: Path, full_builds: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    # `gongshi serve` builds each time into a new folder, linking from the build it serves (link_from) and bringing
    # a let-go folder up to date (recycle); what the quick path needs is kept in the preview's memory only.
    site = two_warnings(tmp_path / "site")
    reports: list[BuildReport] = []

    def watched(options: BuildOptions) -> BuildReport:
        reports.append(build(options))
        return reports[-1]

    monkeypatch.setattr(serve_module, "build", watched)
    messages: list[Report] = []
    preview = serve_module.Preview(serve_module.ServeOptions(BuildOptions(site, as_of=AS_OF), port=0),
                                   messages.append)
    preview.bind()
    steps = [
        ("prepaid.md", "请确认经营者资质。", "请确认经营者资质，并保留好合同和付款凭证。", True),  # a body
        ("renovation.md", "title: 装修合同提醒", "title: 家装合同提醒", True),  # a title: the lookup again
        ("prepaid.md", "tags: [预付卡]", "tags: [预付卡, 健身]", True),  # a new tag: the warnings' pages show it
        ("renovation.md", "related: [ceshi-gengxin]", "related: [91350100MA0000001P]", False),  # a merchant no
        ("renovation.md", "签订装修合同前", "签订家装合同前", True),  # warning named: the full path; quick again
    ]
    try:
        with kept_in_memory(site), remembering(), kept_across_builds():
            preview._build(frozenset())
            for thread in threading.enumerate():  # the spare the first edit brings up to date
                if thread.name == "preview spare":
                    thread.join()
            for number, (name, old, new, quick) in enumerate(steps):
                edit(site, name, old, new)
                preview._build(frozenset({f"content/warnings/{name}"}))
                assert messages[-1].kind == "built", messages[-1]
                assert (reports[-1].site is None) == quick, f"step {number}"
                assert full_builds.count(site) == 1 + (number >= 3), f"step {number}"
                served = preview.state.current() if preview.state is not None else None
                assert served is not None and served.merchants == tuple(
                    f"{m.url}index.html" for m in reports[0].site.merchants)  # type: ignore[union-attr]
                copy = tmp_path / f"clean-{number}"
                shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".gongshi", "output", ".output.serve-*"))
                build(BuildOptions(copy, as_of=AS_OF, clean=True, search=False))
                assert snapshot(served.path) == snapshot(copy / "output"), f"step {number}"
                preview._sweep()
            # A build that fails after it took the spare folder: what the cache kept of that folder goes with it.
            override(site, "base.html", '<html lang="{{ config.language }}">', "{{ 1 / 0 }}")
            preview._build(frozenset({"themes/default/templates/base.html"}))
            assert messages[-1].kind == "failed", messages[-1]
            shutil.rmtree(site / "themes")
            preview._build(frozenset({"themes/default/templates/base.html"}))
            assert messages[-1].kind == "built", messages[-1]
            preview._sweep()
            assert preview.work_dir is not None
            folders = [folder for folder in preview.work_dir.iterdir() if folder.is_dir()]
            entries = {entry(folder) for folder in folders
                       for entry in (output_manifest, data_side_entry, warnings_state_entry, merchants_lookup_entry)}
            memory = BuildCache.open(site).memory  # type: ignore[union-attr]
            assert memory is not None and {name for name in memory if name.startswith("trees/")} <= entries
    finally:
        preview.close()
    assert [r.rendered < r.pages for r in reports[1:6]] == [True] * 5
    # the preview's folders' entries were never written to disk (they went with the preview)
    assert list((site / ".gongshi" / "cache" / "trees").glob("data-side-*")) == []
