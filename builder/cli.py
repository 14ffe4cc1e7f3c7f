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

from builder import i18n

i18n.bind_click()  # before any command is defined: Click's own texts come from our catalog in the chosen language

from builder import __version__  # noqa: E402
from builder.buildreport import BuildOptions, BuildReport  # noqa: E402
from builder.dates import parse_date  # noqa: E402
from builder.errors import ContentError, GongshiError, OutputError, Problem, SearchIndexError  # noqa: E402
from builder.i18n import _  # noqa: E402
from builder.manifest import KIND_LABELS  # noqa: E402
from builder.model import WARNING_TYPES  # noqa: E402
from builder.previewstate import Report  # noqa: E402
from builder.source import ENCODINGS  # noqa: E402

SITE_DIR = click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
ENCODING = click.option("--input-encoding", "encoding", type=click.Choice(ENCODINGS), default="utf-8",
                        show_default=True, help=_("Read content files in this encoding (gb18030 converts GBK "
                                                  "files)."))
STRICT = click.option("--strict", is_flag=True, help=_("Treat warnings (e.g. a changed name for the same credit "
                                                       "code) as errors."))


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """A date option's value (the forms parse_date reads), or a usage error naming what was given."""
    if value is None:
        return None
    day = parse_date(value)
    if day is None:
        raise click.BadParameter(_("`{value}` is not a date in the form YYYY-MM-DD").format(value=value))
    return day


AS_OF = click.option("--as-of", "as_of", metavar="YYYY-MM-DD", callback=_date,
                     help=_("Publish as of this date (retention, freshness) [default: SOURCE_DATE_EPOCH, else "
                            "today]."))
MASK = click.option("--mask-personal-data", is_flag=True,
                    help=_("Mask phone, ID-card and bank-card numbers and e-mails instead of stopping."))


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _print_report(report: BuildReport) -> None:
    _print_problems(report.warnings)
    for masked in report.masked:
        click.echo(str(masked), err=True)
    for note in report.notes:
        click.echo(_("note: {note}").format(note=note), err=True)


def _print_disclosure(report: BuildReport, options: BuildOptions | None = None) -> None:
    fresh = report.freshness
    if fresh is None:
        return
    left = report.counts.left_out
    where = _("; audit written to {path}").format(path=options.audit) if options is not None else ""
    click.echo(_("As of {as_of}: data last updated {updated}; {count} record(s) left out (withdrawn, past retention "
                 "or dated after the as-of date){where}.").format(
        as_of=fresh.as_of.isoformat(), updated=fresh.updated or _("never"), count=left, where=where))


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
            click.echo(f"\r\x1b[K{now - self.started:5.0f} s  {_(stage)} {count}{rate}", nl=False, err=True)
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
        click.echo(_("Error: {count} problem(s) found; nothing was written.").format(count=len(errors)), err=True)
        sys.exit(1)
    if isinstance(exc, (OutputError, SearchIndexError)):
        click.echo(_("Error: {detail}; the previous output was left as it was.").format(detail=exc), err=True)
        sys.exit(2)
    _error(exc)
    sys.exit(2)


def _error(detail: object) -> None:
    click.echo(_("Error: {detail}").format(detail=detail), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             help=_("gongshi: build a consumer-complaint disclosure site (消费投诉信息公示) from YAML and Markdown."))
@click.version_option(__version__, prog_name="gongshi")
def main() -> None:
    """gongshi: build a consumer-complaint disclosure site (消费投诉信息公示) from YAML and Markdown."""


@main.command("build", help=_("Build the site into the output folder (replaced only when the build succeeds)."))
@SITE_DIR
@click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help=_("Output folder [default: SITE_DIR/output]."))
@STRICT
@ENCODING
@MASK
@click.option("--no-search", is_flag=True, help=_("Skip the search index (faster previews)."))
@AS_OF
@click.option("--audit", "audit_file", type=click.Path(dir_okay=False, path_type=Path),
              help=_("Where to write the audit of left-out records [default: SITE_DIR/.gongshi/audit.json]."))
@click.option("--clean", is_flag=True, help=_("Ignore the build cache in SITE_DIR/.gongshi/ and render everything."))
def build_command(site_dir: Path, output_dir: Path | None, strict: bool, encoding: str, mask_personal_data: bool,
                  no_search: bool, as_of: dt.date | None, audit_file: Path | None, clean: bool) -> None:
    """Build the site into the output folder (replaced only when the build succeeds)."""
    options = BuildOptions(site_dir, output_dir, strict, encoding, mask_personal_data, not no_search, as_of,
                           audit_file, clean)
    progress = ProgressLine() if sys.stderr.isatty() else None
    try:
        report = _build(options, progress)
    except GongshiError as exc:
        if progress is not None:
            progress.clear()
        _fail(exc)
        return
    except KeyboardInterrupt:
        if progress is not None:
            progress.clear()
        click.echo(_("Interrupted; the previous output was left as it was."), err=True)
        sys.exit(130)
    if progress is not None:
        progress.clear()
    _print_report(report)
    counts = report.counts
    if report.up_to_date:
        click.echo(_("Nothing changed since the last build: {output} is up to date ({pages} pages; {seconds:.1f} s)."
                     ).format(output=options.output, pages=report.pages, seconds=report.seconds))
    else:
        kept = (_("; {kept} unchanged pages kept from the last build").format(kept=report.kept)
                if report.kept else "")
        click.echo(_("Built {pages} pages ({merchants} merchants, {periods} periods, {warnings} warnings; {indexed} "
                     "pages indexed for search{kept}) into {output} in {seconds:.1f} s.").format(
            pages=report.pages, merchants=counts.merchants, periods=counts.periods, warnings=counts.warnings,
            indexed=report.indexed, kept=kept, output=options.output, seconds=report.seconds))
    _print_disclosure(report, options)


def _build(options: BuildOptions, progress: ProgressLine | None) -> BuildReport:
    """Build, unless nothing changed since the last build: that is found without loading the renderer."""
    from builder.uptodate import up_to_date

    checked = up_to_date(options)
    if checked.report is not None:
        return checked.report
    from builder.build import build

    return build(options, progress, checked)


@main.command("check", help=_("Check every file of a site folder; write nothing."))
@SITE_DIR
@STRICT
@ENCODING
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=_("How to print the problems."))
@AS_OF
def check_command(site_dir: Path, strict: bool, encoding: str, output_format: str, as_of: dt.date | None) -> None:
    """Check every file of a site folder; write nothing."""
    from builder.build import load_site

    options = BuildOptions(site_dir, strict=strict, encoding=encoding, as_of=as_of)
    try:
        report = load_site(options)
    except ContentError as exc:
        if output_format == "json":
            click.echo(json.dumps({"ok": False, "language": i18n.LANGUAGE,
                                   "problems": [p.as_dict() for p in exc.problems]},
                                  ensure_ascii=False, indent=1))
            sys.exit(1)
        _fail(exc)
        return
    if output_format == "json":
        click.echo(json.dumps({"ok": True, "language": i18n.LANGUAGE,
                               "problems": [p.as_dict() for p in report.warnings]},
                              ensure_ascii=False, indent=1))
        return
    _print_report(report)
    counts = report.counts
    click.echo(_("OK: {merchants} merchants, {periods} periods, {rankings} rankings, {warnings} warnings, {pages} "
                 "pages.").format(merchants=counts.merchants, periods=counts.periods, rankings=counts.rankings,
                                  warnings=counts.warnings, pages=counts.pages))
    _print_disclosure(report)


@main.command("serve", help=_("Live preview: build, serve on 127.0.0.1, rebuild on every change and reload open "
                               "pages."))
@SITE_DIR
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help=_("Port to listen on (0: any free port)."))
@click.option("--host", default="127.0.0.1", show_default=True, metavar="ADDR",
              help=_("Address to listen on; 0.0.0.0 shows the preview to other computers on the network."))
@click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
              help=_("Output folder [default: SITE_DIR/output]; gets each preview build once it is complete "
                     "(search index included)."))
@AS_OF
@click.option("--no-reload", is_flag=True,
              help=_("Rebuild on changes but do not reload open pages (no script is added to them)."))
def serve_command(site_dir: Path, port: int, host: str, output_dir: Path | None, as_of: dt.date | None,
                  no_reload: bool) -> None:
    """Live preview: build, serve on 127.0.0.1, rebuild on every change and reload open pages."""
    from builder.serve import PortInUse, Preview, ServeOptions, stop_signals

    if not site_dir.is_dir():
        _error(_("{folder} is not a folder (give the site folder, the one with site.yaml)").format(folder=site_dir))
        sys.exit(2)
    options = ServeOptions(BuildOptions(site_dir, output_dir, as_of=as_of), host, port, not no_reload)
    preview: Preview | None = None
    try:
        with stop_signals():  # from here on Ctrl-C, SIGTERM and SIGHUP stop the preview cleanly
            try:
                preview = Preview(options, _print_preview)
                bound = preview.bind()
            except PortInUse as exc:
                _error(_("{detail}; stop the other program or choose another port with --port (e.g. --port "
                         "{port}).").format(detail=exc, port=exc.port + 1 if exc.port < 65535 else 8000))
                sys.exit(2)
            except OSError as exc:
                _error(_("cannot listen on {host} port {port}: {reason}; choose another --host or --port.").format(
                    host=host, port=port, reason=exc.strerror or exc))
                sys.exit(2)
            except GongshiError as exc:
                _fail(exc)
                return
            if options.public:
                click.echo(_("Warning: --host {host} shows this preview, drafts and mistakes included, to every "
                             "computer that can reach this one on port {port}; use it only on a trusted "
                             "network.").format(host=host, port=bound), err=True)
            reload = _("pages reload after each rebuild") if not no_reload else _("no automatic reload")
            click.echo(_("Serving a live preview of {folder} on {url} ({reload}; Ctrl-C to stop)").format(
                folder=site_dir, url=preview.url(), reload=reload))
            preview.run()
    except KeyboardInterrupt:  # before the preview ran (it stops itself once running)
        pass
    finally:
        if preview is not None:
            preview.close()
    click.echo(_("Stopped."))


def _print_preview(report: Report) -> None:
    """Print what the live preview reports (problems go to stderr)."""
    failed = report.kind in ("failed", "index-failed")
    click.echo(report.message, err=failed or report.kind == "note")
    for line in report.lines:
        click.echo(line, err=True)


@main.command("init", help=_("Create a new site folder (DIR must be new or empty) with a fictional example of every "
                              "kind."))
@click.argument("directory", default=".", metavar="[DIR]", type=click.Path(path_type=Path))
def init_command(directory: Path) -> None:
    """Create a new site folder (DIR must be new or empty) with a fictional example of every kind."""
    from builder.scaffold import ScaffoldError, init_site

    try:
        written = init_site(directory, _today())
    except ScaffoldError as exc:
        _error(exc)
        sys.exit(1)
    click.echo(_("Created a new site in {folder} ({count} files; the merchants, complaints and warning are "
                 "fictional examples). Read {guide}, then: gongshi build {folder}").format(
        folder=directory, count=len(written), guide=directory / "README.md"))


def _today() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH when it is set (as for the as-of date of a build)."""
    from builder.disclosure import resolve_as_of

    try:
        return resolve_as_of(None, os.environ, dt.date.today())
    except ValueError as exc:
        _error(f"SOURCE_DATE_EPOCH: {exc}")
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
        _error(_("the archetype gives a file that would not build; nothing was written."))
        sys.exit(1)
    except NewContentError as exc:
        _error(_("{detail}; nothing was written.").format(detail=exc))
        sys.exit(1)
    except OSError as exc:  # e.g. a SITE_DIR name too long for the file system
        _error(_("{path}: {reason}; nothing was written.").format(path=exc.filename or site_dir, reason=exc.strerror))
        sys.exit(1)
    click.echo(str(path))


@main.group("new", help=_("Create a new warning or page (from archetypes/<kind>.md when the site has one)."))
def new_group() -> None:
    """Create a new warning or page (from archetypes/<kind>.md when the site has one)."""


@new_group.command("warning", help=_("Write content/warnings/<date>-<slug>.md with its front matter filled in, and "
                                     "print its path."))
@click.argument("title")
@SITE_DIR
@click.option("--type", "warning_type", type=click.Choice(list(WARNING_TYPES)), default="消费提醒",
              show_default=True, help=_("The kind of warning."))
@click.option("--date", "date", metavar="YYYY-MM-DD", callback=_date,
              help=_("The warning's date [default: today, or SOURCE_DATE_EPOCH's date]."))
def new_warning_command(title: str, site_dir: Path, warning_type: str, date: dt.date | None) -> None:
    """Write content/warnings/<date>-<slug>.md with its front matter filled in, and print its path."""
    _new("warning", title, site_dir, date, warning_type)


@new_group.command("page", help=_("Write content/pages/<slug>.md with its front matter filled in, and print its "
                                  "path."))
@click.argument("title")
@SITE_DIR
def new_page_command(title: str, site_dir: Path) -> None:
    """Write content/pages/<slug>.md with its front matter filled in, and print its path."""
    _new("page", title, site_dir, None)


# ------------------------------------------------------------------------------ verify and publish (issue 14)

OUTPUT_OF_BUILD = click.option("--output", "-o", "output_dir", type=click.Path(file_okay=False, path_type=Path),
                               help=_("The build's output folder [default: SITE_DIR/output]."))


@main.command("verify", help=_("Compare TARGET (the site's URL, or a folder) with the build's SHA256SUMS.\n\nExit "
                                "status: 0 untouched, 1 something differs, 2 TARGET cannot be reached."))
@click.argument("target")
@SITE_DIR
@OUTPUT_OF_BUILD
@click.option("--quiet", "-q", is_flag=True, help=_("Print nothing when the target is untouched (for cron)."))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=_("How to print the result."))
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
            _error(exc)
        sys.exit(status)
    except KeyboardInterrupt:
        click.echo(_("Interrupted."), err=True)
        sys.exit(130)
    if quiet and report.status == 0:
        return
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        sys.exit(report.status)
    for difference in report.differences:
        click.echo(str(difference))
    if report.status == 0:
        click.echo(_("Untouched: {target} serves all {files} files of {manifest} ({seconds:.1f} s).").format(
            target=target, files=report.files, manifest=report.manifest, seconds=report.seconds))
    else:
        counts = _(", ").join(f"{n} {_(KIND_LABELS.get(kind, kind))}" for kind, n in sorted(report.counts().items()))
        text = (_("Differs: {count} of {files} files of {manifest} at {target} ({counts}; {seconds:.1f} s).")
                if report.status == 1 else
                _("Unreachable: {count} of {files} files of {manifest} at {target} ({counts}; {seconds:.1f} s)."))
        click.echo(text.format(count=len(report.differences), files=report.files, manifest=report.manifest,
                               target=target, counts=counts, seconds=report.seconds))
    sys.exit(report.status)


@main.command("publish", help=_("Copy the build to DEST/releases/<UTC time>-<hash>/, check it there, then switch "
                                 "DEST/current to it.\n\nDEST is a local folder or an rsync/SSH target "
                                 "user@host:/path (ssh command: $GONGSHI_SSH, default ssh)."))
@click.argument("dest")
@SITE_DIR
@OUTPUT_OF_BUILD
@click.option("--keep", default=5, show_default=True, type=click.IntRange(min=1),
              help=_("How many releases to keep in DEST/releases (current included)."))
@click.option("--rollback", is_flag=True, help=_("Point DEST/current back at the release before it; copies "
                                                 "nothing."))
def publish_command(dest: str, site_dir: Path, output_dir: Path | None, keep: int, rollback: bool) -> None:
    """Copy the build to DEST/releases/<UTC time>-<hash>/, check it there, then switch DEST/current to it.

    DEST is a local folder or an rsync/SSH target user@host:/path (ssh command: $GONGSHI_SSH, default ssh).
    """
    from builder.publish import publish
    from builder.publish import rollback as roll_back
    from builder.releases import BuildRefused

    build_dir = output_dir if output_dir is not None else site_dir / "output"
    left = _("{current} was left as it was").format(current=f"{dest.rstrip('/')}/current")
    try:
        if rollback:
            back = roll_back(dest)
            click.echo(_("Rolled back {dest}: current → releases/{release} (was releases/{was}).").format(
                dest=back.dest, release=back.release, was=back.was))
            return
        report = publish(dest, build_dir, keep)
    except BuildRefused as exc:
        _error(_("{detail}; nothing was published.").format(detail=exc))
        sys.exit(1)
    except GongshiError as exc:
        _error(_("{detail}; {left}.").format(detail=exc, left=left))
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo(_("Interrupted; {left}.").format(left=left), err=True)
        sys.exit(130)
    for note in report.notes:
        click.echo(_("note: {note}").format(note=note), err=True)
    if report.linked is None:
        how = _("{files} files").format(files=report.files)
    else:
        how = _("{files} files: {copied} copied, {linked} hard-linked from the previous release").format(
            files=report.files, copied=report.copied, linked=report.linked)
    done = (_("Published {build} to {dest} as releases/{release} ({how}; checked there) in {seconds:.1f} s; current "
              "→ releases/{release} (was releases/{previous}).") if report.previous else
            _("Published {build} to {dest} as releases/{release} ({how}; checked there) in {seconds:.1f} s; current "
              "→ releases/{release}."))
    click.echo(done.format(build=build_dir, dest=report.dest, release=report.release, how=how,
                           seconds=report.seconds, previous=report.previous))
    if report.removed:
        click.echo(_("Removed {count} old release(s): {names}.").format(count=len(report.removed),
                                                                      names=_(", ").join(report.removed)))


def _pairs(_ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        name, equals, text = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(_("`{value}` is not FIELD=TEXT (e.g. --{option} name=被投诉人)").format(
                value=value, option=param.name))
        pairs.append((name.strip(), text.strip()))
    return tuple(pairs)


@main.command("import", help=_("Import a spreadsheet (XLSX, XLS, CSV) as a period file in content/complaints/, "
                               "checked like `gongshi check`."))
@click.argument("file", type=click.Path(dir_okay=True, path_type=Path))
@SITE_DIR
@click.option("--period", required=True, metavar="PERIOD", help=_("The disclosure period: YYYY-MM, YYYY-Qn, "
                                                                   "YYYY-H1|H2 or YYYY."))
@click.option("--published", metavar="YYYY-MM-DD", callback=_date,
              help=_("Publication date [default: the as-of date: SOURCE_DATE_EPOCH, else today]."))
@click.option("--department", metavar="TEXT", help=_("公示部门 [default: site.yaml's organizer]."))
@click.option("--sheet", metavar="NAME", help=_("The sheet to read [default: the first one with a header row]."))
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN", callback=_pairs,
              help=_("Read FIELD from the column headed COLUMN (adds to or overrides the header table)."))
@click.option("--default", "defaults", multiple=True, metavar="FIELD=VALUE", callback=_pairs,
              help=_("Give district or category one value where the file has no column (or an empty cell)."))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help=_("The file to write, in SITE_DIR/content/complaints/ [default: <period>.yaml there]."))
@click.option("--force", is_flag=True, help=_("Replace an existing file."))
@click.option("--dry-run", is_flag=True, help=_("Read, check and report; write nothing."))
@click.option("--skip-bad-rows", is_flag=True, help=_("Write the good rows and report the others."))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help=_("How to print the report."))
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
        _error(exc)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo(_("Interrupted; content/ was left as it was."), err=True)
        sys.exit(130)
    if output_format == "json":
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
        return
    for line in report.detail_lines():
        click.echo(line, err=True)
    click.echo(report.summary())
