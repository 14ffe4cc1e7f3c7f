"""Open data: every public entry and every disclosed complaint item, as JSON and as CSV (UTF-8 with BOM for Excel).

Two tables, whole and per period (the columns are builder/datadict.py's):

- ``data/complaints.{csv,json}``: one row per merchant and period (``data/<period>/complaints.*`` for one period);
- ``data/items.{csv,json}``: one row per disclosed complaint item (``data/<period>/items.*``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from builder.datadict import COMPLAINT_COLUMNS, ITEM_COLUMNS, STATUS_TEXT, Column, csv_columns, json_columns
from builder.derived import PeriodView
from builder.output import Staging
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
    base = site.content.config.base_url
    rows: list[Record] = []
    for view in site.periods if views is None else views:
        for row in view.rows:
            entry = row.entry
            rate = round(entry.resolved / entry.complaints, 4) if entry.complaints else None
            rows.append({
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
                "department": view.source.department,
                "url": row.merchant.url,
                "page_url": base + row.merchant.url,
                "open": entry.complaints - entry.resolved,
                "items_disclosed": len(entry.items),
            })
    return rows


def item_rows(site: Site, views: Iterable[PeriodView] | None = None) -> list[Record]:
    """One row per disclosed complaint item of a public entry, in the order of entry_rows, then as listed."""
    base = site.content.config.base_url
    rows: list[Record] = []
    for view in site.periods if views is None else views:
        for row in view.rows:
            entry = row.entry
            for number, item in enumerate(entry.items, start=1):
                rows.append({
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
                })
    return rows


def _whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


def to_json(rows: list[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS) -> str:
    """The records as pretty, stable JSON, with the table's JSON fields in dictionary order."""
    keys = [c.key for c in json_columns(columns)]
    return json.dumps([{key: row[key] for key in keys} for row in rows], ensure_ascii=False, indent=1) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell that starts like a formula is shown as text by spreadsheets (CSV injection).
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[Record], columns: tuple[Column, ...] = COMPLAINT_COLUMNS) -> bytes:
    """The records as CSV with Chinese headers, UTF-8 with BOM, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    chosen = csv_columns(columns)
    writer.writerow([c.title for c in chosen])
    for row in rows:
        writer.writerow([_cell(row[c.key]) for c in chosen])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def write_open_data(site: Site, staging: Staging) -> list[DataFile]:
    """Write both tables, whole and per period, under data/; return what was written.

    The whole files are always written (their addresses do not change); a period's file only when it has rows.
    """
    written: list[DataFile] = []
    groups: list[tuple[str, str, tuple[PeriodView, ...]]] = [("", "", site.periods)]
    groups += [(view.period.key, view.period.label, (view,)) for view in site.periods]
    for key, label, views in groups:
        folder = f"{key}/" if key else ""
        for table in TABLES:
            rows = entry_rows(site, views) if table is COMPLAINTS else item_rows(site, views)
            if key and not rows:
                continue
            for fmt in ("csv", "json"):
                path = f"{folder}{table.name}.{fmt}"
                text = to_csv(rows, table.columns) if fmt == "csv" else to_json(rows, table.columns)
                data = text if isinstance(text, bytes) else text.encode("utf-8")
                staging.write(f"data/{path}", data)
                written.append(DataFile(path, table, fmt, key, label, len(rows), len(data),
                                        hashlib.sha256(data).hexdigest()))
    return written
