"""The build recipe: load, check, derive, render into staging, index, publish.

`build` is incremental: what an earlier build of the same inputs made is kept (see buildcache.py,
outputtree.py, pageoutput.py) and the result is the same bytes as a clean build (`BuildOptions.clean`).
When nothing at all changed since the last build and its output is intact, `build` returns at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import time
from collections.abc import Callable, Iterator, Mapping

import jinja2

from builder.assemble import assemble
from builder.attachments import attach_files
from builder.buildcache import BuildCache
from builder.buildreport import BuildOptions, BuildReport, SiteCounts
from builder.config import load_config
from builder.content import ContentReader, load_content
from builder.disclosure import Freshness, audit_json, resolve_as_of, write_audit
from builder.errors import ContentError, Message, Problem, Problems
from builder.i18n import N_, _
from builder.model import Content
from builder.output import check_output_dir
from builder.outputtree import OutputTree
from builder.pageoutput import PageKeys, PageOutput
from builder.pages import PageWriter
from builder.pinyin import cache_entry, remember_keys, used_keys
from builder.render import CachedBytecode, Renderer, make_environment, template_problem, theme_dirs
from builder.search import BUILD_NICE, SearchIndexer
from builder.source import HAVE_LIBYAML
from builder.trash import delete_pending, empty_trash
from builder.uptodate import UpToDate, page_options_key, summary, up_to_date
from builder.warningsbuild import forget_output, keep_data_side, rebuild_warnings, record_data_side

#: How a build reports what it is doing: (stage, done so far, total or None). Only cli.py shows it.
Progress = Callable[[str, int, int | None], None]


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Reading and deriving make records, not reference cycles: the cyclic collector would only walk the
    growing heap again and again (at 100,000 merchants, more time than the reading itself)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_site(options: BuildOptions, cache: BuildCache | None = None, progress: Progress | None = None,
              parsed: Mapping[str, tuple[str, object]] | None = None) -> BuildReport:
    """Read and check everything; raise ContentError listing every problem.

    `parsed` (for `gongshi import`): a YAML file's text and the tree parse_yaml gives for it, by shown path; a
    file whose text is that text is not parsed again (every other step reads it as usual).
    """
    problems = Problems()
    try:
        as_of = resolve_as_of(options.as_of, os.environ, dt.date.today())
    except ValueError as exc:
        raise ContentError([Problem("SOURCE_DATE_EPOCH", 1, 1, "environment", Message("GS902", str(exc)))]) from None
    config = load_config(options.site_dir, problems, options.encoding)
    reader = ContentReader(options.site_dir, problems, options.encoding, options.mask_personal_data, cache,
                           trust_cache=not options.clean, progress=progress, parsed=parsed)
    if config is not None:
        reader.check_theme_files(theme_dirs(options.site_dir, config.theme))
    with collector_paused():
        taxonomy, periods, rankings, warnings, pages = load_content(reader)
        if cache is not None:
            cache.write_pending_beside()  # the records just read, for the next build, while these are checked
        if config is None or problems.errors:
            raise ContentError(problems.errors + problems.warnings)
        content = Content(config, taxonomy, tuple(periods), tuple(rankings), tuple(warnings), tuple(pages))
        content = attach_files(content, options.site_dir, problems, as_of)  # images, attachments of warnings and pages
        if progress is not None:
            progress(N_("checking"), 0, None)
        known = cache.load(cache_entry()) if cache is not None and not options.clean else None
        remember_keys(known if isinstance(known, dict) else {})
        site = assemble(content, problems, options.strict, as_of)
    used = used_keys()  # names and the directory's trade names
    if cache is not None and (not isinstance(known, dict) or used.keys() != known.keys()):
        cache.save(cache_entry(), used)  # names' pinyin keys (pypinyin is slow: ~0.15 ms a name)
    if problems.errors:
        raise ContentError(problems.errors + problems.warnings)
    notes = [] if HAVE_LIBYAML else [_("libyaml is not available: YAML loading is about 10× slower")]
    updated = site.updated
    freshness = Freshness(as_of, updated, config.stale_after_days)
    if freshness.stale:
        notes.append(_("the newest data ({updated}) is more than {days} days old on {as_of}: the site shows a "
                       "stale-data notice").format(updated=updated or _("none"), days=config.stale_after_days,
                                                   as_of=as_of))
    if cache is not None:
        cache.keep_only("content", {name.removeprefix("content/") for name in reader.used})
    return BuildReport(site, problems.warnings, reader.masked, notes=notes, freshness=freshness,
                       counts=SiteCounts.of(site), origins=reader.origins)


def build(options: BuildOptions, progress: Progress | None = None, checked: UpToDate | None = None) -> BuildReport:
    """Build the site into a staging folder and swap it in for the output folder (incremental; see above).

    `checked`: what an `uptodate.up_to_date` that found something changed found (the inputs' digests, the output's
    manifest: the check is not made again).
    """
    try:
        return _build(options, progress, checked)
    finally:
        gc.unfreeze()  # the site loaded for this build may go (serve builds again and again in one process)
        delete_pending()  # what the build threw away, deleted now that it no longer competes for the disk


def _build(options: BuildOptions, progress: Progress | None, checked: UpToDate | None) -> BuildReport:
    started = time.perf_counter()
    unsafe = check_output_dir(options.site_dir, options.output)
    if unsafe:
        raise ContentError([Problem(str(options.output), 1, 1, "--output", unsafe)])
    empty_trash(options.site_dir / ".gongshi" / "trash")
    cache = BuildCache.open(options.site_dir)
    try:
        return _build_with(options, progress, cache, started, checked)
    finally:
        if cache is not None:
            cache.write_pending()  # the files this build read, for the next one (even when this one failed)


def _build_with(options: BuildOptions, progress: Progress | None, cache: BuildCache | None,
                started: float, checked: UpToDate | None) -> BuildReport:
    gongshi_dir = options.site_dir / ".gongshi"
    if checked is None:  # (a build called in process: the command line asked up_to_date already)
        checked = up_to_date(options)
        if checked.report is not None:
            checked.report.seconds = time.perf_counter() - started
            return checked.report
    build_key, data_key = checked.build_key, checked.data_key
    quick = rebuild_warnings(options, cache, (build_key, data_key), checked.manifest)  # only the warnings changed?
    if quick is not None:
        forget_recycled(options, cache)
        quick.seconds = time.perf_counter() - started
        return quick
    report = load_site(options, cache, progress)
    # The site lives until the build ends: the collector need not walk its millions of objects again and
    # again while pages are rendered (at 100,000 merchants that walking grew faster than the site).
    gc.freeze()
    site = report.site
    assert site is not None and report.freshness is not None
    config = site.content.config
    dirs = theme_dirs(options.site_dir, config.theme)
    env = make_environment(dirs, cache if not options.clean else None)  # (templates compiled by earlier builds)
    common = {"config": config, "site": site, "freshness": report.freshness}
    renderer = Renderer(env, common)
    audit = audit_json(report.freshness.as_of, config.retention_months, site.left_out)
    with OutputTree(options.output, cache, gongshi_dir, not options.clean, options.link_from,
                    options.recycle, spare=options.spare) as tree:
        indexer = None
        if options.search:
            indexer = SearchIndexer(tree, progress=progress, cache=cache, nice=BUILD_NICE)
        keys = PageKeys(env, dirs, common, page_options_key(options), report.origins)
        # the merchant pages are in the full-text index of our own (textindex.py), the rest in Pagefind's
        output = PageOutput(tree, renderer, keys, indexer, progress,
                            unindexed=frozenset(f"{m.url}index.html" for m in site.merchants))
        writer = PageWriter(site, renderer, tree, output)
        try:
            writer.write_all(dirs)
            if cache is not None:
                cache.write_pending()  # before Pagefind indexes the warnings
                if isinstance(env.bytecode_cache, CachedBytecode):  # (compiled by an older tool or Jinja: gone)
                    cache.keep_only(CachedBytecode.FOLDER, env.bytecode_cache.used)
            if indexer is not None:
                report.indexed = indexer.finish(output.other_pages, output.marked)
        except jinja2.TemplateError as exc:
            raise ContentError([template_problem(exc, options.site_dir)]) from None
        finally:
            if indexer is not None and not indexer.finished:
                indexer.abort()
        report.pages, report.rendered, report.kept = writer.count, output.rendered, output.placed - output.rendered
        # what a later build needs to rebuild only the warnings' pages (warningsbuild.py)
        side = record_data_side(site, renderer, writer, output, tree, keys.each, (build_key, data_key)) \
            if cache is not None else None
        tree.write_checksums()
        write_audit(options.audit, audit)
        if progress is not None:
            progress(N_("publishing"), 0, None)
        tree.prune()
        tree.publish_tree(tree.manifest(build_key, summary(report, audit)))
    if cache is not None:
        keep_data_side(cache, options.output, side)
    forget_recycled(options, cache)
    report.seconds = time.perf_counter() - started
    return report


def forget_recycled(options: BuildOptions, cache: BuildCache | None) -> None:
    """Forget what the cache kept of the preview's folder that this build brought up to date (it is this output
    now)."""
    if cache is not None and options.recycle is not None:
        forget_output(cache, options.recycle)
