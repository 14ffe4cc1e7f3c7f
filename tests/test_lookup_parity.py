"""Python and JavaScript compute the same search keys, bigram hashes and records: lookup.py vs searchcore.js.

The search page finds a merchant only when search.js hashes a query's bigrams to the bucket lookup.py wrote
them to and compares the same normalised text, so both sides run here on the same inputs (Node runs the
theme's real searchcore.js module).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from builder.lookup import RECORD_KEYS, bigrams, encode, fnv1a, synonym_table
from builder.searchkey import search_key
from helpers import REPO

CORE = REPO / "themes" / "default" / "static" / "searchcore.js"
TEXTS = [
    "青禾区金穗牛肉面馆", "９１３５ 9902-ma", "ＡＢＣ　汽修・保养", "Hello_World-2026", "（禾丰）汽修&amp;<b>",
    "𠀀𠀁 surrogate pairs", "𫖯记餐饮", "ｶﾀｶﾅ ﾊﾟﾝ", "", "  ", "91359902MA0BF6G9HY", "ß and İ and ﬁ", "①②③ ⅷ",
    "zero\ufeffwidth", "unit\x1fseparator", "tab\tand\u2028line", "健身房", "汇力健身房", "𠀀𠀁健身",
    "91359902MA0BF6G9HY", "一二三四五六七八九十十一十二", "一二三四五六七八九十十一十", "有限公司 琵琶",
]
#: Editors' synonyms as content/taxonomy.yaml gives them (word, words the site uses).
SYNONYMS = (("预付卡", ("预付式消费",)), ("修车", ("汽修", "车辆维修服务")), ("ＡＰＰ 会员", ("互联网服务",)))
#: What visitors type: the words themselves, loosely typed, and words without synonyms.
ASKED = ["预付卡", "预付 卡", "ｐｒｅ预付卡", "修车", "修-车", "app会员", "App 会员", "健身", "", "预付"]
NODE_SCRIPT = """
const core = await import(process.argv[1]);
const input = JSON.parse(process.argv[2]);
const out = input.texts.map((text) => {
  const key = core.searchKey(text);
  const grams = core.bigramsOf(key);
  return { key, grams, hashes: grams.map(core.fnv1a), code: core.codeQuery(key) };
});
const record = core.decodeRecord(input.stored, input.keys);
const synonyms = input.asked.map((word) => core.synonymsOf(core.searchKey(word), input.table));
const parts = input.texts.map((text) => core.queryParts(core.searchKey(text)));
console.log(JSON.stringify({ out, record, synonyms, parts }));
"""


def code_query(key: str) -> str:
    """What searchcore.js's codeQuery answers, written from its documented rule."""
    code = key.upper()
    return code if 6 <= len(code) <= 18 and code.isascii() and code.isalnum() and any(c.isdigit() for c in code) else ""


@pytest.fixture(scope="module")
def node_results() -> dict[str, object]:
    """searchcore.js run by Node on TEXTS and one encoded record."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (./scripts/setup --test installs npm, which brings it)")
    record = {"type": "m", "name": "青禾区金穗牛肉面馆", "url": "merchants/X/", "district": "云溪镇",
              "category": "餐饮服务", "complaints": 3, "resolved": 2, "period": "2026年10月", "periods": [0, 2],
              "code": "91359902MA0BF6G9HY"}
    argument = json.dumps({"texts": TEXTS, "stored": encode(record), "keys": RECORD_KEYS, "asked": ASKED,
                           "table": synonym_table(SYNONYMS)})
    result = subprocess.run([node, "--input-type=module", "-e", NODE_SCRIPT, CORE.as_uri(), argument],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return {"expected": record, **json.loads(result.stdout)}


def test_search_keys_bigrams_and_hashes_agree(node_results: dict[str, object]) -> None:
    out = node_results["out"]
    assert isinstance(out, list) and len(out) == len(TEXTS)
    for text, js in zip(TEXTS, out, strict=True):
        key = search_key(text)
        assert js["key"] == key, text
        assert set(js["grams"]) == bigrams(text), text
        assert js["hashes"] == [fnv1a(gram) for gram in js["grams"]], text
        assert js["code"] == code_query(key), text


def test_records_decode_with_the_manifest_keys(node_results: dict[str, object]) -> None:
    assert node_results["record"] == node_results["expected"]


def query_parts(key: str, longest: int = 12) -> list[str]:
    """What searchcore.js's queryParts answers, written from its documented rule."""
    chars = list(key)  # code points, as Array.from in JavaScript
    if len(chars) > longest or code_query(key):
        return []
    parts = ["".join(chars[start:start + size]) for size in range(len(chars) - 1, 1, -1)
             for start in range(len(chars) - size + 1)]
    return list(dict.fromkeys(parts))


def test_synonyms_are_found_from_a_loosely_typed_word(node_results: dict[str, object]) -> None:
    table = dict(SYNONYMS)
    expected = [list(table.get(next((w for w in table if search_key(w) == search_key(a)), ""), ())) for a in ASKED]
    assert node_results["synonyms"] == expected
    assert expected[:6] == [["预付式消费"], ["预付式消费"], [], ["汽修", "车辆维修服务"], ["汽修", "车辆维修服务"],
                            ["互联网服务"]]


def test_query_parts_agree(node_results: dict[str, object]) -> None:
    assert node_results["parts"] == [query_parts(search_key(text)) for text in TEXTS]
    assert query_parts("健身房") == ["健身", "身房"]
    assert query_parts("汇力健身房")[:2] == ["汇力健身", "力健身房"]
    assert query_parts("91359902ma0bf6g9hy") == [] and query_parts("一二三四五六七八九十十一十二") == []
