"""A rebuild when only warnings changed: the pages they reach are rendered, the rest of the output is kept.

An editor's most frequent change is a warning (a new one, a typo, a date), and it reaches few pages: the warnings'
own (the listings, each type, each tag, each article), the home page, the pages of the merchants a warning names,
the feed, the sitemap, the files the warnings link and the Pagefind index. At 10,000 merchants the full
incremental path still reads every record back and derives the site to learn that (seconds); this path never
loads the merchants:

- every full build keeps a `DataSide` beside its output's manifest: what the warnings' pages need of the rest
  (the references that name merchants, the routes the warnings may not take, the sitemap and index entries of
  the other pages, the audit of the other records; apart, the merchants' part of the search lookup) and a record
  (replay.py) of what the templates read of the latest period, the newest ranking and the merchants that warnings
  name, taken by rendering those pages again with recording proxies and kept only when that gave the very bytes
  of the pages just built;
- when the inputs but the warnings' Markdown files are as that build read them (`uptodate.input_keys`),
  `rebuild_warnings` reads the warnings and pages again, renders the pages they reach from that record (and the
  search lookup, when a warning's title, date, type or tags changed), keeps every other file of the output as its
  manifest records it, and publishes a whole new tree as a build does. What changes with each such build (the
  warnings' files and lookup records) is a small `WarningsState`, written by every build.

A new tag, or a tag's last use gone, is taken too: its page comes or goes with the warnings' own, and the pages
that link the tags' pages are rendered (the warnings' listings and articles, and the site's pages, whose template
is the articles'), as long as no other template reads `site.tag_urls` (the full build notes which do:
`DataSide.tag_readers`).

Anything in doubt (a problem in a warning, a reference the record does not know, a template reading what was not
recorded or comparing the data, another page showing the tags, an output file changed by hand) returns None before
the output is touched, and the build takes the full path, which reports the problem. The output is the same bytes
as a full build's (tests/test_warnings_build.py checks it after random edits of the warnings, and
test_incremental.py after random edits of everything).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from builder import feeds
from builder.assemble import all_entries, pages_with_method, published_warnings, routes
from builder.attachments import FILES_ROUTE, attach_files, publish_files
from builder.buildcache import BuildCache
from builder.buildreport import BuildOptions, BuildReport
from builder.config import load_config
from builder.content import ContentReader
from builder.disclosure import LeftOut, audit_json, write_audit
from builder.errors import Problems, SearchIndexError
from builder.fingerprint import digest
from builder.i18n import _
from builder.lookup import (
    FILTERS,
    Postings,
    amended,
    filter_values,
    joined_filters,
    lookup_records,
    period_labels,
    postings_of,
    record_texts,
    warning_record,
    warning_texts,
    write_layout,
)
from builder.manifest import MANIFEST
from builder.model import Article, Content, Taxonomy
from builder.outputtree import OutputTree, TreeManifest, file_digest, load_manifest, output_manifest
from builder.pageoutput import PageOutput
from builder.pages import LOOKUP, PageWriter
from builder.pinyin import known_keys, remember_keys
from builder.render import Renderer, make_environment, theme_dirs
from builder.replay import Missing, Node, Recorder, Replay, Unrecordable, leaf_or_node
from builder.resolver import Resolver, key_in
from builder.search import BUILD_NICE, MAIN, ROOT, SearchIndexer, is_marked
from builder.sitemodel import Site
from builder.tags import tag_pages
from builder.uptodate import summary
from builder.validate import RESERVED_ROUTES

# The attributes of `site` that the templates may read for this path: with any other, every page may change.
SITE_USES = frozenset({"departments", "page_links", "tag_urls"})
# The templates whose every page this path renders when the tags' pages changed (article.html: the site's pages
# too); when another reads `site.tag_urls`, its pages may change with them, and a new tag takes the full path.
TAG_PAGES_RENDERED = frozenset({"warnings.html", "article.html", "home.html"})
REMADE = ("index.html", "feed.xml", "sitemap.xml", MANIFEST)  # besides the warnings' and merchants' pages
REMADE_UNDER = (f"{FILES_ROUTE}/", f"{ROOT}/")  # the files the articles link; Pagefind's index
ARTICLES = ("content/warnings/", "content/pages/")  # the files read again


@dataclass
class DataSide:
    """What the warnings' pages need of the rest of one build (see the module's docstring)."""

    build_key: str  # the full build that made this (its manifest's key; a WarningsState names it)
    data_key: str  # the digest of its inputs but the warnings (uptodate.input_keys)
    updated: dt.date | None
    departments: tuple[str, ...]
    page_links: tuple[tuple[str, str], ...]
    tag_urls: dict[str, str]
    tag_readers: frozenset[str]  # the templates that read `site.tag_urls` (themselves or through others)
    tag_keys: dict[str, str]  # the tags' pinyin keys (their order: no need to load pypinyin)
    refs: dict[str, str]  # Resolver.refs: credit code, id or name -> merchant key
    public: frozenset[str]  # the keys of the public merchants
    home: dict[str, Any]  # "latest", "ranking": what the home page read of them (a Node, or the value itself)
    merchants: dict[str, Node]  # what the pages read of each merchant a warning named
    placements: dict[str, Node]  # and of its placements
    merchant_files: dict[str, str]  # their pages' files
    routes_before: list[tuple[str, dt.date | None]]  # the sitemap's routes before the warnings' and after them
    routes_after: list[tuple[str, dt.date | None]]
    others: list[str]  # the pages Pagefind may index but the warnings'
    taken: frozenset[str]  # the routes of the merchants and pages (a warning taking one is an error)
    articles: str  # a digest of the pages (content/pages/) as the warnings left them (links to a warning's page)
    lookup_labels: list[str]  # what the lookup is written from besides the records: the periods' labels, the synonyms
    synonyms: tuple[tuple[str, tuple[str, ...]], ...]
    left_out: tuple[LeftOut, ...]  # the audit's records but the warnings'


@dataclass
class WarningsState:
    """What changes with each build of the warnings: written by every build (the DataSide, larger, by full builds
    only, and handed on in memory by a preview's quick builds; at 100,000 merchants it is tens of MB)."""

    side: str  # the DataSide this goes with (its build_key)
    build_key: str  # the build this describes (its manifest's key)
    warning_files: list[str]  # the files of the warnings' pages
    warning_pages: int  # how many pages those are
    pages: int  # every page of the build
    lookup: list[dict[str, Any]]  # the warnings' records in the search lookup
    tag_urls: dict[str, str]  # the tags' pages (the site's pages were rendered with these)


@dataclass
class MerchantsLookup:
    """The merchants' part of the search lookup, for a quick rebuild that writes it again (kept apart from the
    DataSide, which every quick rebuild reads: at 100,000 merchants the records are 19 MB)."""

    side: str  # the DataSide these go with (its build_key)
    records: list[dict[str, Any]]
    postings: Postings  # the bigrams of the merchants' texts (lookup.postings_of)
    filters: dict[str, list[str]]  # the full build's lookup's filter values (its warnings' kinds: in their order)
    warnings: list[dict[str, Any]]  # the full build's warnings' records, after the merchants' in its lookup
    folder: str | None  # the key of the full build's lookup folder (its group in the tree's manifest)


@dataclass(frozen=True)
class LookupEdit:
    """The warnings' records of the search lookup changed: what it is written from again."""

    kept: MerchantsLookup
    before: list[dict[str, Any]]  # the warnings' records of the output's lookup
    records: list[dict[str, Any]]  # and this build's, with the texts they are found by
    texts: list[list[str]]


Recorded = tuple[DataSide, WarningsState, MerchantsLookup]


def data_side_entry(output: Path) -> str:
    """The cache entry of the data side of one output folder."""
    return output_manifest(output).replace("trees/output-", "trees/data-side-")


def warnings_state_entry(output: Path) -> str:
    """The cache entry of the warnings' state of one output folder."""
    return output_manifest(output).replace("trees/output-", "trees/warnings-state-")


def merchants_lookup_entry(output: Path) -> str:
    """The cache entry of the merchants' lookup records of one output folder."""
    return output_manifest(output).replace("trees/output-", "trees/lookup-merchants-")


def keep_data_side(cache: BuildCache, output: Path, recorded: Recorded | None) -> None:
    """Keep what a full build recorded for the warnings' quick rebuild of `output` (None: forget what was kept)."""
    entries = (data_side_entry(output), warnings_state_entry(output), merchants_lookup_entry(output))
    try:
        for entry, value in zip(entries, recorded or (None, None, None), strict=True):
            if value is None:
                cache.forget(entry)
            else:
                cache.save(entry, value, plain=True)
    except (pickle.PicklingError, TypeError, AttributeError):  # a record holding what cannot be pickled (a theme's
        for entry in entries:  # helper's own class): no quick rebuild for this output, the build itself is done
            cache.forget(entry)


def forget_output(cache: BuildCache, folder: Path) -> None:
    """Forget what the cache keeps of an output folder that is gone or was taken by a build: its manifest and what
    the warnings' quick rebuild would continue from."""
    cache.forget(output_manifest(folder))
    keep_data_side(cache, folder, None)


def page_files(routes: Iterable[tuple[str, dt.date | None]]) -> list[str]:
    """The files of pages, from their (folder, modified) as `PageWriter.routes` lists them."""
    return [f"{folder}index.html" for folder, _modified in routes]


class CollectedOutput:
    """Where `PageWriter` puts pages when they are only rendered and kept in memory (route -> HTML)."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self.pages: dict[str, str] = {}

    def page(self, route: str, template: str, context: dict[str, Any]) -> None:
        """Render one page."""
        self.pages[route] = self.renderer.render(template, route, **context)


def write_reach(writer: PageWriter, updated: dt.date | None, merchants: Iterable[Any]) -> tuple[slice, int]:
    """The pages warnings reach, through `writer`: the warnings' own first (where they are among its routes, and
    how many), then the home page and the pages of these merchants."""
    writer.warning_pages()
    span = (slice(0, len(writer.routes)), writer.count)
    writer.home(updated)
    writer.merchant_pages_of(list(merchants))
    return span


# -------------------------------------------------------------------------------------------- full builds

def record_data_side(site: Site, renderer: Renderer, writer: PageWriter, output: PageOutput, tree: OutputTree,
                     each: dict[str, frozenset[str]] | None, keys: tuple[str, str]) -> Recorded | None:
    """The data side of a full build whose pages are all placed in `tree` (None: this output cannot have one);
    `each`: what each template reads of `site` (render.template_site_uses)."""
    if writer.warning_marks is None or each is None or not set().union(*each.values()) <= SITE_USES:
        return None
    latest = site.periods[0] if site.periods else None
    ranking = site.rankings[0] if site.rankings else None
    home = {"latest": leaf_or_node(latest), "ranking": leaf_or_node(ranking)}
    named = {m.key: m for merchants in site.related.values() for m in merchants}
    nodes = {key: Node() for key in named}
    placement_nodes = {key: Node() for key in named}
    recording: dict[str, Any] = {key: Recorder(m, nodes[key]) for key, m in named.items()}
    periods: tuple[Any, ...] = (Recorder(latest, home["latest"]),) if latest is not None else ()
    rankings: tuple[Any, ...] = (Recorder(ranking, home["ranking"]),) if ranking is not None else ()
    placements: dict[str, Any] = {key: Recorder(site.placements.get(key, ()), placement_nodes[key]) for key in named}
    stand_in = replace(
        site, periods=periods, rankings=rankings, placements=placements,
        related={slug: tuple(recording[m.key] for m in merchants) for slug, merchants in site.related.items()})
    collected = CollectedOutput(renderer)
    again = PageWriter(stand_in, renderer, tree, collected)  # type: ignore[arg-type]
    try:
        write_reach(again, site.updated, (recording[key] for key in sorted(named)))
    except (Exception, Unrecordable, Missing):  # noqa: BLE001 - or a helper that cannot take a recording proxy
        return None
    for route, html in collected.pages.items():  # the record must render the very pages of this build
        try:
            if tree.path(route).read_bytes() != html.encode("utf-8"):
                return None
        except OSError:
            return None
    r, o, count = writer.warning_marks
    records, texts = writer.search_files[LOOKUP][0][0] if LOOKUP in writer.search_files else lookup_records(site)
    merchants = len(records) - len(site.warnings)  # (the merchants' records come first)
    labels = period_labels(site)
    warning_files = page_files(writer.routes[r])
    entries = all_entries(site.content)
    resolver = Resolver(site.merchants, entries)
    urls = {url for url, _path, _line in routes(site.content, entries)}
    side = DataSide(
        build_key=keys[0], data_key=keys[1], updated=site.updated, departments=site.departments,
        page_links=site.page_links, tag_urls=site.tag_urls,
        tag_readers=frozenset(name for name, used in each.items() if "tag_urls" in used),
        tag_keys=known_keys(set(site.tags)), refs=resolver.refs,
        public=frozenset(m.key for m in site.merchants), home=home, merchants=nodes, placements=placement_nodes,
        merchant_files={key: f"{m.url}index.html" for key, m in named.items()},
        routes_before=writer.routes[:r.start], routes_after=writer.routes[r.stop:],
        others=output.other_pages[:o.start] + output.other_pages[o.stop:],
        taken=frozenset(urls - {w.url for w in site.content.warnings}),
        articles=digest(repr(site.content.pages)),
        lookup_labels=labels, synonyms=site.content.taxonomy.synonyms,
        left_out=tuple(record for record in site.left_out if record.kind != "warning"))
    return (side, WarningsState(keys[0], keys[0], warning_files, count, writer.count,
                                [warning_record(w) for w in site.warnings], site.tag_urls),
            MerchantsLookup(keys[0], records[:merchants], postings_of(texts[:merchants]),
                            lookup_filters(tree, records, labels), records[merchants:], tree.groups.get(LOOKUP)))


def lookup_filters(tree: OutputTree, records: list[dict[str, Any]], labels: list[str]) -> dict[str, list[str]]:
    """The filter values of the lookup just placed in `tree`, as its manifest lists them (the kinds' pinyin, which
    nothing else of a build needs, is not worked out again); of the records when it cannot be read."""
    try:
        found = json.loads(tree.path(f"{LOOKUP}manifest.json").read_bytes())["filters"]
    except (OSError, ValueError, KeyError, TypeError):
        return filter_values(records, labels)
    if isinstance(found, dict) and found.keys() == set(FILTERS) and all(
            isinstance(values, list) and all(isinstance(value, str) for value in values) for values in found.values()):
        return found
    return filter_values(records, labels)  # (a file that is not what a build writes: changed by hand)


# ------------------------------------------------------------------------------------------ the quick path

class _Doubt(Exception):
    """Something this path cannot vouch for: take the full path."""


@dataclass(frozen=True)
class _Reach:
    """What the warnings of this build reach, rendered."""

    config: Any
    warnings: tuple[Article, ...]
    articles: tuple[Article, ...]  # the warnings and pages whose files are published
    pages: dict[str, str]  # route -> HTML
    merchant_files: frozenset[str]
    span_routes: list[tuple[str, dt.date | None]]
    span_count: int
    left_out: tuple[LeftOut, ...]
    masked: list[Any]
    lookup: LookupEdit | None  # what the search lookup is written from, when its records changed
    tag_urls: dict[str, str]

    @property
    def span_files(self) -> list[str]:
        """The files of the warnings' own pages."""
        return page_files(self.span_routes)


def rebuild_warnings(options: BuildOptions, cache: BuildCache | None, keys: tuple[str, str],
                     manifest: TreeManifest | None = None) -> BuildReport | None:
    """Rebuild only what the warnings reach when nothing else changed since the last build (else None);
    `manifest`: the output's, when already loaded. A preview's build (`link_from`) continues the build it links
    from, into a folder of its own."""
    if cache is None or options.clean or not options.quick:
        return None
    started = time.perf_counter()
    base = last_output(options)
    state = cache.load(warnings_state_entry(base))
    side = cache.load(data_side_entry(base))
    if not isinstance(state, WarningsState) or not isinstance(side, DataSide) or side.data_key != keys[1] \
            or state.side != side.build_key:
        return None
    if manifest is None or base != options.output:
        manifest = load_manifest(cache, output_manifest(base), base)
    last = manifest.summary.get("report") if isinstance(manifest, TreeManifest) else None
    if manifest is None or manifest.build_key != state.build_key or not isinstance(last, BuildReport) \
            or last.freshness is None:
        return None
    if any(p.path.startswith(ARTICLES) for p in last.warnings):
        return None  # (the full path reports them again, in their order)
    try:
        reach = _render_reach(options, cache, side, state, last)
        report = _publish(options, cache, side, state, last, reach, manifest, keys)
    except _Doubt:
        return None
    report.seconds = time.perf_counter() - started
    return report


def last_output(options: BuildOptions) -> Path:
    """The output of the build this one continues: the output folder itself, or the preview's build it links from."""
    return options.link_from if options.link_from is not None else options.output


def _render_reach(options: BuildOptions, cache: BuildCache, side: DataSide, state: WarningsState,
                  last: BuildReport) -> _Reach:
    """Read the warnings and pages again, check them as a full build would, render what they reach."""
    assert last.freshness is not None
    problems = Problems()
    config = load_config(options.site_dir, problems, options.encoding)
    reader = ContentReader(options.site_dir, problems, options.encoding, options.mask_personal_data, cache)
    warnings, pages = reader.markdown_files("warnings", "warning"), reader.markdown_files("pages", "page")
    if config is None or _doubtful(problems):
        raise _Doubt
    as_of = last.freshness.as_of
    content = attach_files(Content(config, Taxonomy(), (), (), tuple(warnings), tuple(pages)), options.site_dir,
                           problems, as_of)
    urls = [w.url for w in content.warnings]
    taken = len(set(urls)) != len(urls) or any(url in side.taken or url in RESERVED_ROUTES for url in urls)
    if _doubtful(problems) or taken or digest(repr(content.pages)) != side.articles:  # (a page may link a warning)
        raise _Doubt
    published, held = published_warnings(content.warnings, as_of)
    related: dict[str, tuple[str, ...]] = {}
    for warning in content.warnings:  # (every reference is checked, the published warnings' are shown)
        found = [key_in(side.refs, ref) for ref in warning.related]
        if None in found:
            raise _Doubt
        related[warning.slug] = tuple(key for key in found if key is not None and key in side.public)
    named = {key for warning in published for key in related[warning.slug]}
    remember_keys(side.tag_keys)
    tags = tag_pages(published)
    tag_urls = {label: tag.url for label, tag in tags.items()}
    site_pages = pages_with_method(content.pages)
    if not named <= side.merchants.keys() or not _tags_rendered(side, tag_urls) \
            or tuple((p.url, p.title) for p in site_pages) != side.page_links:
        raise _Doubt
    lookup = None  # the search lookup is kept, unless a warning's record in it changed
    if [warning_record(w) for w in published] != state.lookup:
        kept = cache.load(merchants_lookup_entry(last_output(options)))
        if not isinstance(kept, MerchantsLookup) or kept.side != side.build_key:
            raise _Doubt
        lookup = LookupEdit(kept, state.lookup, [warning_record(w) for w in published],
                            [warning_texts(w) for w in published])
    replays = {key: Replay(node) for key, node in side.merchants.items()}
    about: dict[str, list[Article]] = {}
    for warning in published:
        for key in related[warning.slug]:
            about.setdefault(key, []).append(warning)
    latest, ranking = side.home["latest"], side.home["ranking"]
    site = Site(content, (), (Replay(latest),) if isinstance(latest, Node) else (),  # type: ignore[arg-type]
                (Replay(ranking),) if isinstance(ranking, Node) else (), published, site_pages,  # type: ignore[arg-type]
                {w.slug: tuple(replays[key] for key in related[w.slug]) for w in published},  # type: ignore[misc]
                {key: tuple(items) for key, items in about.items()},
                {key: Replay(node) for key, node in side.placements.items()},  # type: ignore[misc]
                None, None, as_of=as_of, departments=side.departments, tags=tags)  # type: ignore[arg-type]
    renderer = Renderer(make_environment(theme_dirs(options.site_dir, config.theme), cache),
                        {"config": config, "site": site, "freshness": last.freshness})
    collected = CollectedOutput(renderer)
    writer = PageWriter(site, renderer, None, collected)  # type: ignore[arg-type]
    try:
        span, count = write_reach(writer, side.updated, (replays[key] for key in sorted(replays)))
        if tag_urls != state.tag_urls:  # (the output's pages were rendered with other tags' pages)
            writer.site_pages(side.updated)
    except (Exception, Missing):  # noqa: BLE001 - or a template's error: the full path renders (and reports) it
        raise _Doubt from None
    return _Reach(config, published, (*published, *site_pages), collected.pages,
                  frozenset(side.merchant_files.values()), writer.routes[span], count, held,
                  [m for m in last.masked if not m.path.startswith(ARTICLES)] + reader.masked, lookup, tag_urls)


def _tags_rendered(side: DataSide, tag_urls: dict[str, str]) -> bool:
    """Whether every page that shows these tags' pages is rendered by this path: the tags are the full build's, or
    only the templates whose every page it renders read them."""
    return tag_urls == side.tag_urls or side.tag_readers <= TAG_PAGES_RENDERED


def _doubtful(problems: Problems) -> bool:
    """Whether reading the warnings and pages found an error, or anything to say of them (the last build, which
    had nothing to say of them, reported the rest: site.yaml is as it read it)."""
    return problems.error_count > 0 or any(p.path.startswith(ARTICLES) for p in problems.items)


def _publish(options: BuildOptions, cache: BuildCache, side: DataSide, state: WarningsState, last: BuildReport,
             reach: _Reach, manifest: TreeManifest, keys: tuple[str, str]) -> BuildReport:
    """Place what was rendered and keep the rest of the output; publish it whole as a build does."""
    gongshi_dir = options.site_dir / ".gongshi"
    remade = set(state.warning_files) | set(reach.pages)

    remade_under = (*REMADE_UNDER, LOOKUP) if reach.lookup is not None else REMADE_UNDER

    def skip(route: str) -> bool:
        """Whether this build makes the file (or group) again instead of keeping the output's."""
        return route in remade or route in REMADE or route.startswith(remade_under)

    others = list(dict.fromkeys(side.others + reach.span_files))
    marked = {route: is_marked(html) for route, html in reach.pages.items() if route not in reach.merchant_files}
    tree = OutputTree(options.output, cache, gongshi_dir, link_from=options.link_from, recycle=options.recycle,
                      current=manifest, spare=options.spare)
    indexer = SearchIndexer(tree, cache=cache, nice=BUILD_NICE) if options.search else None
    try:
        if indexer is not None:  # Pagefind indexes the warnings while the tree is made ready (its own process)
            digests = {route: file_digest(html.encode("utf-8")) for route, html in reach.pages.items()}
            for route in others:
                if route not in digests:
                    record = manifest.files.get(route)
                    if record is None:
                        raise _Doubt
                    digests[route] = record.digest
            read = functools.partial(_page_text, reach.pages, last_output(options), digests)
            indexer.prepare(others, marked, digests, read, options.output, manifest.groups.get(f"{ROOT}/{MAIN}/"))
        return _place(options, cache, side, state, last, reach, tree, indexer, others, marked, keys, skip)
    finally:
        if indexer is not None and not indexer.finished:
            indexer.abort()


def lookup_key(side: DataSide, warnings: list[dict[str, Any]]) -> str:
    """The key of the lookup a quick rebuild writes: this path's own (a full build makes it again, once), naming the
    full build whose merchants, labels and synonyms it was written with (the spare may hold a lookup of the same
    warnings' records written by a quick rebuild of an earlier full build) and the warnings' records."""
    return digest("warnings' quick rebuild", side.build_key, repr(warnings))


def _place_lookup(tree: OutputTree, side: DataSide, edit: LookupEdit) -> None:
    """The search lookup with the warnings' new records: when the output's is the lookup of the records before, as
    this full build's data wrote it, only the files that change are written and the rest kept; else all written."""
    kept = edit.kept
    change = amended(kept.records, kept.postings, joined_filters(kept.filters, bool(kept.records), edit.records),
                     [record_texts(r) for r in edit.before], (edit.records, edit.texts), side.lookup_labels,
                     side.synonyms)
    layout, changed, key = change.layout, change.changed, lookup_key(side, edit.records)
    current = tree.current
    held = current.groups.get(LOOKUP) if current is not None else None
    known = held is not None and (held == lookup_key(side, edit.before) or
                                  (held == kept.folder and edit.before == kept.warnings))
    if current is not None and changed is not None and known and \
            {route for route in current.files if route.startswith(LOOKUP)} == {LOOKUP + r for r in change.before}:
        files = {LOOKUP + route: layout.data(route) for route in sorted(changed)}
        if not tree.amend(LOOKUP, key, [LOOKUP + r for r in layout.routes() if r not in changed], files):
            raise _Doubt  # (a file of the lookup changed by hand)
        return

    def write(folder: Path) -> None:
        write_layout(folder, layout)

    tree.folder(LOOKUP, key, write)


def _page_text(rendered: dict[str, str], output: Path, digests: dict[str, str], route: str) -> str:
    """A page as this build places it: rendered now, or the output's when it still has the bytes its manifest
    records (else SearchIndexError: what `carry` places may come from the spare, and Pagefind indexes that)."""
    if route in rendered:
        return rendered[route]
    try:
        data = (output / route).read_bytes()
    except OSError as exc:
        raise SearchIndexError(_("cannot read {route}: {reason}").format(route=route, reason=exc.strerror)) from None
    if file_digest(data) != digests.get(route):
        raise SearchIndexError(route)  # (never shown: `finish` indexes from the tree instead)
    return data.decode("utf-8")


def _place(options: BuildOptions, cache: BuildCache, side: DataSide, state: WarningsState, last: BuildReport,
           reach: _Reach, tree: OutputTree, indexer: SearchIndexer | None, others: list[str],
           marked: dict[str, bool], keys: tuple[str, str], skip: Callable[[str], bool]) -> BuildReport:
    """The new tree: the output's files kept, the rendered ones written, the index finished; published."""
    assert last.freshness is not None
    with tree:
        if not tree.carry(skip):
            raise _Doubt
        for route, html in reach.pages.items():
            tree.write(route, html)
        publish_files(reach.articles, tree)
        if reach.lookup is not None:
            _place_lookup(tree, side, reach.lookup)
        tree.write("feed.xml", feeds.atom(reach.config, reach.warnings))
        tree.write("sitemap.xml", feeds.sitemap(reach.config.base_url,
                                                side.routes_before + reach.span_routes + side.routes_after))
        indexed = indexer.finish(others, marked) if indexer is not None else 0
        tree.write_checksums()
        left_out = (*side.left_out, *reach.left_out)
        audit = audit_json(last.freshness.as_of, reach.config.retention_months, left_out)
        write_audit(options.audit, audit)
        pages = state.pages - state.warning_pages + reach.span_count
        report = replace(last, warnings=list(last.warnings), masked=reach.masked, pages=pages, indexed=indexed,
                         counts=replace(last.counts, warnings=len(reach.warnings), left_out=len(left_out)),
                         rendered=len(reach.pages), kept=pages - len(reach.pages), up_to_date=False)
        tree.prune()
        tree.publish_tree(tree.manifest(keys[0], summary(report, audit)))
    cache.save(warnings_state_entry(options.output), WarningsState(
        state.side, keys[0], reach.span_files, reach.span_count, pages, [warning_record(w) for w in reach.warnings],
        reach.tag_urls), plain=True)
    base = last_output(options)
    if base != options.output:  # (a preview's new folder, which the next build continues: in memory)
        cache.save(data_side_entry(options.output), side, plain=True)
        kept = cache.load(merchants_lookup_entry(base))
        if kept is not None:
            cache.save(merchants_lookup_entry(options.output), kept, plain=True)
    return report
