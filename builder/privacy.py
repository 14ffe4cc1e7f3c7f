"""Finding and masking consumers' personal data in text that will be published."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from builder import creditcode
from builder.errors import field_label
from builder.i18n import N_, _

KINDS = {
    "mobile": N_("a mobile phone number"),
    "id_card": N_("an ID card (身份证) number"),
    "bank_card": N_("a bank card number"),
    "email": N_("an e-mail address"),
}
# How a build reports what it masked (English keeps the kind's own name).
MASKED_LABELS = {"mobile": N_("mobile"), "id_card": N_("id_card"), "bank_card": N_("bank_card"), "email": N_("email")}
_MOBILE = re.compile(r"(?<![\d*+])(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[-. ]?\d){8}(?![\d*])")
_ID_CARD = re.compile(r"(?<![\dA-Za-z*])\d{6}(?:[ -]?\d{4}){2}[ -]?\d{3}[\dXx](?![\dA-Za-z*])")
_LONG_DIGITS = re.compile(r"(?<![\d*])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?|\d{6}[ -]\d{10,13})(?![\d*])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PUBLIC_EMAIL = re.compile(r"(?:@|\.)gov\.cn$", re.I)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_ASCII_FORMS: dict[int, str | int] = {**{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}, 0x3000: " ",
                **{ord(dash): "-" for dash in _DASHES}}
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# Every finding holds an @ or at least 11 digits with at most one separator between two of them.
_WORTH_A_LOOK = re.compile(r"[@\uff20]|\d(?:[-. \u3000\u2010-\u2015\u2212\ufe58\ufe63\uff0d\uff0e]?\d){10}")
_CODE_LINE = re.compile(r"^\s*(?:-\s*)?(?:credit_code|merchant|related|id)\s*:")
_CODE_VALUE = re.compile(r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ][0-9A-Za-z０-９Ａ-Ｚａ-ｚ \-]{16,30}[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class Finding:
    """Personal data found at a place in a text (1-based line and column)."""

    line: int
    column: int
    kind: str
    start: int
    end: int

    @property
    def description(self) -> str:
        """What was found, in words (never the data itself)."""
        return _(KINDS[self.kind])


@dataclass(frozen=True)
class Masked:
    """Personal data that a build masked at a place in a content file (reported, never quoted)."""

    path: str
    line: int
    column: int
    kind: str

    def __str__(self) -> str:
        return (f"{self.path}:{self.line}:{self.column}: {field_label('personal data')}: "
                + _("masked {what}").format(what=_(MASKED_LABELS[self.kind])))


def is_id_card(number: str) -> bool:
    """Whether an 18-character number passes the 身份证 mod-11 check."""
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=False))
    return "10X98765432"[total % 11] == number[17].upper()


def _credit_code_spans(line: str) -> list[tuple[int, int, str]]:
    """Spans of valid credit codes in the value of a credit_code / merchant / related line."""
    if not _CODE_LINE.match(line):
        return []
    spans = []
    for match in _CODE_VALUE.finditer(line, line.index(":") + 1):
        if creditcode.is_valid(match.group()):
            spans.append((match.start(), match.end(), "code"))
    return spans


def ascii_forms(line: str) -> str:
    """The line with full-width forms, other digits, ideographic spaces and dashes made ASCII, same length."""
    if line.isascii():
        return line
    line = line.translate(_ASCII_FORMS)
    if _OTHER_DIGIT.search(line):
        line = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in line)
    return line


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _line_findings(original: str) -> list[tuple[int, int, str]]:
    line = ascii_forms(original)
    taken = _credit_code_spans(line)
    spans: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in taken + spans)

    for match in _EMAIL.finditer(line):
        if not _PUBLIC_EMAIL.search(match.group()):
            spans.append((match.start(), match.end(), "email"))
    for match in _ID_CARD.finditer(line):
        if is_id_card(_digits(match.group())) and free(*match.span()):
            spans.append((match.start(), match.end(), "id_card"))
    for pattern, kind in ((_LONG_DIGITS, "bank_card"), (_MOBILE, "mobile")):
        for match in pattern.finditer(line):
            if free(*match.span()):
                spans.append((match.start(), match.end(), kind))
    return sorted(spans)


def find_personal_data(text: str) -> list[Finding]:
    """Every unmasked mobile, ID-card, bank-card number and e-mail address in a text."""
    findings: list[Finding] = []
    number, counted_to, last_line = 1, 0, -1
    for candidate in _WORTH_A_LOOK.finditer(text):
        offset = text.rfind("\n", 0, candidate.start()) + 1
        if offset == last_line:
            continue
        number += text.count("\n", counted_to, offset)
        counted_to = last_line = offset
        end = text.find("\n", offset)
        line = text[offset:] if end < 0 else text[offset:end]
        for start, stop, kind in _line_findings(line):
            findings.append(Finding(number, start + 1, kind, offset + start, offset + stop))
    return findings


def _mask(value: str, kind: str) -> str:
    if kind == "email":
        at = ascii_forms(value).index("@")
        return f"{value[:1]}***{value[at:]}"
    digits = [i for i, ch in enumerate(value) if ch.isalnum()]
    keep = set(digits[:3] + digits[-4:]) if kind != "id_card" else set(digits[:6] + digits[-4:])
    if kind == "bank_card":
        keep = set(digits[:4] + digits[-4:])
    return "".join(ch if (i in keep or not ch.isalnum()) else "*" for i, ch in enumerate(value))


def mask_personal_data(text: str) -> tuple[str, list[Finding]]:
    """The text with every finding masked (e.g. 139****5678), and the findings."""
    findings = find_personal_data(text)
    if not findings:
        return text, findings
    parts: list[str] = []
    last = 0
    for finding in findings:
        parts.append(text[last:finding.start])
        parts.append(_mask(text[finding.start:finding.end], finding.kind))
        last = finding.end
    parts.append(text[last:])
    return "".join(parts), findings
