"""The site's data model: frozen records built from the editors' files."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from builder.i18n import N_, _
from builder.periods import Period
from builder.references import LocalFile, Reference

STATUSES = ("active", "under_review", "corrected", "withdrawn")
#: Where consumers complain by default: the national 12315 platform and hotline.
COMPLAINT_URL = "https://www.12315.cn/"
COMPLAINT_HOTLINE = "12315"
WARNING_TYPES = ("消费预警", "消费提醒", "典型案例")


def period_url(period: Period) -> str:
    """The route of a period's disclosure list (e.g. `periods/2026-09/`)."""
    return f"periods/{period.key}/"


def warning_type_url(kind: str) -> str:
    """The route of the listing of one warning type (e.g. `warnings/type/1/` for 消费预警)."""
    return f"warnings/type/{WARNING_TYPES.index(kind) + 1}/"


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
class DataLicense:
    """The terms (or licence) under which the open data may be reused, from site.yaml's `data_license`."""

    title: str
    url: str = ""
    name: str = ""


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
    complaint_url: str = COMPLAINT_URL
    complaint_hotline: str = COMPLAINT_HOTLINE
    data_license: DataLicense | None = None

    @property
    def complaint_site(self) -> str:
        """The complaint platform's host name, shown beside its link (e.g. www.12315.cn)."""
        return urlsplit(self.complaint_url).netloc

    @property
    def complaint_tel(self) -> str:
        """The hotline as a `tel:` link target (digits and + only)."""
        return "tel:" + "".join(ch for ch in self.complaint_hotline if ch.isdigit() or ch == "+")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from, for messages (`field`: its place in the file, e.g. `merchants[3]`)."""

    path: str
    line: int
    column: int
    field: str = ""


@dataclass(frozen=True, slots=True)
class Correction:
    """One line of an entry's correction log."""

    date: dt.date
    change: str
    reason: str


@dataclass(frozen=True, slots=True)
class Item:
    """One disclosed complaint."""

    received: dt.date
    issue: str
    demand: str
    result: str
    goods: str = ""
    handled: dt.date | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a merchant is across periods: its credit code, else its id, else its exact name."""

    kind: str
    value: str

    @property
    def key(self) -> str:
        """The key that joins a merchant's entries across periods, e.g. `code:91350100M000100Y43`."""
        return f"{self.kind}:{self.value}"

    @property
    def label(self) -> str:
        """What the identity is, in words, for messages."""
        return _(IDENTITY_LABELS[self.kind])

    @property
    def slug(self) -> str:
        """The merchant's URL segment: its credit code, its id in lower case, or a hash of its name."""
        if self.kind == "name":
            return "m-" + hashlib.sha256(self.value.encode()).hexdigest()[:12]
        return self.value.lower() if self.kind == "id" else self.value

    @property
    def url(self) -> str:
        """The merchant page's route, relative to the site root."""
        return f"merchants/{self.slug}/"


IDENTITY_LABELS = {"code": N_("credit code"), "id": N_("id"), "name": N_("name")}


def identify(credit_code: str, merchant_id: str, name: str) -> Identity:
    """A merchant's identity: credit code, else id, else exact name (the one rule, used everywhere)."""
    if credit_code:
        return Identity("code", credit_code)
    if merchant_id:
        return Identity("id", merchant_id)
    return Identity("name", name)


@dataclass(frozen=True, slots=True)  # one per entry or merchant: 100,000s of them
class Entry:
    """A merchant's disclosure in one period."""

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
    department: str = ""
    identity: Identity = field(init=False, repr=False, compare=False)
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        identity = identify(self.credit_code, self.merchant_id, self.name)
        object.__setattr__(self, "identity", identity)
        object.__setattr__(self, "key", identity.key)

    @property
    def public(self) -> bool:
        """Whether the entry may appear on the site."""
        return self.status != "withdrawn"

    @property
    def unresolved(self) -> int:
        """未办结: complaints not (yet) closed in the period."""
        return self.complaints - self.resolved

    @property
    def handled_items(self) -> int:
        """Disclosed items with a 办结日期."""
        return sum(1 for item in self.items if item.handled is not None)


@dataclass(frozen=True)
class PeriodFile:
    """One complaint file: the entries one department reports for one period."""

    period: Period
    published: dt.date
    department: str
    entries: tuple[Entry, ...]
    source: Source


@dataclass(frozen=True)
class PeriodSummary:
    """A period as published: its complaint files (in path order) taken together."""

    period: Period
    files: tuple[PeriodFile, ...]
    published: dt.date = field(init=False, compare=False)  # the latest of its files
    departments: tuple[str, ...] = field(init=False, compare=False)  # each once, in file order
    entries: tuple[Entry, ...] = field(init=False, compare=False, repr=False)  # every file's, in file order

    def __post_init__(self) -> None:
        object.__setattr__(self, "published", max(record.published for record in self.files))
        object.__setattr__(self, "departments", tuple(dict.fromkeys(record.department for record in self.files)))
        object.__setattr__(self, "entries", tuple(entry for record in self.files for entry in record.entries))

    @property
    def department(self) -> str:
        """The departments as one line (e.g. `甲区市场监督管理局、乙区市场监督管理局`)."""
        return "、".join(self.departments)

    @property
    def source(self) -> Source:
        """The first file's position, for messages."""
        return self.files[0].source


def summarise(files: Sequence[PeriodFile]) -> tuple[PeriodSummary, ...]:
    """Group complaint files by period (periods in order of their first file, files in the given order)."""
    grouped: dict[str, list[PeriodFile]] = {}
    for record in files:
        grouped.setdefault(record.period.key, []).append(record)
    return tuple(PeriodSummary(group[0].period, tuple(group)) for group in grouped.values())


@dataclass(frozen=True, slots=True)
class Score:
    """One merchant's score in a ranking."""

    ref: str
    score: float
    source: Source


@dataclass(frozen=True)
class Weight:
    """One term of a ranking formula declared as data: a disclosed figure (see `scoring.FIGURES`) and its weight."""

    figure: str
    weight: float


@dataclass(frozen=True)
class RankingFile:
    """A ranking period: either scores supplied by an evaluator, or a formula (weights) gongshi computes.

    `formula` is the editor's text (optional with weights: `derived.Ranking.formula` writes it from them);
    `min_complaints` (None: site.yaml's) is the eligibility rule; `decimals` the rounding of computed scores;
    `scored_by` and `scope` say who supplied the scores and whom they cover.
    """

    period: Period
    formula: str
    scores: tuple[Score, ...]
    source: Source
    effective: dt.date | None = None
    weights: tuple[Weight, ...] = ()
    min_complaints: int | None = None
    decimals: int = 1
    scored_by: str = ""
    scope: str = ""

    @property
    def computed(self) -> bool:
        """Whether gongshi computes the scores from the published data (a formula declared as weights)."""
        return bool(self.weights)


@dataclass(frozen=True)
class Heading:
    """One heading of an article's table of contents."""

    level: int
    anchor: str
    text: str


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
    toc: tuple[Heading, ...] = ()
    references: tuple[Reference, ...] = ()  # local images and links, found by articles.py
    files: tuple[LocalFile, ...] = ()  # the files they name, checked by attachments.py; published with the page

    @property
    def section(self) -> str:
        """The folder the article is published in: `warnings` for a warning, `pages` for a page."""
        return "warnings" if self.kind else "pages"

    @property
    def url(self) -> str:
        """The article's route, relative to the site root (e.g. `warnings/prepaid/`)."""
        return f"{self.section}/{self.slug}/"


@dataclass(frozen=True)
class Taxonomy:
    """Categories (by group), demands and results (empty tuples mean 'not checked'), and search synonyms.

    `synonyms` pairs an everyday word with the words the site uses for it (预付卡 → 预付式消费), in file order.
    """

    categories: tuple[tuple[str, str], ...] = ()
    demands: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @functools.cached_property
    def category_names(self) -> frozenset[str]:
        """Every category name."""
        return frozenset(name for _, name in self.categories)


@dataclass(frozen=True)
class Content:
    """Everything read from a site folder."""

    config: SiteConfig
    taxonomy: Taxonomy
    periods: tuple[PeriodFile, ...]  # every complaint file, in path order (several files may make one period)
    rankings: tuple[RankingFile, ...]
    warnings: tuple[Article, ...]
    pages: tuple[Article, ...]
