"""Pinyin keys worked out a word at a time are lazy_pinyin's, polyphones and characters without pinyin included."""

from __future__ import annotations

import itertools

import pytest
from pypinyin import Style, lazy_pinyin

from builder import pinyin

# Words whose characters read differently in other words (行 háng/xíng, 重 chóng/zhòng, 长 cháng/zhǎng, 乐 lè/yuè,
# 单 dān/shàn), with Latin letters, digits, signs and an emoji between them.
PIECES = ("重庆", "重量", "银行", "行长", "长沙", "乐清", "音乐", "单县", "简单", "朝阳", "了不起", "有限公司",
          "ABC", "123", "（个体）", "·", "Café", "🍜", "  ", "面馆", "调解", "调查")


def _expected(name: str) -> str:
    return " ".join(lazy_pinyin(name, style=Style.NORMAL, errors=list)).lower()  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_every_name_made_of_these_pieces_gets_lazy_pinyins_key(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinyin, "_KNOWN", {})
    monkeypatch.setattr(pinyin, "_WORDS", {})
    names = ["".join(parts) for parts in itertools.product(PIECES, repeat=count)]
    assert [pinyin.pinyin_key(name) for name in names] == [_expected(name) for name in names]
    assert 0 < len(pinyin._WORDS) < len(names) or count == 1  # words were shared between names


def test_a_word_worked_out_once_is_not_worked_out_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pinyin, "_KNOWN", {})
    monkeypatch.setattr(pinyin, "_WORDS", {})
    converted: list[str] = []
    real = pinyin.converter()[0].convert
    monkeypatch.setattr(pinyin.converter()[0], "convert",
                        lambda word, *a, **k: converted.append(word) or real(word, *a, **k))
    assert pinyin.pinyin_key("长沙银行有限公司") == _expected("长沙银行有限公司")
    first = len(converted)
    assert pinyin.pinyin_key("重庆银行有限公司") == _expected("重庆银行有限公司")
    assert 0 < len(converted) - first < first  # 银行 and 有限公司 came from the memo
