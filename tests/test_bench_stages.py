"""bench/stages.py: the stage timeline of a build (wall, the builder's CPU, its helpers' CPU)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from helpers import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate_site  # noqa: E402
from stages import main as stages_main  # noqa: E402


def test_the_timeline_names_the_build_s_stages_and_counts_its_helpers(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate_site(600, site, periods=2, seed=3)  # past 500 pages: `pages` is reported before any bundle is done
    assert stages_main([str(site), "--output", str(tmp_path / "out"), "--json", str(tmp_path / "s.json")]) == 0
    found = json.loads((tmp_path / "s.json").read_text("utf-8"))
    stages = {stage["name"]: stage for stage in found["stages"]}
    named = [name for name in stages if name != "start"]
    assert named == ["reading files", "checking", "pages", "search index", "publishing"]
    assert found["pages"] > 600 and (tmp_path / "out" / "pagefind" / "bundles.json").is_file()
    assert all(stage["wall"] >= 0 and stage["builder_cpu"] >= 0 and stage["helpers_cpu"] >= 0
               for stage in stages.values())
    assert stages["pages"]["builder_cpu"] > 0
    # the Pagefind services are children of the build: their CPU is counted
    assert sum(stage["helpers_cpu"] for stage in stages.values()) > 0.1
    starts = [stage["first_at"] for stage in found["stages"]]
    assert starts == sorted(starts)
