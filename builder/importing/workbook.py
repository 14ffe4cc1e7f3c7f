"""Excel workbooks (.xlsx/.xlsm and legacy .xls) read with python-calamine: cached values, never formulas."""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

import python_calamine

from builder.codes import say
from builder.errors import ContentError, Message, Problem
from builder.i18n import _
from builder.importing import biff
from builder.privacy import mask_personal_data

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Any of these in a sheet's XML may start a formula (<f>, <x:f>) or an error cell (t="e"); most exports have none.
_MAY_HOLD_FORMULAS = (b"<f", b":f>", b":f ", b't="e"')
_REF = re.compile(r"^([A-Z]+)(\d+)$")
Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta  # what calamine gives
# What Python's zipfile and XML parser raise on a damaged package (a bad CRC, a cut-short entry, broken XML).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ElementTree.ParseError, NotImplementedError,
              RuntimeError, ValueError)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class Workbook:
    """One workbook: its sheets, read one at a time, with the cells that hold no usable value."""

    def __init__(self, path: Path, shown: str, kind: str, max_rows: int) -> None:
        self.path = path
        self.shown = shown
        self.kind = kind
        self.max_rows = max_rows
        try:
            with path.open("rb") as stream:  # read by content, not by name: a renamed .xlsx is still read
                self._book = python_calamine.CalamineWorkbook.from_filelike(stream)
        except Exception as exc:  # calamine raises its own error types for every kind of damage
            raise damaged(shown, kind, exc) from None
        self._parts = _sheet_parts(path) if kind == "xlsx" else {}

    def sheet_names(self, visible_only: bool) -> list[str]:
        """The sheets in workbook order (hidden ones left out when asked)."""
        return [meta.name for meta in self._book.sheets_metadata
                if not visible_only or meta.visible == python_calamine.SheetVisibleEnum.Visible]

    def all_sheet_names(self) -> list[str]:
        """Every sheet's name."""
        return list(self._book.sheet_names)

    def rows(self, name: str) -> list[list[Cell]]:
        """The sheet's cells from A1: rows[0] is row 1, rows[r][0] is column A."""
        try:  # calamine reads a sheet only now: a damaged part (bad XML, a lying zip header) shows here
            sheet = self._book.get_sheet_by_name(name)
            end = sheet.end
        except Exception as exc:
            raise damaged(self.shown, self.kind, exc, name) from None
        if end is None:
            return []
        if end[0] + 1 > self.max_rows:
            raise ContentError([Problem(self.shown, self.max_rows + 1, 1, "file",
                                        say("GS701", "sheet {name} has {rows:,} rows; at most {limit:,} are read: "
                                                     "split the file", name=name, rows=end[0] + 1,
                                            limit=self.max_rows))])
        try:
            rows: list[list[Cell]] = sheet.to_python(skip_empty_area=False)
        except Exception as exc:
            raise damaged(self.shown, self.kind, exc, name) from None
        return rows

    def empty_formulas(self, name: str) -> set[tuple[int, int]]:
        """Cells of a .xls sheet holding a formula whose saved value is empty (calamine reads them as '')."""
        if self.kind != "xls":
            return set()
        try:
            return biff.empty_formulas(self.path).get(name, set())
        except (biff.NotBiff, OSError, ValueError):  # calamine read the file: only this finer message is lost
            return set()

    def bad_cells(self, name: str) -> dict[tuple[int, int], Message]:
        """Cells (1-based row, column) holding an error value or a formula with no saved value (.xlsx only)."""
        part = self._parts.get(name)
        if part is None:
            return {}
        try:
            with zipfile.ZipFile(self.path) as archive:
                if not _has_formulas(archive, part):
                    return {}
                with archive.open(part) as stream:
                    return dict(_scan_cells(stream))
        except ZIP_ERRORS as exc:
            raise damaged(self.shown, self.kind, exc, name) from None


def damaged(shown: str, kind: str, exc: BaseException, sheet: str | None = None) -> ContentError:
    """The error for a workbook that cannot be read: damaged, with the reader's reason and how to repair it."""
    reason = " ".join(str(exc).split())[:300] or type(exc).__name__
    reason = mask_personal_data(reason)[0]  # a reader's message may quote a cell
    where = _(" (sheet {sheet})").format(sheet=sheet) if sheet else ""
    return ContentError([Problem(shown, 1, 1, "file", say("GS701", "this .{kind} workbook is damaged and cannot be "
                                                                  "read{where}: {reason}; open it in Excel or WPS and "
                                                                  "save it again as .xlsx (or export it again)",
                                                          kind=kind, where=where, reason=reason))])


def check_package(path: Path, shown: str, max_uncompressed: int) -> None:
    """Refuse an .xlsx that is not a zip or whose contents would unpack absurdly large (a zip bomb).

    The sizes are the declared ones; both readers stop an entry at its declared size (a lying header is damage).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "not a valid .xlsx file ({detail}); open it in "
                                                                      "Excel or WPS and save it again as .xlsx",
                                                              detail=exc))]) from None
    if total > max_uncompressed:
        raise ContentError([Problem(shown, 1, 1, "file", say("GS701", "the workbook would unpack to {size:,.0f} MB; "
                                                                      "at most {limit:,.0f} MB are read (a damaged "
                                                                      "file or a zip bomb): not read",
                                                              size=total / 2**20, limit=max_uncompressed / 2**20))])


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its XML part inside the .xlsx (from xl/workbook.xml and its relationships)."""
    try:
        with zipfile.ZipFile(path) as archive:
            book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, *ZIP_ERRORS):
        return {}
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_PKG_REL}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        if target:
            parts[sheet.get("name", "")] = (target.lstrip("/") if target.startswith("/")
                                            else posixpath.normpath(posixpath.join("xl", target)))
    return parts


def _has_formulas(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet's XML holds any formula or error cell (read in chunks; most exports hold none)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1 << 22):
            window = tail + chunk
            if _may_hold_formulas(window):
                return True
            tail = chunk[-8:]
    return False


def _may_hold_formulas(window: bytes) -> bool:
    """Whether any of _MAY_HOLD_FORMULAS is in window.

    Three of them hold an `f`, which a sheet of numbers, dates and shared strings hardly has: those are looked
    for at each `f` (one fast pass over the bytes instead of a slow search for `<f` among every `<`).
    """
    if b't="e"' in window:
        return True
    if window.count(b"f") > 4096:
        return any(marker in window for marker in _MAY_HOLD_FORMULAS)
    at = window.find(b"f", 1)
    while at > 0:
        before, after = window[at - 1:at], window[at + 1:at + 2]
        if before == b"<" or (before == b":" and after in (b">", b" ")):
            return True
        at = window.find(b"f", at + 1)
    return False


def _scan_cells(stream: IO[bytes]) -> Iterator[tuple[tuple[int, int], Message]]:
    row, column = 0, 0
    for event, element in ElementTree.iterparse(stream, events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start":
            if tag == "row":
                row = int(element.get("r") or row + 1)
                column = 0
            continue
        if tag == "c":
            match = _REF.match(element.get("r") or "")
            column = _column_number(match.group(1)) if match else column + 1
            kind = element.get("t")
            formula = value = None
            for child in element:
                child_tag = child.tag.rsplit("}", 1)[-1]
                if child_tag == "f":
                    formula = child
                elif child_tag == "v":
                    value = child
            if kind == "e":
                error = value.text if value is not None and value.text else _("an error")
                yield (row, column), say("GS705", "holds the error value {error} instead of a value; correct the "
                                                  "formula", error=error)
            elif formula is not None and (value is None or (not value.text and kind != "str")):
                yield (row, column), say("GS705", "holds a formula without a saved value (the program that wrote "
                                                  "the file did not calculate it): open the file in Excel or WPS and "
                                                  "save it again")
            element.clear()
        elif tag == "row":
            element.clear()
