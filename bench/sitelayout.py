"""Rewriting a generated site so that each period is one complaint file per district (issue 11's layout).

    content/complaints/2026-09.yaml  →  content/complaints/2026-09/<district>.yaml (one per district)

The split works on the text that bench/generate.py writes (a header, then `merchants:` and one block per
merchant starting with `  - name:`), so it is fast and keeps every merchant's lines byte for byte. Each file
names its district's office as its `department`.
"""

from __future__ import annotations

import re
from pathlib import Path

LIMIT = 16 * 1024 * 1024  # the builder reads at most 16 MB per complaint file (issue 11)
ENTRY = re.compile(r"^  - name: ", re.M)
DISTRICT = re.compile(r"^    district: (.+)$", re.M)
DEPARTMENT = re.compile(r"^department: .*$", re.M)


def split_period_file(path: Path) -> list[Path]:
    """Replace path (one period) by a folder of one file per district; return the new files."""
    text = path.read_text("utf-8")
    head, sep, body = text.partition("merchants:\n")
    if not sep:
        raise ValueError(f"{path}: no merchants list")
    starts = [m.start() for m in ENTRY.finditer(body)] + [len(body)]
    groups: dict[str, list[str]] = {}
    for a, b in zip(starts, starts[1:], strict=False):
        block = body[a:b]
        found = DISTRICT.search(block)
        if found is None:
            raise ValueError(f"{path}: a merchant without a district")
        groups.setdefault(found.group(1).strip(), []).append(block)
    folder = path.with_suffix("")
    folder.mkdir()
    written = []
    for district, blocks in sorted(groups.items()):
        office = f"department: {district}市场监督管理所"
        out = folder / f"{district}.yaml"
        out.write_text(DEPARTMENT.sub(office, head, count=1) + sep + "".join(blocks), "utf-8")
        written.append(out)
    path.unlink()
    return written


def split_by_district(site: Path) -> int:
    """Split every period file of site; return the number of files written."""
    return sum(len(split_period_file(p)) for p in sorted((site / "content" / "complaints").glob("*.yaml")))


def largest_complaint_file(site: Path) -> int:
    """Size in bytes of the largest complaint file of site (sub-folders included)."""
    return max((p.stat().st_size for p in (site / "content" / "complaints").rglob("*.yaml")), default=0)
