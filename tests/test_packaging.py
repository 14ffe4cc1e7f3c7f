"""The built wheel carries everything a site needs: init and build work from it, outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import AS_OF_EPOCH, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """gongshi's wheel, built from the working tree as `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    return next(out.glob("gongshi-*.whl"))


def test_the_wheel_holds_themes_starter_site_and_catalogs(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    themes = {p.relative_to(REPO).as_posix() for p in (REPO / "themes").rglob("*") if p.is_file()}
    assert {f"builder/{name}" for name in themes} <= names
    assert "builder/locale/zh/LC_MESSAGES/gongshi.mo" in names
    assert "builder/starter_site/site.yaml" in names and "builder/preview/livereload.js" in names


@pytest.mark.parametrize("language", ["zh", "en"])
def test_init_and_build_from_the_installed_package(wheel: Path, language: str, tmp_path: Path) -> None:
    """Installed (not editable) into a folder of its own and run outside the repository, in both languages."""
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    env = {**os.environ, "PYTHONPATH": str(target), "GONGSHI_LANG": language, "SOURCE_DATE_EPOCH": AS_OF_EPOCH}
    where = subprocess.run([sys.executable, "-c", "import builder, builder.render as r; print(builder.__file__);"
                            " print(r.BUILTIN_THEMES)"], capture_output=True, text=True, env=env, cwd=tmp_path)
    module, themes = where.stdout.split()
    assert Path(module).is_relative_to(target) and Path(themes) == target / "builder" / "themes"

    def gongshi(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "builder", *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=600)

    created = gongshi("init", "站点")
    assert created.returncode == 0, created.stderr
    built = gongshi("build", "站点", "--no-search")
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("已生成 " if language == "zh" else "Built ")
    assert (tmp_path / "站点" / "output" / "index.html").is_file()
    assert (tmp_path / "站点" / "output" / "assets").is_dir()
