"""Rows into merchants: one per credit code (else per name), its counts, its spelling and its items."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from builder.codes import again, say
from builder.errors import Message, Problem
from builder.i18n import _, ngettext
from builder.importing.columns import LABELS, Layout, cell_ref
from builder.importing.rows import Record

# 处理结果 values that say a complaint is still being handled: such a row is not resolved and not an item.
PENDING_RESULTS = frozenset({
    "处理中", "办理中", "待处理", "待受理", "受理中", "已受理", "审核中", "待审核", "调解中", "未办结", "待办结",
    "未处理", "转办中", "信息审核", "厂家受理",
})


@dataclass(frozen=True)
class Chosen:
    """A merchant's value and the rows (and column) it came from; no rows when it came from --default."""

    value: str
    rows: tuple[int, ...]
    column: int | None


@dataclass
class Merchant:
    """One merchant of the period, with where each of its values came from."""

    name: Chosen
    credit_code: Chosen
    district: Chosen
    category: Chosen
    complaints: int
    resolved: int
    rows: tuple[int, ...]
    items: list[Record] = field(default_factory=list)
    counts_row: int = 0


@dataclass
class Merchants:
    """The merchants and what was found on the way."""

    merchants: list[Merchant] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    merged: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    not_itemised: dict[str, list[int]] = field(default_factory=dict)


def is_resolved(record: Record) -> bool:
    """A complaint is resolved when it has a 办结日期 or a 处理结果 that is not a pending state."""
    return record.handled is not None or (bool(record.result) and record.result not in PENDING_RESULTS)


def item_gap(record: Record) -> str | None:
    """Why a row cannot be listed as an item (received, issue, demand and a final result are needed), or None."""
    if record.received and record.issue and record.demand and record.result and record.result not in PENDING_RESULTS:
        return None
    missing = [LABELS[name] for name in ("received", "issue", "demand") if not getattr(record, name)]
    if missing:
        return _("no {fields}").format(fields="、".join(missing))
    if not record.result:
        return _("no {field} yet").format(field=LABELS["result"])
    if record.result in PENDING_RESULTS:
        return _("{field} `{value}` is a state of handling, not a result").format(field=LABELS["result"],
                                                                                   value=record.result)
    return None


class Aggregator:
    """Groups records into merchants for one layout."""

    def __init__(self, layout: Layout, shown: str) -> None:
        self.layout = layout
        self.shown = shown
        self.out = Merchants()

    def column(self, name: str) -> int | None:
        """The column of a field, None when it came from --default or is absent."""
        return self.layout.columns.get(name)

    def run(self, records: list[Record]) -> Merchants:
        """Group, choose spellings and values, count."""
        groups = self.group(records)
        for key, rows in groups.items():
            merchant = self.per_merchant(key, rows) if self.layout.per_merchant else self.per_complaint(key, rows)
            if merchant is not None:
                self.out.merchants.append(merchant)
        self.out.merchants.sort(key=lambda m: m.rows[0])
        return self.out

    def group(self, records: list[Record]) -> dict[str, list[Record]]:
        """Records by credit code, else by name; a name without a code joins the one code it is spelled for."""
        groups: dict[str, list[Record]] = {}
        for record in records:
            key = f"code:{record.credit_code}" if record.credit_code else f"name:{record.name}"
            groups.setdefault(key, []).append(record)
        spellings: dict[str, set[str]] = {}
        for key, rows in groups.items():
            if key.startswith("code:"):
                for record in rows:
                    spellings.setdefault(record.name, set()).add(key)
        name_col = self.column("name") or 1
        for key in [k for k in groups if k.startswith("name:")]:
            codes = sorted(spellings.get(key[5:], ()))
            rows = groups[key]
            if len(codes) == 1 and not self.layout.per_merchant:
                groups[codes[0]].extend(rows)
                del groups[key]
                self.out.merged.append(Problem(self.shown, rows[0].row, name_col, "name",
                                               say("GS710", "`{name}` without a credit code ({rows}) counted with the "
                                                            "merchant of credit code {code}", name=key[5:],
                                                   rows=_rows(rows), code=codes[0][5:])))
            elif len(codes) > 1 or (codes and self.layout.per_merchant):
                where = _(", ").join(c[5:] for c in codes)
                for record in rows:
                    self.problem(record.row, name_col, "name", say("GS710", "`{name}` has no credit code, but rows "
                                                                            "with this name have the credit code "
                                                                            "{codes}: fill it in", name=record.name,
                                                                   codes=where))
                del groups[key]
        return groups

    def problem(self, row: int, column: int, field_name: str, message: Message) -> None:
        """Report a row that cannot be used."""
        self.out.problems.append(Problem(self.shown, row, column, field_name,
                                         again(message, "{reason} (cell {cell})", cell=cell_ref(row, column))))

    def chosen(self, name: str, rows: list[Record]) -> Chosen | None:
        """The most frequent value of a field among a merchant's rows (ties: the earliest)."""
        where: dict[str, list[int]] = {}  # each value's rows
        for record in rows:
            value = getattr(record, name)
            if value:
                found = where.get(value)
                if found is None:
                    where[value] = [record.row]
                else:
                    found.append(record.row)
        if not where:
            return None
        value = max(where, key=lambda v: (len(where[v]), -where[v][0]))
        if name not in self.layout.columns:
            return Chosen(value, (), None)
        return Chosen(value, tuple(where[value]), self.column(name))

    def per_complaint(self, key: str, rows: list[Record]) -> Merchant | None:
        """A merchant from its complaint rows."""
        rows.sort(key=lambda r: r.row)
        name = self.chosen("name", rows)
        assert name is not None
        others = Counter(r.name for r in rows if r.name != name.value)
        for other, count in sorted(others.items(), key=lambda pair: next(r.row for r in rows if r.name == pair[0])):
            first = next(r.row for r in rows if r.name == other)
            self.out.merged.append(Problem(self.shown, first, self.column("name") or 1, "name",
                                           say("GS710", "`{other}` ({count}) counted as `{name}` ({rows}): same "
                                                        "credit code {code}", other=other,
                                               count=ngettext("{count} row", "{count} rows", count).format(count=count),
                                               name=name.value,
                                               rows=ngettext("{count} row", "{count} rows", len(name.rows)).format(
                                                   count=len(name.rows)), code=key[5:])))
        values = {}
        for field_name in ("district", "category"):
            picked = self.chosen(field_name, rows)
            if picked is None:
                for record in rows:
                    self.problem(record.row, self.column(field_name) or 1, field_name,
                                 say("GS203", "no row of `{name}` gives its {field} ({label})", name=name.value,
                                     field=field_name, label=LABELS[field_name]))
                return None
            distinct = {getattr(r, field_name) for r in rows if getattr(r, field_name)}
            if len(distinct) > 1:
                self.out.notes.append(Problem(self.shown, rows[0].row, self.column(field_name) or 1, field_name,
                                              say("GS710", "the rows of `{name}` give {count} values; the most "
                                                           "frequent, `{value}` ({rows}), is written", name=name.value,
                                                  count=len(distinct), value=picked.value,
                                                  rows=ngettext("{count} row", "{count} rows",
                                                                len(picked.rows)).format(count=len(picked.rows)))))
            values[field_name] = picked
        items = []
        for record in rows:
            gap = item_gap(record)
            if gap is None:
                items.append(record)
            else:
                self.out.not_itemised.setdefault(gap, []).append(record.row)
        code = self.chosen("credit_code", rows) or Chosen("", (), None)
        return Merchant(name, code, values["district"], values["category"], len(rows),
                        sum(1 for r in rows if is_resolved(r)), tuple(r.row for r in rows), items, rows[0].row)

    def per_merchant(self, key: str, rows: list[Record]) -> Merchant | None:
        """A merchant from its one row (a second row for the same merchant is a problem)."""
        first = rows[0]
        for record in rows[1:]:
            what = (_("credit code {code}").format(code=key[5:]) if key.startswith("code:") else
                    _("name `{name}`").format(name=key[5:]))
            self.problem(record.row, self.column("name") or 1, "name", say("GS301", "the same merchant ({what}) is "
                                                                                    "already at row {row}: one row "
                                                                                    "per merchant", what=what,
                                                                           row=first.row))
        if len(rows) > 1:
            return None
        assert first.complaints is not None and first.resolved is not None

        def one(name: str) -> Chosen:
            value = getattr(first, name)
            from_default = name not in self.layout.columns
            return Chosen(value, () if from_default else (first.row,), self.column(name))

        return Merchant(one("name"), one("credit_code"), one("district"), one("category"), first.complaints,
                        first.resolved, (first.row,), [], first.row)


def _rows(records: list[Record]) -> str:
    rows = [r.row for r in records]
    shown = _(", ").join(str(row) for row in rows[:10]) + (" …" if len(rows) > 10 else "")
    return ngettext("row {rows}", "rows {rows}", len(rows)).format(rows=shown)
