"""What may be published on a given day: the as-of date, retention, freshness and the audit of what was left out."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from builder.errors import OutputError
from builder.i18n import _

if TYPE_CHECKING:
    from builder.model import Article, Entry, RankingFile
    from builder.periods import Period


def resolve_as_of(option: dt.date | None, environ: Mapping[str, str], today: dt.date) -> dt.date:
    """The as-of date: the option, else SOURCE_DATE_EPOCH (read as UTC), else today; ValueError when unusable."""
    if option is not None:
        return option
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            raise ValueError(_("SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, found `{value}`").format(
                value=epoch))
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return today


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it is shorter (31 Oct + 4 → 28/29 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def retained_until(period: Period, retention_months: int | None) -> dt.date | None:
    """The last day a period is published: its end plus the retention months (None: kept for ever)."""
    return None if retention_months is None else add_months(period.end, retention_months)


def is_expired(period: Period, retention_months: int | None, as_of: dt.date) -> bool:
    """Whether a period ended more than `retention_months` before the as-of date."""
    until = retained_until(period, retention_months)
    return until is not None and as_of > until


@dataclass(frozen=True)
class LeftOut:
    """One record the build did not publish, and why (for the audit file, never the site)."""

    kind: str
    period: str
    name: str
    ref: str
    source: str
    reason: str
    detail: str


@dataclass(frozen=True)
class Unpublished:
    """Why a record is not published on the as-of date: `scheduled` (dated after it) or `expired`."""

    reason: str
    detail: str


def unpublished(as_of: dt.date | None, retention_months: int | None, dated: dt.date | None = None,
                period: Period | None = None, date_word: str = "published") -> Unpublished | None:
    """Why a record dated `dated` (and covering `period`) waits or has expired on the as-of date; None: published.

    The one as-of rule for periods, rankings and warnings. Without an as-of date everything is published.
    """
    if as_of is None:
        return None
    if dated is not None and dated > as_of:
        return Unpublished("scheduled", f"{date_word} {dated.isoformat()} is after the as-of date {as_of.isoformat()}")
    if period is not None and retention_months is not None and is_expired(period, retention_months, as_of):
        return Unpublished("expired", f"period ended {period.end.isoformat()}; retention {retention_months} months, "
                                      f"published until {retained_until(period, retention_months)}; as of "
                                      f"{as_of.isoformat()}")
    return None


def left_out_entry(entry: Entry, reason: str, detail: str) -> LeftOut:
    """The audit record of an unpublished entry."""
    return LeftOut("entry", entry.period.key, entry.name, entry.identity.value,
                   f"{entry.source.path}:{entry.source.line}", reason, detail)


def left_out_ranking(ranking: RankingFile, why: Unpublished) -> LeftOut:
    """The audit record of an expired (or not yet effective) ranking."""
    return LeftOut("ranking", ranking.period.key, "", "", f"{ranking.source.path}:{ranking.source.line}",
                   why.reason, why.detail)


def left_out_warning(warning: Article, why: Unpublished) -> LeftOut:
    """The audit record of a warning dated after the as-of date (scheduled, not yet published)."""
    return LeftOut("warning", "", warning.title, warning.slug, warning.source.path, why.reason, why.detail)


@dataclass(frozen=True)
class Freshness:
    """The as-of date, the data's last update and whether the data is stale."""

    as_of: dt.date
    updated: dt.date | None
    stale_after_days: int | None = None

    @property
    def age_days(self) -> int | None:
        """Days from the last update to the as-of date."""
        return None if self.updated is None else (self.as_of - self.updated).days

    @property
    def stale(self) -> bool:
        """Whether the newest data is older than `stale_after_days` (or there is none) at the as-of date."""
        if self.stale_after_days is None:
            return False
        return self.age_days is None or self.age_days > self.stale_after_days


def audit_json(as_of: dt.date, retention_months: int | None, records: Sequence[LeftOut]) -> str:
    """The audit list as stable JSON."""
    ordered = sorted(records, key=lambda r: (r.period, r.kind, r.source, r.name))
    data = {"as_of": as_of.isoformat(), "retention_months": retention_months,
            "left_out": [asdict(record) for record in ordered]}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_audit(path: Path, text: str) -> None:
    """Write the audit file atomically (temporary file, then rename); OutputError when it cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text, "utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(str(path), _("cannot write the audit file: {reason}").format(reason=exc.strerror)) from None
