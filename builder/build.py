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
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import pypinyin

from builder.assemble import assemble
from builder.attachments import attach_files
from builder.buildcache import BuildCache, tool_digest
from builder.config import load_config
from builder.content import ContentReader, load_content
from builder.disclosure import Freshness, audit_json, resolve_as_of, write_audit
from builder.errors import ContentError, Message, OutputError, Problem, Problems, SearchIndexError
from builder.fingerprint import digest, digest_of
from builder.i18n import N_, _
from builder.manifest import MANIFEST, manifest_bytes
from builder.model import Content
from builder.output import check_output_dir
from builder.outputtree import OutputTree, TreeManifest, load_manifest, output_manifest, verify_tree
from builder.pageoutput import PageKeys, PageOutput
from builder.pages import PageWriter
from builder.pinyin import remember_keys, used_keys
from builder.privacy import Masked
from builder.render import Renderer, make_environment, template_problem, theme_dirs
from builder.search import BUILD_NICE, SearchIndexer, pagefind_binary
from builder.sitemodel import Site
from builder.source import HAVE_LIBYAML
from builder.trash import delete_pending, empty_trash

PINYIN_CACHE = f"pinyin-{pypinyin.__version__}"  # names' pinyin keys (pypinyin is slow: ~0.15 ms a name)
#: How a build reports what it is doing: (stage, done so far, total or None). Only cli.py shows it.
Progress = Callable[[str, int, int | None], None]


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
    origins: dict[int, str] = field(default_factory=dict, repr=False)  # record id -> what it was read from


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
        known = cache.load(PINYIN_CACHE) if cache is not None and not options.clean else None
        remember_keys(known if isinstance(known, dict) else {})
        site = assemble(content, problems, options.strict, as_of)
    used = used_keys()  # names and the directory's trade names
    if cache is not None and (not isinstance(known, dict) or used.keys() != known.keys()):
        cache.save(PINYIN_CACHE, used)
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


def build(options: BuildOptions, progress: Progress | None = None) -> BuildReport:
    """Build the site into a staging folder and swap it in for the output folder (incremental; see above)."""
    try:
        return _build(options, progress)
    finally:
        gc.unfreeze()  # the site loaded for this build may go (serve builds again and again in one process)
        delete_pending()  # what the build threw away, deleted now that it no longer competes for the disk


def _build(options: BuildOptions, progress: Progress | None) -> BuildReport:
    started = time.perf_counter()
    unsafe = check_output_dir(options.site_dir, options.output)
    if unsafe:
        raise ContentError([Problem(str(options.output), 1, 1, "--output", unsafe)])
    empty_trash(options.site_dir / ".gongshi" / "trash")
    cache = BuildCache.open(options.site_dir)
    try:
        return _build_with(options, progress, cache, started)
    finally:
        if cache is not None:
            cache.write_pending()  # the files this build read, for the next one (even when this one failed)


def _build_with(options: BuildOptions, progress: Progress | None, cache: BuildCache | None,
                started: float) -> BuildReport:
    gongshi_dir = options.site_dir / ".gongshi"
    build_key = inputs_key(options)
    if cache is not None and not options.clean:
        done = unchanged(options, cache, build_key)
        if done is not None:
            done.seconds = time.perf_counter() - started
            return done
    report = load_site(options, cache, progress)
    # The site lives until the build ends: the collector need not walk its millions of objects again and
    # again while pages are rendered (at 100,000 merchants that walking grew faster than the site).
    gc.freeze()
    site = report.site
    assert site is not None and report.freshness is not None
    config = site.content.config
    dirs = theme_dirs(options.site_dir, config.theme)
    env = make_environment(dirs)
    common = {"config": config, "site": site, "freshness": report.freshness}
    renderer = Renderer(env, common)
    audit = audit_json(report.freshness.as_of, config.retention_months, site.left_out)
    with OutputTree(options.output, cache, gongshi_dir, not options.clean, options.link_from,
                    options.recycle) as tree:
        indexer = None
        if options.search:
            indexer = SearchIndexer(tree, progress=progress, cache=cache, nice=BUILD_NICE)
        keys = PageKeys(env, dirs, common, options_key(options), report.origins)
        # the merchant pages are in the full-text index of our own (textindex.py), the rest in Pagefind's
        output = PageOutput(tree, renderer, keys, indexer, progress,
                            unindexed=frozenset(f"{m.url}index.html" for m in site.merchants))
        writer = PageWriter(site, renderer, tree, output)
        try:
            writer.write_all(dirs)
            if cache is not None:
                cache.write_pending()  # before Pagefind indexes the warnings
            if indexer is not None:
                report.indexed = indexer.finish(output.other_pages, output.marked)
        except jinja2.TemplateError as exc:
            raise ContentError([template_problem(exc, options.site_dir)]) from None
        finally:
            if indexer is not None and not indexer.finished:
                indexer.abort()
        report.pages, report.rendered, report.kept = writer.count, output.rendered, output.placed - output.rendered
        # SHA256SUMS: the last file of the build, listing every other one (from the digests the tree keeps)
        tree.write(MANIFEST, manifest_bytes({route: sha for route, sha in tree.digests().items() if route != MANIFEST}))
        try:
            write_audit(options.audit, audit)
        except OSError as exc:
            raise OutputError(str(options.audit), _("cannot write the audit file: {reason}").format(
                reason=exc.strerror)) from None
        if progress is not None:
            progress(N_("publishing"), 0, None)
        tree.prune()
        tree.publish_tree(tree.manifest(build_key, summary(report, audit)))
    if cache is not None and options.recycle is not None:  # that folder is this output now
        cache.forget(output_manifest(options.recycle))
    report.seconds = time.perf_counter() - started
    return report


def options_key(options: BuildOptions) -> str:
    """What of the options changes the output (the output and audit places do not)."""
    return digest(str(options.strict), options.encoding, str(options.mask_personal_data), str(options.search))


def inputs_key(options: BuildOptions) -> str:
    """A digest of everything a build reads: the tool, the options, the as-of date and every input file (read
    one at a time: at 100,000 merchants the inputs are 250 MB)."""
    return digest_of(_input_parts(options))


def _input_parts(options: BuildOptions) -> Iterator[str | bytes]:
    """What `inputs_key` digests, in order."""
    try:
        as_of = resolve_as_of(options.as_of, os.environ, dt.date.today()).isoformat()
    except ValueError as exc:
        as_of = f"invalid: {exc}"
    yield from (tool_digest(), options_key(options), as_of)
    if options.search:
        try:
            binary = pagefind_binary()
            stat = binary.stat()
            yield f"{binary}:{stat.st_size}:{stat.st_mtime_ns}"  # another Pagefind: another index
        except (SearchIndexError, OSError):
            yield "no pagefind"
    site_dir = options.site_dir
    for top in ("site.yaml", "content", "themes"):
        path = site_dir / top
        files = [path] if not path.is_dir() else sorted(p for p in path.rglob("*") if not p.is_dir())
        for found in files:
            yield found.relative_to(site_dir).as_posix()
            try:
                yield found.read_bytes()
            except OSError as exc:
                yield f"unreadable: {exc.errno}"


def summary(report: BuildReport, audit: str) -> dict[str, object]:
    """What a later build that finds nothing changed reports again."""
    return {"report": replace(report, site=None, seconds=0.0, rendered=0, kept=report.pages, origins={}),
            "audit": audit}


def unchanged(options: BuildOptions, cache: BuildCache, build_key: str) -> BuildReport | None:
    """The last build's report when its inputs are the same and its output is intact (else None: build)."""
    manifest = load_manifest(cache, output_manifest(options.output), options.output)
    if not isinstance(manifest, TreeManifest) or manifest.build_key != build_key:
        return None
    last, audit = manifest.summary.get("report"), manifest.summary.get("audit")
    if not isinstance(last, BuildReport) or not isinstance(audit, str) or not verify_tree(options.output, manifest):
        return None
    try:
        write_audit(options.audit, audit)
    except OSError as exc:
        raise OutputError(str(options.audit), _("cannot write the audit file: {reason}").format(
            reason=exc.strerror)) from None
    return replace(last, up_to_date=True)
