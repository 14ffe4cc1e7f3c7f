"""The pinyin keys an import works out in a second process: all the check needs, and never a different result."""

from __future__ import annotations

from pathlib import Path

import pytest

import builder.pinyin
from builder.importing import pinyinahead
from importfixtures import COMPLAINT_HEADER, complaint_rows, invoke, write_xlsx


def _import(tmp_path: Path, site: Path, name: str) -> tuple[int, bytes]:
    export = write_xlsx(tmp_path / f"{name}.xlsx", [COMPLAINT_HEADER] + complaint_rows())
    result = invoke("import", export, site, "--period", "2026-11", "--out",
                    site / "content" / "complaints" / f"{name}.yaml")
    assert result.exit_code == 0, result.stderr
    return result.exit_code, (site / "content" / "complaints" / f"{name}.yaml").read_bytes()


def bare(minimal_site: Path, site: Path) -> Path:
    """site.yaml and the taxonomy of the minimal site, no content besides: every merchant is imported."""
    (site / "content").mkdir(parents=True)
    for name in ("site.yaml", "content/taxonomy.yaml"):
        (site / name).write_bytes((minimal_site / name).read_bytes())
    return site


@pytest.fixture
def bare_site(tmp_path: Path, minimal_site: Path) -> Path:
    """A bare site (see `bare`)."""
    return bare(minimal_site, tmp_path / "bare")


@pytest.fixture
def forgetful_pinyin(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """builder.pinyin with an empty memo; the names it works out itself in this process are listed."""
    monkeypatch.setattr(builder.pinyin, "_KNOWN", {})
    computed: list[str] = []
    real = builder.pinyin.syllables

    def counting(name: str) -> list[str]:
        computed.append(name)
        return real(name)

    monkeypatch.setattr(builder.pinyin, "syllables", counting)
    return computed


def test_the_second_process_works_out_every_key_the_check_needs(tmp_path: Path, bare_site: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  forgetful_pinyin: list[str]) -> None:
    monkeypatch.setattr(pinyinahead, "MIN_NAMES", 0)
    handed: list[int] = []
    finish = pinyinahead.PinyinAhead.finish
    monkeypatch.setattr(pinyinahead.PinyinAhead, "finish", lambda self: handed.append(finish(self)) or handed[-1])
    _import(tmp_path, bare_site, "2026-11")
    assert handed and handed[0] > 0  # keys came back from the second process
    assert forgetful_pinyin == []  # and the check needed no other: it worked none out itself


def test_without_the_second_process_the_file_is_the_same(tmp_path: Path, minimal_site: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          forgetful_pinyin: list[str]) -> None:
    monkeypatch.setattr(pinyinahead, "MIN_NAMES", 0)
    with_keys = _import(tmp_path, bare(minimal_site, tmp_path / "a"), "a")
    assert forgetful_pinyin == []

    def broken(words: list[str]) -> dict[str, str]:
        raise MemoryError("the second process failed")

    monkeypatch.setattr(pinyinahead, "_keys", broken)  # forked after this: the second process fails
    monkeypatch.setattr(builder.pinyin, "_KNOWN", {})
    failed = _import(tmp_path, bare(minimal_site, tmp_path / "b"), "b")
    assert forgetful_pinyin  # the check worked the keys out itself
    monkeypatch.setattr(pinyinahead, "MIN_NAMES", 10**9)  # no second process at all
    alone = _import(tmp_path, bare(minimal_site, tmp_path / "c"), "c")
    assert [data.split(b"\nperiod:")[1] for _code, data in (with_keys, failed, alone)] == [
        with_keys[1].split(b"\nperiod:")[1]] * 3


def test_words_cover_trade_names_after_the_organizers_regions() -> None:
    words = pinyinahead.words_to_sort(["青禾区西岭镇老街手机维修部"], ["西岭镇"], ["家用电子电器"],
                                      "青禾区市场监督管理局")
    assert "老街手机维修部" in words and "西岭镇" in words and "家用电子电器" in words
