"""Turning the checked content into the Site that pages are rendered from."""

from __future__ import annotations

from collections import defaultdict

from builder.errors import Problems
from builder.model import Content, Entry
from builder.sitemodel import Merchant, PeriodView, Resolver, Site, merchant_slug, name_sort_key
from builder.rankings import rank
from builder.validate import check_identities, check_periods, check_rankings, check_related, check_unique_urls


def all_entries(content: Content) -> list[Entry]:
    """Every entry of every period, withdrawn ones included."""
    return [entry for period in content.periods for entry in period.entries]


def assemble(content: Content, problems: Problems, strict: bool = False) -> Site:
    """Check the content as a whole and derive merchants, period lists and rankings."""
    entries = all_entries(content)
    check_periods(list(content.periods), problems)
    check_identities(entries, problems, strict)
    history: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
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
    check_unique_urls(_routes(content, merchants), problems)

    periods = []
    for record in sorted(content.periods, key=lambda p: p.period, reverse=True):
        rows = [(entry, by_key[entry.key]) for entry in record.entries if entry.public]
        rows.sort(key=lambda row: (-row[0].complaints, name_sort_key(row[0].name), row[0].key))
        withdrawn = tuple(entry for entry in record.entries if not entry.public)
        periods.append(PeriodView(record, tuple(rows), withdrawn))
    rankings = [rank(record, resolver, periods, content.config.rankings)
                for record in sorted(content.rankings, key=lambda r: r.period, reverse=True)]
    warnings = sorted(content.warnings, key=lambda w: (w.date, w.slug), reverse=True)
    pages = sorted(content.pages, key=lambda p: (p.order, p.slug))
    related: dict[str, list] = {}
    for warning in warnings:
        found = [resolver.find(ref) for ref in warning.related]
        related[warning.slug] = [m for m in found if m is not None]
    return Site(content, merchants, periods, rankings, warnings, pages, by_key, related)


def _routes(content: Content, merchants: list[Merchant]) -> list[tuple[str, str, int]]:
    routes = [(f"merchants/{m.slug.lower()}/", m.latest.source.path, m.latest.source.line) for m in merchants]
    routes += [(f"warnings/{w.slug}/", w.source.path, 1) for w in content.warnings]
    routes += [(f"pages/{p.slug}/", p.source.path, 1) for p in content.pages]
    return routes
