"""The merchants' full-text index (builder/textindex.py): its records and the files search/text/ is made of."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from builder import textindex
from builder.build import BuildOptions, build, load_site
from builder.lookup import fnv1a
from builder.searchkey import search_key
from builder.textindex import merchant_texts, record_keys, text_records, write_index
from helpers import REPO


def sample_records() -> list[dict[str, Any]]:
    report = load_site(BuildOptions(REPO))
    assert report.site is not None
    return text_records(report.site.merchants)


def undelta(values: list[int], start: int = -1) -> list[int]:
    ids, last = [], start
    for d in values:
        last += d
        ids.append(last)
    return ids


class Reader:
    """The index's files as search.js reads them."""

    def __init__(self, root: Path) -> None:
        self.root = root / textindex.ROOT
        self.manifest = json.loads((self.root / "manifest.json").read_text("utf-8"))

    def ids(self, key: str) -> list[int] | None:
        """Every id holding `key` (None: no merchant does)."""
        bucket = json.loads((self.root / "b" / f"{fnv1a(key) % self.manifest['buckets']}.json").read_text("utf-8"))
        entry = bucket.get(key)
        if entry is None or isinstance(entry, list):
            return None if entry is None else undelta(entry)
        size = self.manifest["range"]
        folder = self.root / "f" / str(entry["f"])
        ranges = [(k, folder / f"{k}.json") for k in range(-(-self.manifest["merchants"] // size))]
        return [i for k, path in ranges if path.exists() for i in undelta(json.loads(path.read_text()), k * size - 1)]

    def record(self, mid: int) -> dict[str, Any]:
        block = self.manifest["block"]
        return json.loads((self.root / "r" / f"{mid // block}.json").read_text("utf-8"))[mid % block]


def test_records_hold_the_page_texts_most_complained_first() -> None:
    found = sample_records()
    assert [r["x"] for r in found] == sorted((r["x"] for r in found), reverse=True)
    bakery = next(r for r in found if r["n"] == "青禾区百味烘焙坊")
    assert "月饼礼盒" in bakery["t"] and "月饼标签未标明配料表" in bakery["t"] and "南桥路45号" in bakery["t"]
    assert bakery["d"] == "南桥街道" and bakery["p"] == sorted(bakery["p"], reverse=True)
    report = load_site(BuildOptions(REPO))
    assert report.site is not None
    merchant = next(m for m in report.site.merchants if m.name == "青禾区百味烘焙坊")
    assert merchant_texts(merchant) == bakery["t"]


def test_keys_are_the_characters_and_bigrams_of_each_text_and_the_filters() -> None:
    record = {"n": "青禾面馆", "d": "西岭镇", "c": "餐饮", "p": ["2026年9月"], "t": ["牛肉 面", "退款"]}
    keys = record_keys(record)
    assert {"牛肉", "肉面", "牛", "退款", "青禾", "禾面", "西岭", "d:西岭镇", "c:餐饮", "p:2026年9月"} <= keys
    assert "面退" not in keys  # never across two texts


@pytest.mark.parametrize("rare_min", [1000, 3])
def test_every_key_finds_exactly_the_records_holding_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       rare_min: int) -> None:
    monkeypatch.setattr(textindex, "RARE_MIN", rare_min)  # 3: most keys cut into ranges
    monkeypatch.setattr(textindex, "MIN_RANGE", 7)
    found = sample_records()
    files = write_index(tmp_path / textindex.ROOT, found)
    reader = Reader(tmp_path)
    assert reader.manifest["merchants"] == len(found) and files == len(list(tmp_path.rglob("*.json")))
    holders: dict[str, list[int]] = {}
    for mid, record in enumerate(found):
        assert reader.record(mid) == record
        for key in record_keys(record):
            holders.setdefault(key, []).append(mid)
    chunked = 0
    for key, ids in holders.items():
        assert reader.ids(key) == ids, key
        chunked += len(ids) > rare_min
    assert (chunked > 100) == (rare_min == 3)
    assert reader.ids("麒麟") is None


def test_the_build_writes_the_index_the_same_each_time_and_not_the_merchants_into_pagefind(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO, site, ignore=shutil.ignore_patterns("output", ".gongshi", ".venv", ".git", "tests"))
    first, second = tmp_path / "a", tmp_path / "b"
    report = build(BuildOptions(site, first))
    build(BuildOptions(site, second, clean=True))
    files = sorted(p.relative_to(first) for p in (first / textindex.ROOT).rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(second) for p in (second / textindex.ROOT).rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)
    assert report.indexed == len(report.site.warnings) + len([p for p in report.site.pages if p.kind])
    bundles = json.loads((first / "pagefind" / "bundles.json").read_text("utf-8"))["bundles"]
    assert bundles == ["main/"]
    manifest = (first / "SHA256SUMS").read_text("utf-8")
    assert f"{textindex.ROOT}/manifest.json" in manifest


def test_hostile_text_is_data(tmp_path: Path) -> None:
    record = {"u": "merchants/x/", "n": "<script>alert(1)</script>", "d": "西岭镇", "c": "餐饮", "x": 1, "r": 1,
              "l": "2026年9月", "p": ["2026年9月"], "t": ["</script><img src=x onerror=alert(1)>"]}
    write_index(tmp_path / textindex.ROOT, [record])
    reader = Reader(tmp_path)
    assert reader.record(0) == record  # JSON fetched as data; search.js draws it with textContent
    assert reader.ids(search_key("<img")[:2]) == [0]


def test_the_index_is_written_beside_the_rendering_and_a_failure_there_is_reported(
        tmp_path: Path, minimal_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The lookup and the full text are written by a forked child while the pages render; when that child
    fails, the build fails naming the folder, and the output is left as it was."""
    from builder import folderprocess, pages
    from builder.errors import OutputError

    out = tmp_path / "out"
    started: list[int] = []
    real_init = folderprocess.FolderProcess.__init__
    # (after the browser tests this process runs Playwright's thread, and a build would not fork: fork anyway)
    monkeypatch.setattr(folderprocess.Child, "possible", staticmethod(lambda: True))

    def spy(self: folderprocess.FolderProcess, jobs: Any) -> None:
        real_init(self, jobs)
        started.append(self.pid)

    monkeypatch.setattr(folderprocess.FolderProcess, "__init__", spy)
    build(BuildOptions(minimal_site, out, clean=True, audit_file=tmp_path / "audit.json"))
    assert len(started) == 1 and started[0] != os.getpid()
    assert (out / textindex.ROOT / "manifest.json").is_file()
    assert (out / "search" / "lookup" / "manifest.json").is_file()
    assert [p.name for p in (out / "search").iterdir() if p.name.startswith(".")] == []
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def broken(folder: Path, records: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pages, "write_index", broken)
    with pytest.raises(OutputError) as failed:
        build(BuildOptions(minimal_site, out, clean=True, audit_file=tmp_path / "audit.json"))
    assert failed.value.path == "search/text/" and "No space left on device" in failed.value.reason
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_build_that_fails_while_the_index_is_written_stops_its_process(
        tmp_path: Path, minimal_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from builder import folderprocess, pages

    started: list[int] = []
    real_init = folderprocess.FolderProcess.__init__

    def spy(self: folderprocess.FolderProcess, jobs: Any) -> None:
        real_init(self, jobs)
        started.append(self.pid)

    def slow(folder: Path, records: Any) -> int:
        time.sleep(60)
        return 0

    def failing(self: pages.PageWriter, updated: Any) -> None:
        raise RuntimeError("a template failed")

    monkeypatch.setattr(folderprocess.FolderProcess, "__init__", spy)
    monkeypatch.setattr(folderprocess.Child, "possible", staticmethod(lambda: True))
    monkeypatch.setattr(pages, "write_index", slow)
    monkeypatch.setattr(pages.PageWriter, "statistics", failing)
    begun = time.monotonic()
    with pytest.raises(RuntimeError):
        build(BuildOptions(minimal_site, tmp_path / "out", clean=True, audit_file=tmp_path / "audit.json"))
    assert time.monotonic() - begun < 30 and len(started) == 1
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(started[0], 0)
