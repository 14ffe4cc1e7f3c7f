"""`gongshi check` on the site as if the new period file were in place, without touching content/."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from builder.build import load_site
from builder.buildreport import BuildOptions
from builder.codes import again
from builder.errors import ContentError, OutputError, Problem
from builder.i18n import _
from builder.importing.columns import cell_ref
from builder.importing.yamlwrite import Origin

_LEAF = re.compile(r"(?:^|\.)([a-z_]+)(?:\[\d+\])?$")


@dataclass
class CheckResult:
    """The check's problems, in spreadsheet terms where they concern a written line."""

    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    bad_rows: dict[int, Problem] = field(default_factory=dict)
    only_rows: bool = True


def check_in_place(site_dir: Path, relative: str, data: bytes, as_of: dt.date,
                   parsed: tuple[str, object | None] | None = None) -> list[Problem]:
    """Every problem `gongshi check` finds in a copy of the site where content/complaints/<relative> holds data.

    `parsed`: the text of data and what parse_yaml gives for it, built while writing (None: not known); the
    check then reads that file through every step but the parsing (see load_site).
    """
    with tempfile.TemporaryDirectory(prefix="gongshi-import-") as tmp:
        stage = Path(tmp) / "site"
        try:
            stage.mkdir()
            if (site_dir / "site.yaml").is_file():
                shutil.copyfile(site_dir / "site.yaml", stage / "site.yaml")
            if (site_dir / "content").is_dir():
                shutil.copytree(site_dir / "content", stage / "content", symlinks=True, copy_function=_link_or_copy)
            complaints = stage / "content" / "complaints"
            complaints.mkdir(parents=True, exist_ok=True)
            staged = complaints / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            if staged.is_symlink() or staged.exists():
                staged.unlink()  # it may be a hard link to the site's own file: never write through it
            staged.write_bytes(data)
        except OSError as exc:
            raise OutputError(tmp, _("cannot copy the site for the check: {reason}").format(
                reason=exc.strerror)) from None
        try:
            known = {f"content/complaints/{relative}": (parsed[0], parsed[1])} \
                if parsed is not None and parsed[1] is not None else None
            report = load_site(BuildOptions(stage, as_of=as_of), parsed=known)
        except ContentError as exc:
            return list(exc.problems)
        return list(report.warnings)


def _link_or_copy(source: str, target: str) -> None:
    """A hard link where the temporary folder shares the site's file system (images cost nothing), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def translate(problems: list[Problem], written: str, origins: list[Origin | None], source: str,
              header_row: int) -> CheckResult:
    """Problems of the written file told by spreadsheet row and column; others as the check tells them."""
    result = CheckResult()
    for problem in problems:
        told = problem
        origin = origins[problem.line - 1] if problem.path == written and 0 < problem.line <= len(origins) else None
        if origin is not None and origin.rows:
            leaf = _leaf(problem.field, origin.key)
            column = origin.columns.get(leaf) or origin.columns.get(origin.key) or 1
            row = origin.rows[0]
            told = Problem(source, row, column, leaf,
                           again(problem.message, "{reason} (cell {cell})", cell=cell_ref(row, column)),
                           problem.severity)
            if problem.severity == "error":
                for bad_row in origin.rows:
                    result.bad_rows.setdefault(bad_row, told)
        elif origin is not None:
            told = Problem(source, header_row, 1, _leaf(problem.field, origin.key),
                           again(problem.message, "{reason} (from {option})", option=origin.option), problem.severity)
            result.only_rows = result.only_rows and problem.severity != "error"
        elif problem.severity == "error":
            result.only_rows = False
        (result.errors if problem.severity == "error" else result.warnings).append(told)
    return result


def _leaf(field_name: str, fallback: str) -> str:
    match = _LEAF.search(field_name)
    leaf = match.group(1) if match else ""
    return fallback if leaf in ("", "merchants", "items") else leaf
