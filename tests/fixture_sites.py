"""Assembling a broken fixture: tests/sites/minimal with one case's files laid over it."""

from __future__ import annotations

import shutil
from pathlib import Path

SITES = Path(__file__).resolve().parent / "sites"
NO_CACHE = shutil.ignore_patterns(".gongshi")  # a build leaves its cache in SITE_DIR/.gongshi/
BROKEN = SITES / "broken"


def broken_cases() -> list[str]:
    """Every failure-mode fixture under tests/sites/broken/."""
    return sorted(path.name for path in BROKEN.iterdir() if path.is_dir())


def assemble_case(case: str, target: Path) -> Path:
    """Copy the minimal site to target and overlay a case (`X.append` appends to X)."""
    shutil.copytree(SITES / "minimal", target, ignore=NO_CACHE)
    source = BROKEN / case
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name in ("ABOUT", "args.txt") or path.name.startswith("expected."):
            continue
        relative = path.relative_to(source)
        if relative.name.endswith(".append"):
            destination = target / relative.with_name(relative.name[: -len(".append")])
            with destination.open("ab") as handle:
                handle.write(path.read_bytes())
        else:
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
    return target


def case_args(case: str) -> list[str]:
    """Extra command-line options of a case (its args.txt), e.g. --strict."""
    path = BROKEN / case / "args.txt"
    return path.read_text("utf-8").split() if path.exists() else []
