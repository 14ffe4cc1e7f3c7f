"""Cache entries are written signed as they are pickled: a damaged or half-written entry is never used."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from builder.buildcache import BuildCache


def test_an_entry_loads_back_and_a_changed_byte_makes_it_a_miss(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache", b"k" * 32)
    value = {"records": [("商户甲", i, "a" * (i % 7)) for i in range(50_000)]}
    cache.save("trees/x", value)
    assert cache.load("trees/x") == value
    entry = cache.path("trees/x")
    data = bytearray(entry.read_bytes())
    for place in (0, 40, len(data) - 1):  # the signature, the body's start and its last byte
        damaged = bytearray(data)
        damaged[place] ^= 1
        entry.write_bytes(bytes(damaged))
        assert BuildCache(tmp_path / "cache", b"k" * 32).load("trees/x") is None
    entry.write_bytes(bytes(data[:len(data) // 2]))  # cut short
    assert BuildCache(tmp_path / "cache", b"k" * 32).load("trees/x") is None


def test_a_value_that_cannot_be_pickled_leaves_no_file_behind(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path / "cache", b"k" * 32)
    cache.save("trees/old", [1, 2, 3])
    with pytest.raises(TypeError):
        cache.save("trees/old", [1, threading.Lock()])  # a programming error: raised, as before
    assert cache.load("trees/old") == [1, 2, 3]  # the earlier entry stands
    assert sorted(p.name for p in (tmp_path / "cache" / "trees").iterdir()) == ["old"]


def test_pruning_leaves_an_entry_being_written_and_removes_one_left_by_a_dead_writer(tmp_path: Path) -> None:
    import os
    import time

    cache = BuildCache(tmp_path / "cache", b"k" * 32)
    cache.save("content/kept", 1)
    cache.save("content/gone", 2)
    folder = tmp_path / "cache" / "content"
    writing = folder / ".entry-abc123"  # the build's child writing the records it read, meanwhile
    writing.write_bytes(b"half")
    dead = folder / ".entry-old999"
    dead.write_bytes(b"half")
    day_ago = time.time() - 2 * 86_400
    os.utime(dead, (day_ago, day_ago))
    cache.keep_only("content", {"kept"})
    assert sorted(p.name for p in folder.iterdir()) == [".entry-abc123", "kept"]
