"""Typed reading of one YAML mapping's fields, reporting every problem with its position."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import unicodedata
from typing import Any

from builder import periods
from builder.dates import parse_date
from builder.errors import Problems
from builder.periods import Period
from builder.source import CONTROL_CHARACTER, MarkedList, MarkedMap


def suggest(word: str, known: list[str]) -> str:
    """A ' (did you mean …?)' hint naming the closest known word, or ''."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return f" (did you mean `{close[0]}`?)" if close else ""


def type_name(value: Any) -> str:
    """A short name of a YAML value's type, for messages."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


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

    def error(self, key: str, message: str, at_value: bool = True) -> None:
        """Report a problem at a field's value (or key, or the mapping when absent)."""
        line, column = self.data.value_mark(key) if at_value else self.data.key_mark(key)
        self.problems.add(self.path, line, column, self.name(key), message)

    def warn(self, key: str, message: str) -> None:
        """Report a warning at a field's value."""
        line, column = self.data.value_mark(key)
        self.problems.warn(self.path, line, column, self.name(key), message)

    def check_keys(self, known: list[str]) -> None:
        """Report unknown and duplicated keys."""
        for key, (line, column) in self.data.duplicates:
            self.problems.add(self.path, line, column, self.name(str(key)),
                              "key appears twice in the same mapping")
        for key in self.data:
            if key not in known:
                line, column = self.data.key_mark(key)
                self.problems.add(self.path, line, column, self.name(str(key)),
                                  f"unknown field{suggest(str(key), known)}; known fields: {', '.join(known)}")

    def _missing(self, key: str, required: bool) -> bool:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                line, column = self.data.value_mark(key) if key in self.data else self.data.mark
                self.problems.add(self.path, line, column, self.name(key), "required field is missing or empty")
            return True
        return False

    def text(self, key: str, required: bool = True, max_length: int = 10_000) -> str | None:
        """A non-empty text field (numbers are taken as their text)."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if isinstance(value, (bool, dict, list)):
            self.error(key, f"expected text, found {type_name(value)}")
            return None
        text = str(value).strip()
        control = CONTROL_CHARACTER.search(text)
        if control:
            self.error(key, f"contains the control character U+{ord(control.group()):04X}; delete it")
            return None
        if len(text) > max_length:
            self.error(key, f"text is {len(text)} characters long; at most {max_length} are allowed")
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
            self.error(key, f"expected a whole number, found {shown}")
            return None
        if value < minimum:
            self.error(key, f"must be {minimum} or more, found {value}")
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
            self.error(key, f"expected a number, found {value!r}" if isinstance(value, str) else
                       f"expected a number, found {type_name(value)}")
            return None
        return float(value)

    def date(self, key: str, required: bool = True) -> dt.date | None:
        """A calendar date written YYYY-MM-DD."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        parsed = parse_date(value)
        if parsed is None:
            self.error(key, f"expected a real date written YYYY-MM-DD, found `{value}`")
        return parsed

    def period(self, key: str) -> Period | None:
        """A disclosure period: YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY."""
        text = self.text(key)
        if text is None:
            return None
        found = periods.parse_period(text)
        if found is None:
            self.error(key, f"`{text}` is not a period: write {periods.FORMS}")
        return found

    def choice(self, key: str, options: list[str], required: bool = True, default: str | None = None) -> str | None:
        """One of a fixed set of words."""
        if key not in self.data and default is not None:
            return default
        value = self.text(key, required)
        if value is None:
            return default if not required else None
        if value not in options:
            self.error(key, f"`{value}` is not one of: {', '.join(options)}{suggest(value, options)}")
            return None
        return value

    def mapping(self, key: str, required: bool = False) -> MarkedMap | None:
        """A nested mapping."""
        if self._missing(key, required):
            return None
        value = self.data[key]
        if not isinstance(value, MarkedMap):
            self.error(key, f"expected a mapping of fields, found {type_name(value)}")
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
            self.error(key, f"expected a list, found {type_name(value)}")
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
            self.error(key, f"expected a list of texts, found {type_name(value)}")
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not str(item).strip():
                line, column = value.item_mark(index)
                self.problems.add(self.path, line, column, f"{self.name(key)}[{index + 1}]",
                                  f"expected text, found {type_name(item)}")
            elif CONTROL_CHARACTER.search(str(item)):
                line, column = value.item_mark(index)
                self.problems.add(self.path, line, column, f"{self.name(key)}[{index + 1}]",
                                  "contains a control character; delete it")
            elif len(str(item)) > max_length:
                line, column = value.item_mark(index)
                self.problems.add(self.path, line, column, f"{self.name(key)}[{index + 1}]",
                                  f"text is longer than {max_length} characters")
            else:
                items.append(str(item).strip())
        return tuple(items)
