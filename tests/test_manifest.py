"""SHA256SUMS: GNU sha256sum's format, every file but itself, sorted by path bytes, read back strictly."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.build import BuildOptions, build
from builder.errors import OutputError
from builder.manifest import (
    MANIFEST,
    ManifestError,
    check_folder,
    manifest_bytes,
    parse_manifest,
    read_manifest,
    write_manifest,
)


def test_the_sample_build_passes_sha256sum_check(sample_output: Path) -> None:
    done = subprocess.run(["sha256sum", "--check", "--strict", "--quiet", MANIFEST], cwd=sample_output,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_file_but_the_manifest_is_listed_once_sorted_by_path_bytes(sample_output: Path) -> None:
    lines = (sample_output / MANIFEST).read_bytes().decode("utf-8").splitlines()
    paths = [line[66:] for line in lines]
    files = {p.relative_to(sample_output).as_posix() for p in sample_output.rglob("*") if p.is_file()}
    assert set(paths) == files - {MANIFEST} and len(paths) == len(files) - 1
    assert paths == sorted(paths, key=lambda p: p.encode("utf-8"))
    for line in lines[:5] + lines[-5:]:
        digest, path = line[:64], line[66:]
        assert line[64:66] == "  " and digest == hashlib.sha256((sample_output / path).read_bytes()).hexdigest()


def test_each_build_writes_the_manifest(minimal_site: Path) -> None:
    build(BuildOptions(minimal_site, search=False))
    output = minimal_site / "output"
    manifest = read_manifest(output)
    assert "index.html" in manifest.entries and "pagefind/pagefind.js" not in manifest.entries
    assert check_folder(output, manifest) == []


def test_names_that_need_escaping_match_gnu_sha256sum(tmp_path: Path) -> None:
    names = ["a\\b.txt", "line\nbreak.txt", "cr\rx.txt", "空 格.html", "plain.txt"]
    for number, name in enumerate(names):
        (tmp_path / name).write_text(f"文件 {number}", "utf-8")
    write_manifest(tmp_path)
    ours = (tmp_path / MANIFEST).read_bytes()
    gnu = subprocess.run(["sha256sum", "--", *names], cwd=tmp_path, capture_output=True, check=True).stdout
    assert sorted(ours.splitlines()) == sorted(gnu.splitlines())
    assert subprocess.run(["sha256sum", "-c", "--strict", "--quiet", MANIFEST], cwd=tmp_path).returncode == 0
    assert set(read_manifest(tmp_path).entries) == set(names)


def test_a_link_in_the_output_stops_the_build_from_listing_it(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("x", "utf-8")
    (tmp_path / "passwd").symlink_to("/etc/passwd")
    with pytest.raises(OutputError, match="passwd: is not a regular file"):
        write_manifest(tmp_path)


@pytest.mark.parametrize("line, message", [
    (b"not a line", "SHA256SUMS:2: not a `<sha256>  <path>` line"),
    (b"%s  ../../etc/passwd" % (b"0" * 64), "SHA256SUMS:2: `../../etc/passwd` is not a file path inside the build"),
    (b"%s  /etc/passwd" % (b"0" * 64), "SHA256SUMS:2: `/etc/passwd` is not a file path inside the build"),
    (b"%s  a//b" % (b"0" * 64), "SHA256SUMS:2: `a//b` is not a file path inside the build"),
    (b"%s  SHA256SUMS" % (b"0" * 64), "SHA256SUMS:2: `SHA256SUMS` is not a file path inside the build"),
    (b"\\%s  a\\qb" % (b"0" * 64), "SHA256SUMS:2: `a\\qb` is not a file path inside the build"),
    (b"%s  index.html" % (b"1" * 64), "SHA256SUMS:2: `index.html` is listed twice"),
    (b"%s  short" % (b"1" * 63), "SHA256SUMS:2: not a `<sha256>  <path>` line"),
])
def test_a_bad_manifest_line_is_named(line: bytes, message: str) -> None:
    data = b"%s  index.html\n%s\n" % (b"1" * 64, line)
    with pytest.raises(ManifestError) as caught:
        parse_manifest(data, "SHA256SUMS")
    assert str(caught.value).startswith(message)


def test_a_folder_without_manifest_is_not_a_build(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"no SHA256SUMS: .* is not a complete build of gongshi"):
        read_manifest(tmp_path)


names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.dictionaries(st.lists(names, min_size=1, max_size=3).map("/".join), st.binary(max_size=8)
                               .map(lambda b: hashlib.sha256(b).hexdigest()), max_size=8))
def test_writing_then_reading_gives_back_every_path(entries: dict[str, str]) -> None:
    entries = {p: d for p, d in entries.items() if all(part not in (".", "..") for part in p.split("/"))
               and p != MANIFEST}
    prefixes = {"/".join(p.split("/")[:i]) for p in entries for i in range(1, p.count("/") + 1)}
    entries = {p: d for p, d in entries.items() if p not in prefixes}  # a path is a file or a folder, not both
    data = manifest_bytes(entries)
    assert parse_manifest(data, "SHA256SUMS").entries == entries
    assert manifest_bytes(parse_manifest(data, "SHA256SUMS").entries) == data


def test_check_folder_reports_changed_missing_added_and_links(sample_output: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-a", str(sample_output), str(copy)], check=True)
    manifest = read_manifest(sample_output)
    (copy / "index.html").write_text("被篡改", "utf-8")
    (copy / "feed.xml").unlink()
    (copy / "shell.php").write_text("<?php ?>", "utf-8")
    os.remove(copy / "404.html")
    (copy / "404.html").symlink_to("index.html")
    found = [(d.kind, d.path) for d in check_folder(copy, manifest)]
    assert found == [("not-a-file", "404.html"), ("missing", "feed.xml"), ("changed", "index.html"),
                     ("added", "shell.php")]
