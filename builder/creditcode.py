"""统一社会信用代码 (GB 32100-2015): normalisation and the check character."""

from __future__ import annotations

import re
import unicodedata

from builder.i18n import _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_VALUES = {char: index for index, char in enumerate(ALPHABET)}


_PLAIN = re.compile(r"[0-9A-Z]{18}")


def normalise(code: str) -> str:
    """NFKC (full-width to half-width), drop spaces and hyphens, upper-case."""
    if _PLAIN.fullmatch(code):  # already normal (most codes): nothing to change
        return code
    text = unicodedata.normalize("NFKC", code)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-‐‑–—").upper()


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(_VALUES[ch] * weight for ch, weight in zip(first17, WEIGHTS, strict=False))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why a normalised code is not a valid credit code, or None when it is valid."""
    if len(code) != 18:
        return _("a credit code has 18 characters, this one has {count}").format(count=len(code))
    bad = sorted({ch for ch in code if ch not in _VALUES})
    if bad:
        return _("characters not allowed in a credit code: {chars} (I, O, S, V and Z are never used)").format(
            chars=" ".join(bad))
    if not code[2:8].isdigit():
        return _("characters 3 to 8 (the administrative division code) must be digits")
    expected = check_character(code[:17])
    if code[17] != expected:
        return _("check character is {found}, the checksum requires {expected}; a character is probably "
                 "mistyped").format(found=code[17], expected=expected)
    return None


def is_valid(code: str) -> bool:
    """Whether a code (normalised first) passes the GB 32100 check."""
    return problem(normalise(code)) is None
