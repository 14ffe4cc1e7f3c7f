#!/usr/bin/env python3
"""Extract every message (builder/ and the installed Click) into builder/locale/gongshi.pot, merge it into
each language's .po and compile the .mo files that ship in the package.

Run after changing a message: `.venv/bin/python scripts/update_catalog.py`, then translate the new entries
of builder/locale/zh/LC_MESSAGES/gongshi.po (empty msgstr) and run it again to compile.
`--check` changes nothing and exits 1 when the .pot, a .po or a .mo is not what this script would write.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "builder" / "locale"
POT = LOCALE / "gongshi.pot"
LANGUAGES = ("zh",)
# gongshi's own markers: `_`, `N_`, `ngettext`, and `say(code, msgid, …)` / `again(message, msgid, …)`
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "say": (2,), "again": (2,)}
CLICK_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
CLICK_COMMENT = "Click's own text (click package)"
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # so that the files change only when messages do


def _messages(folder: Path, keywords: dict[str, object]) -> Iterator[tuple[str | tuple[str, ...], str]]:
    """(msgid or (singular, plural), file) for every marked message under a folder."""
    found = extract_from_dir(str(folder), [("**.py", "python")], keywords=keywords)  # type: ignore[arg-type]
    for filename, _lineno, message, _comments, _context in found:
        yield message, filename


def template() -> Catalog:
    """The catalog of every message: gongshi's (builder/) and Click's, without line numbers."""
    catalog = Catalog(project="gongshi", version="0.1", creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                      msgid_bugs_address="", copyright_holder="", charset="utf-8", fuzzy=False)
    for message, _filename in _messages(ROOT / "builder", KEYWORDS):
        if message and message not in catalog:
            catalog.add(message)
    for message, _filename in _messages(Path(click.__file__).parent, CLICK_KEYWORDS):
        if message and message not in catalog:
            catalog.add(message, auto_comments=[f"{CLICK_COMMENT} {version('click')}"])
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=116, no_location=True, omit_header=False, sort_output=True,
             include_previous=False, ignore_obsolete=True)
    return out.getvalue()


def _mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def merged(language: str, pot: Catalog) -> Catalog:
    """The language's .po brought in line with the template (new messages empty, removed ones dropped)."""
    path = LOCALE / language / "LC_MESSAGES" / "gongshi.po"
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        catalog = Catalog(locale=language, project="gongshi", version="0.1", creation_date=FIXED_DATE, fuzzy=False)
    catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False, update_creation_date=True)
    catalog.obsolete.clear()
    catalog.revision_date = FIXED_DATE
    catalog.fuzzy = False
    catalog.language_team = "gongshi"
    catalog.last_translator = "gongshi"
    return catalog


def planned() -> dict[Path, bytes]:
    """Every file this script writes, with its bytes."""
    pot = template()
    files = {POT: _po_bytes(pot)}
    for language in LANGUAGES:
        catalog = merged(language, pot)
        folder = LOCALE / language / "LC_MESSAGES"
        po = _po_bytes(catalog)
        files[folder / "gongshi.po"] = po
        files[folder / "gongshi.mo"] = _mo_bytes(read_po(io.BytesIO(po), locale=language))
    return files


def main(argv: list[str]) -> int:
    """Write (or with --check, compare) the catalogs."""
    files = planned()
    if "--check" in argv:
        stale = [path for path, data in files.items() if not path.exists() or path.read_bytes() != data]
        for path in stale:
            print(f"{path.relative_to(ROOT)} is not up to date: run scripts/update_catalog.py")
        return 1 if stale else 0
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
