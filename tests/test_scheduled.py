"""Records dated after the as-of date (scheduled) are not published yet, and are listed in the audit."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import run_cli


def build_as_of(site: Path, day: str) -> tuple[Path, dict]:
    out = site.parent / f"out-{day}"
    audit = site.parent / f"audit-{day}.json"
    result = run_cli("build", site, "--output", out, "--no-search", "--as-of", day, "--audit", audit)
    assert result.returncode == 0, result.stderr
    return out, json.loads(audit.read_text("utf-8"))


def test_a_period_published_later_is_not_shown_yet(minimal_site: Path) -> None:
    # content/complaints/2026-10.yaml is published 2026-11-10; its ranking takes effect 2026-11-12.
    out, audit = build_as_of(minimal_site, "2026-11-09")
    records = json.loads((out / "data" / "complaints.json").read_text("utf-8"))
    assert {r["period"] for r in records} == {"2026-09"}
    assert not (out / "periods" / "2026-10").exists()
    assert not (out / "rankings" / "2026-10").exists()
    assert "测试无码小吃店" not in (out / "merchants" / "index.html").read_text("utf-8")
    scheduled = [(r["kind"], r["period"], r["reason"]) for r in audit["left_out"] if r["reason"] == "scheduled"]
    assert ("ranking", "2026-10", "scheduled") in scheduled
    assert sum(1 for kind, period, _ in scheduled if kind == "entry" and period == "2026-10") == 3


def test_on_the_publication_day_it_is_shown(minimal_site: Path) -> None:
    out, audit = build_as_of(minimal_site, "2026-11-12")
    records = json.loads((out / "data" / "complaints.json").read_text("utf-8"))
    assert {r["period"] for r in records} == {"2026-09", "2026-10"}
    assert (out / "rankings" / "2026-10" / "index.html").is_file()
    assert not [r for r in audit["left_out"] if r["reason"] == "scheduled"]


def test_a_warning_dated_later_waits_for_its_day(minimal_site: Path) -> None:
    # content/warnings/prepaid.md is dated 2026-11-01.
    out, audit = build_as_of(minimal_site, "2026-10-31")
    assert not (out / "warnings" / "prepaid").exists()
    assert "预付卡消费提醒" not in (out / "feed.xml").read_text("utf-8")
    assert [r["name"] for r in audit["left_out"] if r["kind"] == "warning"] == ["预付卡消费提醒"]
    out, _ = build_as_of(minimal_site, "2026-11-01")
    assert (out / "warnings" / "prepaid" / "index.html").is_file()
