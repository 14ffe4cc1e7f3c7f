"""The Site: everything the pages are rendered from, derived once from the checked content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from builder.derived import Merchant, PeriodView, Placement, Ranking
from builder.directory import Directory
from builder.disclosure import LeftOut
from builder.model import Article, Content
from builder.stats import Statistics
from builder.tags import Tag


@dataclass(frozen=True)
class Site:
    """Everything the pages are rendered from."""

    content: Content
    merchants: tuple[Merchant, ...]
    periods: tuple[PeriodView, ...]
    rankings: tuple[Ranking, ...]
    warnings: tuple[Article, ...]
    pages: tuple[Article, ...]
    related: dict[str, tuple[Merchant, ...]]
    warnings_about: dict[str, tuple[Article, ...]]
    placements: dict[str, tuple[Placement, ...]]
    statistics: Statistics
    directory: Directory
    as_of: dt.date | None = None
    left_out: tuple[LeftOut, ...] = ()
    departments: tuple[str, ...] = ()  # every department of the published periods, each once
    tags: dict[str, Tag] = field(default_factory=dict)

    @property
    def tag_urls(self) -> dict[str, str]:
        """Each tag's page (what every warning's tag list links to: a page's key then covers only this)."""
        return {label: tag.url for label, tag in self.tags.items()}

    @property
    def page_links(self) -> tuple[tuple[str, str], ...]:
        """(url, title) of each page, as the navigation of every page lists them (not their bodies)."""
        return tuple((page.url, page.title) for page in self.pages)

    @property
    def updated(self) -> dt.date | None:
        """The data's last update: the latest `published` date of a published period."""
        return max((view.source.published for view in self.periods), default=None)
