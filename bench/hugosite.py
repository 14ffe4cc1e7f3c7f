"""Turning a generated gongshi site into a Hugo site with one page per merchant (the peer in bench/peers.py).

The pages carry the same fields as gongshi's merchant page (name, code, district, category, address, the
counts of every period, statements, corrections and the disclosed items with their detail text) and the same
Pagefind markup, so Pagefind indexes about the same Chinese text on both. Templates: bench/hugo/.

    python bench/hugosite.py SITE_DIR HUGO_DIR      # then: hugo --source HUGO_DIR --destination OUT
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import yaml

TEMPLATES = Path(__file__).resolve().parent / "hugo"
ITEM_FIELDS = ("received", "goods", "issue", "demand", "result", "detail")


def _text(value: Any) -> Any:
    """Dates as ISO strings, everything else unchanged."""
    return value.isoformat() if isinstance(value, date) else value


def _label(period: str) -> str:
    """2026-09 → 2026年9月."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def load_periods(site: Path) -> list[dict[str, Any]]:
    """Every complaint file under content/complaints/ (sub-folders included), parsed with libyaml."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    files = sorted((site / "content" / "complaints").rglob("*.yaml"))
    gc.disable()
    try:
        return [yaml.load(path.read_text("utf-8"), Loader=loader) for path in files]
    finally:
        gc.enable()


def merchants(periods: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Merchant key → front matter, with the history of every period it is listed in (withdrawn left out)."""
    found: dict[str, dict[str, Any]] = {}
    for doc in sorted(periods, key=lambda d: str(d["period"])):
        period = str(doc["period"])
        for m in doc.get("merchants") or []:
            if m.get("status", "active") == "withdrawn":
                continue
            key = str(m.get("credit_code") or m["id"])
            page = found.setdefault(key, {"title": m["name"], "code": m.get("credit_code"), "root": "../../",
                                          "history": [], "disclosed": False})
            items = [{k: _text(item.get(k)) for k in ITEM_FIELDS if item.get(k) is not None}
                     for item in m.get("items") or []]
            page["disclosed"] = page["disclosed"] or bool(items)
            page["history"].append({
                "period": period, "label": _label(period), "name": m["name"], "district": m["district"],
                "category": m["category"], "address": m.get("address"), "complaints": m["complaints"],
                "resolved": m["resolved"], "mediated": m.get("mediated"), "status": m.get("status", "active"),
                "statement": m.get("statement"), "items": items,
                "corrections": [{k: _text(v) for k, v in c.items()} for c in m.get("corrections") or []],
            })
    return found


def make_hugo_site(site: Path, hugo_dir: Path) -> int:
    """Write bench/hugo's configuration and templates plus one content page per merchant; return the count."""
    if hugo_dir.exists():
        shutil.rmtree(hugo_dir)
    shutil.copytree(TEMPLATES, hugo_dir)
    content = hugo_dir / "content"
    (content / "merchants").mkdir(parents=True)
    (content / "_index.md").write_text('{"title": "首页", "root": "./"}\n', "utf-8")
    pages = merchants(load_periods(site))
    for key, front in pages.items():
        text = json.dumps(front, ensure_ascii=False, separators=(",", ":"))
        (content / "merchants" / f"{key}.md").write_text(text + "\n", "utf-8")
    return len(pages)


def main(argv: list[str] | None = None) -> int:
    """Command line: hugosite.py SITE_DIR HUGO_DIR."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="a site folder written by bench/generate.py")
    parser.add_argument("hugo_dir", type=Path, help="the Hugo site to write (replaced)")
    args = parser.parse_args(argv)
    count = make_hugo_site(args.site, args.hugo_dir)
    print(f"{count} merchant pages → {args.hugo_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
