"""The build recipe: load, check, derive, render into staging, index, publish."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from builder.assemble import assemble
from builder.attachments import attach_files
from builder.config import load_config
from builder.content import ContentReader, load_content
from builder.disclosure import Freshness, audit_json, resolve_as_of, write_audit
from builder.errors import ContentError, Message, OutputError, Problem, Problems
from builder.i18n import _
from builder.manifest import write_manifest
from builder.model import Content
from builder.output import Staging, check_output_dir
from builder.pages import PageWriter
from builder.privacy import Masked
from builder.render import Renderer, make_environment, template_problem, theme_dirs
from builder.search import index_site
from builder.sitemodel import Site
from builder.source import HAVE_LIBYAML


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

    @property
    def output(self) -> Path:
        """The output folder (SITE_DIR/output by default)."""
        return self.output_dir if self.output_dir is not None else self.site_dir / "output"

    @property
    def audit(self) -> Path:
        """Where the audit of left-out records goes (SITE_DIR/.gongshi/audit.json by default)."""
        return self.audit_file if self.audit_file is not None else self.site_dir / ".gongshi" / "audit.json"


@dataclass
class BuildReport:
    """What a check or build did."""

    site: Site
    warnings: list[Problem]
    masked: list[Masked]
    pages: int = 0
    indexed: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    freshness: Freshness | None = None


def load_site(options: BuildOptions) -> BuildReport:
    """Read and check everything; raise ContentError listing every problem."""
    problems = Problems()
    try:
        as_of = resolve_as_of(options.as_of, os.environ, dt.date.today())
    except ValueError as exc:
        raise ContentError([Problem("SOURCE_DATE_EPOCH", 1, 1, "environment", Message("GS902", str(exc)))]) from None
    config = load_config(options.site_dir, problems, options.encoding)
    reader = ContentReader(options.site_dir, problems, options.encoding, options.mask_personal_data)
    taxonomy, periods, rankings, warnings, pages = load_content(reader)
    if config is None or problems.errors:
        raise ContentError(problems.errors + problems.warnings)
    content = Content(config, taxonomy, tuple(periods), tuple(rankings), tuple(warnings), tuple(pages))
    content = attach_files(content, options.site_dir, problems, as_of)  # images and attachments of warnings and pages
    site = assemble(content, problems, options.strict, as_of)
    if problems.errors:
        raise ContentError(problems.errors + problems.warnings)
    notes = [] if HAVE_LIBYAML else [_("libyaml is not available: YAML loading is about 10× slower")]
    updated = site.updated
    freshness = Freshness(as_of, updated, config.stale_after_days)
    if freshness.stale:
        notes.append(_("the newest data ({updated}) is more than {days} days old on {as_of}: the site shows a "
                       "stale-data notice").format(updated=updated or _("none"), days=config.stale_after_days,
                                                   as_of=as_of))
    return BuildReport(site, problems.warnings, reader.masked, notes=notes, freshness=freshness)


def build(options: BuildOptions) -> BuildReport:
    """Build the site into a staging folder and swap it in for the output folder."""
    started = time.perf_counter()
    unsafe = check_output_dir(options.site_dir, options.output)
    if unsafe:
        raise ContentError([Problem(str(options.output), 1, 1, "--output", unsafe)])
    report = load_site(options)
    config = report.site.content.config
    dirs = theme_dirs(options.site_dir, config.theme)
    env = make_environment(dirs)
    common = {"config": config, "site": report.site, "freshness": report.freshness}
    with Staging(options.output) as staging:
        writer = PageWriter(report.site, Renderer(env, common), staging)
        try:
            writer.write_all(dirs)
        except jinja2.TemplateError as exc:
            raise ContentError([template_problem(exc, options.site_dir)]) from None
        assert staging.root is not None
        if options.search:
            report.indexed = index_site(staging.root)

        write_manifest(staging.root)  # SHA256SUMS: the last file of the build, listing every other one

        assert report.freshness is not None
        try:
            write_audit(options.audit, audit_json(report.freshness.as_of, config.retention_months,
                                                  report.site.left_out))
        except OSError as exc:
            raise OutputError(str(options.audit), _("cannot write the audit file: {reason}").format(
                reason=exc.strerror)) from None
        staging.publish()
    report.pages = writer.count
    report.seconds = time.perf_counter() - started
    return report
