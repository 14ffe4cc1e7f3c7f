"""Calendar dates as editors write them: one rule for content files and the command line."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: Any) -> dt.date | None:
    """A real date written YYYY-MM-DD (one-digit month or day and full-width digits allowed), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    return _parse_text(value)


@functools.lru_cache(maxsize=4096)
def _parse_text(value: str) -> dt.date | None:
    """parse_date of a text (a file of 100,000 complaints holds a few hundred distinct dates)."""
    match = _DATE.match(unicodedata.normalize("NFKC", value).strip())
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
