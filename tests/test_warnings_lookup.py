"""The search lookup in a warnings' quick rebuild (warningsbuild.py): when the warnings' records in it change, only
its files that change are written and the rest kept, unless the buckets are cut anew; the output and its manifest
are a clean build's either way. (The helpers are those of test_warnings_build.py.)"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_incremental import AS_OF, snapshot
from test_warnings_build import edit, same_as_clean, two_warnings, watch_full_builds

from builder import lookup
from builder.build import BuildOptions, build
from builder.buildcache import BuildCache
from builder.outputtree import OutputTree, load_manifest, output_manifest, stat_of
from builder.pages import LOOKUP


def lookup_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """How each build from now places the search lookup: "amend" (the files that change written, the rest kept) or
    "folder" (written whole)."""
    found: list[str] = []
    amend, folder = OutputTree.amend, OutputTree.folder

    def amended(tree: OutputTree, prefix: str, *args: object) -> bool:
        found.append("amend")
        return amend(tree, prefix, *args)  # type: ignore[arg-type]

    def whole(tree: OutputTree, prefix: str, *args: object) -> bool:
        if prefix == LOOKUP:
            found.append("folder")
        return folder(tree, prefix, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(OutputTree, "amend", amended)
    monkeypatch.setattr(OutputTree, "folder", whole)
    return found


def lookup_shape(site: Path) -> tuple[int, int]:
    """The output's lookup's listing cap and number of bucket files, as its manifest says."""
    manifest = json.loads((site / "output" / LOOKUP / "manifest.json").read_text("utf-8"))
    assert len(list((site / "output" / LOOKUP / "b").iterdir())) == manifest["buckets"]
    return manifest["listed"], manifest["buckets"]


def manifest_holds_the_output(site: Path) -> None:
    """The output's manifest records each of its files, their bytes and how they stand, and the lookup's group."""
    cache = BuildCache.open(site)
    manifest = load_manifest(cache, output_manifest(site / "output"), site / "output")
    assert manifest is not None and LOOKUP in manifest.groups
    assert {route: record.digest for route, record in manifest.files.items()} == snapshot(site / "output")
    assert all(stat_of(site / "output" / route) == record.stat for route, record in manifest.files.items())


QUICK_LOOKUP_STEPS = [
    ("title", "prepaid.md", "title: 预付卡消费提醒", "title: 预付卡消费警示"),  # the same number of bigrams
    ("add", "renovation-2.md", "title: 装修合同提醒", "title: 家装预付款提醒"),
    ("title", "renovation-2.md", "title: 家装预付款提醒", "title: 家装预付款警示"),
    ("title", "renovation.md", "type: 消费预警", "type: 典型案例"),  # a type (the filters' kinds) no warning had
    ("body", "prepaid.md", "请确认经营者资质。", "请先确认经营者资质。"),  # the lookup kept as it is
    ("remove", "renovation-2.md", "", ""),
    ("title", "prepaid.md", "title: 预付卡消费警示", "title: 预付卡消费提醒"),  # back to the full build's records
]


@pytest.mark.parametrize("postings", [4, lookup.BUCKET_POSTINGS])
def test_warnings_records_changed_write_only_the_lookup_files_that_change_and_equal_a_clean_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postings: int) -> None:
    # A title, a type, a warning added or removed: the lookup's manifest, the buckets of the bigrams before and
    # after and the last record files are written, the rest kept, while the buckets are cut as before; else the
    # lookup is written whole. Few postings a bucket: many buckets, most of them kept (or the count moves).
    monkeypatch.setattr(lookup, "BUCKET_POSTINGS", postings)
    full_builds: list[Path] = []
    watch_full_builds(monkeypatch, full_builds)
    writes = lookup_writes(monkeypatch)
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    warnings = site / "content" / "warnings"
    ways: list[str] = []
    for number, (kind, name, old, new) in enumerate(QUICK_LOOKUP_STEPS):
        shape = lookup_shape(site)
        del writes[:]
        if kind == "add":
            shutil.copy(warnings / "renovation.md", warnings / name)
        if kind == "remove":
            (warnings / name).unlink()
        else:
            edit(site, name, old, new)
        report = build(BuildOptions(site, as_of=AS_OF))
        assert full_builds.count(site) == 1, f"step {number} took the full path"
        expected = [] if kind == "body" else ["amend"] if lookup_shape(site) == shape else ["folder"]
        assert writes == expected, f"step {number}"
        ways += writes
        same_as_clean(site, report, tmp_path / f"clean-{number}")
        manifest_holds_the_output(site)
    if postings == 4:  # (the buckets cut anew when a warning came and went)
        assert ways.count("folder") == 2 and ways.count("amend") == 4
    else:  # (one bucket for this site: it never moves)
        assert lookup_shape(site) == (lookup.CAP, 1) and ways == ["amend"] * 6


def test_a_warning_that_moves_the_listing_cap_writes_the_lookup_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a large site the cap is a share of the records: one warning more may move it, and with it which bigrams
    # are listed (here one record in `records + 1` at most: none, then one).
    probe = two_warnings(tmp_path / "probe")
    build(BuildOptions(probe, as_of=AS_OF))
    records = json.loads((probe / "output" / LOOKUP / "manifest.json").read_text("utf-8"))["records"]
    monkeypatch.setattr(lookup, "CAP", 0)
    monkeypatch.setattr(lookup, "LISTED_SHARE", records + 1)
    full_builds: list[Path] = []
    watch_full_builds(monkeypatch, full_builds)
    writes = lookup_writes(monkeypatch)
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    assert lookup_shape(site)[0] == 0
    del writes[:]
    shutil.copy(site / "content" / "warnings" / "renovation.md", site / "content" / "warnings" / "renovation-2.md")
    edit(site, "renovation-2.md", "title: 装修合同提醒", "title: 家装预付款提醒")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 1 and writes == ["folder"] and lookup_shape(site)[0] == 1
    same_as_clean(site, report, tmp_path / "clean")
    manifest_holds_the_output(site)


def test_a_lookup_file_changed_by_hand_is_a_doubt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The files of the lookup that do not change are kept as the output's manifest records them: one changed by
    # hand since is not kept, and the full path builds (as when any other kept file was changed).
    full_builds: list[Path] = []
    watch_full_builds(monkeypatch, full_builds)
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    edit(site, "prepaid.md", "title: 预付卡消费提醒", "title: 预付卡消费警示")
    build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 1
    codes = site / "output" / LOOKUP / "c" / "0.json"
    codes.write_text(codes.read_text("utf-8").replace("9", "8"), "utf-8")
    edit(site, "prepaid.md", "title: 预付卡消费警示", "title: 预付卡消费提醒")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert full_builds.count(site) == 2
    same_as_clean(site, report, tmp_path / "clean")
    manifest_holds_the_output(site)


def test_a_lookup_manifest_changed_by_hand_is_not_taken_for_the_filters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A full build keeps the lookup's filter values for the quick path from the manifest.json it placed; one whose
    # bytes a hand changed (size and time kept, so the full build kept it) must not stop the warnings' rebuilds.
    site = two_warnings(tmp_path / "site")
    build(BuildOptions(site, as_of=AS_OF))
    manifest = site / "output" / LOOKUP / "manifest.json"
    before, data = manifest.stat(), manifest.read_bytes()
    assert data.count(b'"kind":[') == 1  # (the filters' kinds)
    with manifest.open("r+b") as changed:
        changed.write(data.replace(b'"kind":[', b'"kinx":['))
    os.utime(manifest, ns=(before.st_atime_ns, before.st_mtime_ns))
    links = site / "content" / "pages" / "links.md"
    links.write_text(links.read_text("utf-8") + "\n补充。\n", "utf-8")
    build(BuildOptions(site, as_of=AS_OF))  # the full path (a page changed): the lookup kept
    writes = lookup_writes(monkeypatch)
    edit(site, "prepaid.md", "title: 预付卡消费提醒", "title: 预付卡消费警示")
    report = build(BuildOptions(site, as_of=AS_OF))
    assert writes == ["amend"]
    # The build wrote the lookup with the right filters; the hand's file, which stands as recorded, is kept as it
    # is (as any build keeps such a file): put back, the output is a clean build's.
    kept = manifest.stat()
    with manifest.open("r+b") as changed:
        changed.write(data)
    os.utime(manifest, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    same_as_clean(site, report, tmp_path / "clean")
