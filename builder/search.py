"""Indexing the staged site with Pagefind (extended build, Chinese segmentation)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from builder.errors import SearchIndexError
from builder.i18n import _
from builder.searchbundle import make_reproducible


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


def index_site(site_dir: Path) -> int:
    """Write a reproducible Pagefind bundle into site_dir/pagefind; return the number of pages indexed.

    The binary runs as a command (not through the Python service API, whose shutdown can cut the last
    file short) and must finish writing before the build goes on.
    """
    binary = pagefind_binary()
    command = pagefind_command(binary, site_dir)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(_("cannot run {program}: {reason}").format(program=binary.name, reason=exc)) from None
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise SearchIndexError(_("{program} exited with status {status}: {detail}").format(
            program=binary.name, status=result.returncode, detail=" / ".join(tail)))
    return finish_bundle(site_dir)


def pagefind_command(binary: Path, site_dir: Path) -> list[str]:
    """The command that writes site_dir/pagefind (Chinese segmentation for every page)."""
    return [str(binary), "--site", str(site_dir), "--output-subdir", "pagefind", "--force-language", "zh-cn",
            "--quiet"]


def finish_bundle(site_dir: Path) -> int:
    """Make site_dir/pagefind reproducible; return the number of pages it indexed."""
    bundle = site_dir / "pagefind"
    try:
        make_reproducible(bundle)
        entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError) as exc:
        raise SearchIndexError(_("unexpected Pagefind bundle: {detail}").format(detail=exc)) from None
    return sum(int(language["page_count"]) for language in entry["languages"].values())
