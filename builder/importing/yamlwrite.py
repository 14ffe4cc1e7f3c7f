"""Writing a period file in the documented input format, deterministically, remembering each line's row."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field

from builder.importing.merchants import Chosen, Merchant
from builder.importing.rows import Record
from builder.privacy import mask_personal_data

# A plain scalar is written only when no YAML reader (1.1 or 1.2, block or flow context) could take it for
# anything but this text: no indicator first, no flow or comment characters, no number, bool, null or date look.
_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@`~=<+. \t0123456789")
_UNSAFE_ANYWHERE = re.compile(r"[,\[\]{}#:\"'\\]|\s$")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
_NOT_PRINTABLE = re.compile(r"[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ITEM_KEYS = ("received", "goods", "issue", "demand", "result", "handled")


@dataclass(frozen=True)
class Origin:
    """Where one written line came from: spreadsheet rows and columns, or a command-line option."""

    key: str
    rows: tuple[int, ...] = ()
    columns: dict[str, int] = field(default_factory=dict)
    option: str = ""


@functools.lru_cache(maxsize=65536)
def scalar(text: str) -> str:
    """A YAML scalar that reads back as exactly this text (plain when safe, else double-quoted)."""
    if text and text[0] not in _UNSAFE_START and not _UNSAFE_ANYWHERE.search(text) \
            and text.lower() not in _YAML11_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def comment(text: str) -> str:
    """A comment line that cannot break out of itself nor carry personal data."""
    text = _NOT_PRINTABLE.sub("\ufffd", " ".join(text.split()))
    return "# " + mask_personal_data(text)[0]


def quoted(text: str) -> str:
    """A text in double quotes for a comment (a file or sheet name, a column header)."""
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


class PeriodWriter:
    """Builds the lines of one period file and the origin of each line."""

    def __init__(self, header: list[str]) -> None:
        self.lines: list[str] = [comment(line) for line in header]
        self.origins: list[Origin | None] = [None] * len(self.lines)

    def add(self, line: str, origin: Origin | None) -> None:
        """Append one line."""
        self.lines.append(line)
        self.origins.append(origin)

    def text(self) -> str:
        """The file's text (LF line ends, a final newline)."""
        return "\n".join(self.lines) + "\n"

    def head(self, period: str, published: dt.date, department: str) -> None:
        """The period's own keys."""
        self.add(f"period: {period}", Origin("period", option=f"--period {period}"))
        self.add(f"published: {published.isoformat()}", Origin("published", option="--published"))
        self.add(f"department: {scalar(department)}", Origin("department", option="--department"))
        self.add("merchants:", None)

    def merchant(self, merchant: Merchant, columns: dict[str, int], per_merchant: bool) -> None:
        """One merchant's block (columns: the layout's field → column)."""
        name_column = columns.get("name", 1)
        every = Origin("name", merchant.rows, {key: columns[key] for key in ("name", "credit_code", "district",
                                                                              "category") if key in columns})
        self.add(f"  - name: {scalar(merchant.name.value)}", every)
        if merchant.credit_code.value:
            self.add(f"    credit_code: {scalar(merchant.credit_code.value)}",
                     _origin("credit_code", merchant.credit_code))
        for name in ("district", "category"):
            self.add(f"    {name}: {scalar(getattr(merchant, name).value)}", _origin(name, getattr(merchant, name)))
        for name in ("complaints", "resolved"):
            origin = (Origin(name, (merchant.counts_row,), {name: columns[name]}) if per_merchant
                      else Origin(name, merchant.rows, {name: name_column}))
            self.add(f"    {name}: {getattr(merchant, name)}", origin)
        if merchant.items:
            self.add("    items:", every)
            item_columns = {key: columns[key] for key in ITEM_KEYS if key in columns}
            for record in merchant.items:
                self.add(f"      - {item(record)}", Origin("items", (record.row,), item_columns))


def _origin(name: str, chosen: Chosen) -> Origin:
    if not chosen.rows:
        return Origin(name, (), {}, f"--default {name}={chosen.value}")
    return Origin(name, chosen.rows, {name: chosen.column or 1})


def item(record: Record) -> str:
    """One complaint as a flow mapping on one line."""
    parts = [f"received: {record.received}"]
    if record.goods:
        parts.append(f"goods: {scalar(record.goods)}")
    parts.append(f"issue: {scalar(record.issue)}")
    parts.append(f"demand: {scalar(record.demand)}")
    parts.append(f"result: {scalar(record.result)}")
    if record.handled:
        parts.append(f"handled: {record.handled}")
    return "{" + ", ".join(parts) + "}"
