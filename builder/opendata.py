"""Open data: every public entry and every disclosed complaint item, as JSON and as CSV (UTF-8 with BOM for Excel).

Two tables, whole and per period (the columns are builder/datadict.py's):

- ``data/complaints.{csv,json}``: one row per merchant and period (``data/<period>/complaints.*`` for one period);
- ``data/items.{csv,json}``: one row per disclosed complaint item (``data/<period>/items.*``).
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from json.encoder import encode_basestring
from pathlib import Path

from builder.datadict import COMPLAINT_COLUMNS, ITEM_COLUMNS, STATUS_TEXT, Column, csv_columns, json_columns
from builder.derived import PeriodView
from builder.sitemodel import Site

#: The old name of the complaints table's CSV columns, as (JSON key, CSV header) pairs.
CSV_COLUMNS = [(c.key, c.title) for c in csv_columns(COMPLAINT_COLUMNS)]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Record = dict[str, object]


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
    base = site.content.config.base_url
    for view in site.periods if views is None else views:
        for row in view.rows:
            entry = row.entry
            rate = round(entry.resolved / entry.complaints, 4) if entry.complaints else None
            yield {
                "period": entry.period.key,
                "published": view.source.published.isoformat(),
                "name": entry.name,
                "credit_code": entry.credit_code or None,
                "id": entry.merchant_id or None,
                "district": entry.district,
                "category": entry.category,
                "complaints": entry.complaints,
                "resolved": entry.resolved,
                "closed": entry.resolved,
                "resolution_rate": rate,
                "closure_rate": rate,
                "mediated": entry.mediated,
                "recovered_yuan": _whole(entry.recovered_yuan),
                "status": entry.status,
                "status_label": STATUS_TEXT[entry.status],
                "department": entry.department or view.source.department,  # the file that reported it
                "url": row.merchant.url,
                "page_url": base + row.merchant.url,
                "open": entry.complaints - entry.resolved,
                "items_disclosed": len(entry.items),
            }


def item_rows(site: Site, views: Iterable[PeriodView] | None = None) -> list[Record]:
    """One row per disclosed complaint item of a public entry, in the order of entry_rows, then as listed."""
    return list(iter_item_rows(site, views))


def iter_item_rows(site: Site, views: Iterable[PeriodView] | None = None) -> Iterator[Record]:
    """The rows of `item_rows` one at a time."""
    base = site.content.config.base_url
    for view in site.periods if views is None else views:
        for row in view.rows:
            entry = row.entry
            for number, item in enumerate(entry.items, start=1):
                yield {
                    "period": entry.period.key,
                    "merchant": entry.name,
                    "credit_code": entry.credit_code or None,
                    "district": entry.district,
                    "category": entry.category,
                    "number": number,
                    "received": item.received.isoformat(),
                    "goods": item.goods or None,
                    "issue": item.issue,
                    "demand": item.demand,
                    "result": item.result,
                    "handled": item.handled.isoformat() if item.handled else None,
                    "detail": item.detail or None,
                    "url": row.merchant.url,
                    "page_url": base + row.merchant.url,
                }


def _whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


def to_json(rows: Iterable[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS) -> str:
    """The records as pretty, stable JSON, with the table's JSON fields in dictionary order."""
    return "".join(json_chunks(rows, columns))


def json_chunks(rows: Iterable[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS) -> Iterator[str]:
    """`json.dumps([...], ensure_ascii=False, indent=1)` and a newline, one row at a time (rows are flat)."""
    keys = [(c.key, f"  {encode_basestring(c.key)}: ") for c in json_columns(columns)]
    opened = False
    for row in rows:
        body = ",\n".join(shown + _json_value(row[key]) for key, shown in keys)
        yield ("[\n" if not opened else ",\n") + (f" {{\n{body}\n }}" if keys else " {}")
        opened = True
    yield "\n]\n" if opened else "[]\n"


def _json_value(value: object) -> str:
    """One scalar as `json.dumps(value, ensure_ascii=False)` writes it."""
    if isinstance(value, str):
        return str(encode_basestring(value))
    if type(value) is int:
        return str(value)
    if value is None:
        return "null"
    return json.dumps(value, ensure_ascii=False)


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
               batch: int = 2000) -> Iterator[bytes]:
    """`to_csv` a batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    chosen = csv_columns(columns)
    writer.writerow([c.title for c in chosen])
    yield b"\xef\xbb\xbf"
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(row[c.key]) for c in chosen])
        if count % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


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


def write_group(site: Site, group: DataGroup, write_chunks: Callable[[str, Iterable[bytes]], None],
                written_file: Callable[[str], Path] | None = None) -> list[DataFile]:
    """Write a group's files piece by piece under data/, each measured (rows, size, SHA-256) as it passes.

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
            rows = iter_entry_rows(site, group.views) if planned.table is COMPLAINTS else iter_item_rows(site,
                                                                                                       group.views)
            counted = _Counted(rows)
            chunks = csv_chunks(counted, planned.table.columns) if planned.format == "csv" else (
                text.encode("utf-8") for text in json_chunks(counted, planned.table.columns))
        measured = _Measured(chunks)
        write_chunks(f"data/{planned.path}", measured)
        written.append(replace(planned, rows=planned.rows if counted is None else counted.count, size=measured.size,
                               sha256=measured.hasher.hexdigest()))
    return written


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
    """Rows passed on one at a time, counted."""

    def __init__(self, rows: Iterator[Record]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Record]:
        for row in self.rows:
            self.count += 1
            yield row


class _Measured:
    """A file's pieces passed on one at a time, their size and SHA-256 taken on the way."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = chunks
        self.size = 0
        self.hasher = hashlib.sha256()

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            self.hasher.update(chunk)
            yield chunk
