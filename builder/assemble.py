"""Turning the checked content into the Site that pages are rendered from."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from builder.disclosure import (LeftOut, expiry_detail, is_expired, left_out_entry, left_out_ranking,
                                left_out_warning, scheduled_detail)
from builder.errors import Problems
from builder.model import Article, Content, Entry, Source
from builder.sitemodel import Merchant, PeriodView, Resolver, Site, merchant_slug, name_sort_key
from builder.rankings import rank
from builder.validate import check_identities, check_periods, check_rankings, check_related, check_unique_urls


METHOD_SLUG = "method"


def all_entries(content: Content) -> list[Entry]:
    """Every entry of every period, withdrawn ones included."""
    return [entry for period in content.periods for entry in period.entries]


def assemble(content: Content, problems: Problems, strict: bool = False, as_of: dt.date | None = None) -> Site:
    """Check the content as a whole and derive what is published at the as-of date (default: everything)."""
    entries = all_entries(content)
    check_periods(list(content.periods), problems)
    check_identities(entries, problems, strict)
    retention = content.config.retention_months if as_of is not None else None
    left_out: list[LeftOut] = []
    live_periods = []
    for record in content.periods:
        if as_of is not None and record.published > as_of:
            detail = scheduled_detail(record.published, as_of)
            left_out += [left_out_entry(e, "scheduled" if e.public else "withdrawn", detail) for e in record.entries]
        elif as_of is not None and retention is not None and is_expired(record.period, retention, as_of):
            detail = expiry_detail(record.period, retention, as_of)
            left_out += [left_out_entry(e, "withdrawn" if not e.public else "expired", detail) for e in record.entries]
        else:
            live_periods.append(record)
            left_out += [left_out_entry(e, "withdrawn", "status: withdrawn") for e in record.entries if not e.public]
    history: dict[str, list[Entry]] = defaultdict(list)
    for record in live_periods:
        for entry in record.entries:
            if entry.public:
                history[entry.key].append(entry)
    merchants = []
    for key, items in history.items():
        items.sort(key=lambda e: e.period)
        merchants.append(Merchant(key, merchant_slug(items[-1]), tuple(items)))
    merchants.sort(key=lambda m: (name_sort_key(m.name), m.key))
    by_key = {merchant.key: merchant for merchant in merchants}
    resolver = Resolver(merchants, entries)
    check_rankings(list(content.rankings), resolver, problems)
    check_related(list(content.warnings), resolver, problems)
    check_unique_urls(_routes(content, entries), problems)

    periods = []
    for record in sorted(live_periods, key=lambda p: p.period, reverse=True):
        rows = [(entry, by_key[entry.key]) for entry in record.entries if entry.public]
        rows.sort(key=lambda row: (-row[0].complaints, name_sort_key(row[0].name), row[0].key))
        withdrawn = tuple(entry for entry in record.entries if not entry.public)
        periods.append(PeriodView(record, tuple(rows), withdrawn))
    live_rankings = []
    for ranking in sorted(content.rankings, key=lambda r: r.period, reverse=True):
        if as_of is not None and ranking.effective is not None and ranking.effective > as_of:
            left_out.append(left_out_ranking(ranking, scheduled_detail(ranking.effective, as_of), "scheduled"))
        elif as_of is not None and retention is not None and is_expired(ranking.period, retention, as_of):
            left_out.append(left_out_ranking(ranking, expiry_detail(ranking.period, retention, as_of)))
        else:
            live_rankings.append(ranking)
    rankings = [rank(record, resolver, periods, content.config.rankings) for record in live_rankings]
    warnings = []
    for warning in sorted(content.warnings, key=lambda w: (w.date, w.slug), reverse=True):
        if as_of is not None and warning.date is not None and warning.date > as_of:
            left_out.append(left_out_warning(warning, as_of))
        else:
            warnings.append(warning)
    pages = list(content.pages)
    if not any(page.slug == METHOD_SLUG for page in pages):
        # The methodology page (公示说明) always exists: its rules part is generated from site.yaml.
        pages.append(Article(METHOD_SLUG, "公示说明", "", "", Source("site.yaml", 1, 1), order=1000))
    pages.sort(key=lambda p: (p.order, p.slug))
    related: dict[str, list] = {}
    for warning in warnings:
        found = [resolver.find(ref) for ref in warning.related]
        related[warning.slug] = [m for m in found if m is not None]
    return Site(content, merchants, periods, rankings, warnings, pages, by_key, related, as_of=as_of,
                left_out=left_out)


def _routes(content: Content, entries: list[Entry]) -> list[tuple[str, str, int]]:
    """Every page route the content asks for, whatever the as-of date (a collision is an input error)."""
    newest: dict[str, Entry] = {}
    for entry in sorted((e for e in entries if e.public), key=lambda e: e.period):
        newest[entry.key] = entry
    routes = [(f"merchants/{merchant_slug(e).lower()}/", e.source.path, e.source.line) for e in newest.values()]
    routes += [(f"warnings/{w.slug}/", w.source.path, 1) for w in content.warnings]
    routes += [(f"pages/{p.slug}/", p.source.path, 1) for p in content.pages]
    return routes
