"""What an import did: counts, rows skipped and why, names merged, personal data masked, problems."""

from __future__ import annotations

from dataclasses import dataclass, field

from builder import i18n
from builder.errors import ContentError, Problem, field_label
from builder.i18n import _


@dataclass
class ImportReport:
    """Everything `gongshi import` tells, for people (lines) and scripts (as_dict)."""

    source: str
    sha256: str = ""
    sheet: str = ""
    header_row: int = 0
    mode: str = ""
    columns: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    blank_rows: int = 0
    merchants: int = 0
    complaints: int = 0
    resolved: int = 0
    items: int = 0
    skipped: list[Problem] = field(default_factory=list)
    merged: list[Problem] = field(default_factory=list)
    masked: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    not_itemised: dict[str, list[int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    output: str = ""
    written: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """Whether the import found no problem that stops it."""
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        """The report as a JSON-ready mapping."""
        def listed(problems: list[Problem], kind: str = "") -> list[dict[str, object]]:
            return [{**p.as_dict(), "severity": kind} if kind else p.as_dict() for p in problems]

        return {
            "ok": self.ok, "language": i18n.LANGUAGE, "source": self.source, "sha256": self.sha256, "sheet": self.sheet,
            "header_row": self.header_row, "mode": self.mode,
            "columns": {name: where for name, where in self.columns},
            "ignored_columns": listed(self.ignored, "ignored"),
            "rows_read": self.rows_read, "blank_rows": self.blank_rows, "merchants": self.merchants,
            "complaints": self.complaints, "resolved": self.resolved, "items": self.items,
            "rows_skipped": len({(p.line) for p in self.skipped}), "skipped": listed(self.skipped, "skipped"),
            "names_merged": len(self.merged), "merged": listed(self.merged, "merged"),
            "personal_data_masked": len(self.masked), "masked": listed(self.masked, "masked"),
            "notes": listed(self.notes, "note"),
            "not_itemised": {reason: sorted(rows) for reason, rows in sorted(self.not_itemised.items())},
            "problems": listed(self.problems), "warnings": listed(self.warnings),
            "output": self.output, "written": self.written, "dry_run": self.dry_run,
        }

    def detail_lines(self) -> list[str]:
        """One `FILE:ROW:COLUMN: field: message` line per thing worth telling, problems last."""
        lines = [_line(p, _("ignored")) for p in self.ignored]
        lines += [_line(p, _("skipped")) for p in self.skipped]
        lines += [_line(p, _("merged")) for p in self.merged]
        lines += [_line(p) for p in self.masked]
        lines += [_line(p, _("note")) for p in self.notes]
        for reason, rows in sorted(self.not_itemised.items()):
            lines.append(f"{self.source}: items: " + _("{count} row(s) counted but not listed as items ({reason}): "
                                                       "rows {rows}").format(count=len(rows), reason=reason,
                                                                             rows=_few(sorted(rows))))
        lines += [str(p) for p in self.warnings]
        lines += [str(p) for p in sorted(self.problems)]
        return lines

    def where(self) -> str:
        """The sheet and header that were read, e.g. ` (sheet 明细, header at row 3, one row per complaint)`."""
        parts = [_("sheet {sheet}").format(sheet=self.sheet)] if self.sheet else []
        if self.header_row:
            parts += [_("header at row {row}").format(row=self.header_row),
                      _("one row per merchant") if self.mode == "merchant" else _("one row per complaint")]
        return _(" ({parts})").format(parts=_(", ").join(parts)) if parts else ""

    def summary(self) -> str:
        """One paragraph: what was read, what was (or would be) written."""
        if not self.ok:
            return _("Error: {count} problem(s) in {source}{where}; nothing was written.").format(
                count=len(self.problems), source=self.source, where=self.where())
        counts = _("{rows} rows read, {merchants} merchants, {complaints} complaints, {resolved} resolved, {items} "
                   "items; {skipped} rows skipped, {merged} names merged, {masked} personal data masked").format(
            rows=self.rows_read, merchants=self.merchants, complaints=self.complaints, resolved=self.resolved,
            items=self.items, skipped=len({p.line for p in self.skipped}), merged=len(self.merged),
            masked=len(self.masked))
        if self.dry_run:
            return _("Dry run: {source}{where}: {counts}. Would write {output}; `gongshi check` passes.").format(
                source=self.source, where=self.where(), counts=counts, output=self.output)
        return _("Imported {source}{where}: {counts}. Wrote {output}; `gongshi check` passes.").format(
            source=self.source, where=self.where(), counts=counts, output=self.output)


class ImportFailed(ContentError):
    """The import found problems; nothing was written. Carries the whole report."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.problems)
        self.report = report


def _line(problem: Problem, kind: str = "") -> str:
    text = f"{problem.path}:{problem.line}:{problem.column}: {field_label(problem.field)}: {problem.text}"
    return f"{text} [{kind}]" if kind else text


def _few(rows: list[int]) -> str:
    more = _(" … ({count} more)").format(count=len(rows) - 20) if len(rows) > 20 else ""
    return _(", ").join(str(r) for r in rows[:20]) + more
