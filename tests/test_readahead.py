"""Complaint files read by a forked child into the build cache: the same build, sooner (builder/readahead.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder import readahead
from builder.build import BuildOptions, build
from builder.content import ContentReader
from builder.errors import ContentError
from helpers import NO_CACHE, SITES

AS_OF = dt.date(2026, 11, 20)
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="read-ahead forks a child (POSIX only)")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with the digest of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Spy:
    """The children started and the files this process read itself."""

    def __init__(self) -> None:
        self.children: list[readahead.ReadAhead] = []
        self.read_here: list[str] = []


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    """Read-ahead allowed for any size; records each child and each file the parent parses itself."""
    found = Spy()
    start, read_one = readahead.start, ContentReader._read_one
    pid = os.getpid()

    def started(paths: list[Path], work: object) -> readahead.ReadAhead | None:
        child = start(paths, work)  # type: ignore[arg-type]
        if child is not None:
            found.children.append(child)
        return child

    def counted(self: ContentReader, path: Path, shown: str, *args: object) -> object:
        if os.getpid() == pid:
            found.read_here.append(shown)
        return read_one(self, path, shown, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(readahead, "MIN_BYTES", 0)
    monkeypatch.setattr(readahead, "can_fork", lambda: True)
    monkeypatch.setattr(readahead, "start", started)
    monkeypatch.setattr(ContentReader, "_read_one", counted)
    yield found


def district_site(target: Path) -> Path:
    """The districts fixture: a period in one file, another in three files under sub-folders."""
    shutil.copytree(SITES / "districts", target, ignore=NO_CACHE)
    return target


def complaint_files(site: Path) -> list[str]:
    """The complaint files in reading order, as messages show them."""
    folder = site / "content" / "complaints"
    return ["content/complaints/" + p.relative_to(folder).as_posix()
            for p in sorted(folder.rglob("*.yaml"), key=lambda p: p.relative_to(folder).as_posix())]


def build_once(site: Path, out: Path) -> dict[str, str]:
    """A clean build's files (the cache is ignored as input, written as output)."""
    build(BuildOptions(site, out, as_of=AS_OF, search=False, clean=True, audit_file=out.parent / f"{out.name}.audit"))
    return snapshot(out)


def test_the_child_takes_the_last_files_up_to_about_half_the_bytes() -> None:
    assert readahead.child_share([10, 10, 10, 10]) == 0  # under MIN_BYTES: no process
    mb = 1_000_000
    assert readahead.child_share([mb, mb]) == 1
    assert readahead.child_share([mb, mb, mb]) == 1
    assert readahead.child_share([mb] * 10) == 4
    assert readahead.child_share([mb, 9 * mb]) == 0  # the child would take 90 %: the parent would wait
    assert readahead.child_share([9 * mb, mb, mb]) == 2
    assert readahead.child_share([3 * mb]) == 0  # one file: nothing to share


def test_files_the_child_read_give_the_same_output_and_are_not_parsed_again(
        tmp_path: Path, spy: Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    site = district_site(tmp_path / "site")
    files = complaint_files(site)
    with_child = build_once(site, tmp_path / "with-child")
    assert len(spy.children) == 1
    taken = spy.children[0].paths
    assert 0 < len(taken) < len(files)
    assert len(spy.children[0].written()) == len(taken)
    complaints_here = [shown for shown in spy.read_here if shown.startswith("content/complaints/")]
    assert complaints_here == files[:len(files) - len(taken)]  # the parent parsed only its own share

    monkeypatch.setattr(readahead, "can_fork", lambda: False)
    spy.read_here.clear()
    alone = build_once(site, tmp_path / "alone")
    assert [s for s in spy.read_here if s.startswith("content/complaints/")] == files
    assert with_child == alone


def test_problems_in_the_files_the_child_read_are_reported_as_when_read_here(
        tmp_path: Path, spy: Spy, monkeypatch: pytest.MonkeyPatch) -> None:
    site = district_site(tmp_path / "site")
    last = site / complaint_files(site)[-1]
    text = last.read_text("utf-8")
    last.write_text(text.replace("complaints:", "complaints: [", 1) if "complaints:" in text else text + "\n: [\n",
                    "utf-8")
    second = site / complaint_files(site)[-2]
    second.write_text(second.read_text("utf-8") + "\n联系电话: 13912345678\n", "utf-8")

    def problems() -> list[str]:
        with pytest.raises(ContentError) as raised:
            build_once(site, tmp_path / f"out-{len(spy.children)}")
        return [str(problem) for problem in raised.value.problems]

    found = problems()
    assert spy.children and spy.children[0].written()
    monkeypatch.setattr(readahead, "can_fork", lambda: False)
    expected = problems()
    assert found == expected
    assert any(p.startswith(str(last.relative_to(site))) for p in found)
    assert any("13912345678" not in p and p.startswith(str(second.relative_to(site))) for p in found)


def test_a_child_that_dies_leaves_its_files_to_the_parent(tmp_path: Path, spy: Spy,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    site = district_site(tmp_path / "site")
    files = complaint_files(site)
    monkeypatch.setattr(ContentReader, "_read_into_cache", lambda *_args: os._exit(3))
    died = build_once(site, tmp_path / "died")
    assert spy.children and spy.children[0].written() == set()
    assert [s for s in spy.read_here if s.startswith("content/complaints/")] == files

    monkeypatch.setattr(readahead, "can_fork", lambda: False)
    assert build_once(site, tmp_path / "alone") == died


def test_the_records_read_are_written_to_the_cache_by_a_child_while_the_build_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder import buildcache
    from builder.content import FileRead

    site = district_site(tmp_path / "site")
    pid = os.getpid()
    pickled_here: list[object] = []
    dump = buildcache.dump

    def counted(value: object, file: object, plain: bool = False) -> None:
        if os.getpid() == pid and isinstance(value, FileRead):
            pickled_here.append(value)
        dump(value, file, plain)  # type: ignore[arg-type]

    monkeypatch.setattr(buildcache, "dump", counted)
    entries = site / ".gongshi" / "cache" / "content"
    for forks, out in ((True, "beside"), (False, "here")):
        monkeypatch.setattr(readahead, "can_fork", lambda forks=forks: forks)
        shutil.rmtree(site / ".gongshi", ignore_errors=True)
        pickled_here.clear()
        build_once(site, tmp_path / out)
        files_read = len(list((site / "content").rglob("*.*")))
        assert len(list(entries.iterdir())) == files_read  # every file read has its entry once the build is done
        assert len(pickled_here) == (0 if forks else files_read)
