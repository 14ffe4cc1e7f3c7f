"""The search routes (builder/searchroutes.py): every page whose checked text holds a query is in the query's route.

search.js (`candidates`) merges only the bundles that the routes name for every key of the query (each word's
bigrams, or the word when it is one character); `route` below does the same in Python over the written files.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from builder import searchroutes
from builder.lookup import fnv1a
from builder.searchbundle import SIGNATURE
from builder.searchkey import search_key

# Characters of the context-free ranges (the minus sign of the "较上期" column among them, Pagefind's ZWSP and the
# ". " it puts between blocks, the Chinese comma and full stop where texts are cut), and some that are not.
FREE = st.sampled_from(["a", "Z", "9", " ", "-", "_", "·", "\u2014", "\u2212", "（", "）", "公", "示", "经", "营",
                        "０", "Ａ", "\u3000", "\uff5e", "!", ".", ". ", "\u200b", "\u200b. \u200b", "，", "。",
                        ",", "\u200b，"])
OTHER = st.sampled_from("\u0301\u03a3\u1100\u1161\u2126\u212b\ufb01\u2460\u200b\x00")
TEXT = st.lists(FREE, max_size=30).map("".join)


def exact(texts: list[tuple[str, str]]) -> set[str]:
    """The characters and bigrams of each page's checked text, one page at a time."""
    found: set[str] = set()
    for title, content in texts:
        found |= searchroutes.key_grams(searchroutes.checked_text(title, content))
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4), st.lists(OTHER, max_size=2), st.booleans())
def test_the_keys_are_those_of_each_page_text(texts: list[tuple[str, str]], others: list[str],
                                               in_title: bool) -> None:
    title, content = texts[0]
    texts[0] = (title + "".join(others), content) if in_title else (title, content + "".join(others))
    keys = searchroutes.text_keys(texts)
    wanted = exact(texts)
    assert wanted <= keys
    # Piece by piece, a piece also meets every cut (". ", "，", "。": keys ".", ",", "。") at either end: nothing else.
    assert all(set(key) & {".", ",", "。"} for key in keys - wanted), keys - wanted


def write_bundle(folder: Path, texts: list[tuple[str, str]]) -> None:
    """Fragments as Pagefind writes them (gzip, signature, JSON with meta.title and content)."""
    (folder / "fragment").mkdir(parents=True)
    for number, (title, content) in enumerate(texts):
        data = {"url": f"/p{number}/", "content": content, "meta": {"title": title}}
        payload = SIGNATURE + json.dumps(data, ensure_ascii=False).encode()
        (folder / "fragment" / f"zh-cn_{number}.pf_fragment").write_bytes(gzip.compress(payload))


def test_a_bundles_keys_are_read_from_its_fragments(tmp_path: Path) -> None:
    texts = [("青禾新区瑞丰汽车维修有限公司", "青禾\u200b新区\u200b. \u200b汽车\u200b维修 \u200b修车"),
             ("", "ＡＢ-1\u200b2")]
    write_bundle(tmp_path, texts)
    keys = searchroutes.bundle_keys(tmp_path)
    assert {"司青", "区.", ".汽", "维修", "修修", "修车", "ab", "b1", "12"} <= keys  # title meets content
    assert "汽修" not in keys and "汽" in keys and "修" in keys and "\u200b" not in "".join(keys)
    assert all(set(key) & {".", ",", "。"} for key in keys - exact(texts))  # cuts taken at every piece's ends


class Files:
    """Routes files written into a dict."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}

    def write(self, route: str, data: str | bytes) -> None:
        self.files[route] = data if isinstance(data, str) else data.decode()


def route(files: dict[str, str], count: int, bundles: int, query: str) -> list[int]:
    """The bundles search.js merges for a query (candidates): those holding every key of every word."""
    keys: set[str] = set()
    for term in (search_key(word) for word in query.split()):
        if len(term) == 1:
            keys.add(term)
        elif term:
            keys.update(term[i:i + 2] for i in range(len(term) - 1))
    mask = (1 << bundles) - 1
    for key in keys:
        table = json.loads(files[f"{searchroutes.ROOT}/{fnv1a(key) % count}.json"])
        mask &= int(table.get(key, "0"), 16)
    return [i for i in range(bundles) if mask >> i & 1]


def pieces(text: str, rng: random.Random, count: int) -> list[str]:
    """Random runs of 1-6 characters of a text."""
    runs = []
    for _ in range(count):
        start = rng.randrange(len(text))
        runs.append(text[start:start + rng.randint(1, 6)])
    return runs


def bundle_texts(output: Path) -> list[list[str]]:
    """The checked text of every page of each bundle of a built site, in bundles.json order."""
    listed = json.loads((output / "pagefind" / "bundles.json").read_text("utf-8"))
    return [[searchroutes.checked_text(*text) for text in searchroutes.page_texts(output / "pagefind" / name)]
            for name in listed["bundles"]]


def test_every_page_holding_a_query_is_in_its_route(sample_output: Path) -> None:
    listed = json.loads((sample_output / "pagefind" / "bundles.json").read_text("utf-8"))
    files = {f"{searchroutes.ROOT}/{path.name}": path.read_text("utf-8")
             for path in (sample_output / searchroutes.ROOT).iterdir()}
    assert len(files) == listed["routes"]
    texts = bundle_texts(sample_output)
    assert len(texts) == 1 and all(texts)  # the warnings' bundle (the merchants are in search/text/)
    rng = random.Random(11)
    tried = 0
    for index, pages in enumerate(texts):
        for text in pages:
            runs = pieces(text, rng, 30)
            for query in [*runs, " ".join(runs[:3])]:  # words typed apart: each in the page, not side by side
                assert index in route(files, listed["routes"], len(texts), query), (query, text[:80])
                tried += 1
    assert tried > 100


def test_a_word_whose_characters_never_meet_is_routed_nowhere(sample_output: Path) -> None:
    listed = json.loads((sample_output / "pagefind" / "bundles.json").read_text("utf-8"))
    files = {f"{searchroutes.ROOT}/{path.name}": path.read_text("utf-8")
             for path in (sample_output / searchroutes.ROOT).iterdir()}
    everywhere = "".join(text for pages in bundle_texts(sample_output) for text in pages)
    word = next(a + b for a in "汽车维修服务" for b in "汽车维修服务" if a + b not in everywhere)
    assert word[0] in everywhere and word[1] in everywhere
    count, bundles = listed["routes"], len(listed["bundles"])
    assert route(files, count, bundles, word[0]) and route(files, count, bundles, word[1])
    assert route(files, count, bundles, word) == []


def test_the_masks_name_the_bundles_in_order() -> None:
    files = Files()
    count = searchroutes.write_routes(files, [{"a", "ab"}, {"b"}, {"ab", "c"}])
    assert count == 1 and len(files.files) == 1
    assert json.loads(files.files[f"{searchroutes.ROOT}/0.json"]) == {"a": "1", "ab": "5", "b": "2", "c": "4"}
    assert route(files.files, count, 3, "ab") == [0, 2] and route(files.files, count, 3, "a b") == []
