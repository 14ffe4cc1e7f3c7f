"""What a build is asked for (`BuildOptions`) and what it reports (`BuildReport`): light, so that the command line
can find a build unchanged (uptodate.py) without loading the renderer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from builder.disclosure import Freshness
from builder.errors import Problem
from builder.privacy import Masked

if TYPE_CHECKING:
    from builder.sitemodel import Site


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked for."""

    site_dir: Path
    output_dir: Path | None = None
    strict: bool = False
    encoding: str = "utf-8"
    mask_personal_data: bool = False
    search: bool = True
    as_of: dt.date | None = None
    audit_file: Path | None = None
    clean: bool = False  # ignore the build cache (it is written anew)
    link_from: Path | None = None  # an earlier complete output to hard-link unchanged files from (serve)
    recycle: Path | None = None  # with link_from: an earlier output nothing reads any more, to bring up to date (serve)
    quick: bool = True  # the warnings' quick rebuild may continue link_from (serve's first build: its report must
    #                     hold the site, which that rebuild does not load)
    spare: bool = True  # the tree the build replaces is kept, as the base of the next (serve's builds: they go into
    #                     folders of their own, and leave `gongshi build`'s spare alone)

    @property
    def output(self) -> Path:
        """The output folder (SITE_DIR/output by default)."""
        return self.output_dir if self.output_dir is not None else self.site_dir / "output"

    @property
    def audit(self) -> Path:
        """Where the audit of left-out records goes (SITE_DIR/.gongshi/audit.json by default)."""
        return self.audit_file if self.audit_file is not None else self.site_dir / ".gongshi" / "audit.json"


@dataclass(frozen=True)
class SiteCounts:
    """How much a site holds, as the command line reports it."""

    merchants: int = 0
    periods: int = 0
    rankings: int = 0
    warnings: int = 0
    pages: int = 0
    left_out: int = 0

    @classmethod
    def of(cls, site: Site) -> SiteCounts:
        """The counts of a site."""
        return cls(len(site.merchants), len(site.periods), len(site.rankings), len(site.warnings),
                   len(site.content.pages), len(site.left_out))


@dataclass
class BuildReport:
    """What a check or build did (`site` is None when the build found nothing to do)."""

    site: Site | None
    warnings: list[Problem]
    masked: list[Masked]
    pages: int = 0
    indexed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    freshness: Freshness | None = None
    counts: SiteCounts = field(default_factory=SiteCounts)
    rendered: int = 0  # pages rendered by this build
    kept: int = 0  # pages kept (or hard-linked) from an earlier build instead
    up_to_date: bool = False  # nothing changed since the last build: the output was left as it was
    origins: dict[int, str] = field(default_factory=dict, repr=False)  # record (or entry) id -> what it was read from
