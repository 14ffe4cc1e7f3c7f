"""Reading one cell as a count, a date, a name, a credit code or a line of text."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from builder import creditcode
from builder.codes import say
from builder.errors import Message

MAX_LENGTHS = {"name": 200, "district": 100, "category": 100, "goods": 200, "issue": 2000, "demand": 500,
               "result": 500, "number": 100}
# Characters no YAML file of the site may hold (the builder refuses them too), besides the line breaks and
# tabs that are folded into spaces.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_COUNT = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(?:\.0*)?(?:件|起|宗|次|个|户|家)?$")
_DATE = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d+)?)?)?$")
_DATE_ZH = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?(?: ?(\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2})秒?)?)?$")
_SERIAL_FIRST, _SERIAL_LAST = 32874, 73050  # Excel serial numbers of 1990-01-01 and 2099-12-31
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_TOTAL = re.compile(r"^(?:合\s*计|总\s*计|小\s*计)(?![\u4e00-\u9fff])")
_HALF_BRACKETS = str.maketrans({"(": "（", ")": "）"})
_SPACE_AT_BRACKET = re.compile(r"\s*([（）])\s*")


class CellError(ValueError):
    """A cell that cannot be read as its field; the message quotes the (masked) cell."""

    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.text)


def is_empty(value: object) -> bool:
    """Whether a cell holds nothing (None, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def is_total(value: object) -> bool:
    """Whether a cell marks a total row (合计, 总计, 小计)."""
    return isinstance(value, str) and _TOTAL.match(value.strip()) is not None


def as_text(value: object) -> str:
    """Any cell as its text: whole numbers without `.0`, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def clean_text(text: str, max_length: int) -> str:
    """Trimmed text with every run of whitespace (line breaks, tabs, U+3000) folded into one space."""
    control = _CONTROL.search(text)
    if control:
        raise CellError(say("GS205", "contains the control character {char}; delete it",
                            char=f"U+{ord(control.group()):04X}"))
    folded = " ".join(text.split())
    text = text if folded == text else folded  # the cell's own string when nothing changed: held once, not twice
    if len(text) > max_length:
        raise CellError(say("GS206", "text is {length} characters long; at most {limit} are allowed",
                            length=len(text), limit=max_length))
    return text


def fold_name(text: str) -> str:
    """A merchant name as registrations write it: brackets full-width, no spaces around them."""
    text = " ".join(text.split()).translate(_HALF_BRACKETS)
    return _SPACE_AT_BRACKET.sub(r"\1", text)


def _quote(value: object) -> str:
    return f"`{as_text(value)}`"


def parse_count(value: object) -> int:
    """A whole number ≥ 0: `1,208`, `１２`, `12件` and surrounding spaces are fine."""
    if isinstance(value, (bool, dt.date, dt.time, dt.timedelta)):
        raise CellError(say("GS207", "expected a whole number, found {found}", found=_quote(value)))
    if isinstance(value, (int, float)):
        if value < 0:
            raise CellError(say("GS208", "must be 0 or more, found {found}", found=_quote(value)))
        if not float(value).is_integer():
            raise CellError(say("GS207", "must be a whole number, found {found}", found=_quote(value)))
        return int(value)
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    if not text:
        raise CellError(say("GS203", "is empty: write a whole number (0 when there is none)"))
    match = _COUNT.match(text)
    if match:
        return int(match.group(1).replace(",", ""))
    if text.endswith("%"):
        raise CellError(say("GS207", "{found} is a percentage, not a count", found=_quote(value)))
    if text.startswith("-") and _COUNT.match(text[1:]):
        raise CellError(say("GS208", "must be 0 or more, found {found}", found=_quote(value)))
    if re.match(r"^\d[\d,]*\.\d+$", text):
        raise CellError(say("GS207", "must be a whole number, found {found}", found=_quote(value)))
    raise CellError(say("GS207", "expected a whole number, found {found}", found=_quote(value)))


def parse_date(value: object) -> dt.date:
    """A date: an Excel date or serial number, 2026-10-05, 2026/10/5, 2026.10.5 or 2026年10月5日 (and a time)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (bool, dt.time, dt.timedelta)):
        raise CellError(say("GS209", "expected a date, found {found}", found=_quote(value)))
    if isinstance(value, (int, float)):
        return _serial(value)
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    if not text:
        raise CellError(say("GS203", "is empty: write a date such as 2026-10-05"))
    if text.isdigit() and len(text) == 5:
        return _serial(int(text))
    match = _DATE.match(text)
    if match is not None:
        year, month, day, *clock = (int(part) if part else 0 for part in match.group(1, 3, 4, 5, 6, 7))
    else:
        match = _DATE_ZH.match(text)
        if match is None:
            raise CellError(say("GS209", "expected a date such as 2026-10-05, 2026/10/5 or 2026年10月5日, found "
                                         "{found}", found=_quote(value)))
        year, month, day, *clock = (int(part) if part else 0 for part in match.groups())
    hour, minute, second = clock
    if hour > 23 or minute > 59 or second > 59:
        raise CellError(say("GS209", "{found} is not a real time of day", found=_quote(value)))
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(say("GS209", "{found} is not a real date", found=_quote(value))) from None


def _serial(value: float) -> dt.date:
    """An Excel serial day number (1900 date system) between 1990 and 2099; a fraction is the time of day."""
    if not _SERIAL_FIRST <= value < _SERIAL_LAST + 1:
        raise CellError(say("GS209", "expected a date, found the number {found} (as an Excel date serial number it "
                                     "would fall before 1990 or after 2099)", found=_quote(value)))
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


def parse_credit_code(value: object) -> str:
    """A 统一社会信用代码, normalised (upper case, no spaces) and checked (GB 32100); empty stays empty."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(say("GS212", "is stored as a number, so Excel kept only its first 15 digits: format the "
                                     "column as text and type the code again"))
    raw = as_text(value).strip()
    if not raw:
        return ""
    code = creditcode.normalise(raw)
    reason = creditcode.problem(code)
    if reason:
        raise CellError(say("GS212", "`{value}` is not a valid 统一社会信用代码: {reason}", value=raw, reason=reason))
    return code
