"""Reading the data rows under the header: skipping blank, total and repeated rows, masking, parsing cells."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from builder.codes import again, say
from builder.errors import Message, Problem
from builder.i18n import N_, _
from builder.importing.columns import LABELS, Layout, cell_ref
from builder.importing.readers import Table
from builder.importing.values import (
    MAX_LENGTHS,
    CellError,
    as_text,
    clean_text,
    fold_name,
    is_empty,
    is_total,
    parse_count,
    parse_credit_code,
    parse_date,
)
from builder.periods import Period
from builder.privacy import find_personal_data, mask_personal_data

MASKED_KINDS = {"mobile": N_("phone"), "id_card": N_("ID card"), "bank_card": N_("bank card"), "email": N_("e-mail")}
EMPTY_FORMULA = N_("holds a formula whose saved value is empty (the program that wrote the file did not calculate "
                   "it, or the formula gives nothing): open the file in Excel or WPS, check the formula and save it "
                   "again")

@dataclass(slots=True)
class Record:
    """One data row read into fields (empty text and None where the file has nothing)."""

    row: int
    name: str = ""
    credit_code: str = ""
    district: str = ""
    category: str = ""
    complaints: int | None = None
    resolved: int | None = None
    received: dt.date | None = None
    goods: str = ""
    issue: str = ""
    demand: str = ""
    result: str = ""
    handled: dt.date | None = None
    number: str = ""

    def same_complaint(self, other: Record) -> bool:
        """Whether two rows say the same about a complaint (every field but the row number)."""
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__ if name != "row")


@dataclass
class RowsRead:
    """What reading the data rows found."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    masked: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    blank: int = 0


class RowReader:
    """Reads every data row of a table with one layout, collecting every problem."""

    def __init__(self, table: Table, layout: Layout, shown: str, period: Period) -> None:
        self.caches: dict[str, dict[tuple[type, object], object]] = {}
        self.table = table
        self.layout = layout
        self.shown = shown
        self.period = period
        self.period_end = period.end
        self.found = RowsRead()
        self.readers = [(name, column, self.reader(name, column)) for name, column in
                        sorted(layout.columns.items(), key=lambda pair: pair[1])]
        # The same, with each reader's cache of clean values, for the quick pass over the rows (record).
        self.cached: list[tuple[str, int, dict[tuple[type, object], object], Callable[[int, object], object]]] = [
            (name, column - 1, self.caches[name], read) for name, column, read in self.readers]
        self.defaults = list(layout.defaults.items())
        self.per_merchant = layout.per_merchant

    def read(self) -> RowsRead:
        """Read the rows below the header."""
        seen: dict[tuple[object, ...], int] = {}
        numbers: dict[str, Record] = {}
        rows = self.table.rows
        name_column = self.layout.columns.get("name", 0)
        totals: dict[object, bool] = {}  # is_total of the names seen (a merchant's name is on many rows)
        for index in range(self.table.header_index + 1, len(rows)):
            cells = rows[index]
            row = index + 1
            key = _strip_empty_tail(cells)
            if not key:
                self.found.blank += 1
                continue
            self.found.rows_read += 1
            first = key[0]
            if is_empty(first):
                first = next(cell for cell in key if not is_empty(cell))
            name = cells[name_column - 1] if 0 < name_column <= len(cells) else None
            total = totals.get(name) if name.__class__ is str else None
            if total is None:
                total = is_total(name)
                if name.__class__ is str:
                    totals[name] = total
            if total or is_total(first):
                self.skip(row, 1, "row", say("GS709", "a total row (合计, 总计 or 小计): left out, the totals are "
                                                      "computed"))
                continue
            if key in seen:
                self.skip(row, 1, "row", self.repeat_message(cells, seen[key]))
                continue
            seen[key] = row
            record = self.record(row, cells)
            if record is None:
                continue
            if record.number:
                earlier = numbers.get(record.number)
                if earlier is not None:
                    column = self.layout.columns["number"]
                    if earlier.same_complaint(record):
                        self.skip(row, column, "number", say("GS709", "complaint {number} repeats row {first} (every "
                                                                      "field equal): counted once",
                                                             number=record.number, first=earlier.row))
                    else:
                        self.problem(row, column, "number", say("GS301", "complaint {number} is also at row {first} "
                                                                         "with other values: keep one of the two rows",
                                                                number=record.number, first=earlier.row))
                    continue
                numbers[record.number] = record
            self.found.records.append(record)
        return self.found

    def repeat_message(self, cells: Sequence[object], first: int) -> Message:
        """Why a row repeated exactly is counted once (naming the complaint number when there is one)."""
        column = self.layout.columns.get("number")
        number = as_text(cells[column - 1]).strip() if column and column <= len(cells) else ""
        if number:
            return say("GS709", "complaint {number} repeats row {first} exactly (every cell equal): counted once",
                       number=number, first=first)
        return say("GS709", "repeats row {first} exactly (every cell equal): counted once", first=first)

    def skip(self, row: int, column: int, field_name: str, message: Message) -> None:
        """Report a row left out on purpose."""
        self.found.skipped.append(Problem(self.shown, row, column, field_name, message))

    def problem(self, row: int, column: int, field_name: str, message: Message) -> None:
        """Report a cell that cannot be read."""
        self.found.problems.append(Problem(self.shown, row, column, field_name,
                                           again(message, "{reason} (cell {cell})", cell=cell_ref(row, column))))

    def record(self, row: int, cells: Sequence[object]) -> Record | None:
        """Parse one row's mapped cells; None when a cell cannot be read (every such cell is reported)."""
        record = Record(row)
        width = len(cells)
        masked_before = len(self.found.masked)
        bad_cells = self.table.bad_cells
        try:
            if bad_cells and any((row, column) in bad_cells for _name, column, _read in self.readers):
                raise CellError(say("GS705", "a cell holds no usable value"))
            for name, index, cache, read in self.cached:
                if index < width:
                    value = cells[index]
                    if value is not None and value != "":
                        try:
                            parsed = cache[value.__class__, value]
                        except (KeyError, TypeError):
                            parsed = read(row, value)
                        setattr(record, name, parsed)
        except CellError:
            del self.found.masked[masked_before:]  # the careful pass below reports them again
            self.report_cells(row, cells)
            return None
        for name, value in self.defaults:
            if not getattr(record, name):
                setattr(record, name, value)
        return record if self.consistent(record) else None

    def report_cells(self, row: int, cells: Sequence[object]) -> None:
        """Read a row cell by cell, reporting every cell that cannot be read and what is wrong with the rest."""
        record = Record(row)
        failed = set()
        for name, column, read in self.readers:
            value = cells[column - 1] if column <= len(cells) else None
            try:
                if (row, column) in self.table.bad_cells:
                    raise CellError(self.table.bad_cells[(row, column)])
                if value is not None and value != "":
                    setattr(record, name, read(row, value))
            except CellError as exc:
                self.problem(row, column, name, exc.message)
                failed.add(name)
        for name, value in self.defaults:
            if not getattr(record, name):
                setattr(record, name, value)
        self.consistent(record, failed)

    def consistent(self, record: Record, failed: set[str] | frozenset[str] = frozenset()) -> bool:
        """Checks across the cells of one row: required cells, counts, dates against the period.

        Fields in `failed` could not be read (already reported): checks that need them are left out.
        """
        row, columns = record.row, self.layout.columns
        problems: list[tuple[str, Message]] = []
        if not record.name:
            problems.append(("name", say("GS203", "is empty: every row needs the merchant's name ({label})",
                                         label=LABELS["name"])))
        if self.per_merchant:
            for name in ("complaints", "resolved"):
                if getattr(record, name) is None:
                    problems.append((name, say("GS203", "is empty: write a whole number (0 when there is none)")))
            for name in ("district", "category"):
                if not getattr(record, name):
                    problems.append((name, say("GS203", "is empty: every merchant needs its {name} ({label})",
                                               name=name, label=LABELS[name])))
            if record.complaints is not None and record.resolved is not None and record.resolved > record.complaints:
                problems.append(("resolved", say("GS302", "办结量 {resolved} is more than 投诉量 {complaints}",
                                                 resolved=record.resolved, complaints=record.complaints)))
        if record.received and record.received > self.period_end:
            problems.append(("received", say("GS216", "{date} is after the end of period {period} ({end})",
                                             date=record.received.isoformat(), period=self.period.key,
                                             end=self.period_end.isoformat())))
        if record.handled and record.received and record.handled < record.received:
            problems.append(("handled", say("GS216", "{date} is before the date received {received}",
                                            date=record.handled.isoformat(), received=record.received.isoformat())))
        if not problems:
            return True
        problems = [(name, message) for name, message in problems if name not in failed]
        if self.table.empty_formulas:
            problems = [(name, say("GS705", EMPTY_FORMULA) if message.code == "GS203" and
                         (row, columns.get(name, 0)) in self.table.empty_formulas else message)
                        for name, message in problems]
        for name, message in problems:
            self.problem(row, columns.get(name, 1), name, message)
        return not problems

    def reader(self, name: str, column: int) -> Callable[[int, object], object]:
        """The function that reads one non-empty cell of a field (raising CellError); clean values are cached."""
        cache: dict[tuple[type, object], object] = self.caches.setdefault(name, {})
        parse = self.parser(name)
        mask = name != "credit_code"  # a code is checked, not masked: one that fails is never quoted if personal

        def read(row: int, value: object) -> object:
            key = (value.__class__, value)
            try:
                return cache[key]
            except (KeyError, TypeError):
                pass
            if mask and isinstance(value, str):
                masked, findings = mask_personal_data(value)
                if findings:
                    for finding in findings:
                        self.found.masked.append(Problem(self.shown, row, column, "personal data",
                                                         say("GS502", "masked {what}",
                                                             what=_(MASKED_KINDS[finding.kind]))))
                    return parse(masked)
            result = parse(value)
            cache[key] = result
            return result
        return read

    @staticmethod
    def parser(name: str) -> Callable[[object], object]:
        """How a field reads one cell (after masking)."""
        if name == "credit_code":
            def code(value: object) -> str:
                try:
                    return parse_credit_code(value)
                except CellError:
                    if find_personal_data(as_text(value)):
                        raise CellError(say("GS212", "is not a valid 统一社会信用代码 and looks like personal data "
                                                     "(not shown)")) from None
                    raise
            return code
        if name in ("complaints", "resolved"):
            return parse_count
        if name in ("received", "handled"):
            return lambda value: None if isinstance(value, str) and not value.strip() else parse_date(value)
        limit = MAX_LENGTHS[name]
        if name == "name":
            return lambda value: fold_name(clean_text(as_text(value), limit))
        return lambda value: clean_text(as_text(value), limit)


def _strip_empty_tail(cells: Sequence[object]) -> tuple[object, ...]:
    """The row's cells without the empty ones at its end (empty when the row is blank)."""
    end = len(cells)
    while end and is_empty(cells[end - 1]):
        end -= 1
    return tuple(cells[:end])
