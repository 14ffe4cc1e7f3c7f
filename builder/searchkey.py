"""The search key: the one normalised form of a text that the lookup stores and search.js compares."""

from __future__ import annotations

import re
import unicodedata

# Spaces (written out, so that search.js strips exactly the same ones), hyphens, underscores and dots.
SPACE = re.compile("[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\\-_·・]+")
#: The shortest query the lookup answers (one character narrows nothing).
MIN_QUERY = 2


def search_key(text: str) -> str:
    """NFKC, lower case, without spaces or hyphens: the form both sides compare (searchcore.js: searchKey)."""
    return SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()
