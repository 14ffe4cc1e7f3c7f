"""Half of the merchant pages rendered by a forked child (pages.PageWriter.merchant_pages): the same bytes as one
process, and a child that fails costs only time."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from builder import folderprocess, pages
from builder.build import BuildOptions, build


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def children(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children forked to place pages from now on. (This process may run Playwright's thread,
    after the browser tests: a build would then not fork; the tests fork anyway, their children run no thread's
    code.)"""
    monkeypatch.setattr(folderprocess.Child, "possible", staticmethod(lambda: True))
    started: list[int] = []
    real = folderprocess.Forked.__init__

    def spy(self: folderprocess.Forked, work: Any) -> None:
        real(self, work)
        started.append(self.pid)

    monkeypatch.setattr(folderprocess.Forked, "__init__", spy)
    return started


def test_a_child_renders_half_of_the_merchant_pages_with_the_same_bytes(
        minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = build(BuildOptions(minimal_site, tmp_path / "one", clean=True, audit_file=tmp_path / "audit"))
    started = children(monkeypatch)
    monkeypatch.setattr(pages, "PARALLEL_PAGES", 2)
    two = build(BuildOptions(minimal_site, tmp_path / "two", clean=True, audit_file=tmp_path / "audit"))
    assert len(started) == 1 and started[0] != os.getpid()
    assert (two.pages, two.rendered) == (one.pages, one.rendered)
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")  # SHA256SUMS lists the child's pages too


def test_a_child_that_fails_leaves_its_pages_to_the_builder(
        minimal_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(BuildOptions(minimal_site, tmp_path / "one", clean=True, audit_file=tmp_path / "audit"))
    builder_pid = os.getpid()
    real = pages.PageWriter.merchant_pages_of

    def failing_in_the_child(self: pages.PageWriter, merchants: Any) -> None:
        if os.getpid() != builder_pid:
            raise MemoryError("the child ran out of memory")
        real(self, merchants)

    started = children(monkeypatch)
    monkeypatch.setattr(pages, "PARALLEL_PAGES", 2)
    monkeypatch.setattr(pages.PageWriter, "merchant_pages_of", failing_in_the_child)
    build(BuildOptions(minimal_site, tmp_path / "two", clean=True, audit_file=tmp_path / "audit"))
    assert len(started) == 1
    assert snapshot(tmp_path / "two") == snapshot(tmp_path / "one")
