"""`gongshi init`: a new site that builds at once, explains itself, ships in the package, and never overwrites."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_validity import describe, vnu_messages

from builder.config import RANKING_SETTINGS_KEYS, SITE_KEYS
from builder.scaffold import dates, starter_files
from helpers import REPO, fixed_env, run_cli
from tools.linkcheck import check_site, external_resources

STARTER = REPO / "builder" / "starter_site"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def new_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`gongshi init` into a new folder, then `gongshi build` there (as of 2026-11-20)."""
    site = tmp_path_factory.mktemp("init") / "我的站点"
    result = run_cli("init", site)
    assert result.returncode == 0, result.stderr
    assert "fictional" in result.stdout
    built = run_cli("build", site)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""  # no warning, no note
    return site


def test_init_writes_every_kind_of_content(new_site: Path) -> None:
    names = sorted(p.relative_to(new_site).as_posix() for p in new_site.rglob("*")
                   if p.is_file() and not {"output", ".gongshi"} & set(p.relative_to(new_site).parts))
    assert names == [
        ".gitignore", "README.md", "archetypes/page.md", "archetypes/warning.md",
        "content/complaints/2026-10.yaml", "content/pages/about.md", "content/pages/method.md",
        "content/rankings/2026-10.yaml", "content/taxonomy.yaml",
        "content/warnings/2026-11-01-shi-li-xiao-fei-ti-xing.md", "content/warnings/示例告知书.pdf",
        "content/warnings/示例图片.png", "site.yaml"]
    assert (new_site / ".gitignore").read_text("utf-8").split("\n")[1:3] == ["output/", ".gongshi/"]
    period = yaml.safe_load((new_site / "content/complaints/2026-10.yaml").read_text("utf-8"))
    assert len(period["merchants"]) == 2
    taxonomy = yaml.safe_load((new_site / "content/taxonomy.yaml").read_text("utf-8"))
    assert set(taxonomy["categories"]) == {"商品类", "服务类"} and "退款" in taxonomy["demands"]


def test_the_new_site_builds_into_pages_of_every_kind(new_site: Path) -> None:
    out = new_site / "output"
    for route in ("periods/2026-10/", "rankings/2026-10/", "warnings/2026-11-01-shi-li-xiao-fei-ti-xing/",
                  "pages/about/", "pages/method/", "merchants/91359901MA00001A0U/", "statistics/2026-10/"):
        assert (out / route / "index.html").is_file(), route
    period = (out / "periods/2026-10/index.html").read_text("utf-8")
    assert "示例甲餐饮管理有限公司" in period and "示例乙健身服务有限公司" in period
    assert "公示依据与规则" in (out / "pages/method/index.html").read_text("utf-8")
    assert check_site(out, skip_pages=["404.html"]) == []
    assert external_resources(out) == []


def test_the_new_site_is_valid_html(new_site: Path) -> None:
    messages = vnu_messages(new_site / "output")
    assert messages == [], describe(messages, new_site / "output")


def test_every_example_is_marked_fictional(new_site: Path) -> None:
    for relative in ("content/complaints/2026-10.yaml", "content/rankings/2026-10.yaml",
                     "content/warnings/2026-11-01-shi-li-xiao-fei-ti-xing.md", "content/pages/about.md"):
        text = (new_site / relative).read_text("utf-8")
        assert "示例" in text and "虚构" in text, relative
    assert "示例" in (new_site / "content/pages/method.md").read_text("utf-8")


def test_every_site_yaml_key_is_explained_in_chinese(new_site: Path) -> None:
    lines = (new_site / "site.yaml").read_text("utf-8").split("\n")
    config = yaml.safe_load("\n".join(lines))
    assert set(config) == set(SITE_KEYS) and set(config["rankings"]) == set(RANKING_SETTINGS_KEYS)
    for key in [*SITE_KEYS, *RANKING_SETTINGS_KEYS]:
        index = next(i for i, line in enumerate(lines) if re.match(rf"\s*{key}:", line))
        comment = lines[index - 1].strip()
        assert comment.startswith("#") and CJK.search(comment), f"{key}: {comment!r}"


def test_the_editors_guide_names_the_whole_workflow(new_site: Path) -> None:
    guide = (new_site / "README.md").read_text("utf-8")
    for command in ("gongshi new warning", "gongshi new page", "gongshi import", "--period", "gongshi serve",
                    "gongshi check", "gongshi build", "gongshi publish", "max_attachment_mb", "SVG", "EXIF"):
        assert command in guide, command
    assert len(CJK.findall(guide)) > 500


def test_the_example_dates_follow_the_day_of_init() -> None:
    assert dates(dt.date(2027, 1, 1)) == {"__PERIOD__": "2026-12", "__PUBLISHED__": "2027-01-01",
                                          "__DAY_A__": "2026-12-03", "__DAY_B__": "2026-12-15",
                                          "__DAY_C__": "2026-12-20"}
    files = dict(starter_files(dt.date(2027, 3, 31)))
    assert "content/complaints/2027-02.yaml" in files
    assert b"published: 2027-03-01" in files["content/complaints/2027-02.yaml"]
    assert not [name for name, data in files.items() if b"__" in data and name.endswith((".md", ".yaml"))]


@pytest.mark.parametrize("existing", [".keep", "notes.txt", "sub/"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, existing: str) -> None:
    site = tmp_path / "site"
    (site / existing).parent.mkdir(parents=True, exist_ok=True)
    if existing.endswith("/"):
        (site / existing).mkdir()
    else:
        (site / existing).write_text("mine", "utf-8")
    before = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    result = run_cli("init", site)
    assert result.returncode == 1
    assert result.stderr == (f"Error: {site} is not empty ({existing.rstrip('/')}); gongshi init only writes into "
                             f"a new or empty folder, so that nothing of yours is overwritten\n")
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == before


def test_init_refuses_a_file_and_fills_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", "utf-8")
    result = run_cli("init", tmp_path / "file")
    assert result.returncode == 1 and "exists and is not a folder" in result.stderr
    assert (tmp_path / "file").read_text("utf-8") == "x"
    (tmp_path / "empty").mkdir()
    assert run_cli("init", tmp_path / "empty").returncode == 0
    assert (tmp_path / "empty" / "site.yaml").is_file()
    again = run_cli("init", tmp_path / "empty")
    assert again.returncode == 1 and "is not empty" in again.stderr


def test_the_starter_site_ships_inside_the_package(tmp_path: Path) -> None:
    """What setuptools installs (build_py) holds every starter file, and init works from there without the repo."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "builder", source / "builder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "themes", source / "themes")  # installed as builder/themes
    lib = tmp_path / "lib"
    built = subprocess.run([sys.executable, "-W", "ignore", "-c", "import setuptools; setuptools.setup()", "-q",
                            "build_py", "-d", str(lib)], cwd=source, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    shipped = sorted(p.relative_to(lib / "builder" / "starter_site").as_posix()
                     for p in (lib / "builder" / "starter_site").rglob("*") if p.is_file())
    assert shipped == sorted(p.relative_to(STARTER).as_posix() for p in STARTER.rglob("*") if p.is_file())
    env = {**fixed_env(), "PYTHONPATH": str(lib)}
    result = subprocess.run([sys.executable, "-m", "builder", "init", str(tmp_path / "site")], cwd=tmp_path,
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "content" / "warnings" / "示例图片.png").read_bytes() == \
        (STARTER / "content" / "warnings" / "示例图片.png").read_bytes()
