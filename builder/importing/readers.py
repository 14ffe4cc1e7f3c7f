"""Opening a spreadsheet of any accepted kind and finding the sheet and the row that hold the header."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from builder.codes import say
from builder.errors import ContentError, Message, Problem
from builder.i18n import _
from builder.importing import csvfile
from builder.importing.columns import FIELDS, HEADER_SEARCH_ROWS, find_header
from builder.importing.workbook import OLE_MAGIC, ZIP_MAGIC, Cell, Workbook, check_package

MAX_FILE_BYTES = 100 * 2**20
MAX_ROWS = 1_000_000
MAX_UNCOMPRESSED = 1024 * 2**20
SUFFIXES = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv", ".tsv": "tsv"}


@dataclass
class Table:
    """The sheet an import reads: every cell from A1, the header's index and the cells with no usable value."""

    sheet: str
    rows: list[list[Cell]]
    header_index: int
    bad_cells: dict[tuple[int, int], Message] = field(default_factory=dict)
    empty_formulas: set[tuple[int, int]] = field(default_factory=set)  # .xls formulas saved with an empty value


@dataclass
class SourceFile:
    """A spreadsheet file read whole: its bytes' SHA-256 and its kind (a CSV's bytes are dropped once decoded)."""

    path: Path
    shown: str
    kind: str
    sha256: str
    data: bytes


def open_source(path: Path, shown: str) -> SourceFile:
    """Check the file's name, size and first bytes; read it and hash it."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "`{kind}` files are not read: give an .xlsx, "
                                                                      ".xlsm, .xls, .csv or .tsv file",
                                                              kind=path.suffix or path.name))])
    try:
        if not path.is_file():
            raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "no such file") if not path.exists()
                                        else say("GS701", "this is not a regular file"))])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "the file is {size:,.1f} MB; at most "
                                                                          "{limit:,.0f} MB are read: split it",
                                                                  size=size / 2**20, limit=MAX_FILE_BYTES / 2**20))])
        data = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "cannot read the file: {reason}",
                                                              reason=exc.strerror))]) from None
    if not data:
        raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "the file is empty"))])
    kind = _kind_by_content(data, kind, shown)
    return SourceFile(path, shown, kind, hashlib.sha256(data).hexdigest(), data)


def _kind_by_content(data: bytes, kind: str, shown: str) -> str:
    """The kind the bytes really are: a renamed workbook is read as what it is; HTML posing as .xls is refused."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        return "xls" if kind != "xlsx" else "encrypted"
    if kind in ("xlsx", "xls"):
        head = data[:512].lstrip().lower()
        what = _("a web page (HTML)") if head.startswith((b"<", b"\xef\xbb\xbf<")) else _("text or another format")
        raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "this .{kind} file is really {what}, not an "
                                                                      "Excel workbook: open it in Excel or WPS and "
                                                                      "save it as .xlsx", kind=kind, what=what))])
    return kind


def read_table(source: SourceFile, sheet: str | None, mapped: dict[str, str]) -> Table:
    """The sheet to import (--sheet, else the first visible one with a header) and its header row."""
    if source.kind == "encrypted":
        raise ContentError([Problem(source.shown, 1, 1, "file", say("GS701", "this workbook is password-protected "
                                                                             "(encrypted): remove the password in "
                                                                             "Excel or WPS and save it"))])
    if source.kind in ("csv", "tsv"):
        text = csvfile.decode(source.data, source.shown)
        source.data = b""  # the text holds it now; the bytes would only double the memory while the rows are read
        rows = csvfile.read_rows(text, "\t" if source.kind == "tsv" else ",", source.shown, MAX_ROWS)
        if sheet is not None:
            raise ContentError([Problem(source.shown, 1, 1, "--sheet", say("GS702", "a CSV file has no sheets; leave "
                                                                                    "out --sheet"))])
        return _with_header(source, "", rows, {}, mapped)
    source.data = b""  # a workbook is read from its file by calamine
    if source.kind == "xlsx":
        check_package(source.path, source.shown, MAX_UNCOMPRESSED)
    book = Workbook(source.path, source.shown, source.kind, MAX_ROWS)
    if sheet is not None:
        if sheet not in book.all_sheet_names():
            listed = _(", ").join(book.all_sheet_names())
            message = say("GS702", "no sheet `{sheet}` in this workbook; its sheets are: {listed}", sheet=sheet,
                          listed=listed)
            raise ContentError([Problem(source.shown, 1, 1, "--sheet", message)])
        table = _with_header(source, sheet, book.rows(sheet), book.bad_cells(sheet), mapped)
        table.empty_formulas = book.empty_formulas(sheet)
        return table
    for name in book.sheet_names(visible_only=True):
        rows = book.rows(name)
        if find_header(rows, mapped) is not None:
            table = _with_header(source, name, rows, book.bad_cells(name), mapped)
            table.empty_formulas = book.empty_formulas(name)
            return table
    raise ContentError([_no_header(source.shown, None, mapped)])


def _with_header(source: SourceFile, sheet: str, rows: list[list[Cell]], bad: dict[tuple[int, int], Message],
                 mapped: dict[str, str]) -> Table:
    index = find_header(rows, mapped)
    if index is None:
        raise ContentError([_no_header(source.shown, sheet or None, mapped)])
    return Table(sheet, rows, index, bad)


def _no_header(shown: str, sheet: str | None, mapped: dict[str, str]) -> Problem:
    where = _("sheet {sheet}").format(sheet=sheet) if sheet else _("the file")
    some = "、".join(FIELDS["name"][:3] + FIELDS["complaints"][:1] + FIELDS["received"][:1])
    hint = _(" (--map names count as known)") if mapped else ""
    return Problem(shown, 1, 1, "header", say("GS702", "no header row found in {where}: none of its first {rows} rows "
                                                       "names two known fields{hint} (such as {some}); name the "
                                                       "columns with --map field=列名, e.g. --map name=品牌",
                                              where=where, rows=HEADER_SEARCH_ROWS, hint=hint, some=some))
