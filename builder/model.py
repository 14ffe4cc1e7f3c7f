"""The site's data model: frozen records built from the editors' files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from builder.periods import Period
from builder.references import LocalFile, Reference

STATUSES = ("active", "under_review", "corrected", "withdrawn")
WARNING_TYPES = ("消费预警", "消费提醒", "典型案例")


@dataclass(frozen=True)
class RankingConfig:
    """How 红黑榜 lists are drawn and labelled."""

    top_count: int = 3
    bottom_count: int = 3
    top_label: str = "红榜"
    bottom_label: str = "黑榜"
    min_complaints: int = 0
    disclaimer: str = ""


@dataclass(frozen=True)
class SiteConfig:
    """The validated contents of site.yaml."""

    title: str
    organizer: str
    base_url: str
    language: str = "zh-CN"
    description: str = ""
    theme: str = "default"
    contact: str = ""
    site_id_code: str = ""
    icp: str = ""
    police_record: str = ""
    correction_url: str = ""
    rankings: RankingConfig = field(default_factory=RankingConfig)
    retention_months: int | None = None
    stale_after_days: int | None = None
    legal_basis: str = ""
    government_badge_url: str = ""
    max_attachment_mb: int = 10


@dataclass(frozen=True)
class Source:
    """Where a record came from, for messages."""

    path: str
    line: int
    column: int


@dataclass(frozen=True)
class Correction:
    """One line of an entry's correction log."""

    date: dt.date
    change: str
    reason: str


@dataclass(frozen=True)
class Item:
    """One disclosed complaint."""

    received: dt.date
    issue: str
    demand: str
    result: str
    goods: str = ""
    handled: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True)
class Entry:
    """A merchant's disclosure in one period."""

    key: str
    period: Period
    name: str
    district: str
    category: str
    complaints: int
    resolved: int
    source: Source
    credit_code: str = ""
    merchant_id: str = ""
    address: str = ""
    mediated: int | None = None
    recovered_yuan: float | None = None
    status: str = "active"
    statement: str = ""
    corrections: tuple[Correction, ...] = ()
    items: tuple[Item, ...] = ()

    @property
    def public(self) -> bool:
        """Whether the entry may appear on the site."""
        return self.status != "withdrawn"


@dataclass(frozen=True)
class PeriodFile:
    """One period's complaint summary."""

    period: Period
    published: dt.date
    department: str
    entries: tuple[Entry, ...]
    source: Source


@dataclass(frozen=True)
class Score:
    """One merchant's score in a ranking."""

    ref: str
    score: float
    source: Source


@dataclass(frozen=True)
class RankingFile:
    """A ranking period's scores and formula."""

    period: Period
    formula: str
    scores: tuple[Score, ...]
    source: Source
    effective: dt.date | None = None


@dataclass(frozen=True)
class Article:
    """A Markdown warning or page, rendered and sanitised."""

    slug: str
    title: str
    html: str
    text: str
    source: Source
    date: dt.date | None = None
    kind: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    order: int = 0
    toc: tuple[tuple[int, str, str], ...] = ()
    references: tuple[Reference, ...] = ()  # local images and links, found by articles.py
    files: tuple[LocalFile, ...] = ()  # the files they name, checked by attachments.py; published with the page


@dataclass(frozen=True)
class Taxonomy:
    """Categories (by group), demands and results; empty tuples mean 'not checked'."""

    categories: tuple[tuple[str, str], ...] = ()
    demands: tuple[str, ...] = ()
    results: tuple[str, ...] = ()

    @property
    def category_names(self) -> tuple[str, ...]:
        """Every category name."""
        return tuple(name for _, name in self.categories)

    def group_of(self, category: str) -> str:
        """The group (商品类 / 服务类) of a category, or ''."""
        return next((group for group, name in self.categories if name == category), "")


@dataclass(frozen=True)
class Content:
    """Everything read from a site folder."""

    config: SiteConfig
    taxonomy: Taxonomy
    periods: tuple[PeriodFile, ...]
    rankings: tuple[RankingFile, ...]
    warnings: tuple[Article, ...]
    pages: tuple[Article, ...]
