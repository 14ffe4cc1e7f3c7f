"""The trade name (字号) part of a merchant's name: what follows the administrative region it starts with.

Chinese business names read 行政区划 + 字号 + 行业 + 组织形式 (青禾 + 汇力 + 健身服务 + 有限公司). A directory by
pinyin initial that used whole names would put every merchant of one district under the same letter, so the
initial is taken after the region part. The region is known from the site itself: the organiser's name up to
its bureau (青禾区市场监督管理局 → 青禾区, also written 青禾) and the districts merchants are listed in
(西岭镇 in 青禾区西岭镇老街手机维修部).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from builder.derived import Merchant

#: Suffixes of administrative divisions (longest first), and the bureau part that follows a region.
REGION_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "街道", "地区", "新区",
                   "省", "市", "区", "县", "旗", "州", "盟", "镇", "乡")
_REGION_PART = re.compile("(.{2,}?(?:" + "|".join(REGION_SUFFIXES) + "))")
_BUREAU = re.compile(r"(市场监督管理|市场监管|工商行政管理|消费者)")
MIN_TRADE_NAME = 2


def organizer_regions(organizer: str) -> list[str]:
    """The regions an organiser's name starts with, e.g. 福建省福州市市场监督管理局 → 福建省, 福州市."""
    bureau = _BUREAU.search(organizer)
    head = organizer[:bureau.start()] if bureau else ""
    return [part for part in _REGION_PART.findall(head) if part]


def short_form(region: str) -> str:
    """A region without its suffix (青禾区 → 青禾), or '' when too little would be left."""
    for suffix in REGION_SUFFIXES:
        if region.endswith(suffix) and len(region) - len(suffix) >= 2:
            return region[: -len(suffix)]
    return ""


def region_prefixes(organizer: str, merchants: Iterable[Merchant]) -> tuple[str, ...]:
    """Region words a merchant name may start with: the organiser's regions (full and short) and the districts."""
    found = set()
    for region in organizer_regions(organizer):
        found.add(region)
        found.add(short_form(region))
    found.update(merchant.latest.district for merchant in merchants if merchant.latest.district.endswith(
        REGION_SUFFIXES))
    found.discard("")
    return tuple(sorted(found, key=lambda word: (-len(word), word)))


def trade_name(name: str, prefixes: tuple[str, ...]) -> str:
    """The name without the region words it starts with (青禾区西岭镇老街手机维修部 → 老街手机维修部)."""
    rest = name
    changed = True
    while changed:
        changed = False
        for prefix in prefixes:
            if rest.startswith(prefix) and len(rest) - len(prefix) >= MIN_TRADE_NAME:
                rest = rest[len(prefix):]
                changed = True
                break
    return rest
