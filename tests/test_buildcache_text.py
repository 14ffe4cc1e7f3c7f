"""The build cache leaves the text it pickles as it was: no UTF-8 copy stays attached to the model's strings."""

from __future__ import annotations

import sys
from pathlib import Path

from builder.buildcache import BuildCache


def test_saving_leaves_chinese_text_its_size_and_loads_it_back(tmp_path: Path) -> None:
    name = "".join(["青禾新区天星物业服务有限公司"] * 8)
    items = ["预付卡退费", "ascii only", "\ud800 lone surrogate 投诉", name]
    value = {"records": [(name, n, items) for n in range(50)], "shared": name}
    sizes = [sys.getsizeof(text) for text in items]
    cache = BuildCache(tmp_path / "cache", b"k" * 32)
    cache.save("content/one", value)
    assert [sys.getsizeof(text) for text in items] == sizes  # pickle.dumps would attach each one's UTF-8 form
    assert BuildCache(tmp_path / "cache", b"k" * 32).load("content/one") == value
    assert BuildCache(tmp_path / "cache", b"x" * 32).load("content/one") is None  # another key: not ours
