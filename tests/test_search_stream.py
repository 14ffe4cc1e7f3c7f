"""A clean build streams merchant pages to their shard's Pagefind service as they are rendered; the bundles
must be the same bytes as bundles indexed from the written files, whatever order the pages come in."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from builder import build as build_module
from builder import search
from builder.build import BuildOptions, build
from builder.pagefindservice import PagefindService
from helpers import NO_CACHE, SITES

AS_OF = dt.date(2026, 11, 20)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under a folder with the digest of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def site_copy(target: Path) -> Path:
    """The districts fixture with the minimal site's warnings (a main bundle beside the merchant shards)."""
    shutil.copytree(SITES / "districts", target, ignore=NO_CACHE)
    shutil.copytree(SITES / "minimal" / "content" / "warnings", target / "content" / "warnings", ignore=NO_CACHE)
    return target


class Calls:
    """How often the indexer took each path."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.streamed = 0
        self.from_files = 0
        streamed, from_files = search.SearchIndexer._streamed, search.SearchIndexer._bundle

        def count_streamed(indexer: search.SearchIndexer, *args: Any) -> int:
            self.streamed += 1
            return streamed(indexer, *args)

        def count_files(indexer: search.SearchIndexer, *args: Any) -> int:
            self.from_files += 1
            return from_files(indexer, *args)

        monkeypatch.setattr(search.SearchIndexer, "_streamed", count_streamed)
        monkeypatch.setattr(search.SearchIndexer, "_bundle", count_files)


def build_with(site: Path, out: Path, monkeypatch: pytest.MonkeyPatch, stream: bool | None = None,
               reverse: bool = False) -> dict[str, str]:
    """A clean build into `out`; `stream` forces the indexer's choice, `reverse` renders merchants backwards."""
    made = search.SearchIndexer

    def indexer(*args: Any, **kwargs: Any) -> search.SearchIndexer:
        if stream is not None:
            kwargs["stream"] = stream
        return made(*args, **kwargs)

    def backwards(self: search.SearchIndexer, routes: Sequence[str]) -> list[int]:
        return list(reversed(range(len(routes))))

    with monkeypatch.context() as patch:
        patch.setattr(build_module, "SearchIndexer", indexer)
        if reverse:
            patch.setattr(search.SearchIndexer, "render_order", backwards)
        build(BuildOptions(site, out, as_of=AS_OF, clean=True, audit_file=out.parent / f"{out.name}-audit"))
    return snapshot(out)


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two merchants a shard, so that the fixture's merchants make several shards."""
    monkeypatch.setattr(search, "SHARD_PAGES", 2)


@pytest.mark.usefixtures("small_shards")
def test_streamed_bundles_are_the_bundles_indexed_from_the_files(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_copy(tmp_path / "site")
    calls = Calls(monkeypatch)
    streamed = build_with(site, tmp_path / "streamed", monkeypatch)
    assert calls.streamed >= 2 and calls.from_files == 1  # every shard streamed; the main bundle from its files
    calls.streamed = calls.from_files = 0
    from_files = build_with(site, tmp_path / "files", monkeypatch, stream=False)
    assert calls.streamed == 0 and calls.from_files >= 3
    assert any(route.startswith("pagefind/m01/") for route in streamed)
    assert streamed == from_files


@pytest.mark.usefixtures("small_shards")
def test_a_streamed_shard_s_bundle_is_written_while_the_next_shard_is_indexed(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A service slot is free once its service has given its bundle: with one slot, the next shard's service starts
    before the bundle before it is on disk (writing thousands of files competes with the rendering for the
    interpreter, and left both cores to the builder alone for seconds at 10,000 merchants)."""
    monkeypatch.setattr(build_module, "SERVICES", 1)
    started = threading.Semaphore(0)
    seen: list[str] = []
    service, store = search.SearchIndexer._service, search.SearchIndexer._store

    def counted_service(indexer: search.SearchIndexer) -> PagefindService:
        made = service(indexer)
        started.release()
        return made

    def slow_store(indexer: search.SearchIndexer, name: str, *args: Any) -> int:
        # the first shard's bundle waits (10 s at most) until a second service has started: the next shard's
        overlapped = all(started.acquire(timeout=10) for _ in range(2)) if name == "m00" else True
        seen.append(f"{name}:{'overlapped' if overlapped else 'waited'}")
        return store(indexer, name, *args)

    monkeypatch.setattr(search.SearchIndexer, "_service", counted_service)
    monkeypatch.setattr(search.SearchIndexer, "_store", slow_store)
    streamed = build_with(site_copy(tmp_path / "site"), tmp_path / "out", monkeypatch)
    assert "m00:overlapped" in seen and any(route.startswith("pagefind/m01/") for route in streamed)


def test_pages_out_of_route_order_are_indexed_from_the_files_with_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_copy(tmp_path / "site")
    in_order = build_with(site, tmp_path / "in-order", monkeypatch)
    calls = Calls(monkeypatch)
    backwards = build_with(site, tmp_path / "backwards", monkeypatch, reverse=True)
    assert calls.streamed == 1 and calls.from_files == 2  # the one shard came backwards: from its files
    assert backwards == in_order


@pytest.mark.usefixtures("small_shards")
def test_pages_past_the_memory_cap_wait_as_routes_and_give_the_same_bundles(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = site_copy(tmp_path / "site")
    held = build_with(site, tmp_path / "held", monkeypatch)
    reads: list[str] = []
    queued: list[int] = []
    read, streamed = search.SearchIndexer._read, search.SearchIndexer._streamed

    def counted_read(indexer: search.SearchIndexer, route: str) -> str:
        reads.append(route)
        queued.append(indexer.queued)
        return read(indexer, route)

    def streamed_then_empty(indexer: search.SearchIndexer, *args: Any) -> int:
        pages = streamed(indexer, *args)
        queued.append(indexer.queued)
        return pages

    monkeypatch.setattr(search, "QUEUED_TEXT", 3000)  # about one page of the fixture's may wait in memory
    monkeypatch.setattr(search.SearchIndexer, "_read", counted_read)
    monkeypatch.setattr(search.SearchIndexer, "_streamed", streamed_then_empty)
    capped = build_with(site, tmp_path / "capped", monkeypatch)
    assert any(route.startswith("merchants/") for route in reads)  # streamed pages were read back
    assert max(queued) <= 3000 and queued[-1] == 0
    assert capped == held


def test_the_sitemap_lists_merchants_in_directory_order_with_search_or_without(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 1)  # one merchant a shard: shard order is not the directory's
    site = site_copy(tmp_path / "site")
    sitemaps = []
    for name, search_on in (("with", True), ("without", False)):
        out = tmp_path / name
        build(BuildOptions(site, out, as_of=AS_OF, clean=True, search=search_on,
                           audit_file=tmp_path / f"{name}-audit"))
        sitemaps.append((out / "sitemap.xml").read_text("utf-8"))
    assert sitemaps[0] == sitemaps[1]
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemaps[0])
    merchant_pages = {p.parent.name for p in (tmp_path / "with" / "merchants").glob("*/index.html")
                      if "data-pagefind-body" in p.read_text("utf-8")}
    listed = [loc.rstrip("/").rsplit("/", 1)[1] for loc in locs if "/merchants/" in loc
              and loc.rstrip("/").rsplit("/", 1)[1] in merchant_pages]
    assert len(merchant_pages) >= 4 and sorted(listed) == sorted(merchant_pages)  # each listed once


def _thread_niceness(pid: int) -> list[int]:
    """The nice value of every thread of a process (field 19 of /proc/PID/task/TID/stat)."""
    values = []
    for task in (Path("/proc") / str(pid) / "task").iterdir():
        stat = (task / "stat").read_text()
        values.append(int(stat[stat.rindex(")") + 2:].split()[16]))
    return values


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or shutil.which("nice") is None,
                    reason="needs Linux's /proc and the nice command")
def test_a_build_s_pagefind_services_yield_to_the_builder_with_every_thread(tmp_path: Path) -> None:
    """The services are started at a lower priority (`search.BUILD_NICE`), all their threads: the builder's one
    thread is the longest path of a build. Lowering a started service reaches only its later threads."""
    from builder.pagefindservice import PagefindService

    assert search.BUILD_NICE > 0
    own = os.getpriority(os.PRIO_PROCESS, 0)
    service = PagefindService(search.pagefind_binary(), search.LANGUAGE, nice=search.BUILD_NICE)
    try:
        service.add("/a/", "<html><body><article data-pagefind-body><h1>青禾示例商店</h1></article></body></html>")
        service._call({"type": "GetFiles", "index_id": service.index_id})  # every thread has started by now
        niceness = _thread_niceness(service.process.pid)
    finally:
        service.close()
    assert len(niceness) > 1 and set(niceness) == {min(19, own + search.BUILD_NICE)}
