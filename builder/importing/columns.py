"""Which column holds which field: the header synonyms, finding the header row, --map and --default."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from builder.codes import say
from builder.errors import Problem
from builder.i18n import _

# The contract of issue 10: headers are matched after trimming spaces and folding full-width forms.
FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("经营者名称", "经营者", "被投诉人", "被投诉人名称", "被投诉单位", "被投诉方", "企业名称", "商户名称",
             "单位名称"),
    "credit_code": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码"),
    "district": ("区域", "所属区域", "辖区", "所属辖区", "街道", "属地", "所在地区"),
    "category": ("行业", "行业类别", "类别", "投诉类别", "商品服务类别", "行业分类"),
    "complaints": ("投诉量", "投诉数量", "投诉件数", "投诉数"),
    "resolved": ("办结量", "办结数量", "办结件数", "已办结"),
    "received": ("受理日期", "登记日期", "投诉日期", "受理时间", "登记时间"),
    "issue": ("投诉问题", "问题描述", "投诉内容", "投诉事由"),
    "demand": ("诉求", "投诉诉求", "消费者诉求"),
    "result": ("处理结果", "办理结果", "调解结果"),
    "handled": ("办结日期", "办结时间", "处理日期"),
    "goods": ("商品或服务", "商品名称", "服务名称", "商品服务名称"),
    # Not in the table: a complaint's own number, so that a complaint exported twice counts once.
    "number": ("投诉编号", "登记编号", "投诉单号", "工单号", "工单编号"),
}
LABELS = {"name": "经营者名称", "credit_code": "统一社会信用代码", "district": "区域", "category": "行业类别",
          "complaints": "投诉量", "resolved": "办结量", "received": "受理日期", "issue": "投诉问题",
          "demand": "诉求", "result": "处理结果", "handled": "办结日期", "goods": "商品或服务", "number": "投诉编号"}
PER_MERCHANT = ("complaints", "resolved")
ITEM_FIELDS = ("received", "goods", "issue", "demand", "result", "handled", "number")
DEFAULTABLE = ("district", "category")
HEADER_SEARCH_ROWS = 100
_UNIT = re.compile(r"[(\[][^()\[\]]*[)\]]$")
_SYNONYMS = {unicodedata.normalize("NFKC", text).casefold(): name for name, texts in FIELDS.items()
             for text in texts}


def fold(text: object) -> str:
    """A header as compared: NFKC (full-width folded), case-folded, without any whitespace."""
    if text is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 1-based column number (1 → A, 27 → AA)."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_ref(row: int, column: int) -> str:
    """A cell as a spreadsheet names it, e.g. C5."""
    return f"{column_letter(column)}{row}"


def _synonym(key: str) -> str | None:
    """The field a folded header names by the synonym table (a trailing unit such as (件) is ignored)."""
    found = _SYNONYMS.get(key)
    if found is None and _UNIT.search(key):
        found = _SYNONYMS.get(_UNIT.sub("", key))
    return found


@dataclass(frozen=True)
class Layout:
    """The header row and the column (1-based) of every field found."""

    header_row: int
    headers: tuple[str, ...]
    columns: dict[str, int]
    ignored: tuple[tuple[int, str, str], ...] = ()
    defaults: dict[str, str] = field(default_factory=dict)

    @property
    def per_merchant(self) -> bool:
        """One row per merchant (a complaints or resolved column), else one row per complaint."""
        return any(name in self.columns for name in PER_MERCHANT)

    def describe(self, name: str) -> str:
        """Where a field comes from, e.g. `被投诉人 (B)` or `--default district=全国`."""
        if name in self.columns:
            column = self.columns[name]
            return f"{self.headers[column - 1]} ({column_letter(column)})"
        return f"--default {name}={self.defaults[name]}"


def find_header(rows: Sequence[Sequence[object]], mapped: dict[str, str]) -> int | None:
    """The 0-based index of the first row naming at least two known fields, or None."""
    mapped_keys = {fold(column): name for name, column in mapped.items()}
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        named = set()
        for cell in row:
            if cell is None or cell == "":
                continue
            key = fold(cell)
            found = mapped_keys.get(key) or _synonym(key)
            if found:
                named.add(found)
        if len(named) >= 2:
            return index
    return None


def resolve_layout(row: Sequence[object], header_index: int, mapped: dict[str, str], defaults: dict[str, str],
                   shown: str) -> tuple[Layout, list[Problem]]:
    """Give each field its column; report ambiguous headers and --map columns that are not there."""
    headers = tuple(" ".join(str(cell).split()) if cell is not None else "" for cell in row)
    line = header_index + 1
    problems: list[Problem] = []
    keys = [fold(text) for text in headers]
    columns: dict[str, int] = {}
    for name, wanted in mapped.items():
        hits = [index + 1 for index, key in enumerate(keys) if key == fold(wanted)]
        if not hits:
            listed = _(", ").join(f"{text} ({column_letter(i + 1)})" for i, text in enumerate(headers) if text)
            problems.append(Problem(shown, line, 1, "--map", say("GS703", "--map {name}={wanted}: no column `{wanted}` "
                                                                          "in the header row {line}; its columns are: "
                                                                          "{listed}", name=name, wanted=wanted,
                                                                 line=line, listed=listed)))
        elif len(hits) > 1:
            problems.append(Problem(shown, line, hits[1], "--map",
                                    say("GS703", "--map {name}={wanted}: columns {columns} are all called `{wanted}`; "
                                                 "rename one", name=name, wanted=wanted,
                                        columns=_(", ").join(column_letter(i) for i in hits))))
        else:
            columns[name] = hits[0]
    taken = set(columns.values())
    found: dict[str, list[int]] = {}
    ignored: list[tuple[int, str, str]] = []
    for index, key in enumerate(keys, start=1):
        if index in taken:
            continue
        synonym = _synonym(key)
        if synonym is None:
            if key:
                ignored.append((index, headers[index - 1], _("not a known field")))
        elif synonym in columns:
            ignored.append((index, headers[index - 1], _("--map {name}={column} chose another column").format(
                name=synonym, column=mapped[synonym])))
        else:
            found.setdefault(synonym, []).append(index)
    ambiguous = {name for name, hits in found.items() if len(hits) > 1}
    for name, hits in found.items():
        if len(hits) > 1:
            named = _(", ").join(f"{headers[i - 1]} ({column_letter(i)})" for i in hits)
            problems.append(Problem(shown, line, hits[1], name, say("GS703", "columns {columns} all name the field "
                                                                             "{name} ({label}); choose one with --map "
                                                                             "{name}=列名", columns=named, name=name,
                                                                    label=LABELS[name])))
        else:
            columns[name] = hits[0]
    if any(name in columns for name in PER_MERCHANT):
        for name in ITEM_FIELDS:
            if name in columns:
                column = columns.pop(name)
                ignored.append((column, headers[column - 1], _("a file of one row per merchant lists no items")))
    layout = Layout(line, headers, columns, tuple(sorted(ignored)), dict(defaults))
    problems.extend(_missing_fields(layout, shown, ambiguous | set(mapped)))
    return layout, problems


def _missing_fields(layout: Layout, shown: str, reported: set[str]) -> list[Problem]:
    """Fields a period file needs that no column (nor --default) gives."""
    problems = []
    line = layout.header_row
    needed = ["name", "district", "category"]
    if layout.per_merchant:
        needed += [name for name in PER_MERCHANT]
    for name in needed:
        if name in layout.columns or name in layout.defaults or name in reported:
            continue
        synonyms = "、".join(FIELDS[name])
        extra = _(", or give every row one value with --default {name}=值").format(name=name) \
            if name in DEFAULTABLE else ""
        if name in PER_MERCHANT:
            other = PER_MERCHANT[1 - PER_MERCHANT.index(name)]
            extra = _(" (a file of one row per merchant needs both; it has a {other} column)").format(other=other)
        problems.append(Problem(shown, line, 1, name, say("GS703", "no column for {name} ({label}); headers taken: "
                                                                   "{synonyms}; name one with --map {name}=列名{extra}",
                                                          name=name, label=LABELS[name], synonyms=synonyms,
                                                          extra=extra)))
    return problems
