"""Open data: every public entry as JSON and as CSV (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import io
import json

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
    rows: list[dict[str, object]] = []
    for view in site.periods:
        for row in view.rows:
            entry = row.entry
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
                "resolution_rate": round(entry.resolved / entry.complaints, 4) if entry.complaints else None,
                "mediated": entry.mediated,
                "recovered_yuan": _whole(entry.recovered_yuan),
                "status": entry.status,
                "department": view.source.department,
                "url": row.merchant.url,
            })
    return rows


def _whole(value: float | None) -> float | int | None:
    return int(value) if value is not None and value.is_integer() else value


def to_json(rows: list[dict[str, object]]) -> str:
    """The records as pretty, stable JSON."""
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell that starts like a formula is shown as text by spreadsheets (CSV injection).
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: list[dict[str, object]]) -> bytes:
    """The records as CSV with Chinese headers, UTF-8 with BOM, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label for _, label in CSV_COLUMNS])
    for row in rows:
        writer.writerow([_cell(row[key]) for key, _ in CSV_COLUMNS])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
