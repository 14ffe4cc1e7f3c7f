"""Turning the checked content into the Site that pages are rendered from, in named steps."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from builder.derived import Merchant, PeriodView, Row
from builder.directory import build_directory
from builder.disclosure import LeftOut, left_out_entry, left_out_ranking, left_out_warning, unpublished
from builder.errors import Problems
from builder.model import Article, Content, Entry, PeriodSummary, RankingFile, Source, summarise
from builder.pinyin import name_sort_key
from builder.rankings import placements, rank
from builder.remembered import remembered
from builder.resolver import Resolver
from builder.sitemodel import Site
from builder.stats import statistics
from builder.tags import tag_pages
from builder.tradename import region_prefixes
from builder.validate import check_identities, check_periods, check_rankings, check_related, check_unique_urls

METHOD_SLUG = "method"


@dataclass(frozen=True)
class Published:
    """What the as-of date lets through, and the audit of what it holds back."""

    periods: tuple[PeriodSummary, ...]
    rankings: tuple[RankingFile, ...]
    warnings: tuple[Article, ...]
    left_out: tuple[LeftOut, ...]


def assemble(content: Content, problems: Problems, strict: bool = False, as_of: dt.date | None = None) -> Site:
    """Check the content as a whole and derive what is published at the as-of date (default: everything)."""
    entries = all_entries(content)
    check_periods(content.periods, problems)
    check_identities(entries, problems, strict)
    published = select_published(content, as_of)
    # remembered(): the preview's next build gets the same objects back when these records are the same
    merchants = remembered("merchants", (published.periods,), (), lambda: merchant_histories(published.periods))
    resolver = remembered("resolver", (merchants, *content.periods), (), lambda: Resolver(merchants, entries))
    check_rankings(content.rankings, resolver, problems)
    check_related(content.warnings, resolver, problems)
    check_unique_urls(routes(content, entries), problems)
    periods = remembered("periods", (published.periods, merchants), (),
                         lambda: period_views(published.periods, merchants))
    config = content.config
    rankings = remembered("rankings", (*published.rankings, resolver, periods), (config.rankings,),
                          lambda: tuple(rank(one, resolver, periods, config.rankings) for one in published.rankings))
    related = {w.slug: tuple(m for m in map(resolver.find, w.related) if m is not None) for w in published.warnings}
    return Site(content, merchants, periods, rankings, published.warnings, pages_with_method(content.pages),
                related, warnings_about(published.warnings, related),
                remembered("placements", (rankings,), (config.rankings,),
                           lambda: placements(rankings, config.rankings)),
                remembered("statistics", (periods,), (), lambda: statistics(periods)),
                remembered("directory", (merchants,), (config.organizer,),
                           lambda: build_directory(merchants, region_prefixes(config.organizer, merchants))),
                as_of=as_of, left_out=published.left_out,
                departments=tuple(sorted({d for view in periods for d in view.source.departments})),
                tags=tag_pages(published.warnings))


def all_entries(content: Content) -> list[Entry]:
    """Every entry of every period, withdrawn ones included."""
    return [entry for period in content.periods for entry in period.entries]


def select_published(content: Content, as_of: dt.date | None) -> Published:
    """Split periods, rankings and warnings into what is published on the as-of date and what is left out."""
    retention = content.config.retention_months
    left_out: list[LeftOut] = []
    files = []
    for record in content.periods:  # each complaint file by its own date: one district's file may be scheduled
        why = unpublished(as_of, retention, record.published, record.period)
        if why is None:
            files.append(record)
            left_out += [left_out_entry(e, "withdrawn", "status: withdrawn") for e in record.entries if not e.public]
        else:
            left_out += [left_out_entry(e, why.reason if e.public else "withdrawn", why.detail) for e in record.entries]
    rankings = []
    for ranking in sorted(content.rankings, key=lambda r: r.period, reverse=True):
        why = unpublished(as_of, retention, ranking.effective, ranking.period)
        if why is None:
            rankings.append(ranking)
        else:
            left_out.append(left_out_ranking(ranking, why))
    warnings, held = published_warnings(content.warnings, as_of)
    return Published(remembered("summaries", tuple(files), (), lambda: summarise(files)), tuple(rankings),
                     warnings, (*left_out, *held))


def published_warnings(warnings: tuple[Article, ...],
                       as_of: dt.date | None) -> tuple[tuple[Article, ...], tuple[LeftOut, ...]]:
    """The warnings published on the as-of date, newest first, and the audit records of those it holds back."""
    published, left_out = [], []
    for warning in sorted(warnings, key=lambda w: (w.date, w.slug), reverse=True):
        why = unpublished(as_of, None, warning.date, date_word="dated")
        if why is None:
            published.append(warning)
        else:
            left_out.append(left_out_warning(warning, why))
    return tuple(published), tuple(left_out)


def merchant_histories(periods: tuple[PeriodSummary, ...]) -> tuple[Merchant, ...]:
    """Every merchant with a public entry, its entries oldest first; merchants in name order."""
    history: dict[str, list[Entry]] = defaultdict(list)
    for record in periods:
        for entry in record.entries:
            if entry.public:
                history[entry.key].append(entry)
    merchants = [Merchant(tuple(sorted(items, key=lambda e: e.period))) for items in history.values()]
    return tuple(sorted(merchants, key=lambda m: (name_sort_key(m.name), m.key)))


def period_views(periods: tuple[PeriodSummary, ...], merchants: tuple[Merchant, ...]) -> tuple[PeriodView, ...]:
    """Each published period's list, newest period first; rows by complaints, then name and key."""
    by_key = {merchant.key: merchant for merchant in merchants}
    views = []
    for record in sorted(periods, key=lambda p: p.period, reverse=True):
        rows = [Row(entry, by_key[entry.key]) for entry in record.entries if entry.public]
        rows.sort(key=lambda row: (-row.entry.complaints, name_sort_key(row.entry.name), row.entry.key))
        views.append(PeriodView(record, tuple(rows)))
    return tuple(views)


def warnings_about(warnings: tuple[Article, ...],
                   related: dict[str, tuple[Merchant, ...]]) -> dict[str, tuple[Article, ...]]:
    """The warnings that name each merchant, newest first (the reverse of `related`)."""
    found: dict[str, list[Article]] = defaultdict(list)
    for warning in warnings:
        for merchant in related[warning.slug]:
            found[merchant.key].append(warning)
    return {key: tuple(items) for key, items in found.items()}


def pages_with_method(pages: tuple[Article, ...]) -> tuple[Article, ...]:
    """The content pages in menu order, with a generated 公示说明 page when the site has no `method` page."""
    found = list(pages)
    if not any(page.slug == METHOD_SLUG for page in found):
        # The methodology page (公示说明) always exists: its rules part is generated from site.yaml.
        found.append(Article(METHOD_SLUG, "公示说明", "", "", Source("site.yaml", 1, 1), order=1000))
    return tuple(sorted(found, key=lambda p: (p.order, p.slug)))


def routes(content: Content, entries: list[Entry]) -> list[tuple[str, str, int]]:
    """Every page route the content asks for, whatever the as-of date (a collision is an input error).

    Routes are compared in lower case: on a case-insensitive disk two of them would be one folder.
    """
    newest: dict[str, Entry] = {}
    for entry in sorted((e for e in entries if e.public), key=lambda e: e.period):
        newest[entry.key] = entry
    found = [(e.identity.url.lower(), e.source.path, e.source.line) for e in newest.values()]
    found += [(article.url, article.source.path, 1) for article in (*content.warnings, *content.pages)]
    return found
