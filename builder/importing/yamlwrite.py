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
from builder.source import MarkedList, MarkedMap, SourceError, parse_yaml

# A plain scalar is written only when no YAML reader (1.1 or 1.2, block or flow context) could take it for
# anything but this text: no indicator first, no flow or comment characters, no number, bool, null or date look.
_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@`~=<+. \t0123456789")
_UNSAFE_ANYWHERE = re.compile(r"[,\[\]{}#:\"'\\]|\s$")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"}
_NOT_PRINTABLE = re.compile(r"[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ITEM_KEYS = ("received", "goods", "issue", "demand", "result", "handled")
# A file made only of these characters (no tab, no line break of YAML's own besides LF, no BOM, no control
# character) reads line by line as written: the tree built beside the text is then the parser's (see `tree`).
_OUTSIDE_PLAIN_TEXT = re.compile(
    r"[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")


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
    """Builds the lines of one period file, the origin of each line and the file as the YAML parser reads it."""

    def __init__(self, header: list[str]) -> None:
        self.lines: list[str] = [comment(line) for line in header]
        self.origins: list[Origin | None] = [None] * len(self.lines)
        self.root: MarkedMap | None = None  # what parse_yaml gives for the text (None: only the parser can say)
        self.merchants = MarkedList()

    def add(self, line: str, origin: Origin | None) -> None:
        """Append one line."""
        self.lines.append(line)
        self.origins.append(origin)

    def text(self) -> str:
        """The file's text (LF line ends, a final newline)."""
        return "\n".join(self.lines) + "\n"

    def tree(self, text: str) -> MarkedMap | None:
        """What `parse_yaml(text)` gives, built while writing; None when only the parser can tell.

        Every value was written by `scalar` (which reads back as its text), as a date or as a whole number, at a
        known line and column, one line each; a line break inside a value or a character that YAML could read
        otherwise (a tab, a line break of its own, a BOM, a control character) leaves the reading to the parser.
        tests/test_import_tree.py holds this tree against the parser's, value for value and mark for mark.
        """
        if self.root is None or not self.merchants or text.count("\n") != len(self.lines) \
                or _OUTSIDE_PLAIN_TEXT.search(text):  # a line break inside a line, or a character to decide on
            return None
        return self.root

    def head(self, period: str, published: dt.date, department: str) -> None:
        """The period's own keys."""
        first = len(self.lines)
        self.add(f"period: {period}", Origin("period", option=f"--period {period}"))
        self.add(f"published: {published.isoformat()}", Origin("published", option="--published"))
        self.add(f"department: {scalar(department)}", Origin("department", option="--department"))
        self.add("merchants:", None)
        try:  # three short lines: the parser reads them, whatever YAML makes of a period like 2026
            root = parse_yaml("\n".join(self.lines[first:first + 3]) + "\n", first)
        except SourceError:
            return
        if isinstance(root, MarkedMap) and len(root) == 3 and not root.duplicates:
            line = len(self.lines)
            self.merchants.mark = (line + 1, 3)
            root["merchants"] = self.merchants
            root.key_marks["merchants"] = (line, 1)
            root.value_marks["merchants"] = self.merchants.mark
            self.root = root

    def merchant(self, merchant: Merchant, columns: dict[str, int], per_merchant: bool) -> None:
        """One merchant's block (columns: the layout's field → column)."""
        name_column = columns.get("name", 1)
        every = Origin("name", merchant.rows, {key: columns[key] for key in ("name", "credit_code", "district",
                                                                              "category") if key in columns})
        lines, origins = self.lines, self.origins
        block = MarkedMap()
        block.mark = (len(lines) + 1, 5)
        self.merchants.append(block)
        self.merchants.item_marks.append(block.mark)
        keys, values = block.key_marks, block.value_marks

        def put(name: str, value: object, written: str, origin: Origin) -> None:
            lines.append(f"    {name}: {written}")
            origins.append(origin)
            line = len(lines)
            block[name] = value
            keys[name] = (line, 5)
            values[name] = (line, 7 + len(name))

        put("name", merchant.name.value, scalar(merchant.name.value), every)
        lines[-1] = "  - " + lines[-1][4:]
        if merchant.credit_code.value:
            put("credit_code", merchant.credit_code.value, scalar(merchant.credit_code.value),
                _origin("credit_code", merchant.credit_code))
        for name in ("district", "category"):
            chosen = getattr(merchant, name)
            put(name, chosen.value, scalar(chosen.value), _origin(name, chosen))
        for name in ("complaints", "resolved"):
            count = getattr(merchant, name)
            put(name, count, str(count), Origin(name, (merchant.counts_row,), {name: columns[name]}) if per_merchant
                else Origin(name, merchant.rows, {name: name_column}))
        if merchant.items:
            lines.append("    items:")
            origins.append(every)
            line = len(lines) + 1
            listed = MarkedList()
            listed.mark = (line, 7)
            block["items"] = listed
            keys["items"], values["items"] = (line - 1, 5), listed.mark
            item_columns = {key: columns[key] for key in ITEM_KEYS if key in columns}
            marks = listed.item_marks
            for record in merchant.items:
                text, mapping = item_with_tree(record, line)
                lines.append(text)
                origins.append(Origin("items", (record.row,), item_columns))
                listed.append(mapping)
                marks.append(mapping.mark)
                line += 1


def _origin(name: str, chosen: Chosen) -> Origin:
    if not chosen.rows:
        return Origin(name, (), {}, f"--default {name}={chosen.value}")
    return Origin(name, chosen.rows, {name: chosen.column or 1})


def item_with_tree(record: Record, line: int) -> tuple[str, MarkedMap]:
    """One complaint's line (`      - {received: …}`, a flow mapping) and that mapping as the parser reads it."""
    mapping = MarkedMap()
    mapping.mark = (line, 9)
    keys, values = mapping.key_marks, mapping.value_marks
    parts: list[str] = []
    column = 10
    value: object
    for name, value in (("received", record.received), ("goods", record.goods), ("issue", record.issue),
                        ("demand", record.demand), ("result", record.result), ("handled", record.handled)):
        if isinstance(value, str):
            if not value and name == "goods":
                continue
            written = scalar(value)
        elif value is None and name == "handled":
            continue
        else:  # a date, written and read as YYYY-MM-DD text
            value = written = str(value)
        mapping[name] = value
        keys[name] = (line, column)
        values[name] = (line, column + len(name) + 2)
        part = f"{name}: {written}"
        parts.append(part)
        column += len(part) + 2
    return "      - {" + ", ".join(parts) + "}", mapping
