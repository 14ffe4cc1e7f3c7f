"""Reading one complaint file (content/complaints/**/*.yaml): one department's entries for one period."""

from __future__ import annotations

import re

from builder import creditcode
from builder.codes import say
from builder.errors import Problems
from builder.fields import Fields, suggest, type_name
from builder.fingerprint import digest
from builder.model import STATUSES, Correction, Entry, Item, PeriodFile, Source, Taxonomy
from builder.periods import Period
from builder.source import MarkedList, MarkedMap

FILE_KEYS = ["period", "published", "department", "merchants"]
MERCHANT_KEYS = ["name", "credit_code", "id", "district", "category", "address", "complaints", "resolved",
                 "mediated", "recovered_yuan", "status", "statement", "corrections", "items"]
ITEM_KEYS = ["received", "goods", "issue", "demand", "result", "handled", "detail"]
CORRECTION_KEYS = ["date", "change", "reason"]
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def read_period_file(data: object, shown: str, problems: Problems, taxonomy: Taxonomy) -> PeriodFile | None:
    """Check one complaint file and build its PeriodFile (None when unusable)."""
    if not isinstance(data, MarkedMap):
        problems.add(shown, 1, 1, "file", say("GS108", "expected a mapping with period, published, department and "
                                                       "merchants, found {found}", found=type_name(data)))
        return None
    before = problems.error_count
    fields = Fields(problems, shown, data)
    fields.check_keys(FILE_KEYS)
    period = fields.period("period")
    published = fields.date("published")
    department = fields.text("department", max_length=200)
    merchants = fields.sequence("merchants", required=True)
    entries: list[Entry] = []
    if merchants is not None and period is not None:
        if not merchants:
            fields.error("merchants", say("GS215", "the list is empty: a disclosure lists at least one merchant"))
        seen: dict[str, int] = {}
        for index, raw in enumerate(merchants):
            entry = _read_entry(raw, merchants, index, period, shown, problems, taxonomy, department or "")
            if entry is None:
                continue
            if entry.key in seen:
                line, column = merchants.item_mark(index)
                problems.add(shown, line, column, f"merchants[{index + 1}]",
                             say("GS301", "the same merchant ({label} {value}) is listed twice in this period; first "
                                          "at {first}", label=entry.identity.label, value=entry.identity.value,
                                 first=f"merchants[{seen[entry.key] + 1}]"))
                continue
            seen[entry.key] = index
            entries.append(entry)
    if problems.error_count > before or period is None or published is None or department is None:
        return None
    line, column = data.mark
    return PeriodFile(period, published, department, tuple(entries), Source(shown, line, column))


def entry_digests(record: object, parsed: object, basis: str) -> tuple[str, ...]:
    """A digest of each entry of a complaint file as read, from what it is made of: its own values as parsed, its
    place (index, line and column: its message source), the file's period and department, and `basis` (the
    reader's options, the taxonomy, the file's path). An edit to one merchant changes its entry's digest only, so
    the other merchants' pages keep their keys (pageoutput.PageKeys); () when the entries cannot be matched."""
    if not isinstance(record, PeriodFile) or not isinstance(parsed, MarkedMap):
        return ()
    raws = parsed.get("merchants")
    if not isinstance(raws, MarkedList) or len(raws) != len(record.entries):
        return ()  # (a file that gives a record lists each merchant once, as an entry: see read_period_file)
    shared = digest(basis, repr(record.period), record.department)
    return tuple(digest(shared, str(index), repr(raw.mark), repr(raw)) for index, raw in enumerate(raws))


def _read_entry(raw: object, merchants: MarkedList, index: int, period: Period, shown: str,
                problems: Problems, taxonomy: Taxonomy, department: str) -> Entry | None:
    prefix = f"merchants[{index + 1}]"
    if not isinstance(raw, MarkedMap):
        line, column = merchants.item_mark(index)
        problems.add(shown, line, column, prefix, say("GS204", "expected a merchant's fields, found {found}",
                                                      found=type_name(raw)))
        return None
    before = problems.error_count
    fields = Fields(problems, shown, raw, prefix)
    fields.check_keys(MERCHANT_KEYS)
    name = fields.text("name", max_length=200)
    code = _read_credit_code(fields)
    merchant_id = fields.text("id", required=False) or ""
    if merchant_id and not SAFE_ID.match(merchant_id):
        fields.error("id", say("GS213", "an id may hold only letters, digits, - and _ (at most 64, starting with a "
                                        "letter or digit)"))
    district = fields.text("district", max_length=100)
    category = fields.text("category", max_length=100)
    if category and taxonomy.categories and category not in taxonomy.category_names:
        fields.error("category", say("GS214", "`{value}` is not a category in content/taxonomy.yaml{suggestion}",
                                     value=category, suggestion=suggest(category, list(taxonomy.category_names))))
    complaints = fields.integer("complaints")
    resolved = fields.integer("resolved")
    mediated = fields.integer("mediated", required=False)
    if complaints is not None and resolved is not None and resolved > complaints:
        fields.error("resolved", say("GS302", "办结量 {resolved} is more than 投诉量 {complaints}", resolved=resolved,
                                     complaints=complaints))
    if mediated is not None and resolved is not None and mediated > resolved:
        fields.error("mediated", say("GS302", "调解成功 {mediated} is more than 办结量 {resolved}", mediated=mediated,
                                     resolved=resolved))
    recovered = fields.number("recovered_yuan", required=False)
    if recovered is not None and recovered < 0:
        fields.error("recovered_yuan", say("GS208", "must not be negative"))
    status = fields.choice("status", list(STATUSES), required=False, default="active")
    statement = fields.text("statement", required=False, max_length=5000) or ""
    corrections = _read_corrections(fields, problems, shown)
    items = _read_items(fields, problems, shown, period, taxonomy)
    if complaints is not None and len(items) > complaints:
        fields.error("items", say("GS302", "{count} complaints are disclosed but 投诉量 is {complaints}",
                                  count=len(items), complaints=complaints))
    if (problems.error_count > before or name is None or district is None or category is None
            or complaints is None or resolved is None or status is None):
        return None
    line, column = raw.mark
    return Entry(
        period=period, name=name, district=district,
        category=category, complaints=complaints, resolved=resolved, source=Source(shown, line, column, prefix),
        credit_code=code, merchant_id=merchant_id, address=fields.text("address", required=False) or "",
        mediated=mediated, recovered_yuan=recovered, status=status, statement=statement,
        corrections=corrections, items=items, department=department,
    )


def _read_credit_code(fields: Fields) -> str:
    raw = fields.text("credit_code", required=False)
    if not raw:
        return ""
    code = creditcode.normalise(raw)
    reason = creditcode.problem(code)
    if reason:
        fields.error("credit_code", say("GS212", "`{value}` is not a valid 统一社会信用代码: {reason}", value=raw,
                                        reason=reason))
        return ""
    return code


def _read_corrections(fields: Fields, problems: Problems, shown: str) -> tuple[Correction, ...]:
    listed = fields.sequence("corrections")
    if listed is None:
        return ()
    result: list[Correction] = []
    for index, raw in enumerate(listed):
        name = f"{fields.prefix}.corrections[{index + 1}]"
        if not isinstance(raw, MarkedMap):
            line, column = listed.item_mark(index)
            problems.add(shown, line, column, name, say("GS204", "expected date, change and reason"))
            continue
        sub = Fields(problems, shown, raw, name)
        sub.check_keys(CORRECTION_KEYS)
        date = sub.date("date")
        change, reason = sub.text("change", max_length=1000), sub.text("reason", max_length=1000)
        if date and change and reason:
            result.append(Correction(date, change, reason))
    return tuple(sorted(result, key=lambda c: (c.date, c.change, c.reason)))


def _read_items(fields: Fields, problems: Problems, shown: str, period: Period,
                taxonomy: Taxonomy) -> tuple[Item, ...]:
    listed = fields.sequence("items")
    if listed is None:
        return ()
    result: list[Item] = []
    end = period.end
    demands, results = list(taxonomy.demands), list(taxonomy.results)
    for index, raw in enumerate(listed):
        name = f"{fields.prefix}.items[{index + 1}]"
        if not isinstance(raw, MarkedMap):
            line, column = listed.item_mark(index)
            problems.add(shown, line, column, name, say("GS204", "expected received, issue, demand and result"))
            continue
        sub = Fields(problems, shown, raw, name)
        sub.check_keys(ITEM_KEYS)
        received = sub.date("received")
        if received and received > end:
            sub.error("received", say("GS216", "{date} is after the end of period {period}",
                                      date=received.isoformat(), period=period.key))
        issue = sub.text("issue", max_length=2000)
        demand = sub.choice("demand", demands) if demands else sub.text("demand", max_length=500)
        result_text = sub.choice("result", results) if results else sub.text("result", max_length=500)
        handled = sub.date("handled", required=False)
        if handled and received and handled < received:
            sub.error("handled", say("GS216", "{date} is before the date received {received}",
                                     date=handled.isoformat(), received=received.isoformat()))
        goods = sub.text("goods", required=False, max_length=200) or ""
        detail = sub.text("detail", required=False, max_length=2000) or ""
        if received and issue and demand and result_text:
            result.append(Item(received, issue, demand, result_text, goods, handled, detail))
    return tuple(result)
