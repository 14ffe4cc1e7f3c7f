"""Typed reading of one YAML mapping's fields, reporting every problem with its position."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import unicodedata
from typing import Any

from builder import periods
from builder.codes import say
from builder.dates import parse_date
from builder.errors import Message, Problems
from builder.i18n import _
from builder.periods import Period
from builder.source import CONTROL_CHARACTER, MarkedList, MarkedMap


def suggest(word: str, known: list[str]) -> str:
    """A ' (did you mean …?)' hint naming the closest known word, or ''."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return _(" (did you mean `{word}`?)").format(word=close[0]) if close else ""


def type_name(value: Any) -> str:
    """A short name of a YAML value's type, for messages."""
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("true/false")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


def listing(words: list[str]) -> str:
    """Words joined for a message (`a, b, c` or `a、b、c`)."""
    return _(", ").join(words)


class Fields:
    """Reads fields of one mapping; each bad field adds a problem and yields None."""

    def __init__(self, problems: Problems, path: str, data: MarkedMap, prefix: str = "") -> None:
        self.problems = problems
        self.path = path
        self.data = data
        self.prefix = prefix

    def name(self, key: str) -> str:
        """The dotted field name used in messages."""
        return f"{self.prefix}.{key}" if self.prefix else key

    def error(self, key: str, message: Message, at_value: bool = True) -> None:
        """Report a problem at a field's value (or key, or the mapping when absent)."""
        line, column = self.data.value_mark(key) if at_value else self.data.key_mark(key)
        self.problems.add(self.path, line, column, self.name(key), message)

    def warn(self, key: str, message: Message) -> None:
        """Report a warning at a field's value."""
        line, column = self.data.value_mark(key)
        self.problems.warn(self.path, line, column, self.name(key), message)

    def check_keys(self, known: list[str]) -> None:
        """Report unknown and duplicated keys."""
        for key, (line, column) in self.data.duplicates:
            self.problems.add(self.path, line, column, self.name(str(key)),
                              say("GS202", "key appears twice in the same mapping"))
        for key in self.data:
            if key not in known:
                line, column = self.data.key_mark(key)
                self.problems.add(self.path, line, column, self.name(str(key)),
                                  say("GS201", "unknown field{suggestion}; known fields: {known}",
                                      suggestion=suggest(str(key), known), known=listing(known)))

    def _missing(self, key: str, required: bool) -> bool:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                line, column = self.data.value_mark(key) if key in self.data else self.data.mark
                self.problems.add(self.path, line, column, self.name(key),
                                  say("GS203", "required field is missing or empty"))
            return True
        return False

    def text(self, key: str, required: bool = True, max_length: int = 10_000) -> str | None:
        """A non-empty text field (numbers are taken as their text)."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if isinstance(value, (bool, dict, list)):
            self.error(key, say("GS204", "expected text, found {found}", found=type_name(value)))
            return None
        text = str(value).strip()
        control = CONTROL_CHARACTER.search(text)
        if control:
            self.error(key, say("GS205", "contains the control character {char}; delete it",
                                char=f"U+{ord(control.group()):04X}"))
            return None
        if len(text) > max_length:
            self.error(key, say("GS206", "text is {length} characters long; at most {limit} are allowed",
                                length=len(text), limit=max_length))
            return None
        return text

    def integer(self, key: str, required: bool = True, minimum: int = 0) -> int | None:
        """A whole number ≥ minimum; full-width digits are accepted."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if isinstance(value, str) and unicodedata.normalize("NFKC", value).strip().isdecimal():
            value = int(unicodedata.normalize("NFKC", value).strip())
        if isinstance(value, bool) or not isinstance(value, int):
            shown = f"`{value}`" if isinstance(value, (str, float)) else type_name(value)
            self.error(key, say("GS207", "expected a whole number, found {found}", found=shown))
            return None
        if value < minimum:
            self.error(key, say("GS208", "must be {minimum} or more, found {value}", minimum=minimum, value=value))
            return None
        return value

    def number(self, key: str, required: bool = True) -> float | None:
        """A number (integer or decimal)."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = float(unicodedata.normalize("NFKC", value).strip())
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            self.error(key, say("GS207", "expected a number, found {found}",
                                found=repr(value) if isinstance(value, str) else type_name(value)))
            return None
        return float(value)

    def date(self, key: str, required: bool = True) -> dt.date | None:
        """A calendar date written YYYY-MM-DD."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        parsed = parse_date(value)
        if parsed is None:
            self.error(key, say("GS209", "expected a real date written YYYY-MM-DD, found `{value}`", value=value))
        return parsed

    def period(self, key: str) -> Period | None:
        """A disclosure period: YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY."""
        text = self.text(key)
        if text is None:
            return None
        found = periods.parse_period(text)
        if found is None:
            self.error(key, say("GS210", "`{value}` is not a period: write {forms}", value=text,
                                forms=_(periods.FORMS)))
        return found

    def choice(self, key: str, options: list[str], required: bool = True, default: str | None = None) -> str | None:
        """One of a fixed set of words."""
        if key not in self.data and default is not None:
            return default
        value = self.text(key, required)
        if value is None:
            return default if not required else None
        if value not in options:
            self.error(key, say("GS211", "`{value}` is not one of: {options}{suggestion}", value=value,
                                options=listing(options), suggestion=suggest(value, options)))
            return None
        return value

    def mapping(self, key: str, required: bool = False) -> MarkedMap | None:
        """A nested mapping."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if not isinstance(value, MarkedMap):
            self.error(key, say("GS204", "expected a mapping of fields, found {found}", found=type_name(value)))
            return None
        return value

    def sequence(self, key: str, required: bool = False) -> MarkedList | None:
        """A list."""
        if key not in self.data or self.data[key] is None:
            if required:
                self._missing(key, True)
            return None
        value = self.data[key]
        if not isinstance(value, MarkedList):
            self.error(key, say("GS204", "expected a list, found {found}", found=type_name(value)))
            return None
        return value

    def text_list(self, key: str, max_length: int = 200) -> tuple[str, ...]:
        """A list of short texts; a single text is taken as a one-item list."""
        if key not in self.data or self.data[key] is None:
            return ()
        value = self.data[key]
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            return (str(value).strip(),)
        if not isinstance(value, MarkedList):
            self.error(key, say("GS204", "expected a list of texts, found {found}", found=type_name(value)))
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                line, column = value.item_mark(index)
                self.problems.add(self.path, line, column, f"{self.name(key)}[{index + 1}]",
                                  say("GS204", "expected text, found {found}", found=type_name(item)))
            elif CONTROL_CHARACTER.search(str(item)):
                line, column = value.item_mark(index)
                self.problems.add(self.path, line, column, f"{self.name(key)}[{index + 1}]",
                                  say("GS205", "contains a control character; delete it"))
            elif len(str(item)) > max_length:
                line, column = value.item_mark(index)
                self.problems.add(self.path, line, column, f"{self.name(key)}[{index + 1}]",
                                  say("GS206", "text is longer than {limit} characters", limit=max_length))
            else:
                items.append(str(item).strip())
        return tuple(items)
