"""Incremental builds: after any edits, the kept-and-rendered output is byte-identical to a clean build."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from builder import content, folderprocess, pages, pinyin, source, sparefill
from builder import search as search_module
from builder import trash as trash_module
from builder.build import BuildOptions, build
from builder.buildcache import BuildCache, kept_in_memory
from builder.errors import ContentError
from builder.fingerprint import kept_across_builds
from builder.outputtree import PREVIOUS_MANIFEST, output_manifest, stat_of, tree_id
from builder.previewindex import Indexer, make_spare
from builder.previewstate import PreviewState, Report
from builder.remembered import remembering
from builder.render import Renderer, make_environment, template_site_uses, theme_dirs
from helpers import NO_CACHE, SITES

AS_OF = dt.date(2026, 11, 20)
Edit = Callable[[Path], None]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with the digest of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def site_copy(target: Path) -> Path:
    """The districts fixture (several files per period) with the minimal site's warning and page, and a ranking of
    2026-10 over two merchants of its top-level file (no edit removes that file)."""
    shutil.copytree(SITES / "districts", target, ignore=NO_CACHE)
    for folder in ("warnings", "pages"):
        shutil.copytree(SITES / "minimal" / "content" / folder, target / "content" / folder, ignore=NO_CACHE)
    with (target / "site.yaml").open("a", encoding="utf-8") as config:
        config.write("rankings:\n  top_count: 1\n  bottom_count: 1\n  bottom_label: 需改进\n")
    with (target / "content" / "complaints" / "2026-10.yaml").open("a", encoding="utf-8") as period:
        period.write("  - name: 测试庚辛百货商店\n    id: ceshi-gengxin\n    district: 甲街道\n    category: 食品\n"
                     "    complaints: 3\n    resolved: 1\n")
    (target / "content" / "rankings").mkdir()
    (target / "content" / "rankings" / "2026-10.yaml").write_text(
        "period: 2026-10\neffective: 2026-11-12\nformula: 得分 = 办结率 × 100\nscores:\n"
        "  - merchant: 91350100M000100Y43\n    score: 100\n  - merchant: ceshi-gengxin\n    score: 50\n", "utf-8")
    return target


def clean_build(site: Path, out: Path, search: bool) -> dict[str, str]:
    build(BuildOptions(site, out, as_of=AS_OF, search=search, clean=True, audit_file=out.parent / "clean-audit"))
    return snapshot(out)


# ------------------------------------------------------------------------------------------------ edits

def warning_body(n: int) -> Edit:
    def edit(site: Path) -> None:
        for path in sorted((site / "content" / "warnings").glob("*.md"))[:1]:
            path.write_text(path.read_text("utf-8") + f"\n补充说明第{n}条。\n", "utf-8")
    return edit


def warning_title(n: int) -> Edit:
    def edit(site: Path) -> None:
        for path in sorted((site / "content" / "warnings").glob("*.md"))[:1]:
            text = path.read_text("utf-8")
            path.write_text(text.replace("title: ", f"title: 第{n}版", 1), "utf-8")
    return edit


def add_warning(n: int) -> Edit:
    def edit(site: Path) -> None:
        (site / "content" / "warnings" / f"extra-{n}.md").write_text(
            f"---\ntitle: 新增消费提醒{n}\ndate: 2026-11-0{1 + n % 9}\ntype: 消费提醒\n"
            f"related: [91350100MA0000001P]\n---\n提醒正文{n}。\n", "utf-8")
    return edit


def remove_warning(_n: int) -> Edit:
    def edit(site: Path) -> None:
        for path in sorted((site / "content" / "warnings").glob("*.md"))[-1:]:
            path.unlink()
    return edit


def warning_tags(n: int) -> Edit:
    """The last warning's tags: the minimal site's, one no other warning has besides, or none (a tag's last use)."""
    def edit(site: Path) -> None:
        for path in sorted((site / "content" / "warnings").glob("*.md"))[-1:]:
            tags = ["tags: [预付卡]", f"tags: [预付卡, 新标签{n}]", "tags: []"][n % 3]
            text = re.sub(r"^tags: .*\n", "", path.read_text("utf-8"), count=1, flags=re.M)
            path.write_text(re.sub(r"^(type: .*)$", rf"\1\n{tags}", text, count=1, flags=re.M), "utf-8")
    return edit


def merchant_count(n: int) -> Edit:
    def edit(site: Path) -> None:
        path = site / "content" / "complaints" / "2026-09" / "乙镇.yaml"
        data = yaml.safe_load(path.read_text("utf-8"))
        data["merchants"][n % len(data["merchants"])]["complaints"] += 1 + n
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return edit


def insert_merchant(n: int) -> Edit:
    """A merchant inserted first in a file: the others move down (their place and lines change, not their text)."""
    def edit(site: Path) -> None:
        path = site / "content" / "complaints" / "2026-09" / "乙镇.yaml"
        text = path.read_text("utf-8")
        at = "  " if "merchants:\n  -" in text else ""  # (yaml.safe_dump, as merchant_count writes it, indents none)
        path.write_text(text.replace("merchants:\n", f"merchants:\n{at}- name: 测试乙镇插入{n}号小店\n"
                                     f"{at}  id: charu-{n}\n{at}  district: 乙镇\n{at}  category: 食品\n"
                                     f"{at}  complaints: {n + 1}\n{at}  resolved: 0\n", 1), "utf-8")
    return edit


def file_department(n: int) -> Edit:
    """The department of a file changes to another file's: every entry of it changes, though none of their own
    lines does and the site's list of departments stays the same."""
    def edit(site: Path) -> None:
        path = site / "content" / "complaints" / "2026-09" / "乙镇.yaml"
        department = ("测试市甲街道市场监管所", "测试市乙镇市场监管所")[n % 2]
        path.write_text(re.sub(r"department: .*", f"department: {department}", path.read_text("utf-8"), count=1),
                        "utf-8")
    return edit


def add_district_file(n: int) -> Edit:
    def edit(site: Path) -> None:
        folder = site / "content" / "complaints" / "2026-10" / "丙乡"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"新增{n}.yaml").write_text(
            f"period: 2026-10\npublished: 2026-11-1{n % 8}\ndepartment: 测试市丙乡市场监管所\nmerchants:\n"
            f"  - name: 测试丙乡新增{n}号商店\n    id: bingxiang-{n}\n    district: 丙乡\n    category: 食品\n"
            f"    complaints: {n + 1}\n    resolved: 1\n", "utf-8")
    return edit


def remove_district_file(_n: int) -> Edit:
    def edit(site: Path) -> None:
        nested = sorted((site / "content" / "complaints" / "2026-10").rglob("*.yaml"))
        if nested:
            nested[-1].unlink()
    return edit


def ranking_score(n: int) -> Edit:
    def edit(site: Path) -> None:
        path = site / "content" / "rankings" / "2026-10.yaml"
        if path.exists():  # an odd n puts the second merchant above the first: the top and bottom swap
            data = yaml.safe_load(path.read_text("utf-8"))
            data["scores"][1]["score"] = 40 + 70 * (n % 2) + n
            path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return edit


def ranking_formula(n: int) -> Edit:
    def edit(site: Path) -> None:
        path = site / "content" / "rankings" / "2026-10.yaml"
        if path.exists():
            path.write_text(path.read_text("utf-8").replace("办结率 × 100", f"办结率 × 100（第{n}版）", 1), "utf-8")
    return edit


def remove_ranking(_n: int) -> Edit:
    def edit(site: Path) -> None:
        (site / "content" / "rankings" / "2026-10.yaml").unlink(missing_ok=True)
    return edit


def template(n: int) -> Edit:
    def edit(site: Path) -> None:
        folder = site / "themes" / "default" / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        name = ["merchant.html", "period.html", "base.html"][n % 3]
        source = (Path(__file__).resolve().parent.parent / "themes" / "default" / "templates" / name).read_text()
        (folder / name).write_text(source.replace("</h1>", f"</h1><!-- 第{n}版 -->", 1)
                                   if "</h1>" in source else source + f"<!-- 第{n}版 -->\n", "utf-8")
    return edit


def site_yaml(n: int) -> Edit:
    def edit(site: Path) -> None:
        path = site / "site.yaml"
        path.write_text(path.read_text("utf-8").replace("title: 测试市", f"title: 第{n}测试市", 1), "utf-8")
    return edit


def static_file(n: int) -> Edit:
    def edit(site: Path) -> None:
        folder = site / "themes" / "default" / "static"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "extra.css").write_text(f"/* 第{n}版 */\nbody {{ margin: {n}px; }}\n", "utf-8")
    return edit


EDITS = [warning_body, warning_title, warning_tags, add_warning, remove_warning, merchant_count, insert_merchant,
         file_department, add_district_file, remove_district_file, ranking_score, ranking_formula, remove_ranking,
         template, site_yaml, static_file]
edits = st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 9)), min_size=1, max_size=4)


# Each example builds several times: no shrinking (a failure prints its edits, which are short already).
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(steps=edits, search=st.booleans(), parallel=st.booleans())
def test_incremental_output_equals_a_clean_build(steps: list[tuple[Callable[[int], Edit], int]],
                                                 search: bool, parallel: bool) -> None:
    # parallel: half of the merchant pages placed by a forked child (pages.PARALLEL_PAGES; the clean build: none)
    with tempfile.TemporaryDirectory(prefix="incremental-") as tmp, pytest.MonkeyPatch.context() as patch:
        if parallel:
            patch.setattr(pages, "PARALLEL_PAGES", 2)
            patch.setattr(folderprocess.Child, "possible", staticmethod(lambda: True))  # (Playwright's thread)
        site = site_copy(Path(tmp) / "site")
        out = site / "output"
        build(BuildOptions(site, as_of=AS_OF, search=search))
        for make, n in steps:
            make(n)(site)
            build(BuildOptions(site, as_of=AS_OF, search=search))
        patch.undo()
        assert snapshot(out) == clean_build(site, Path(tmp) / "clean", search)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(steps=edits)
def test_preview_builds_that_recycle_a_let_go_folder_equal_a_clean_build(
        steps: list[tuple[Callable[[int], Edit], int]]) -> None:
    # `gongshi serve`: each build links from the one served and brings the folder of the one before up to date,
    # in one process that keeps the records, the model derived from them and their fingerprints between builds.
    with tempfile.TemporaryDirectory(prefix="recycled-") as tmp, contextlib.ExitStack() as kept:
        site, work = site_copy(Path(tmp) / "site"), Path(tmp) / "work"
        for context in (kept_in_memory(site), remembering(), kept_across_builds()):
            kept.enter_context(context)
        folders = [work / "build-0"]
        build(BuildOptions(site, folders[0], as_of=AS_OF, search=False))
        for number, (make, n) in enumerate([(warning_body, 0), *steps], start=1):
            make(n)(site)
            served, spare = folders[-1], (folders[-2] if len(folders) > 1 else None)
            before = snapshot(served)
            folders.append(work / f"build-{number}")
            build(BuildOptions(site, folders[-1], as_of=AS_OF, search=False, link_from=served, recycle=spare))
            assert snapshot(served) == before  # the build being served is never written through
            assert spare is None or not spare.exists()  # it became the new build
        assert snapshot(folders[-1]) == clean_build(site, Path(tmp) / "clean", False)
        left = {p.relative_to(folders[-1]) for p in folders[-1].rglob("*") if p.is_dir() and not any(p.iterdir())}
        assert left == set()  # the folders of pages that are gone went with them


def test_nothing_changed_returns_at_once_and_a_touched_output_is_rebuilt(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    first = build(BuildOptions(site, as_of=AS_OF))
    assert not first.up_to_date and first.rendered == first.pages - 1  # 404.html is written, not counted
    again = build(BuildOptions(site, as_of=AS_OF))
    assert again.up_to_date and again.counts == first.counts and again.indexed == first.indexed
    page = site / "output" / "merchants" / "91350100MA0000001P" / "index.html"
    page.write_text("changed by hand", "utf-8")  # a doubt: the output is no longer what was recorded
    third = build(BuildOptions(site, as_of=AS_OF))
    assert not third.up_to_date and third.rendered == 1
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", True)


def test_the_command_line_finds_nothing_changed_without_loading_the_renderer(tmp_path: Path) -> None:
    # An editor runs `gongshi build` again and again: when nothing changed it should take a moment, not the
    # second that importing the renderer, the Markdown reader and the pinyin tables costs.
    site = site_copy(tmp_path / "site")
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from builder.cli import main\n"
        "result = CliRunner().invoke(main, ['build', sys.argv[1], '--as-of', sys.argv[2]])\n"
        "print(result.exit_code, 'jinja2' in sys.modules, 'pypinyin' in sys.modules)\n"
        "print(result.output)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", probe, str(site), AS_OF.isoformat()], capture_output=True,
                           text=True, check=True, cwd=tmp_path).stdout.splitlines() for _ in range(2)]
    assert runs[0][0] == "0 True True" and "Built" in runs[0][1]
    assert runs[1][0] == "0 False False" and "Nothing changed" in runs[1][1]
    warning = site / "content" / "warnings" / sorted(os.listdir(site / "content" / "warnings"))[0]
    warning.write_text(warning.read_text("utf-8") + "补充。\n", "utf-8")
    third = subprocess.run([sys.executable, "-c", probe, str(site), AS_OF.isoformat()], capture_output=True,
                           text=True, check=True, cwd=tmp_path).stdout.splitlines()
    # a warning's edit renders the pages it reaches (jinja2), not the directory: the tags' pinyin keys come with
    # what the last build kept for that (warningsbuild.py), and pypinyin is not imported
    assert third[0] == "0 True False" and "Built" in third[1]


@pytest.mark.parametrize("change", ["add nested", "add top", "remove nested", "remove top", "add folder nested",
                                    "add folder top"])
def test_a_file_added_or_removed_by_hand_in_the_output_is_a_doubt(tmp_path: Path, change: str) -> None:
    # The check looks at each recorded file and folder, not at what the folders list: what was added is seen
    # through its folder's modification time.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    out = site / "output"
    place = out / "merchants" / "91350100MA0000001P" if change.endswith("nested") else out
    if change.startswith("add folder"):
        (place / "extra" / "deeper").mkdir(parents=True)
        (place / "extra" / "deeper" / "added.html").write_text("added by hand", "utf-8")
    elif change.startswith("add"):
        (place / "added.html").write_text("added by hand", "utf-8")
    else:
        (place / "index.html").unlink()
    again = build(BuildOptions(site, as_of=AS_OF, search=False))
    assert not again.up_to_date
    assert snapshot(out) == clean_build(site, tmp_path / "clean", False)


def test_a_file_added_by_hand_never_survives_into_a_later_output(tmp_path: Path) -> None:
    # The output a build replaces becomes the staging folder of the build after next (the spare). A spare that
    # holds exactly its manifest's files is pruned by the manifest; one that a hand changed while it was the output
    # is walked, and what the hand added goes.
    site = site_copy(tmp_path / "site")
    out = site / "output"
    build(BuildOptions(site, as_of=AS_OF, search=False))
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    (out / "added.html").write_text("added by hand", "utf-8")
    (out / "merchants" / "extra").mkdir()
    (out / "merchants" / "extra" / "added.html").write_text("added by hand", "utf-8")
    for n in range(2, 5):  # the hand-changed output becomes the spare, then the staging folder of a build
        warning_body(n)(site)
        build(BuildOptions(site, as_of=AS_OF, search=False))
        assert not (out / "added.html").exists() and not (out / "merchants" / "extra").exists()
    # (a clean build throws the spare away: compared once, at the end)
    assert snapshot(out) == clean_build(site, tmp_path / "clean", False)


def test_kept_pages_are_not_read_again_to_learn_whether_pagefind_indexes_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Whether a page asks for Pagefind depends on its bytes: the last build's answer for the same digest is used.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    read: list[str] = []
    real = search_module._asks_to_be_indexed
    monkeypatch.setattr(search_module, "_asks_to_be_indexed",
                        lambda route, reader: read.append(route) or real(route, reader))
    warning_body(1)(site)
    report = build(BuildOptions(site, as_of=AS_OF))
    assert report.kept > 0 and read == []
    (site / ".gongshi" / "cache" / search_module.MARKS).unlink()  # no answers kept: the kept pages are read
    warning_body(2)(site)
    again = build(BuildOptions(site, as_of=AS_OF))
    assert read and all(route.endswith("index.html") for route in read)
    assert again.indexed == report.indexed
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", True)


def rendered_routes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The routes of the pages rendered from now on (in this process), in order."""
    rendered: list[str] = []
    real = Renderer.render
    monkeypatch.setattr(Renderer, "render", lambda self, template, route, *args, **kwargs: (
        rendered.append(route), real(self, template, route, *args, **kwargs))[1])
    return rendered


def one_more_complaint(site: Path) -> None:
    """One merchant's 投诉量 in 2026-09/乙镇.yaml from 7 to 8 (91350100MA0000001P: its neighbour stays)."""
    path = site / "content" / "complaints" / "2026-09" / "乙镇.yaml"
    path.write_text(path.read_text("utf-8").replace("complaints: 7", "complaints: 8", 1), "utf-8")


def test_one_merchants_edit_renders_its_page_and_not_its_neighbours(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Each entry is keyed by what it was read from on its own (complaints.entry_digests), not by its whole file.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    rendered = rendered_routes(monkeypatch)
    one_more_complaint(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    edited, neighbour = "merchants/91350100MA0000001P/index.html", "merchants/91350100MA0000002T/index.html"
    assert edited in rendered and neighbour not in rendered
    rendered.clear()
    file_department(0)(site)  # the file's own field: every merchant of it shows its department
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert edited in rendered and neighbour in rendered
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", False)


def test_a_new_tag_leaves_the_merchants_pages_their_keys_on_the_full_path(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # A page's key covers what its own template reads of `site` (render.template_site_uses): the tags' pages, which
    # only the warnings' templates link, are not among what a merchant's page reads. With a merchant's edit, the
    # build takes the full path; the edited merchant's page is rendered, its neighbour's kept.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    rendered = rendered_routes(monkeypatch)
    one_more_complaint(site)
    warning_tags(1)(site)  # 新标签1, which no warning had
    build(BuildOptions(site, as_of=AS_OF, search=False))
    edited, neighbour = "merchants/91350100MA0000001P/index.html", "merchants/91350100MA0000002T/index.html"
    assert edited in rendered and neighbour not in rendered
    assert "warnings/tag/xinbiaoqian1/index.html" in rendered
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", False)


def test_each_templates_reads_of_site_include_those_it_extends_includes_or_imports() -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({
        "base.html": "{{ site.nav }}{% block main %}{% endblock %}",
        "page.html": '{% extends "base.html" %}{% block main %}{{ site.own }}{% endblock %}',
        "macros.html": "{% macro listed() %}{{ site.listed }}{% endmacro %}",
        "uses_macro.html": '{% from "macros.html" import listed %}{{ listed() }}',
        "named_later.html": "{% include chosen %}",  # any template
        "missing.html": '{% include "gone.html" ignore missing %}',
        "plain.html": "<p></p>",
    }))
    every = frozenset({"nav", "own", "listed"})
    assert template_site_uses(env) == {
        "base.html": {"nav"}, "page.html": {"nav", "own"}, "macros.html": {"listed"}, "uses_macro.html": {"listed"},
        "named_later.html": every, "missing.html": every, "plain.html": set()}
    env.loader.mapping["whole.html"] = "{{ helper(site) }}"  # type: ignore[union-attr]
    assert template_site_uses(env) is None


def test_a_file_added_within_the_clock_tick_of_the_build_is_still_seen(tmp_path: Path) -> None:
    # On a file system with a coarse clock, a file added right after a build leaves its folder's time as it was
    # recorded (simulated here by setting it back): a folder changed that close to its recording is listed.
    site = site_copy(tmp_path / "site")
    out = site / "output"
    build(BuildOptions(site, as_of=AS_OF, search=False))
    recorded = os.stat(out).st_mtime_ns
    (out / "CNAME").write_text("gongshi.example.gov.cn\n", "utf-8")
    os.utime(out, ns=(recorded, recorded))
    again = build(BuildOptions(site, as_of=AS_OF, search=False))
    assert not again.up_to_date
    assert snapshot(out) == clean_build(site, tmp_path / "clean", False)


def test_a_manifest_from_an_older_version_is_a_doubt_not_a_crash(tmp_path: Path) -> None:
    # Manifests pickled before folders were recorded have no `folders`: the output and the spare are then
    # checked the long way (walked), as for any doubt.
    site = site_copy(tmp_path / "site")
    out = site / "output"
    build(BuildOptions(site, as_of=AS_OF, search=False))
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    cache = BuildCache.open(site)
    assert cache is not None
    for name in (output_manifest(out), PREVIOUS_MANIFEST):
        manifest = cache.load(name)
        del manifest.folders, manifest.folders_at  # as an older version pickled it
        cache.save(name, manifest)
    assert not build(BuildOptions(site, as_of=AS_OF, search=False)).up_to_date
    for n in (2, 3):
        warning_body(n)(site)
        build(BuildOptions(site, as_of=AS_OF, search=False))
    assert snapshot(out) == clean_build(site, tmp_path / "clean", False)
    assert not list(site.glob(".output.staging-*"))


def test_a_page_that_cannot_be_read_is_not_remembered_as_unmarked(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_copy(tmp_path / "site")
    add_warning(5)(site)  # a second warning, whose page is kept while the first one's is edited
    first = build(BuildOptions(site, as_of=AS_OF))
    real = search_module._asks_to_be_indexed
    monkeypatch.setattr(search_module, "_asks_to_be_indexed", lambda _route, _read: None)  # kept pages unreadable
    (site / ".gongshi" / "cache" / search_module.MARKS).unlink()
    warning_title(1)(site)  # the warning page itself is rendered (its mark known); the other marked pages kept
    build(BuildOptions(site, as_of=AS_OF))
    monkeypatch.setattr(search_module, "_asks_to_be_indexed", real)
    warning_title(2)(site)
    again = build(BuildOptions(site, as_of=AS_OF))
    assert again.indexed == first.indexed
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", True)


def test_kept_files_are_hard_links_and_never_written_through(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    out = site / "output"
    build(BuildOptions(site, as_of=AS_OF, search=False))
    before = snapshot(out)
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    previous = site / ".gongshi" / "previous"
    assert snapshot(previous) == before  # the tree the build replaced is intact: it is the next build's base
    page = "merchants/91350100MA0000001P/index.html"
    assert os.stat(out / page).st_ino == os.stat(previous / page).st_ino
    warning_body(2)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert snapshot(site / ".gongshi" / "previous") != before  # the spare was brought up to date in place
    assert snapshot(out) == clean_build(site, tmp_path / "clean", False)


def test_open_data_of_an_unchanged_period_is_kept_and_described_as_published(tmp_path: Path) -> None:
    # The data page and datapackage.json give each file's rows, size and SHA-256: a kept group's come from the
    # output tree's records, and must be those of the bytes published.
    site = site_copy(tmp_path / "site")
    out = site / "output"
    build(BuildOptions(site, as_of=AS_OF, search=False))
    merchant_count(1)(site)  # a merchant of 2026-09: the whole tables and 2026-09's change, 2026-10's do not
    build(BuildOptions(site, as_of=AS_OF, search=False))
    previous = site / ".gongshi" / "previous"
    for kept in ("data/2026-10/complaints.csv", "data/2026-10/complaints.json"):
        assert os.stat(out / kept).st_ino == os.stat(previous / kept).st_ino
    for changed in ("data/complaints.csv", "data/2026-09/complaints.json"):
        assert (out / changed).read_bytes() != (previous / changed).read_bytes()
    package = json.loads((out / "data" / "datapackage.json").read_text("utf-8"))
    described = {r["path"]: r["hash"] for r in package["resources"]}
    assert "2026-10/complaints.csv" in described and "2026-09/complaints.csv" in described
    for path, hashed in described.items():
        assert hashed == "sha256:" + hashlib.sha256((out / "data" / path).read_bytes()).hexdigest(), path
    assert snapshot(out) == clean_build(site, tmp_path / "clean", False)


def test_clean_ignores_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    report = build(BuildOptions(site, as_of=AS_OF, search=False, clean=True))
    assert not report.up_to_date and report.kept == 0 and report.rendered == report.pages - 1


def test_a_cache_entry_that_is_not_ours_is_not_used(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    for entry in (site / ".gongshi" / "cache").rglob("*"):
        if entry.is_file():
            data = bytearray(entry.read_bytes())
            data[-1] ^= 0xFF  # damaged (or written by someone without our key)
            entry.write_bytes(bytes(data))
    report = build(BuildOptions(site, as_of=AS_OF, search=False))
    assert not report.up_to_date and report.kept == 0
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", False)


def test_a_preview_build_links_from_the_build_it_replaces_and_equals_a_clean_one(tmp_path: Path) -> None:
    # `gongshi serve` builds every generation into a new folder, linking unchanged files from the one served.
    site = site_copy(tmp_path / "site")
    work = tmp_path / "work"
    first = build(BuildOptions(site, work / "build-1", as_of=AS_OF, search=False, spare=False))
    again = build(BuildOptions(site, work / "build-2", as_of=AS_OF, search=False, link_from=work / "build-1",
                               spare=False))
    # nothing changed: the warnings' quick rebuild renders what they reach, and every file is linked (same bytes)
    assert first.site is not None and again.site is None and 0 < again.rendered < again.pages // 4
    assert all(os.stat(p).st_ino == os.stat(work / "build-1" / p.relative_to(work / "build-2")).st_ino
               for p in (work / "build-2").rglob("*") if p.is_file())
    before = snapshot(work / "build-2")
    warning_body(1)(site)
    third = build(BuildOptions(site, work / "build-3", as_of=AS_OF, search=False, link_from=work / "build-2",
                               spare=False))
    assert 0 < third.rendered < third.pages // 4  # the warning's pages, not every merchant's
    page = "merchants/91350100MA0000001P/index.html"  # the same bytes: linked, not written again
    assert os.stat(work / "build-3" / page).st_ino == os.stat(work / "build-2" / page).st_ino
    assert snapshot(work / "build-2") == before  # the build being served is never written through
    assert not (site / ".gongshi" / "previous").exists()  # no spare: `gongshi build`'s own is left alone
    assert snapshot(work / "build-3") == clean_build(site, tmp_path / "clean", False)


def test_the_previews_first_build_renders_only_what_changed_since_gongshi_build(tmp_path: Path) -> None:
    # `gongshi serve` starts by linking from the output `gongshi build` left: the preview's builds do not run
    # Pagefind themselves (they index in the background), which must not make every page's key differ.
    site = site_copy(tmp_path / "site")
    output = tmp_path / "output"
    build(BuildOptions(site, output, as_of=AS_OF))
    warning_body(1)(site)
    first = build(BuildOptions(site, tmp_path / "work" / "build-1", as_of=AS_OF, search=False, link_from=output,
                               quick=False))
    assert first.site is not None  # the full path: the preview needs the site (its merchants, its base path)
    assert 0 < first.rendered < first.pages // 4  # the warning's pages, not every merchant's
    page = "merchants/91350100MA0000001P/index.html"
    assert os.stat(tmp_path / "work" / "build-1" / page).st_ino == os.stat(output / page).st_ino
    assert snapshot(tmp_path / "work" / "build-1") == clean_build(site, tmp_path / "clean", False)


def test_the_first_build_is_linked_into_a_spare_that_the_first_edit_brings_up_to_date(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    state = PreviewState(tmp_path / "work", "test")
    (tmp_path / "work").mkdir()
    with kept_in_memory(site):
        first = state.publish_pages(*state.next_folder(), "/")
        build(BuildOptions(site, first.path, as_of=AS_OF, search=False))
        state.hold(first)  # as the preview does before it starts make_spare
        make_spare(state, first, BuildCache.open(site))
        spare = state.take_spare()
        assert spare is not None and snapshot(spare) == snapshot(first.path)
        page = "merchants/91350100MA0000001P/index.html"
        assert os.stat(spare / page).st_ino == os.stat(first.path / page).st_ino  # linked, not copied
        warning_body(1)(site)
        number, folder = state.next_folder()
        again = build(BuildOptions(site, folder, as_of=AS_OF, search=False, link_from=first.path, recycle=spare))
    assert not spare.exists() and 0 < again.rendered < again.pages // 4
    assert os.stat(folder / page).st_ino == os.stat(first.path / page).st_ino  # kept where it was
    assert snapshot(folder) == clean_build(site, tmp_path / "clean", False)


def test_the_pinyin_of_every_name_the_directory_sorts_is_kept_for_the_next_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    pinyin._KNOWN.clear()  # a new process
    computed: list[str] = []
    real = pinyin.syllables
    monkeypatch.setattr(pinyin, "syllables", lambda name: computed.append(name) or real(name))
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert computed == []


def test_the_preview_indexes_only_the_bundles_whose_pages_changed(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    state = PreviewState(tmp_path / "work", "test")
    reports: list[Report] = []
    indexer = Indexer(state, site / "output", reports.append, BuildCache.open(site))
    served: Path | None = None
    for number in (1, 2):
        if number == 2:
            merchant_count(1)(site)  # a merchant changes (the full-text index, built with the pages); no warning
        folder = tmp_path / "work" / f"build-{number}"
        result = build(BuildOptions(site, folder, as_of=AS_OF, search=False, link_from=served))
        assert result.site is not None
        merchants = tuple(f"{merchant.url}index.html" for merchant in result.site.merchants)
        indexer.index(state.publish_pages(number, folder, "/", merchants))
        served = folder
    assert indexer.last is not None and indexer.last.linked == 1  # the warnings' bundle, from build 1 (its routes too)
    assert reports[-1].message.startswith("Search index of build 2 ready: ")
    assert "(its Pagefind index kept from build 1)" in reports[-1].message
    site_now = snapshot(tmp_path / "work" / "search-2")  # the bundles go beside the pages folder
    assert not any(route.startswith("pagefind/") for route in snapshot(tmp_path / "work" / "build-2"))
    clean = clean_build(site, tmp_path / "clean", True)
    bundles = {route: sha for route, sha in clean.items() if route.startswith("pagefind/")}
    assert bundles and {route: site_now.get(route) for route in bundles} == bundles


def test_no_default_template_passes_site_on_whole() -> None:
    # A template that hands `site` to a macro makes every page's key cover the whole site: any edit (a
    # warning's body) would render every page again. Templates read the attributes they need instead.
    env = make_environment(theme_dirs(SITES / "minimal", "default"))
    assert template_site_uses(env) is not None


def test_a_build_that_fails_keeps_what_it_read_so_the_fix_parses_only_the_fixed_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_copy(tmp_path / "site")
    broken = site / "content" / "complaints" / "2026-09" / "乙镇.yaml"
    good = broken.read_text("utf-8")
    broken.write_text(good.replace("period: 2026-09", "period: 2026-13", 1), "utf-8")
    with pytest.raises(ContentError):
        build(BuildOptions(site, as_of=AS_OF, search=False))
    broken.write_text(good, "utf-8")
    parsed: list[str] = []
    real = source.parse_yaml
    monkeypatch.setattr(content, "parse_yaml", lambda text, *a: parsed.append(text) or real(text, *a))
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert parsed == [good]  # every other file came from the cache the failed build wrote


def test_a_ranking_file_edit_that_only_its_record_holds_renders_what_a_clean_build_does(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SITES / "minimal", site, ignore=NO_CACHE)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    path = site / "content" / "rankings" / "2026-10.yaml"
    path.write_text(path.read_text("utf-8").replace("办结率 × 100", "办结率 × 100（第二版）", 1), "utf-8")
    again = build(BuildOptions(site, as_of=AS_OF, search=False))  # a ranking file's record: keyed by its bytes
    assert 0 < again.rendered < again.pages
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", False)


def wait_for_deleters() -> None:
    """Wait until every trash deleter this process started has ended."""
    for process in list(trash_module._deleting):
        process.wait(timeout=60)


def test_a_clean_build_throws_the_spare_away_and_a_low_priority_process_deletes_it(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))  # the first output becomes the spare
    spare, trash = site / ".gongshi" / "previous", site / ".gongshi" / "trash"
    assert spare.is_dir()
    (spare / "old-spare-marker").write_text("", "utf-8")
    build(BuildOptions(site, as_of=AS_OF, search=False, clean=True))  # a clean build does not reuse it
    assert not (spare / "old-spare-marker").exists()  # thrown away (the output it replaced is the new spare)
    deleting = [process for process in trash_module._deleting if process.poll() is None]
    for process in deleting:
        assert os.getpriority(os.PRIO_PROCESS, process.pid) == 19
    wait_for_deleters()
    assert list(trash.iterdir()) == [] and not list(site.rglob("old-spare-marker"))
    (trash / "tree-left-over" / "tree").mkdir(parents=True)  # what a build that was killed could not delete
    build(BuildOptions(site, as_of=AS_OF, search=False, clean=True))
    wait_for_deleters()
    assert not (trash / "tree-left-over").exists()


def wait_for_spare(spare: Path) -> None:
    """Wait until no process links files into the spare any more (sparefill.py)."""
    for process in list(sparefill._linking):
        process.wait(timeout=60)
    assert not sparefill.held(spare)


def test_a_build_that_left_no_spare_has_one_linked_in_the_background_for_the_next(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False, clean=True))  # replaced nothing it trusts: no spare
    spare, output = site / ".gongshi" / "previous", site / "output"
    wait_for_spare(spare)
    assert snapshot(spare) == snapshot(output)
    page = "merchants/91350100MA0000001P/index.html"
    assert os.stat(spare / page).st_ino == os.stat(output / page).st_ino  # linked, not copied
    taken = tree_id(spare)
    warning_body(1)(site)
    again = build(BuildOptions(site, as_of=AS_OF, search=False))
    assert again.site is None and tree_id(output) == taken  # the quick rebuild brought the spare up to date
    assert snapshot(output) == clean_build(site, tmp_path / "clean", False)


def test_a_spare_still_being_linked_is_not_taken(tmp_path: Path) -> None:
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False, clean=True))
    spare, output = site / ".gongshi" / "previous", site / "output"
    wait_for_spare(spare)
    (spare / "merchants" / "91350100MA0000001P" / "index.html").unlink()  # as if its linking had not got there
    lock = os.open(spare, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as the linking process holds it
        taken = tree_id(spare)
        warning_body(1)(site)
        build(BuildOptions(site, as_of=AS_OF, search=False))
        assert tree_id(output) != taken
    finally:
        os.close(lock)
    assert snapshot(output) == clean_build(site, tmp_path / "clean", False)


def test_a_spare_moved_away_while_being_linked_is_linked_where_it_went(tmp_path: Path) -> None:
    # A build that throws the spare away while its linking still runs moves it; a new folder made at its old place
    # gets nothing from that linking (it links into the folder it was given, not into a path).
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False, spare=False))
    spare, moved = tmp_path / "spare", tmp_path / "moved"
    spare.mkdir()
    assert sparefill.link_later(site / "output", spare)
    os.replace(spare, moved)  # (before the process has even started Python)
    spare.mkdir()
    wait_for_spare(moved)
    assert list(spare.iterdir()) == []
    assert snapshot(moved) == snapshot(site / "output")


def test_where_files_cannot_be_hard_linked_they_are_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # FAT, exFAT and some network shares have no hard links: the preview's first build, linking from the output
    # folder, copies instead of failing.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    warning_body(1)(site)

    def no_links(_source: object, _target: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    folder = tmp_path / "work" / "build-1"
    first = build(BuildOptions(site, folder, as_of=AS_OF, search=False, link_from=site / "output", quick=False,
                               spare=False))
    assert 0 < first.rendered < first.pages // 4
    page = "merchants/91350100MA0000001P/index.html"
    assert os.stat(folder / page).st_ino != os.stat(site / "output" / page).st_ino
    monkeypatch.undo()
    assert snapshot(folder) == clean_build(site, tmp_path / "clean", False)


def test_no_build_after_a_clean_one_keeps_a_file_of_the_output_it_replaced(tmp_path: Path) -> None:
    # --clean trusts nothing of what was there: not even a file damaged with its size, time and inode kept.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    page = site / "output" / "merchants" / "91350100MA0000001P" / "index.html"
    before = os.stat(page)
    data = page.read_bytes()
    assert b"</main>" in data
    with page.open("r+b") as damaged:
        damaged.write(data.replace(b"</main>", b"</nain>", 1))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert stat_of(page) == (before.st_size, before.st_mtime_ns, before.st_ino)
    build(BuildOptions(site, as_of=AS_OF, search=False, clean=True))
    spare = site / ".gongshi" / "previous"  # linked from the clean build's output, not the tree it replaced
    wait_for_spare(spare)
    assert (spare / page.relative_to(site / "output")).read_bytes() == page.read_bytes()
    assert b"</nain>" not in page.read_bytes()
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", False)


def test_a_spare_that_holds_few_of_the_outputs_files_is_thrown_away_not_brought_up_to_date(tmp_path: Path) -> None:
    # Replacing most files of a spare one by one costs more than linking the output's into a new folder.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    site_yaml(1)(site)  # every page changes: the first output, now the spare, holds few of the new one's files
    build(BuildOptions(site, as_of=AS_OF, search=False))
    spare = tree_id(site / ".gongshi" / "previous")
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert tree_id(site / "output") != spare
    warning_body(2)(site)  # the output that build replaced held all but the warning's pages: it is taken
    spare = tree_id(site / ".gongshi" / "previous")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert tree_id(site / "output") == spare
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", False)


def test_a_spare_file_with_the_outputs_bytes_is_kept_whatever_it_was_made_from(tmp_path: Path) -> None:
    # An older tool's pages have other keys, and mostly the same bytes: those are kept, not linked again.
    site = site_copy(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF, search=False))
    warning_body(1)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))  # the first output is the spare (its files linked)
    spare, page = site / ".gongshi" / "previous", "merchants/91350100MA0000001P/index.html"
    shutil.copy2(spare / page, spare / "copy")
    os.replace(spare / "copy", spare / page)  # a file of its own, as the spare's own build would have written it
    cache = BuildCache.open(site)
    assert cache is not None
    previous = cache.load(PREVIOUS_MANIFEST)
    previous.files = {route: record._replace(key=f"older-{record.key}") for route, record in previous.files.items()}
    previous.files[page] = previous.files[page]._replace(stat=stat_of(spare / page))
    cache.save(PREVIOUS_MANIFEST, previous)
    kept = os.stat(spare / page).st_ino
    assert kept != os.stat(site / "output" / page).st_ino
    warning_body(2)(site)
    build(BuildOptions(site, as_of=AS_OF, search=False))
    assert os.stat(site / "output" / page).st_ino == kept  # the spare's own file, not a link to the output's
    assert snapshot(site / "output") == clean_build(site, tmp_path / "clean", False)


def test_a_trash_folder_that_another_deleter_holds_is_left_to_it(tmp_path: Path) -> None:
    trash = tmp_path / "trash"
    held, free = trash / "tree-held", trash / "tree-free"
    for folder in (held, free):
        (folder / "tree" / "page").mkdir(parents=True)
        (folder / "tree" / "page" / "index.html").write_text("旧", "utf-8")
    lock = os.open(held, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as an earlier build's deleter, still at work, holds it
        trash_module.empty_trash(trash)
        trash_module.delete_pending()
        wait_for_deleters()
        assert sorted(entry.name for entry in trash.iterdir()) == ["tree-held"]
    finally:
        os.close(lock)  # the deleter ends (or is killed): its lock goes with it
    trash_module.empty_trash(trash)
    trash_module.delete_pending()
    wait_for_deleters()
    assert list(trash.iterdir()) == []


def test_emptying_the_trash_starts_no_thread_that_would_keep_the_read_ahead_from_forking(tmp_path: Path) -> None:
    trash = tmp_path / "trash"
    for number in range(500):  # deleting takes a while: a thread doing it would still run below
        (trash / "tree-left-over" / "tree" / str(number)).mkdir(parents=True)
    threads = set(threading.enumerate())
    trash_module.empty_trash(trash)
    trash_module.delete_pending()
    assert set(threading.enumerate()) <= threads  # no new thread (one left by an earlier test may have ended)
    wait_for_deleters()
    assert list(trash.iterdir()) == []


def test_what_a_build_throws_away_is_deleted_only_once_the_build_has_ended(tmp_path: Path) -> None:
    trash, spare = tmp_path / "trash", tmp_path / "previous"
    (spare / "page").mkdir(parents=True)
    started = len(trash_module._deleting)
    trash_module.throw_away(spare, trash)  # as a build does while it runs
    assert not spare.exists() and [entry.name for entry in trash.iterdir()]
    assert len(trash_module._deleting) == started and trash_module._pending  # nothing competes with the build yet
    trash_module.delete_pending()  # build() does this when it ends, failed or not
    assert not trash_module._pending
    wait_for_deleters()
    assert list(trash.iterdir()) == []


def test_the_build_key_reads_the_inputs_one_at_a_time(minimal_site: Path) -> None:
    """At 100,000 merchants the inputs are 250 MB: hashing them must not hold them all at once."""
    from builder.fingerprint import digest
    from builder.uptodate import _tagged_parts, input_keys

    complaints = minimal_site / "content" / "complaints"
    for number in range(6):  # comments: not read as complaints here, only hashed
        (complaints / f"bulk-{number}.yaml").write_bytes(b"#" + bytes([48 + number]) * (2 << 20) + b"\n")
    options = BuildOptions(minimal_site)
    tracemalloc.start()
    try:
        key = input_keys(options)[0]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 << 20  # one 2 MB file and its neighbour at most, not 12 MB
    assert key == digest(*[part for part, _warning in _tagged_parts(options)])  # as hashing the list would give
    (complaints / "bulk-5.yaml").write_bytes(b"#" + b"x" * (2 << 20) + b"\n")
    assert input_keys(options)[0] != key
