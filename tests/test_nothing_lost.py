"""A failed build leaves output/ byte-for-byte as it was and no staging folder; a good one replaces it whole."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import builder.build
import builder.cli
import builder.output
from builder.build import BuildOptions, build
from builder.errors import ContentError, OutputError
from builder.outputtree import OutputTree
from builder.pages import PageWriter
from helpers import run_cli


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with the hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(site: Path) -> list[str]:
    """Staging or old-output folders left beside the output."""
    return sorted(p.name for p in site.iterdir() if ".staging-" in p.name or ".old-" in p.name)


@pytest.fixture
def published(minimal_site: Path) -> tuple[Path, dict[str, str]]:
    """The minimal site with a previous build in output/ and its snapshot."""
    output = minimal_site / "output"
    build(BuildOptions(minimal_site, search=False))
    (output / "keep-me.txt").write_text("from the previous build", "utf-8")
    return minimal_site, snapshot(output)


def test_bad_input_leaves_output_as_it_was(published: tuple[Path, dict[str, str]]) -> None:
    site, before = published
    with (site / "content" / "complaints" / "2026-09.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - name: 坏\n")
    with pytest.raises(ContentError):
        build(BuildOptions(site, search=False))
    assert snapshot(site / "output") == before and leftovers(site) == []


def test_a_crash_while_rendering_leaves_output_as_it_was(published: tuple[Path, dict[str, str]],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    site, before = published

    def crash(self: PageWriter) -> None:
        raise RuntimeError("bug in a page")

    # (the warnings' pages: nothing changed but the file added to the output, so the build first tries to render
    # only what the warnings reach; that gives way, and the full path meets the bug again)
    monkeypatch.setattr(PageWriter, "warning_pages", crash)
    with pytest.raises(RuntimeError, match="bug in a page"):
        build(BuildOptions(site, search=False))
    assert snapshot(site / "output") == before and leftovers(site) == []


def test_a_broken_site_template_is_reported_with_its_line(published: tuple[Path, dict[str, str]]) -> None:
    site, before = published
    templates = site / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "statistics.html").write_text('{% extends "base.html" %}\n{% block main %}\n'
                                               '<p>{{ no_such_name.value }}</p>\n{% endblock %}\n', "utf-8")
    with pytest.raises(ContentError) as caught:
        build(BuildOptions(site, search=False))
    assert [str(p) for p in caught.value.problems] == [
        "themes/default/templates/statistics.html:3:1: template: UndefinedError: 'no_such_name' is undefined"]
    assert snapshot(site / "output") == before and leftovers(site) == []


def test_ctrl_c_leaves_output_as_it_was(published: tuple[Path, dict[str, str]],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site, before = published
    real_put = OutputTree.put
    calls = []

    def interrupted(self: OutputTree, route: str, key: str, data: bytes) -> None:
        calls.append(route)
        if len(calls) == 5:
            raise KeyboardInterrupt
        real_put(self, route, key, data)

    monkeypatch.setattr(OutputTree, "put", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(BuildOptions(site, search=False, clean=True))  # clean: every page is written, none kept
    assert len(calls) == 5
    assert snapshot(site / "output") == before and leftovers(site) == []


def test_ctrl_c_on_the_command_line_says_so_and_exits_130(minimal_site: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(options: BuildOptions, *_progress: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(builder.build, "build", interrupted)
    result = CliRunner().invoke(builder.cli.main, ["build", str(minimal_site)])
    assert result.exit_code == 130
    assert "Interrupted; the previous output was left as it was." in result.output


def test_a_full_disk_leaves_output_as_it_was(published: tuple[Path, dict[str, str]],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    site, before = published
    real_write_bytes = Path.write_bytes
    written = []

    def full_disk(self: Path, data: bytes) -> int:
        if ".staging-" in str(self):
            written.append(self)
            if len(written) > 8:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    with pytest.raises(OutputError) as caught:
        build(BuildOptions(site, search=False, clean=True))
    assert caught.value.reason == "cannot write: No space left on device"
    assert snapshot(site / "output") == before and leftovers(site) == []


def test_a_full_disk_on_the_command_line_is_one_clear_line(minimal_site: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(options: BuildOptions, *_progress: object) -> None:
        raise OutputError("merchants/x/index.html", "cannot write: No space left on device")

    monkeypatch.setattr(builder.build, "build", full_disk)
    result = CliRunner().invoke(builder.cli.main, ["build", str(minimal_site)])
    assert result.exit_code == 2
    assert result.output == ("Error: merchants/x/index.html: cannot write: No space left on device; "
                             "the previous output was left as it was.\n")


def test_a_failed_swap_puts_the_previous_output_back(published: tuple[Path, dict[str, str]],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site, before = published
    real_replace = os.replace
    calls = []

    def failing_swap(source: Path, target: Path) -> None:
        calls.append((source, target))
        if Path(target) == site / "output" and ".staging-" in str(source):  # the new output cannot move in
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_replace(source, target)

    monkeypatch.setattr(builder.output.os, "replace", failing_swap)
    with pytest.raises(OutputError, match="cannot replace the output folder"):
        build(BuildOptions(site, search=False, clean=True))
    monkeypatch.undo()
    assert snapshot(site / "output") == before and leftovers(site) == []


def test_a_good_build_replaces_output_whole(published: tuple[Path, dict[str, str]]) -> None:
    site, before = published
    build(BuildOptions(site, search=False))
    after = snapshot(site / "output")
    assert "keep-me.txt" not in after
    assert {k: v for k, v in before.items() if k != "keep-me.txt"} == after
    assert leftovers(site) == []


def test_a_theme_file_linking_outside_its_folder_is_a_problem_of_the_input(published: tuple[Path, dict[str, str]],
                                                                           tmp_path: Path) -> None:
    """Found while reading, with the input's problems (`check` too), before anything is rendered; a broken link
    was skipped without a word; a link inside the static folder is published."""
    site, before = published
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the public", "utf-8")
    static = site / "themes" / "default" / "static"
    (static / "img").mkdir(parents=True)
    (static / "leak.txt").symlink_to(secret)
    (static / "img" / "gone.png").symlink_to(tmp_path / "missing.png")
    (static / "site.css").symlink_to(site / "content" / "complaints" / "2026-09.yaml")  # raw data: refused
    (static / "real.css").write_text("body{}", "utf-8")
    (static / "img" / "alias.css").symlink_to(static / "real.css")
    (static / ".hidden").symlink_to(secret)  # hidden files are not published: not a problem
    (static / "elsewhere").symlink_to(tmp_path, target_is_directory=True)  # nor are linked folders
    with (site / "content" / "complaints" / "2026-09.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - name: 坏\n")
    with pytest.raises(ContentError) as caught:
        build(BuildOptions(site, search=False))
    shown = [str(problem) for problem in caught.value.problems]
    assert [line for line in shown if line.startswith("themes/")] == [
        "themes/default/static/img/gone.png:1:1: file: this is a broken or looping link; replace it by the file "
        "itself",
        "themes/default/static/leak.txt:1:1: file: this is a link to a file outside the site folder; copy the file "
        "into the site instead",
        "themes/default/static/site.css:1:1: file: this is a link to a file outside themes/default/static/; copy the "
        "file into it instead",
    ]
    assert any(line.startswith("content/complaints/2026-09.yaml:") for line in shown)  # every problem at once
    assert snapshot(site / "output") == before and leftovers(site) == []
    result = run_cli("check", site)
    assert result.returncode == 1 and "themes/default/static/leak.txt:1:1: file:" in result.stderr
    for name in ("leak.txt", "img/gone.png", "site.css"):
        (static / name).unlink()
    (site / "content" / "complaints" / "2026-09.yaml").write_text(
        (site / "content" / "complaints" / "2026-09.yaml").read_text("utf-8").replace("  - name: 坏\n", ""), "utf-8")
    build(BuildOptions(site, search=False))
    assert (site / "output" / "assets" / "img" / "alias.css").read_text("utf-8") == "body{}"
    assert not (site / "output" / "assets" / ".hidden").exists()


def test_staging_still_refuses_a_link_leaving_a_static_folder(tmp_path: Path) -> None:
    """The last guard, for a link made after the input was checked."""
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.txt").write_text("not for the public", "utf-8")
    (static / "leak.txt").symlink_to(tmp_path / "secret.txt")
    staging = builder.output.Staging(tmp_path / "out")
    with staging, pytest.raises(OutputError, match="it is a link to a file outside"):
        staging.copy_tree(static, "assets")


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_the_output_folder_is_readable_as_umask_allows(minimal_site: Path, umask: int) -> None:
    """A web server running as another user reads output/: its folders get the mode mkdir gives, not 0700."""
    previous = os.umask(umask)
    try:
        build(BuildOptions(minimal_site))  # with the search bundle and the search page's own indexes
    finally:
        os.umask(previous)
    output = minimal_site / "output"
    folders = [output, *(p for p in output.rglob("*") if p.is_dir())]
    assert {p.relative_to(output).as_posix(): oct(p.stat().st_mode & 0o777) for p in folders} == {
        p.relative_to(output).as_posix(): oct(0o777 & ~umask) for p in folders}
