"""The import recipe: options, read, check row by row, aggregate, write in memory, check the site, then write."""

from __future__ import annotations

import datetime as dt
import gc
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from builder.codes import again, say
from builder.config import load_config
from builder.content import MAX_FILE_BYTES
from builder.errors import ContentError, Message, Problem, Problems
from builder.i18n import _
from builder.importing import output
from builder.importing.columns import DEFAULTABLE, FIELDS, Layout, resolve_layout
from builder.importing.merchants import Aggregator, Merchants
from builder.importing.pinyinahead import PinyinAhead, words_to_sort
from builder.importing.readers import open_source, read_table
from builder.importing.report import ImportFailed, ImportReport
from builder.importing.rows import Record, RowReader, RowsRead
from builder.importing.sitecheck import CheckResult, check_in_place, translate
from builder.importing.values import CellError, clean_text
from builder.importing.yamlwrite import PeriodWriter, quoted
from builder.periods import FORMS, Period, parse_period

MAX_ROUNDS = 10


@dataclass(frozen=True)
class ImportOptions:
    """What the user asked for (the CLI options of `gongshi import`)."""

    file: Path
    site_dir: Path
    period: str
    published: dt.date | None = None
    department: str | None = None
    sheet: str | None = None
    mapping: tuple[tuple[str, str], ...] = ()
    defaults: tuple[tuple[str, str], ...] = ()
    out: Path | None = None
    force: bool = False
    dry_run: bool = False
    skip_bad_rows: bool = False
    as_of: dt.date | None = None


@dataclass(frozen=True)
class Plan:
    """The checked options."""

    period: Period
    published: dt.date
    department: str
    as_of: dt.date
    target: Path
    shown_target: str
    relative: str  # the target's path inside content/complaints/ (a sub-folder's files: 2026-11/东湖街道.yaml)
    mapping: dict[str, str]
    defaults: dict[str, str]
    organizer: str = ""  # site.yaml's


def run_import(options: ImportOptions) -> ImportReport:
    """Import one spreadsheet; raise ImportFailed (nothing written) or OutputError (content/ as it was)."""
    report = ImportReport(str(options.file), dry_run=options.dry_run)
    # Millions of small objects and hardly a cycle: the cyclic GC would rescan them over and over (about a
    # third of the time at 100,000 rows), so it is paused, as the builder pauses it while loading YAML.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(options, report)
    except ImportFailed:
        raise
    except ContentError as exc:
        report.problems = list(exc.problems)
        raise ImportFailed(report) from None
    finally:
        if collecting:
            gc.enable()


def _run(options: ImportOptions, report: ImportReport) -> ImportReport:
    shown = report.source
    plan = _plan(options, shown, report)
    source = open_source(options.file, shown)
    report.sha256 = source.sha256
    table = read_table(source, options.sheet, plan.mapping)
    report.sheet = table.sheet
    layout, problems = resolve_layout(table.rows[table.header_index], table.header_index, plan.mapping,
                                      plan.defaults, shown)
    report.header_row = layout.header_row
    report.mode = "merchant" if layout.per_merchant else "complaint"
    report.columns = [(name, layout.describe(name)) for name in FIELDS if name in layout.columns or
                      name in layout.defaults]
    report.ignored = [Problem(shown, layout.header_row, column, "column",
                              say("GS708", "`{text}`: {why}; ignored", text=text, why=why))
                      for column, text, why in layout.ignored]
    if problems:
        report.problems = problems
        raise ImportFailed(report)
    rows = RowReader(table, layout, shown, plan.period).read()
    table.rows.clear()  # the records hold what is needed; free the cells before the site check
    report.rows_read, report.blank_rows = rows.rows_read, rows.blank
    report.skipped, report.masked = list(rows.skipped), list(rows.masked)
    # The keys the check will sort names by, worked out on the second core from now until the check.
    ahead = PinyinAhead(words_to_sort({r.name for r in rows.records}, {r.district for r in rows.records},
                                      {r.category for r in rows.records}, plan.organizer))
    try:
        data = _converge(options, plan, layout, rows, source.path.name, source.sha256, report, ahead)
    finally:
        ahead.close()
    if not options.dry_run:
        output.write_atomically(plan.target, data, options.force, plan.shown_target)
        report.written = True
    return report


def _converge(options: ImportOptions, plan: Plan, layout: Layout, rows: RowsRead, file_name: str, sha256: str,
              report: ImportReport, ahead: PinyinAhead) -> bytes:
    """Aggregate, write in memory and check the site; with --skip-bad-rows drop failing rows and go again."""
    records: list[Record] = rows.records
    pending = list(rows.problems)
    for _round in range(MAX_ROUNDS):
        merchants = Aggregator(layout, str(options.file)).run(records)
        pending += merchants.problems
        if pending:
            if not options.skip_bad_rows:
                if merchants.merchants:  # every problem at once: the good rows still meet the site check
                    pending += _check(options, plan, layout, merchants, file_name, sha256, report, ahead)[1].errors
                report.problems = pending
                raise ImportFailed(report)
            records = _drop(records, pending, report)
            pending = []
            continue
        if not merchants.merchants:
            report.problems = [Problem(str(options.file), layout.header_row, 1, "rows",
                                       say("GS706", "no row is left to import") if report.skipped else
                                       say("GS706", "no data rows under the header"))]
            raise ImportFailed(report)
        data, checked = _check(options, plan, layout, merchants, file_name, sha256, report, ahead)
        if not checked.errors:
            return data
        if not (options.skip_bad_rows and checked.only_rows):
            report.problems = checked.errors
            raise ImportFailed(report)
        records = _drop(records, checked.errors, report, checked.bad_rows)
    report.problems = [Problem(str(options.file), layout.header_row, 1, "rows",
                               say("GS706", "--skip-bad-rows: still failing after {rounds} rounds of leaving rows out",
                                   rounds=MAX_ROUNDS))]
    raise ImportFailed(report)


def _check(options: ImportOptions, plan: Plan, layout: Layout, merchants: Merchants, file_name: str, sha256: str,
           report: ImportReport, ahead: PinyinAhead) -> tuple[bytes, CheckResult]:
    """The period file's bytes and what `gongshi check` finds with it in place, told in spreadsheet terms."""
    _count(merchants, report)
    writer = _render(plan, layout, merchants, file_name, sha256, report)
    text = writer.text()
    data = text.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:  # the builder would refuse the file: say so now, naming the spreadsheet
        return data, CheckResult(errors=[_too_big(options, plan, len(data))], only_rows=False)
    tree = writer.tree(text)
    ahead.finish()
    found = check_in_place(options.site_dir, plan.relative, data, plan.as_of, (text, tree))
    checked = translate(found, f"content/complaints/{plan.relative}", writer.origins, str(options.file),
                        layout.header_row)
    report.warnings = checked.warnings
    return data, checked


def _too_big(options: ImportOptions, plan: Plan, size: int) -> Problem:
    """Why a period file over the builder's size limit is not written, and how to split the spreadsheet."""
    folder = PurePosixPath(plan.relative).parent
    sub = f"content/complaints/{plan.period.key}" if folder == PurePosixPath(".") else f"content/complaints/{folder}"
    return Problem(str(options.file), 1, 1, "file",
                   say("GS701", "the period file made from this spreadsheet would be {size:,.1f} MB and the site "
                                "reads at most {limit:,.0f} MB per file (builder/content.py): nothing was written; "
                                "split the spreadsheet by district (区域), one file per district, and import each part "
                                "with --out {folder}/<district>.yaml", size=size / 2**20,
                       limit=MAX_FILE_BYTES / 2**20, folder=sub))


def _drop(records: list[Record], problems: list[Problem], report: ImportReport,
          also: dict[int, Problem] | None = None) -> list[Record]:
    """Leave out the rows named by problems (--skip-bad-rows); every row left out is reported with its reason."""
    report.skipped += [Problem(p.path, p.line, p.column, p.field, again(p.message, "row left out: {reason}"))
                       for p in problems]
    named = {p.line for p in problems}
    for row, cause in sorted((also or {}).items()):
        if row not in named:
            report.skipped.append(Problem(cause.path, row, cause.column, cause.field,
                                          again(cause.message, "row left out with row {row}: {reason}",
                                                row=cause.line)))
    bad = named | set(also or ())
    return [r for r in records if r.row not in bad]


def _count(merchants: Merchants, report: ImportReport) -> None:
    report.merchants = len(merchants.merchants)
    report.complaints = sum(m.complaints for m in merchants.merchants)
    report.resolved = sum(m.resolved for m in merchants.merchants)
    report.items = sum(len(m.items) for m in merchants.merchants)
    report.merged, report.notes, report.not_itemised = merchants.merged, merchants.notes, merchants.not_itemised


def _render(plan: Plan, layout: Layout, merchants: Merchants, file_name: str, sha256: str,
            report: ImportReport) -> PeriodWriter:
    columns = "; ".join(f"{name} = {where}" for name, where in report.columns)
    sheet = f", sheet {quoted(report.sheet)}" if report.sheet else ""
    header = [
        "Written by `gongshi import` from a spreadsheet; edit the spreadsheet and import it again (--force).",
        f"source: {quoted(file_name)}{sheet}, header at row {layout.header_row}",
        f"sha256: {sha256}",
        f"columns: {columns}",
        f"{report.rows_read} rows read, {len({p.line for p in report.skipped})} skipped: {report.merchants} "
        f"merchants, {report.complaints} complaints, {report.resolved} resolved, {report.items} items",
    ]
    writer = PeriodWriter(header)
    writer.head(plan.period.key, plan.published, plan.department)
    for merchant in merchants.merchants:
        writer.merchant(merchant, layout.columns, layout.per_merchant)
    return writer


def _plan(options: ImportOptions, shown: str, report: ImportReport) -> Plan:
    """Check every option at once; the target file must lie in SITE_DIR/content/complaints/."""
    problems: list[Problem] = []

    def bad(option: str, message: Message) -> None:
        problems.append(Problem(shown, 1, 1, option, message))

    period = parse_period(options.period)
    if period is None:
        bad("--period", say("GS210", "`{value}` is not a period: write {forms}", value=options.period,
                            forms=_(FORMS)))
    mapping: dict[str, str] = {}
    for name, column in options.mapping:
        if name not in FIELDS:
            bad("--map", say("GS703", "--map {name}={column}: `{name}` is not a field; fields: {fields}", name=name,
                             column=column, fields=", ".join(FIELDS)))
        elif name in mapping:
            bad("--map", say("GS703", "--map {name}= is given twice (`{first}` and `{column}`)", name=name,
                             first=mapping[name], column=column))
        elif not column.strip():
            bad("--map", say("GS703", "--map {name}= names no column", name=name))
        else:
            mapping[name] = column
    defaults: dict[str, str] = {}
    for name, value in options.defaults:
        if name not in DEFAULTABLE:
            bad("--default", say("GS704", "--default {name}=…: only {fields} can be given one value for every row",
                                 name=name, fields=_(" and ").join(DEFAULTABLE)))
            continue
        try:
            text = clean_text(value, 100)
        except CellError as exc:
            bad("--default", again(exc.message, "--default {name}: {reason}", name=name))
            continue
        if not text:
            bad("--default", say("GS704", "--default {name}= gives no value", name=name))
            continue
        defaults[name] = text
    as_of = options.as_of or _as_of(problems, shown)
    site = Problems()  # site.yaml first: its own problem (GBK, bad YAML, missing) is told, not a missing organizer
    config = load_config(options.site_dir, site)
    problems += site.errors
    given = options.department if options.department is not None else config.organizer if config else None
    department = ""
    try:
        department = clean_text(given or "", 200)
    except CellError as exc:
        bad("--department", exc.message)
    if not department and (config is not None or options.department is not None):
        bad("--department", say("GS704", "--department gives no text") if options.department is not None
            else say("GS704", "no --department given and site.yaml names no organizer"))
    target, shown_target = output.target_path(options.site_dir, options.out, options.force,
                                              period.key if period else "", bad)
    report.output = shown_target
    if problems or period is None:
        report.problems = problems
        raise ImportFailed(report)
    relative = shown_target.removeprefix("content/complaints/")
    return Plan(period, options.published or as_of, department, as_of, target, shown_target, relative, mapping,
                defaults, config.organizer if config is not None else "")


def _as_of(problems: list[Problem], shown: str) -> dt.date:
    """SOURCE_DATE_EPOCH read as a UTC date, else today (as `gongshi check` decides the as-of date)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.date.today()
    if not epoch.isdigit():
        problems.append(Problem("SOURCE_DATE_EPOCH", 1, 1, "environment",
                                say("GS902", "SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01, found "
                                             "`{value}`", value=epoch)))
        return dt.date.today()
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()


__all__ = ["ImportFailed", "ImportOptions", "ImportReport", "run_import"]
