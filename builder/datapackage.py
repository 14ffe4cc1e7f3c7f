"""data/datapackage.json: a Frictionless (Tabular) Data Package describing the open-data files.

Each file is one resource with its SHA-256 (no byte count: frictionless does not count the bytes of a JSON
table, so validating one with `bytes` fails); the files of one kind share a Table Schema written once under
data/schemas/ (CSV fields are named by the Chinese headers, JSON fields by their keys; both carry the other name).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from builder.datadict import Column, csv_columns, json_columns
from builder.model import SiteConfig
from builder.opendata import TABLES, DataFile, Table

MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


def schema_path(table: Table, fmt: str) -> str:
    """The route of a table's schema in one format, relative to data/."""
    return f"schemas/{table.name}-{fmt}.json"


def field(column: Column, fmt: str) -> dict[str, Any]:
    """A Table Schema field for one column."""
    other = f"（JSON 字段 {column.key}）" if fmt == "csv" else f"（CSV 列 {column.title}）" if column.csv else ""
    described: dict[str, Any] = {"name": column.title if fmt == "csv" else column.key, "title": column.title,
                                 "type": column.type, "description": column.meaning + other}
    if column.unit:
        described["unit"] = column.unit
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.values:
        constraints["enum"] = list(column.values)
    if column.pattern:
        constraints["pattern"] = column.pattern
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    if column.maximum is not None:
        constraints["maximum"] = column.maximum
    if constraints:
        described["constraints"] = constraints
    return described


def schema(table: Table, fmt: str) -> dict[str, Any]:
    """The Table Schema of a table in one format."""
    columns = csv_columns(table.columns) if fmt == "csv" else json_columns(table.columns)
    names = {c.key: (c.title if fmt == "csv" else c.key) for c in columns}
    # The CSV has the page's full address where the JSON has its route: either names the merchant.
    key = [names["page_url" if fmt == "csv" and k == "url" else k] for k in table.primary_key]
    return {"fields": [field(c, fmt) for c in columns], "missingValues": [""], "primaryKey": key}


def resource(file: DataFile) -> dict[str, Any]:
    """The resource descriptor of one written file."""
    period = f"{file.label}，" if file.label else "全部公示期，"
    bom = "，UTF-8 带 BOM（便于 Excel 打开），以 ' 开头的单元格是为防止被当作公式而加的" if file.format == "csv" else ""
    stem = file.path.rsplit(".", 1)[0].replace("/", "-").lower()
    return {
        "name": f"{stem}-{file.format}",
        "path": file.path,
        "profile": "tabular-data-resource",
        "title": f"{file.table.title}（{file.label or '全部公示期'}，{file.format.upper()}）",
        "description": f"{period}{file.rows} 条记录{bom}",
        "format": file.format,
        "mediatype": MEDIA_TYPES[file.format],
        "encoding": "utf-8",
        "hash": "sha256:" + file.sha256,
        "schema": schema_path(file.table, file.format),
    }


def license_entry(config: SiteConfig) -> list[dict[str, str]]:
    """The package's `licenses`: the site's data licence or terms, when site.yaml declares them."""
    terms = config.data_license
    if terms is None:
        return []
    entry = {"title": terms.title, "path": terms.url or config.base_url + "data/"}
    if terms.name:
        entry["name"] = terms.name
    return [entry]


def package(config: SiteConfig, files: list[DataFile], updated: dt.date | None) -> dict[str, Any]:
    """The Data Package descriptor."""
    described: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "consumer-complaint-disclosure",
        "title": config.title,
        "description": (config.description + "\n" if config.description else "")
        + "complaints：每个经营者每个公示期一条（投诉量、办结量等）；items：每件公示的投诉明细一条。"
          "每种数据有全部公示期的文件，也有每个公示期一个文件夹。",
        "homepage": config.base_url + "data/",
        "contributors": [{"title": config.organizer, "role": "publisher"}],
        "keywords": ["消费投诉", "投诉信息公示", "市场监督管理"],
    }
    if updated is not None:  # the data's last update, not the build's time: same input, same bytes
        described["created"] = f"{updated.isoformat()}T00:00:00Z"
    licenses = license_entry(config)
    if licenses:
        described["licenses"] = licenses
    # A file without rows is left out: frictionless cannot read an empty JSON table ("[]") as a table.
    described["resources"] = [resource(file) for file in files if file.rows]
    return described


def dumps(value: Any) -> str:
    """Readable, deterministic JSON."""
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def schemas() -> dict[str, str]:
    """Every schema file, by its route relative to data/."""
    return {schema_path(table, fmt): dumps(schema(table, fmt)) for table in TABLES for fmt in ("csv", "json")}
