"""Open data: every public entry as JSON and as CSV (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring

from builder.sitemodel import Site

CSV_COLUMNS = [
    ("period", "公示期"), ("published", "公示日期"), ("name", "经营者名称"), ("credit_code", "统一社会信用代码"),
    ("district", "区域"), ("category", "行业类别"), ("complaints", "投诉量"), ("resolved", "办结量"),
    ("resolution_rate", "办结率"), ("mediated", "调解成功"), ("recovered_yuan", "挽回经济损失（元）"),
    ("status", "状态"), ("department", "公示部门"), ("url", "页面"),
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def entry_rows(site: Site) -> list[dict[str, object]]:
    """One row per public entry, newest period first, then as listed on the period page."""
    return list(iter_rows(site))


def row_count(site: Site) -> int:
    """How many rows the open data holds."""
    return sum(len(view.rows) for view in site.periods)


def iter_rows(site: Site) -> Iterator[dict[str, object]]:
    """The rows of `entry_rows` one at a time (the files are written as they come: 100,000 merchants are
    several hundred thousand rows)."""
    for view in site.periods:
        for row in view.rows:
            entry = row.entry
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
                "resolution_rate": round(entry.resolved / entry.complaints, 4) if entry.complaints else None,
                "mediated": entry.mediated,
                "recovered_yuan": _whole(entry.recovered_yuan),
                "status": entry.status,
                "department": entry.department,
                "url": row.merchant.url,
            }


def _whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


def to_json(rows: list[dict[str, object]]) -> str:
    """The records as pretty, stable JSON."""
    return "".join(json_chunks(rows))


def json_chunks(rows: Iterable[dict[str, object]]) -> Iterator[str]:
    """`json.dumps(rows, ensure_ascii=False, indent=1)` and a newline, one row at a time (rows are flat)."""
    opened = False
    keys: dict[str, str] = {}
    for row in rows:
        fields = []
        for key, value in row.items():
            shown = keys.get(key)
            if shown is None:
                shown = keys[key] = f"  {encode_basestring(key)}: "
            fields.append(shown + _json_value(value))
        body = ",\n".join(fields)
        yield ("[\n" if not opened else ",\n") + (f" {{\n{body}\n }}" if fields else " {}")
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


def to_csv(rows: list[dict[str, object]]) -> bytes:
    """The records as CSV with Chinese headers, UTF-8 with BOM, CRLF line ends."""
    return b"".join(csv_chunks(rows))


def csv_chunks(rows: Iterable[dict[str, object]], batch: int = 2000) -> Iterator[bytes]:
    """`to_csv` a batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _, label in CSV_COLUMNS])
    yield b"\xef\xbb\xbf"
    for count, row in enumerate(rows, start=1):
        writer.writerow([_cell(row[key]) for key, _ in CSV_COLUMNS])
        if count % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")
