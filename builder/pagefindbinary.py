"""Where the Pagefind executable is (a module of its own: the up-to-date check needs nothing else of search)."""

from __future__ import annotations

from pathlib import Path

from builder.errors import SearchIndexError
from builder.i18n import _


def pagefind_binary() -> Path:
    """The Pagefind executable: $PAGEFIND_BINARY_PATH, else the extended build from PyPI."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:
        raise SearchIndexError(_("Pagefind is not installed ({detail}); run ./scripts/setup").format(
            detail=exc)) from None
    binary = get_executable()
    if binary is None or not binary.is_file():
        raise SearchIndexError(_("no Pagefind binary found; install pagefind[extended] and "
                                 "pagefind-bin-extended"))
    return binary
