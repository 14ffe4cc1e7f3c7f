"""`gongshi new warning|page`: a file that builds, a readable safe name, never an overwrite, the site's archetypes."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.articles import SAFE_SLUG
from builder.slugs import slugify
from helpers import run_cli

TITLE = "关于中秋月饼消费的提醒"
STEM = "2026-11-20-zhong-qiu-yue-bing-xiao-fei-de-ti-xing"  # SOURCE_DATE_EPOCH of the tests: 2026-11-20


def test_new_warning_twice_then_build(minimal_site: Path) -> None:
    first = run_cli("new", "warning", TITLE, minimal_site)
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"{minimal_site}/content/warnings/{STEM}.md\n"
    path = minimal_site / "content" / "warnings" / f"{STEM}.md"
    text = path.read_text("utf-8")
    assert text.startswith(f'---\ntitle: "{TITLE}"\ndate: 2026-11-20\ntype: 消费提醒\nsummary: ""')
    assert "\ntags: []" in text
    path.write_text(text + "\n编辑写好的正文。\n", "utf-8")
    edited = path.read_bytes()
    second = run_cli("new", "warning", TITLE, minimal_site, "--type", "消费预警", "--date", "2026-11-20")
    assert second.returncode == 0, second.stderr
    assert second.stdout == f"{minimal_site}/content/warnings/{STEM}-2.md\n"
    assert path.read_bytes() == edited
    assert "type: 消费预警" in (minimal_site / "content" / "warnings" / f"{STEM}-2.md").read_text("utf-8")
    built = run_cli("build", minimal_site)
    assert built.returncode == 0, built.stderr
    for stem in (STEM, f"{STEM}-2"):
        page = (minimal_site / "output" / "warnings" / stem / "index.html").read_text("utf-8")
        assert f"<h1>{TITLE}</h1>" in page
    assert "编辑写好的正文。" in (minimal_site / "output" / "warnings" / STEM / "index.html").read_text("utf-8")


def test_new_page_then_build(minimal_site: Path) -> None:
    result = run_cli("new", "page", "办事指南", minimal_site)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{minimal_site}/content/pages/ban-shi-zhi-nan.md\n"
    again = run_cli("new", "page", "办事指南", minimal_site)
    assert again.stdout == f"{minimal_site}/content/pages/ban-shi-zhi-nan-2.md\n"
    assert run_cli("build", minimal_site).returncode == 0
    assert "<h1>办事指南</h1>" in (minimal_site / "output/pages/ban-shi-zhi-nan/index.html").read_text("utf-8")


def test_a_hostile_title_gives_a_safe_name_and_builds_as_text(minimal_site: Path) -> None:
    title = "\"><script>alert(1)</script>: 标题 #1 {{ config.title }} ../../etc"
    result = run_cli("new", "warning", title, minimal_site, "--date", "2026-11-02")
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    assert path.parent == minimal_site / "content" / "warnings"
    assert path.name == "2026-11-02-script-alert-1-script-biao-ti-1-config-title-etc.md"
    assert run_cli("build", minimal_site).returncode == 0
    page = (minimal_site / "output" / "warnings" / path.stem / "index.html").read_text("utf-8")
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;: 标题 #1 {{ config.title }} ../../etc" in page


def test_a_slug_declared_in_another_file_is_not_reused(minimal_site: Path) -> None:
    (minimal_site / "content" / "warnings" / "other.md").write_text(
        f"---\ntitle: 另一篇\ndate: 2026-11-01\ntype: 消费提醒\nslug: {STEM}\n---\n正文\n", "utf-8")
    result = run_cli("new", "warning", TITLE, minimal_site)
    assert result.stdout.strip().endswith(f"{STEM}-2.md")
    assert run_cli("build", minimal_site).returncode == 0


def test_the_sites_own_archetype_is_used(minimal_site: Path) -> None:
    archetypes = minimal_site / "archetypes"
    archetypes.mkdir()
    (archetypes / "warning.md").write_text(
        "---\ntitle: {{ title | yaml }}\ndate: {{ date }}\ntype: {{ type }}\ntags: [本局模板]\n---\n"
        "本局模板正文：{{ slug }}\n", "utf-8")
    result = run_cli("new", "warning", TITLE, minimal_site, "--type", "典型案例")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).read_text("utf-8") == (
        f'---\ntitle: "{TITLE}"\ndate: 2026-11-20\ntype: 典型案例\ntags: [本局模板]\n---\n本局模板正文：{STEM}\n')
    assert run_cli("build", minimal_site).returncode == 0


def test_an_archetype_that_would_not_build_is_refused(minimal_site: Path) -> None:
    archetypes = minimal_site / "archetypes"
    archetypes.mkdir()
    (archetypes / "page.md").write_text("---\ntitle: {{ title }}\n---\n正文\n", "utf-8")
    before = sorted((minimal_site / "content" / "pages").iterdir())
    result = run_cli("new", "page", "提醒: 请注意", minimal_site)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "archetypes/page.md:2:10: yaml: YAML syntax error: a ':' followed by a space inside a value: put the whole "
        "value in quotes, or check the line above",
        "Error: the archetype gives a file that would not build; nothing was written."]
    (archetypes / "page.md").write_text("---\ntitle: {{ titel }}\n---\n", "utf-8")
    result = run_cli("new", "page", "提醒", minimal_site)
    assert result.stderr == ("Error: archetypes/page.md:2:1: template: UndefinedError: 'titel' is undefined; "
                             "nothing was written.\n")
    assert sorted((minimal_site / "content" / "pages").iterdir()) == before


@pytest.mark.parametrize(("title", "message"), [
    ("  ", "the title is empty"),
    ("第一行\n第二行", "the title must be one line without control characters"),
    ("长" * 201, "the title is 201 characters long; at most 200 are allowed"),
    ("联系 13912345678", "the title holds unmasked a mobile phone number; mask it (e.g. 139****5678)"),
])
def test_bad_titles_are_refused(minimal_site: Path, title: str, message: str) -> None:
    result = run_cli("new", "warning", title, minimal_site)
    assert result.returncode == 1
    assert result.stderr == f"Error: {message}; nothing was written.\n"
    assert sorted(p.name for p in (minimal_site / "content" / "warnings").iterdir()) == ["prepaid.md"]


def test_new_outside_a_site_folder_is_refused(tmp_path: Path) -> None:
    result = run_cli("new", "page", "办事指南", tmp_path)
    assert result.returncode == 1
    assert "site.yaml not found" in result.stderr
    assert list(tmp_path.iterdir()) == []
    bad_type = run_cli("new", "warning", TITLE, tmp_path, "--type", "消费警告")
    assert bad_type.returncode == 2 and "消费预警" in bad_type.stderr


@pytest.mark.parametrize(("title", "slug"), [
    ("关于预付式消费的消费提醒", "yu-fu-shi-xiao-fei-de-xiao-fei-ti-xing"),
    ("2026年“双11”网购消费提醒", "2026-nian-shuang-11-wang-gou-xiao-fei-ti-xing"),
    ("ＡＢＣ公司：退款！", "abc-gong-si-tui-kuan"),
    ("绿色出行 Lǜ", "lv-se-chu-xing-lu"),
    ("！！！🎉", "untitled"),
    ("关于健身、美容等预付卡消费风险的消费预警与典型案例汇编", "jian-shen-mei-rong-deng-yu-fu-ka-xiao-fei-feng"),
])
def test_slugs_are_readable_short_and_safe(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert len(slug) <= 48 and SAFE_SLUG.match(slug)


@pytest.mark.parametrize(("kind", "damage"), [
    ("warning", "gbk"),
    ("page", "gbk"),
    ("warning", "unknown key"),
    ("warning", "not yaml"),
])
def test_a_broken_site_yaml_is_reported_as_check_reports_it_and_nothing_is_written(
        minimal_site: Path, kind: str, damage: str) -> None:
    site_yaml = minimal_site / "site.yaml"
    text = site_yaml.read_text("utf-8")
    if damage == "gbk":
        site_yaml.write_bytes(text.replace("title:", "title: 示例区", 1).encode("gbk"))
    elif damage == "unknown key":
        site_yaml.write_text(text + "colour: 红\n", "utf-8")
    else:
        site_yaml.write_text(text + "title: [unclosed\n", "utf-8")
    before = sorted(p.relative_to(minimal_site).as_posix() for p in minimal_site.rglob("*"))
    check = run_cli("check", minimal_site)
    assert check.returncode == 1 and "site.yaml:" in check.stdout + check.stderr
    result = run_cli("new", kind, TITLE, minimal_site)
    assert result.returncode == 1
    assert (result.stdout, result.stderr) == (check.stdout, check.stderr)
    assert sorted(p.relative_to(minimal_site).as_posix() for p in minimal_site.rglob("*")) == before
