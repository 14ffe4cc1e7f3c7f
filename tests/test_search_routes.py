"""The characters a page gives the search routes: the fast path (each distinct character alone) is exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder import searchroutes
from builder.searchkey import search_key

# Characters of the context-free ranges (the minus sign of the "较上期" column among them), and some that are not.
FREE = st.sampled_from("aZ9 -_·\u2014\u2212（）公示经营者０Ａ\u3000\uff5e!")
OTHER = st.sampled_from("\u0301\u03a3\u1100\u1161\u2126\u212b\ufb01\u2460")


@settings(max_examples=300, deadline=None)
@given(st.text(FREE, max_size=40), st.lists(OTHER, max_size=2))
def test_each_character_alone_gives_the_same_set(text: str, others: list[str]) -> None:
    body = text + "".join(others)
    page = f"<html><body><nav>导航</nav><article data-pagefind-body><p>{body}</p></article></body></html>"
    assert searchroutes.page_characters(page) == set(search_key(body)) | set(search_key(" "))


def test_the_minus_sign_takes_the_fast_path() -> None:
    distinct = "".join(set("较上期 −1 未办结 = 投诉量 − 办结量"))
    assert searchroutes._CONTEXT_FREE.fullmatch(distinct)
    assert "−" in searchroutes.page_characters("<article data-pagefind-body>−3</article>")
