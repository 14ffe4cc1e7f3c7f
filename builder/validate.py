"""Whole-site checks across files: duplicates, identities, references, URL collisions."""

from __future__ import annotations

from collections.abc import Sequence

from builder.codes import say
from builder.errors import Problems
from builder.model import Article, Entry, PeriodFile, RankingFile
from builder.resolver import Resolver


def check_periods(files: Sequence[PeriodFile], problems: Problems) -> None:
    """A merchant is listed once per period, whichever of the period's files lists it (files in path order).

    Twice in one file is reported while reading the file; this reports a merchant listed in two files.
    """
    first: dict[tuple[str, str], Entry] = {}
    for record in files:
        for entry in record.entries:
            earlier = first.setdefault((entry.period.key, entry.key), entry)
            if earlier is entry or earlier.source.path == entry.source.path:
                continue
            where = earlier.source
            problems.add(entry.source.path, entry.source.line, entry.source.column, entry.source.field,
                         say("GS301", "the same merchant ({label} {value}) is listed twice in this period; first at "
                                      "{field} in {path}:{line}", label=entry.identity.label,
                             value=entry.identity.value, field=where.field, path=where.path, line=where.line))


def check_rankings(rankings: Sequence[RankingFile], resolver: Resolver, problems: Problems) -> None:
    """Each ranking period appears once and every score names a known merchant, once."""
    seen: dict[str, RankingFile] = {}
    for record in rankings:
        first = seen.setdefault(record.period.key, record)
        if first is not record:
            problems.add(record.source.path, record.source.line, record.source.column, "period",
                         say("GS303", "a ranking for {period} already exists in {first}", period=record.period.key,
                             first=first.source.path))
        named: dict[str, int] = {}
        for index, score in enumerate(record.scores, start=1):
            key = resolver.key_of(score.ref)
            where = (score.source.path, score.source.line, score.source.column, f"scores[{index}].merchant")
            if key is None:
                problems.add(*where, say("GS304", "`{ref}` is not a merchant in any complaint summary (use its credit "
                                                  "code, id or exact name)", ref=score.ref))
            elif key in named:
                problems.add(*where, say("GS301", "`{ref}` is scored twice; first at {first}", ref=score.ref,
                                         first=f"scores[{named[key]}]"))
            else:
                named[key] = index


def check_related(warnings: Sequence[Article], resolver: Resolver, problems: Problems) -> None:
    """Every merchant a warning relates to exists."""
    for warning in warnings:
        for ref in warning.related:
            if resolver.key_of(ref) is None:
                problems.add(warning.source.path, 1, 1, "related",
                             say("GS304", "`{ref}` is not a merchant in any complaint summary", ref=ref))


def check_identities(entries: Sequence[Entry], problems: Problems, strict: bool) -> None:
    """A merchant keeps its name and district across periods (a warning, an error with --strict)."""
    first: dict[str, Entry] = {}
    for entry in sorted(entries, key=lambda e: (e.period, e.source.path, e.source.line)):
        earlier = first.setdefault(entry.key, entry)
        if earlier is entry:
            continue
        for field_name in ("name", "district"):
            old, new = getattr(earlier, field_name), getattr(entry, field_name)
            if old != new and entry.identity.kind != "name":
                message = say("GS305", "`{new}` differs from `{old}` in {where} for the same merchant; the newest is "
                                       "shown", new=new, old=old, where=f"{earlier.source.path}:{earlier.source.line}")
                add = problems.add if strict else problems.warn
                add(entry.source.path, entry.source.line, entry.source.column, field_name, message)


RESERVED_ROUTES = {"merchants/page/", "merchants/by-complaints/", "merchants/district/", "merchants/category/",
                   "merchants/letter/", "warnings/page/", "warnings/type/", "warnings/tag/"}


def check_unique_urls(routes: list[tuple[str, str, int]], problems: Problems) -> None:
    """No two pages are written to the same URL (route, file, line), and none to a reserved one."""
    seen: dict[str, tuple[str, int]] = {}
    for route, path, line in routes:
        if route in RESERVED_ROUTES:
            problems.add(path, line, 1, "slug", say("GS306", "{route} is reserved for the site's own listing pages; "
                                                             "choose another id or slug", route=route))
            continue
        if route in seen and seen[route] != (path, line):
            other_path, other_line = seen[route]
            problems.add(path, line, 1, "slug",
                         say("GS306", "this page would be written to {route}, like {other}; give one a different "
                                      "slug", route=route, other=f"{other_path}:{other_line}"))
        seen.setdefault(route, (path, line))
