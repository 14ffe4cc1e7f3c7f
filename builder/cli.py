"""The `gongshi` command line: the only module that prints or exits."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import threading
import time
from pathlib import Path

import click

from builder import __version__
from builder.build import BuildOptions, BuildReport, build, load_site
from builder.dates import parse_date
from builder.errors import ContentError, GongshiError, OutputError, Problem, SearchIndexError
from builder.model import WARNING_TYPES
from builder.previewstate import Report
from builder.source import ENCODINGS

SITE_DIR = click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
ENCODING = click.option("--input-encoding", "encoding", type=click.Choice(ENCODINGS), default="utf-8",
                        show_default=True, help="Read content files in this encoding (gb18030 converts GBK files).")
STRICT = click.option("--strict", is_flag=True, help="Treat warnings (e.g. a changed name for the same credit "
                                                     "code) as errors.")


def _as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"`{value}` is not a date in the form YYYY-MM-DD")
    return day


AS_OF = click.option("--as-of", "as_of", metavar="YYYY-MM-DD", callback=_as_of,
                     help="Publish as of this date (retention, freshness) [default: SOURCE_DATE_EPOCH, else today].")
MASK = click.option("--mask-personal-data", is_flag=True,
                    help="Mask phone, ID-card and bank-card numbers and e-mails instead of stopping.")


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _print_report(report: BuildReport) -> None:
    _print_problems(report.warnings)
    for masked in report.masked:
        click.echo(str(masked), err=True)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)


def _print_disclosure(report: BuildReport, options: BuildOptions | None = None) -> None:
    fresh = report.freshness
    if fresh is None:
        return
    left = report.counts.left_out
    where = f"; audit written to {options.audit}" if options is not None else ""
    click.echo(f"As of {fresh.as_of.isoformat()}: data last updated {fresh.updated or 'never'}; "
               f"{left} record(s) left out (withdrawn, past retention or dated after the as-of date){where}.")


class ProgressLine:
    """Shows a build's stage, count and rate on one terminal line, once the build has taken ~2 s."""

    DELAY = 2.0

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.stage = ""
        self.stage_started = self.started
        self.shown = False
        self.lock = threading.Lock()

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        with self.lock:
            now = time.monotonic()
            if stage != self.stage:
                self.stage, self.stage_started = stage, now
            if now - self.started < self.DELAY:
                return
            elapsed = max(now - self.stage_started, 1e-6)
            count = f"{done:,}/{total:,}" if total else (f"{done:,}" if done else "")
            rate = f" ({done / elapsed:,.0f}/s)" if done and elapsed > 0.5 else ""
            click.echo(f"\r\x1b[K{now - self.started:5.0f} s  {stage} {count}{rate}", nl=False, err=True)
            self.shown = True

    def clear(self) -> None:
        """Remove the line before the summary is printed."""
        with self.lock:
            if self.shown:
                click.echo("\r\x1b[K", nl=False, err=True)
                self.shown = False


def _fail(exc: GongshiError) -> None:
    if isinstance(exc, ContentError):
        errors = [p for p in exc.problems if p.severity == "error"]
        _print_problems(exc.problems)
        click.echo(f"Error: {len(errors)} problem(s) found; nothing was written.", err=True)
        sys.exit(1)
    if isinstance(exc, (OutputError, SearchIndexError)):
        click.echo(f"Error: {exc}; the previous output was left as it was.", err=True)
        sys.exit(2)
    click.echo(f"Error: {exc}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gongshi")
def main() -> None:
    """gongshi: build a consumer-complaint disclosure site (消费投诉信息公示) from YAML and Markdown."""


@main.command("build")
@SITE_DIR
@click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: SITE_DIR/output].")
@STRICT
@ENCODING
@MASK
@click.option("--no-search", is_flag=True, help="Skip the search index (faster previews).")
@AS_OF
@click.option("--audit", "audit_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the audit of left-out records [default: SITE_DIR/.gongshi/audit.json].")
@click.option("--clean", is_flag=True, help="Ignore the build cache in SITE_DIR/.gongshi/ and render everything.")
def build_command(site_dir: Path, output_dir: Path | None, strict: bool, encoding: str, mask_personal_data: bool,
                  no_search: bool, as_of: dt.date | None, audit_file: Path | None, clean: bool) -> None:
    """Build the site into the output folder (replaced only when the build succeeds)."""
    options = BuildOptions(site_dir, output_dir, strict, encoding, mask_personal_data, not no_search, as_of,
                           audit_file, clean)
    progress = ProgressLine() if sys.stderr.isatty() else None
    try:
        report = build(options, progress)
    except GongshiError as exc:
        if progress is not None:
            progress.clear()
        _fail(exc)
        return
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        click.echo("Interrupted; the previous output was left as it was.", err=True)
        sys.exit(130)
    if progress is not None:
        progress.clear()
    _print_report(report)
    counts = report.counts
    if report.up_to_date:
        done = f"Nothing changed since the last build: {options.output} is up to date ({report.pages} pages"
    else:
        kept = report.kept
        done = (f"Built {report.pages} pages ({counts.merchants} merchants, {counts.periods} periods, "
                f"{counts.warnings} warnings; {report.indexed} pages indexed for search"
                + (f"; {kept} unchanged pages kept from the last build" if kept else "") + f") into {options.output}")
    click.echo(f"{done} in {report.seconds:.1f} s." if not report.up_to_date else f"{done}; {report.seconds:.1f} s).")
    _print_disclosure(report, options)


@main.command("check")
@SITE_DIR
@STRICT
@ENCODING
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How to print the problems.")
@AS_OF
def check_command(site_dir: Path, strict: bool, encoding: str, output_format: str, as_of: dt.date | None) -> None:
    """Check every file of a site folder; write nothing."""
    options = BuildOptions(site_dir, strict=strict, encoding=encoding, as_of=as_of)
    try:
        report = load_site(options)
    except ContentError as exc:
        if output_format == "json":
            click.echo(json.dumps({"ok": False, "problems": [p.as_dict() for p in exc.problems]},
                                  ensure_ascii=False, indent=1))
            sys.exit(1)
        _fail(exc)
        return
    if output_format == "json":
        click.echo(json.dumps({"ok": True, "problems": [p.as_dict() for p in report.warnings]},
                              ensure_ascii=False, indent=1))
        return
    _print_report(report)
    counts = report.counts
    click.echo(f"OK: {counts.merchants} merchants, {counts.periods} periods, {counts.rankings} rankings, "
               f"{counts.warnings} warnings, {counts.pages} pages.")
    _print_disclosure(report)


@main.command("serve")
@SITE_DIR
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDR",
              help="Address to listen on; 0.0.0.0 shows the preview to other computers on the network.")
@click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder [default: SITE_DIR/output]; gets each preview build once it is complete "
                   "(search index included).")
@AS_OF
@click.option("--no-reload", is_flag=True,
              help="Rebuild on changes but do not reload open pages (no script is added to them).")
def serve_command(site_dir: Path, port: int, host: str, output_dir: Path | None, as_of: dt.date | None,
                  no_reload: bool) -> None:
    """Live preview: build, serve on 127.0.0.1, rebuild on every change and reload open pages."""
    from builder.serve import PortInUse, Preview, ServeOptions, stop_signals

    if not site_dir.is_dir():
        click.echo(f"Error: {site_dir} is not a folder (give the site folder, the one with site.yaml)", err=True)
        sys.exit(2)
    options = ServeOptions(BuildOptions(site_dir, output_dir, as_of=as_of), host, port, not no_reload)
    preview: Preview | None = None
    try:
        with stop_signals():  # from here on Ctrl-C, SIGTERM and SIGHUP stop the preview cleanly
            try:
                preview = Preview(options, _print_preview)
                bound = preview.bind()
            except PortInUse as exc:
                click.echo(f"Error: {exc}; stop the other program or choose another port with --port "
                           f"(e.g. --port {exc.port + 1 if exc.port < 65535 else 8000}).", err=True)
                sys.exit(2)
            except OSError as exc:
                click.echo(f"Error: cannot listen on {host} port {port}: {exc.strerror or exc}; choose another "
                           f"--host or --port.", err=True)
                sys.exit(2)
            except GongshiError as exc:
                _fail(exc)
                return
            if options.public:
                click.echo(f"Warning: --host {host} shows this preview, drafts and mistakes included, to every "
                           f"computer that can reach this one on port {bound}; use it only on a trusted network.",
                           err=True)
            reload = "pages reload after each rebuild" if not no_reload else "no automatic reload"
            click.echo(f"Serving a live preview of {site_dir} on {preview.url()} ({reload}; Ctrl-C to stop)")
            preview.run()
    except KeyboardInterrupt:  # before the preview ran (it stops itself once running)
        pass
    finally:
        if preview is not None:
            preview.close()
    click.echo("Stopped.")


def _print_preview(report: Report) -> None:
    """Print what the live preview reports (problems go to stderr)."""
    failed = report.kind in ("failed", "index-failed")
    click.echo(report.message, err=failed or report.kind == "note")
    for line in report.lines:
        click.echo(line, err=True)


@main.command("init")
@click.argument("directory", default=".", metavar="[DIR]", type=click.Path(path_type=Path))
def init_command(directory: Path) -> None:
    """Create a new site folder (DIR must be new or empty) with a fictional example of every kind."""
    from builder.scaffold import ScaffoldError, init_site

    try:
        written = init_site(directory, _today())
    except ScaffoldError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Created a new site in {directory} ({len(written)} files; the merchants, complaints and warning "
               f"are fictional examples). Read {directory / 'README.md'}, then: gongshi build {directory}")


def _today() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH when it is set (as for the as-of date of a build)."""
    from builder.disclosure import resolve_as_of

    try:
        return resolve_as_of(None, os.environ, dt.date.today())
    except ValueError as exc:
        click.echo(f"Error: SOURCE_DATE_EPOCH: {exc}", err=True)
        sys.exit(2)


def _new(kind: str, title: str, site_dir: Path, date: dt.date | None, warning_type: str = "消费提醒") -> None:
    from builder.newcontent import BrokenSiteError, NewContentError, new_article

    try:
        path = new_article(site_dir, kind, title, date or _today(), warning_type)
    except BrokenSiteError as exc:  # site.yaml itself: reported exactly as `gongshi check` reports it
        _fail(exc)
        return
    except ContentError as exc:
        _print_problems(exc.problems)
        click.echo("Error: the archetype gives a file that would not build; nothing was written.", err=True)
        sys.exit(1)
    except NewContentError as exc:
        click.echo(f"Error: {exc}; nothing was written.", err=True)
        sys.exit(1)
    except OSError as exc:  # e.g. a SITE_DIR name too long for the file system
        click.echo(f"Error: {exc.filename or site_dir}: {exc.strerror}; nothing was written.", err=True)
        sys.exit(1)
    click.echo(str(path))


@main.group("new")
def new_group() -> None:
    """Create a new warning or page (from archetypes/<kind>.md when the site has one)."""


@new_group.command("warning")
@click.argument("title")
@SITE_DIR
@click.option("--type", "warning_type", type=click.Choice(list(WARNING_TYPES)), default="消费提醒",
              show_default=True, help="The kind of warning.")
@click.option("--date", "date", metavar="YYYY-MM-DD", callback=_as_of,
              help="The warning's date [default: today, or SOURCE_DATE_EPOCH's date].")
def new_warning_command(title: str, site_dir: Path, warning_type: str, date: dt.date | None) -> None:
    """Write content/warnings/<date>-<slug>.md with its front matter filled in, and print its path."""
    _new("warning", title, site_dir, date, warning_type)


@new_group.command("page")
@click.argument("title")
@SITE_DIR
def new_page_command(title: str, site_dir: Path) -> None:
    """Write content/pages/<slug>.md with its front matter filled in, and print its path."""
    _new("page", title, site_dir, None)


# ------------------------------------------------------------------------------ verify and publish (issue 14)

OUTPUT_OF_BUILD = click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
                               help="The build's output folder [default: SITE_DIR/output].")


@main.command("verify")
@click.argument("target")
@SITE_DIR
@OUTPUT_OF_BUILD
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when the target is untouched (for cron).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How to print the result.")
def verify_command(target: str, site_dir: Path, output_dir: Path | None, quiet: bool, output_format: str) -> None:
    """Compare TARGET (the site's URL, or a folder) with the build's SHA256SUMS.

    Exit status: 0 untouched, 1 something differs, 2 TARGET cannot be reached, 3 the build has no
    readable SHA256SUMS.
    """
    from builder.manifest import ManifestError
    from builder.verify import verify

    build_dir = output_dir if output_dir is not None else site_dir / "output"
    try:
        report = verify(target, build_dir)
    except GongshiError as exc:
        status = 3 if isinstance(exc, ManifestError) else 2  # the trusted copy itself, not TARGET
        if output_format == "json":
            click.echo(json.dumps({"target": target, "untouched": False, "status": status, "error": str(exc)},
                                  ensure_ascii=False, indent=1))
        else:
            click.echo(f"Error: {exc}", err=True)
        sys.exit(status)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    if quiet and report.status == 0:
        return
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        sys.exit(report.status)
    for difference in report.differences:
        click.echo(str(difference))
    if report.status == 0:
        click.echo(f"Untouched: {target} serves all {report.files} files of {report.manifest} "
                   f"({report.seconds:.1f} s).")
    else:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(report.counts().items()))
        click.echo(f"{'Differs' if report.status == 1 else 'Unreachable'}: {len(report.differences)} of "
                   f"{report.files} files of {report.manifest} at {target} ({counts}; {report.seconds:.1f} s).")
    sys.exit(report.status)


@main.command("publish")
@click.argument("dest")
@SITE_DIR
@OUTPUT_OF_BUILD
@click.option("--keep", default=5, show_default=True, type=click.IntRange(min=1),
              help="How many releases to keep in DEST/releases (current included).")
@click.option("--rollback", is_flag=True, help="Point DEST/current back at the release before it; copies nothing.")
def publish_command(dest: str, site_dir: Path, output_dir: Path | None, keep: int, rollback: bool) -> None:
    """Copy the build to DEST/releases/<UTC time>-<hash>/, check it there, then switch DEST/current to it.

    DEST is a local folder or an rsync/SSH target user@host:/path (ssh command: $GONGSHI_SSH, default ssh).
    """
    from builder.publish import publish
    from builder.publish import rollback as roll_back
    from builder.releases import BuildRefused

    build_dir = output_dir if output_dir is not None else site_dir / "output"
    left = f"{dest.rstrip('/')}/current was left as it was"
    try:
        if rollback:
            back = roll_back(dest)
            click.echo(f"Rolled back {back.dest}: current → releases/{back.release} (was releases/{back.was}).")
            return
        report = publish(dest, build_dir, keep)
    except BuildRefused as exc:
        click.echo(f"Error: {exc}; nothing was published.", err=True)
        sys.exit(1)
    except GongshiError as exc:
        click.echo(f"Error: {exc}; {left}.", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo(f"Interrupted; {left}.", err=True)
        sys.exit(130)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    if report.linked is None:
        how = f"{report.files} files"
    else:
        how = f"{report.files} files: {report.copied} copied, {report.linked} hard-linked from the previous release"
    click.echo(f"Published {build_dir} to {report.dest} as releases/{report.release} ({how}; checked there) in "
               f"{report.seconds:.1f} s; current → releases/{report.release}"
               + (f" (was releases/{report.previous})." if report.previous else "."))
    if report.removed:
        click.echo(f"Removed {len(report.removed)} old release(s): {', '.join(report.removed)}.")


def _pairs(_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"`{value}` is not FIELD=TEXT (e.g. --{param.name} name=被投诉人)")
        pairs.append((name.strip(), text.strip()))
    return tuple(pairs)


def _published(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(f"`{value}` is not a date in the form YYYY-MM-DD")
    return day


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@SITE_DIR
@click.option("--period", required=True, metavar="PERIOD", help="The disclosure period: YYYY-MM, YYYY-Qn, YYYY-H1|H2 "
                                                                 "or YYYY.")
@click.option("--published", metavar="YYYY-MM-DD", callback=_published,
              help="Publication date [default: the as-of date: SOURCE_DATE_EPOCH, else today].")
@click.option("--department", metavar="TEXT", help="公示部门 [default: site.yaml's organizer].")
@click.option("--sheet", metavar="NAME", help="The sheet to read [default: the first one with a header row].")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", callback=_pairs,
              help="Read FIELD from the column headed COLUMN (adds to or overrides the header table).")
@click.option("--default", "defaults", multiple=True, metavar="FIELD=VALUE", callback=_pairs,
              help="Give district or category one value where the file has no column (or an empty cell).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write, in SITE_DIR/content/complaints/ [default: <period>.yaml there].")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--dry-run", is_flag=True, help="Read, check and report; write nothing.")
@click.option("--skip-bad-rows", is_flag=True, help="Write the good rows and report the others.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="How to print the report.")
def import_command(file: Path, site_dir: Path, period: str, published: dt.date | None, department: str | None,
                   sheet: str | None, mapping: tuple[tuple[str, str], ...], defaults: tuple[tuple[str, str], ...],
                   out: Path | None, force: bool, dry_run: bool, skip_bad_rows: bool, output_format: str) -> None:
    """Import a spreadsheet (XLSX, XLS, CSV) as a period file in content/complaints/, checked like `gongshi check`."""
    from builder.importing.report import ImportFailed
    from builder.importing.run import ImportOptions, run_import

    options = ImportOptions(file, site_dir, period, published, department, sheet, mapping, defaults, out, force,
                            dry_run, skip_bad_rows)
    try:
        report = run_import(options)
    except ImportFailed as exc:
        if output_format == "json":
            click.echo(json.dumps(exc.report.as_dict(), ensure_ascii=False, indent=1))
        else:
            for line in exc.report.detail_lines():
                click.echo(line, err=True)
            click.echo(exc.report.summary(), err=True)
        sys.exit(1)
    except GongshiError as exc:
        if output_format == "json":
            click.echo(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False))
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("Interrupted; content/ was left as it was.", err=True)
        sys.exit(130)
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return
    for line in report.detail_lines():
        click.echo(line, err=True)
    click.echo(report.summary())
