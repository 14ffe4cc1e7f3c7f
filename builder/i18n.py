"""The language of every message: chosen once from the environment, texts from gettext catalogs."""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "gongshi"
LOCALEDIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh")


def choose_language(env: Mapping[str, str]) -> str:
    """`zh` or `en`: GONGSHI_LANG when set, else the first of LC_ALL, LC_MESSAGES, LANG that is set."""
    forced = env.get("GONGSHI_LANG", "").strip().lower()
    if forced:
        return "zh" if forced.startswith("zh") else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _load(language: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, str(LOCALEDIR), languages=[language], fallback=True)


LANGUAGE = choose_language(os.environ)
_catalog = _load(LANGUAGE)


def use(language: str) -> None:
    """Speak `language` from now on (for the CLI's start and for tests)."""
    global LANGUAGE, _catalog
    LANGUAGE = language if language in LANGUAGES else "en"
    _catalog = _load(LANGUAGE)


def bind_click() -> None:
    """Make Click's own texts (usage, help, errors) come from our catalog in the chosen language.

    Click translates with `gettext.gettext`, the process-wide default domain; that domain becomes ours and the
    LANGUAGE variable names the chosen language, so `gettext` finds builder/locale/<lang>/…/gongshi.mo.
    """
    gettext.bindtextdomain(DOMAIN, str(LOCALEDIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = LANGUAGE


def _(message: str) -> str:
    """The translation of `message` (an English msgid) in the chosen language."""
    return _catalog.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The translation of a message whose form depends on `count`."""
    return _catalog.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it yet (it is translated where it is shown)."""
    return message
