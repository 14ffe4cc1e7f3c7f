"""Disclosure periods: YYYY-MM, YYYY-Qn, YYYY-H1/H2 or YYYY."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from builder.i18n import N_

FORMS = N_("YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY")  # translated where shown
_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|H(?P<half>[12])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A span of months; ordered by start, then by length."""

    start: dt.date
    months: int
    key: str

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        month_index = self.start.month - 1 + self.months
        year = self.start.year + month_index // 12
        return dt.date(year, month_index % 12 + 1, 1) - dt.timedelta(days=1)

    @property
    def label(self) -> str:
        """The period in Chinese, e.g. 2026年9月, 2026年第3季度, 2026年上半年."""
        return _label(self.start, self.months)

    def contains(self, other: Period) -> bool:
        """Whether another period lies wholly inside this one."""
        return self.start <= other.start and other.end <= self.end


@functools.lru_cache(maxsize=1024)
def _label(start: dt.date, months: int) -> str:
    """A period's label, worked out once (a page of 10,000 merchants' rows asks for it tens of thousands of
    times; kept out of the Period itself, whose fields alone make its fingerprint)."""
    year = start.year
    if months == 1:
        return f"{year}年{start.month}月"
    if months == 3:
        return f"{year}年第{(start.month - 1) // 3 + 1}季度"
    if months == 6:
        return f"{year}年{'上' if start.month == 1 else '下'}半年"
    return f"{year}年"


def parse_period(text: str) -> Period | None:
    """Parse a period key, or None when it is not one of the accepted forms."""
    match = _PATTERN.match(text.strip())
    if not match:
        return None
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            return None
        return Period(dt.date(year, month, 1), 1, f"{year}-{month:02d}")
    if match["quarter"]:
        quarter = int(match["quarter"])
        return Period(dt.date(year, 3 * quarter - 2, 1), 3, f"{year}-Q{quarter}")
    if match["half"]:
        half = int(match["half"])
        return Period(dt.date(year, 1 if half == 1 else 7, 1), 6, f"{year}-H{half}")
    return Period(dt.date(year, 1, 1), 12, f"{year}")
