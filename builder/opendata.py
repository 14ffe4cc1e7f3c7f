"""Open data: every public entry and every disclosed complaint item, as JSON and as CSV (UTF-8 with BOM for Excel).

Two tables, whole and per period (the columns are builder/datadict.py's):

- ``data/complaints.{csv,json}``: one row per merchant and period (``data/<period>/complaints.*`` for one period);
- ``data/items.{csv,json}``: one row per disclosed complaint item (``data/<period>/items.*``).
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import chain, islice
from json.encoder import encode_basestring
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

from builder.datadict import COMPLAINT_COLUMNS, ITEM_COLUMNS, STATUS_TEXT, Column, csv_columns, json_columns
from builder.derived import PeriodView
from builder.sitemodel import Site

#: The old name of the complaints table's CSV columns, as (JSON key, CSV header) pairs.
CSV_COLUMNS = [(c.key, c.title) for c in csv_columns(COMPLAINT_COLUMNS)]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(_FORMULA_START)  # each is one character: `text[:1] in` is `text.startswith`
#: Scalars as `json.dumps(value, ensure_ascii=False)` writes them, a list of them one a line.
_VALUE_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=("\n", ": "))
BATCH = 2000  # rows encoded at a time
Record = dict[str, object]
Values = tuple[object, ...]  # a row's values in its table's column order
T = TypeVar("T")


@dataclass(frozen=True)
class Table:
    """One open-data table: its name (the file name without extension) and its columns."""

    name: str
    title: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]


COMPLAINTS = Table("complaints", "经营者投诉汇总（每个经营者每个公示期一条）", COMPLAINT_COLUMNS, ("period", "url"))
ITEMS = Table("items", "投诉明细（每件公示的投诉一条）", ITEM_COLUMNS, ("period", "url", "number"))
TABLES = (COMPLAINTS, ITEMS)


@dataclass(frozen=True)
class DataFile:
    """One file written under data/: its route relative to data/, the table it holds and its period ('' = all)."""

    path: str
    table: Table
    format: str
    period: str = ""
    label: str = ""
    rows: int = 0
    size: int = 0
    sha256: str = ""


def entry_rows(site: Site, views: Iterable[PeriodView] | None = None) -> list[Record]:
    """One row per public entry, newest period first, then as listed on the period page."""
    return list(iter_entry_rows(site, views))


def iter_entry_rows(site: Site, views: Iterable[PeriodView] | None = None) -> Iterator[Record]:
    """The rows of `entry_rows` one at a time (the files are written as they come: 100,000 merchants are
    several hundred thousand rows)."""
    keys = tuple(c.key for c in COMPLAINT_COLUMNS)
    return (dict(zip(keys, values, strict=True)) for values in _entry_values(site, views))


def _entry_values(site: Site, views: Iterable[PeriodView] | None) -> Iterator[Values]:
    """Each row of `iter_entry_rows` as its values in the order of COMPLAINT_COLUMNS."""
    base = site.content.config.base_url
    for view in site.periods if views is None else views:
        published, department = view.source.published.isoformat(), view.source.department
        for row in view.rows:
            entry, url = row.entry, row.merchant.url
            rate = round(entry.resolved / entry.complaints, 4) if entry.complaints else None
            yield (entry.period.key, published, entry.name, entry.credit_code or None, entry.merchant_id or None,
                   entry.district, entry.category, entry.complaints, entry.resolved, entry.resolved, rate, rate,
                   entry.mediated, _whole(entry.recovered_yuan), entry.status, STATUS_TEXT[entry.status],
                   entry.department or department,  # the file that reported it
                   url, base + url, entry.complaints - entry.resolved, len(entry.items))


def item_rows(site: Site, views: Iterable[PeriodView] | None = None) -> list[Record]:
    """One row per disclosed complaint item of a public entry, in the order of entry_rows, then as listed."""
    return list(iter_item_rows(site, views))


def iter_item_rows(site: Site, views: Iterable[PeriodView] | None = None) -> Iterator[Record]:
    """The rows of `item_rows` one at a time."""
    keys = tuple(c.key for c in ITEM_COLUMNS)
    return (dict(zip(keys, values, strict=True)) for values in _item_values(site, views))


def _item_values(site: Site, views: Iterable[PeriodView] | None) -> Iterator[Values]:
    """Each row of `iter_item_rows` as its values in the order of ITEM_COLUMNS."""
    base = site.content.config.base_url
    for view in site.periods if views is None else views:
        for row in view.rows:
            entry, url = row.entry, row.merchant.url
            page_url, code = base + url, entry.credit_code or None
            for number, item in enumerate(entry.items, start=1):
                yield (entry.period.key, entry.name, code, entry.district, entry.category, number,
                       item.received.isoformat(), item.goods or None, item.issue, item.demand, item.result,
                       item.handled.isoformat() if item.handled else None, item.detail or None, url, page_url)


def _whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


def to_json(rows: Iterable[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS) -> str:
    """The records as pretty, stable JSON, with the table's JSON fields in dictionary order."""
    return "".join(json_chunks(rows, columns))


def json_chunks(rows: Iterable[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS,
                batch: int = BATCH) -> Iterator[str]:
    """`json.dumps([...], ensure_ascii=False, indent=1)` and a newline, a batch of rows at a time (rows are flat)."""
    keys = tuple(c.key for c in json_columns(columns))
    return _json_chunks(map(_picker(keys), rows), keys, batch)


def _json_chunks(rows: Iterable[Values], keys: tuple[str, ...], batch: int) -> Iterator[str]:
    """`json_chunks` of rows given as their values of these keys."""
    # One row with a `%s` for each value (a `%` of a key doubled): a batch is this template repeated, filled at once.
    shown = ",\n".join(f"  {encode_basestring(key)}: ".replace("%", "%%") + "%s" for key in keys)
    template = f" {{\n{shown}\n }}" if keys else " {}"
    opened = False
    for some in _batches(rows, batch):
        values = _json_values(list(chain.from_iterable(some)))
        yield ("[\n" if not opened else ",\n") + ",\n".join([template] * len(some)) % tuple(values)
        opened = True
    yield "\n]\n" if opened else "[]\n"


def _json_values(values: list[object]) -> list[str]:
    """Each scalar as `json.dumps(value, ensure_ascii=False)` writes it, all encoded in one call."""
    if not values:
        return []
    # A newline stands only between the values (a string escapes its own), so the list splits back into them.
    return _VALUE_ENCODER.encode(values)[1:-1].split("\n")


def _picker(keys: tuple[str, ...] | tuple[int, ...]) -> Callable[[Any], Values]:
    """A row's values of these keys (or a tuple's at these places), in this order."""
    if len(keys) > 1:
        return itemgetter(*keys)
    return (lambda row: (row[keys[0]],)) if keys else (lambda row: ())


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    """The rows in lists of `size` (the last shorter)."""
    source = iter(rows)
    while some := list(islice(source, size)):
        yield some


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell that starts like a formula is shown as text by spreadsheets (CSV injection).
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS) -> bytes:
    """The records as CSV with Chinese headers, UTF-8 with BOM, CRLF line ends."""
    return b"".join(csv_chunks(rows, columns))


def csv_chunks(rows: Iterable[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS,
               batch: int = BATCH) -> Iterator[bytes]:
    """`to_csv` a batch of rows at a time."""
    chosen = csv_columns(columns)
    return _csv_chunks(map(_picker(tuple(c.key for c in chosen)), rows), tuple(c.title for c in chosen), batch)


def _csv_chunks(rows: Iterable[Values], titles: tuple[str, ...], batch: int) -> Iterator[bytes]:
    """`csv_chunks` of rows given as their values of the columns with these titles."""
    yield b"\xef\xbb\xbf" + _csv_lines([titles]).encode("utf-8")
    for some in _batches(rows, batch):
        # _cell of each value, inline (a call per value costs as much as the rest of the row)
        cells = [["" if value is None else ("'" + text if (text := str(value))[:1] in _FORMULA_FIRST else text)
                  for value in row] for row in some]
        yield _csv_lines(cells).encode("utf-8")


def _csv_lines(rows: Sequence[Sequence[str]]) -> str:
    """Rows of cells as `csv.writer(..., lineterminator="\\r\\n")` writes them."""
    text = "".join([",".join(cells) + "\r\n" for cells in rows])
    count, width = len(rows), len(rows[0])
    # The writer quotes a cell with a comma, a quote, CR or LF (and a lone empty cell); with none, it only joins.
    if width > 1 and '"' not in text and text.count(",") == count * (width - 1) and text.count("\r") == count and \
            text.count("\n") == count:
        return text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------- the files


@dataclass(frozen=True)
class DataGroup:
    """Open-data files written (or kept from the last build) together: a route prefix and the periods they hold."""

    prefix: str  # e.g. `data/complaints.` (the whole table) or `data/2026-09/` (one period's tables)
    views: tuple[PeriodView, ...]
    files: tuple[DataFile, ...]  # rows counted from the model; size and digest known once written or kept


def plan(site: Site) -> list[DataGroup]:
    """Both tables whole (always written: their addresses do not change), then each period's that has rows."""
    groups = [DataGroup(f"data/{table.name}.", site.periods, _files(table, "", "", site.periods)) for table in TABLES]
    for view in site.periods:
        files = tuple(f for table in TABLES for f in _files(table, view.period.key, view.period.label, (view,))
                      if f.rows)
        if files:
            groups.append(DataGroup(f"data/{view.period.key}/", (view,), files))
    return groups


def group_inputs(group: DataGroup) -> tuple[object, ...]:
    """What a group's rows are made from: the entries, their periods' dates and departments, the merchants' routes
    (not the merchants: their other periods' entries do not change these rows)."""
    return tuple((view.source.published, view.source.department, tuple((row.entry, row.merchant.url)
                                                                       for row in view.rows))
                 for view in group.views)


def _files(table: Table, period: str, label: str, views: tuple[PeriodView, ...]) -> tuple[DataFile, ...]:
    rows = sum(len(view.rows) if table is COMPLAINTS else sum(len(row.entry.items) for row in view.rows)
               for view in views)
    folder = f"{period}/" if period else ""
    return tuple(DataFile(f"{folder}{table.name}.{fmt}", table, fmt, period, label, rows) for fmt in ("csv", "json"))


def write_group(site: Site, group: DataGroup, write_chunks: Callable[[str, Iterable[bytes]], str],
                written_file: Callable[[str], Path] | None = None) -> list[DataFile]:
    """Write a group's files piece by piece under data/, each measured (rows, size) as it passes; its SHA-256 is
    the one `write_chunks` took while writing (hashing 100 MB of tables once, not twice).

    With `written_file` (where a route of this build's output is), a whole table is joined from its periods'
    files, already written (pages.py writes them first), rather than encoded a second time.
    """
    written = []
    for planned in group.files:
        joined = _joined(planned, group, written_file) if written_file is not None and not planned.period else None
        if joined is not None:
            chunks: Iterable[bytes] = joined
            counted = None
        else:
            counted = _Counted((_entry_values if planned.table is COMPLAINTS else _item_values)(site, group.views))
            chunks = _encoded(counted, planned)
        measured = _Measured(chunks)
        sha256 = write_chunks(f"data/{planned.path}", measured)
        written.append(replace(planned, rows=planned.rows if counted is None else counted.count, size=measured.size,
                               sha256=sha256))
    return written


def _encoded(rows: Iterable[Values], planned: DataFile) -> Iterator[bytes]:
    """A file's bytes from its table's rows given as their values in the table's column order."""
    columns = planned.table.columns
    chosen = csv_columns(columns) if planned.format == "csv" else json_columns(columns)
    if chosen != columns:
        rows = map(_picker(tuple(columns.index(c) for c in chosen)), rows)
    if planned.format == "csv":
        return _csv_chunks(rows, tuple(c.title for c in chosen), BATCH)
    return (text.encode("utf-8") for text in _json_chunks(rows, tuple(c.key for c in chosen), BATCH))


def _joined(planned: DataFile, group: DataGroup, written_file: Callable[[str], Path]) -> Iterator[bytes] | None:
    """A whole table's file as its periods' files joined (None when one of them is not as this module writes)."""
    columns = planned.table.columns
    head = b"".join(csv_chunks(iter(()), columns)) if planned.format == "csv" else b"[\n"
    tail = b"" if planned.format == "csv" else b"\n]\n"
    parts = []
    for view in group.views:
        if _files(planned.table, view.period.key, "", (view,))[0].rows:
            path = written_file(f"data/{view.period.key}/{planned.table.name}.{planned.format}")
            try:
                with path.open("rb") as handle:
                    size, start = path.stat().st_size, handle.read(len(head))
                    handle.seek(size - len(tail))
                    end = handle.read()
            except OSError:
                return None
            if start != head or end != tail or size <= len(head) + len(tail):
                return None
            parts.append((path, len(head), size - len(tail)))
    return _join_parts(head, tail, parts, b"" if planned.format == "csv" else b",\n")


def _join_parts(head: bytes, tail: bytes, parts: list[tuple[Path, int, int]], between: bytes) -> Iterator[bytes]:
    """`head`, each file's bytes from `start` to `end` separated by `between`, then `tail` (`[]` JSON if none)."""
    if not parts and tail:
        yield b"[]\n"
        return
    yield head
    for number, (path, start, end) in enumerate(parts):
        if number:
            yield between
        with path.open("rb") as handle:
            handle.seek(start)
            left = end - start
            while left > 0:
                chunk = handle.read(min(left, 1 << 20))
                if not chunk:
                    raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))  # the file shrank meanwhile
                left -= len(chunk)
                yield chunk
    yield tail


class _Counted:
    """Rows passed on one at a time, counted a batch at a time."""

    def __init__(self, rows: Iterator[Values]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Values]:
        return chain.from_iterable(self._counted())

    def _counted(self) -> Iterator[list[Values]]:
        for some in _batches(self.rows, BATCH):
            self.count += len(some)
            yield some


class _Measured:
    """A file's pieces passed on one at a time, their size taken on the way."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = chunks
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            yield chunk
