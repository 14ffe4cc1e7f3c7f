"""CSV and TSV files: UTF-8 (with or without BOM), else GB18030; never guessed."""

from __future__ import annotations

import csv
import re

from builder.codes import say
from builder.errors import ContentError, Problem
from builder.i18n import N_, _
from builder.importing.workbook import Cell

RESAVE = N_("open it in Excel or WPS and save it as “CSV UTF-8 (逗号分隔)” (.csv) or as an Excel workbook "
             "(.xlsx), or convert it with `iconv -t UTF-8`")
MAX_COLUMNS = 16_384  # as many as an Excel sheet has
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")  # one line with its end (CRLF, LF or CR), as newline=""


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def decode(data: bytes, shown: str) -> str:
    """The file's text: UTF-8 after a BOM, else UTF-8, else GB18030 (a superset of GBK), else a clear error."""
    def fail(offset: int, message: str) -> ContentError:
        line, column = _position(data, offset)
        return ContentError([Problem(shown, line, column, "encoding",
                                     say("GS104", message, resave=_(RESAVE)))])

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise fail(0, N_("the file is UTF-16 text (Excel's “Unicode text”), which is not read: {resave}"))
    if b"\x00" in data:
        raise fail(data.index(b"\x00"), N_("the file holds NUL bytes: it is not a text file (or it is UTF-16): "
                                           "{resave}"))
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fail(exc.start + 3, N_("the file starts with a UTF-8 BOM but is not valid UTF-8: {resave}")) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise fail(first_bad, N_("the file is neither UTF-8 nor GB18030/GBK text: {resave}")) from None


def read_rows(text: str, delimiter: str, shown: str, max_rows: int) -> list[list[Cell]]:
    """The records of a CSV text (a quoted cell may span lines: one record is one spreadsheet row)."""
    # Lines are cut from the text one at a time (a StringIO would copy the whole text, at 4 bytes a character).
    lines = (match.group() for match in _LINE.finditer(text))
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    rows: list[list[Cell]] = []
    start_line = 1
    try:
        for record in reader:
            if len(rows) >= max_rows:
                raise ContentError([Problem(shown, len(rows) + 1, 1, "file", say("GS701", "more than {limit:,} rows; "
                                                                                          "split the file",
                                                                                  limit=max_rows))])
            if len(record) > MAX_COLUMNS:
                raise ContentError([Problem(shown, len(rows) + 1, MAX_COLUMNS + 1, "file",
                                            say("GS701", "row has {cells:,} cells; at most {limit:,} are read",
                                                cells=len(record), limit=MAX_COLUMNS))])
            rows.append([*record])
            start_line = reader.line_num + 1
    except csv.Error as exc:
        row = len(rows) + 1
        reason = str(exc)
        if "end of data" in reason:
            message = say("GS701", "a quoted cell opened on line {line} or later is never closed: the file ends "
                                   "inside it (a missing `\"`; the file may be cut short)", line=start_line)
        elif "field larger than field limit" in reason:
            message = say("GS701", "a cell is longer than {limit:,} characters (probably a `\"` that is not closed)",
                          limit=csv.field_size_limit())
        else:
            message = say("GS701", "the CSV is malformed here ({detail}); quote cells that hold `{delimiter}` or "
                                   "`\"`", detail=reason, delimiter=delimiter)
        raise ContentError([Problem(shown, row, 1, "file", message)]) from None
    return rows
