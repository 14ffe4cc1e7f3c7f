"""How long an edit takes to show in an open page of `gongshi serve`, measured in Chromium.

For each site (the repository's sample with --sample, or N generated merchants), the preview runs as a real
process (`python -m builder serve SITE --port 0`), Chromium opens the warnings list, and the title of one
warning is changed K times the way an editor saves (a new file renamed over the old one). Each edit is timed
from just before the rename to the first contentful paint of the reloaded page that shows the new title
(`performance.timeOrigin + first-contentful-paint`, the browser's own clock, the same wall clock as the
edit's). Between edits the preview is left to finish its search index and publish the output folder, so each
edit starts from an idle preview, as an editor's save usually does.

    .venv/bin/python bench/serve_latency.py --sample --edits 10
    .venv/bin/python bench/serve_latency.py 10000 --edits 3
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO / "tests")]

from generate import generate_site  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from preview import Preview, edit  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
CHROMIUM = "/usr/bin/chromium"
PAINTED = """(marker) => {
  if (!document.body || !document.body.innerText.includes(marker)) { return null; }
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return paint ? performance.timeOrigin + paint.startTime : null;
}"""


def sample_site(into: Path) -> Path:
    """A copy of the repository's sample site (site.yaml and content/)."""
    into.mkdir(parents=True)
    shutil.copy2(REPO / "site.yaml", into / "site.yaml")
    shutil.copytree(REPO / "content", into / "content")
    return into


def painted_at(page: Any, marker: str, timeout: float) -> float:
    """Epoch seconds of the first paint of the page that shows `marker` (waits across reloads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            when = page.evaluate(PAINTED, marker)
        except PlaywrightError:  # the page is being reloaded
            when = None
        if when is not None:
            return float(when) / 1000
        time.sleep(0.01)
    raise SystemExit(f"the page did not show {marker!r} within {timeout:.0f} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (Linux /proc), its children excluded."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seconds_in(preview: Preview, pattern: str, after: int) -> float:
    """The seconds a preview line reports (`… in 0.42 s`)."""
    found = preview.wait_for(pattern, timeout=3600, after=after)
    return float(re.search(r" in ([\d.]+) s", found.group(0)).group(1))  # type: ignore[union-attr]


def measure(label: str, site: Path, edits: int, browser: Any) -> dict[str, Any]:
    """Start the preview on `site`, time `edits` title edits of one warning; the figures."""
    warning = sorted((site / "content" / "warnings").glob("*.md"))[-1]
    title = next(line for line in warning.read_text("utf-8").splitlines() if line.startswith("title: "))
    print(f"{label}: load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr, flush=True)
    started = time.monotonic()
    with Preview(site) as preview:
        preview.base = preview.wait_for(r"^Built \d+ pages in [\d.]+ s.*: (http://\S+)$", timeout=3600).group(1)
        preview.start(built=False)
        first_build = time.monotonic() - started
        preview.wait_for(r"^Build 1 \(pages and search index\) published", timeout=3600)
        first_ready = time.monotonic() - started
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(preview.base + "warnings/")
        shown, cpu, builds, indexes, publishes, lags = [], [], [], [], [], []
        current = title
        for number in range(1, edits + 1):
            mark = len(preview.out)
            marker = f"（第{number}次修改）"
            new = f"{title}{marker}"
            before = cpu_seconds(preview.process.pid)
            saved = time.time()
            edit(warning, current, new)
            current = new
            shown.append(painted_at(page, title.removeprefix("title: ").strip() + marker, 3600) - saved)
            cpu.append(cpu_seconds(preview.process.pid) - before)
            builds.append(seconds_in(preview, r"^Built \d+ pages in [\d.]+ s", mark))
            indexes.append(seconds_in(preview, r"^Search index of build \d+ ready: .* in [\d.]+ s", mark))
            lags.append(time.time() - saved)
            publishes.append(seconds_in(preview, r"^Build \d+ \(pages and search index\) published .* in [\d.]+ s",
                                        mark))
            print(f"{label}: edit {number}: shown after {shown[-1]:.2f} s ({cpu[-1]:.2f} s CPU; build "
                  f"{builds[-1]:.2f} s, index {indexes[-1]:.1f} s, publish {publishes[-1]:.1f} s; load "
                  f"{os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        page.close()
        pages = int(re.search(r"Built (\d+) pages", preview.out[1]).group(1))  # type: ignore[union-attr]
        stopping = time.monotonic()
        assert preview.stop(timeout=3600) == 0, preview.transcript()
        stop_s = time.monotonic() - stopping
    return {"site": label, "pages": pages, "first build s": first_build, "first publish s": first_ready,
            "edits": edits, "edit→page median s": statistics.median(shown), "edit→page max s": max(shown),
            "preview CPU s": statistics.median(cpu), "preview CPU max s": max(cpu),
            "build median s": statistics.median(builds), "index median s": statistics.median(indexes),
            "edit→search s": statistics.median(lags), "publish median s": statistics.median(publishes),
            "Ctrl-C→exit s": stop_s}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one row per site."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="*", help="merchants per period of generated sites")
    parser.add_argument("--sample", action="store_true", help="measure the repository's sample site")
    parser.add_argument("--edits", type=int, default=5, help="edits per site (default 5)")
    parser.add_argument("--keep", type=Path, help="keep the sites in this folder")
    args = parser.parse_args(argv)
    if not args.sample and not args.sizes:
        parser.error("give --sample and/or sizes")
    root = args.keep or Path(tempfile.mkdtemp(prefix="gongshi-serve-bench-"))
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            if args.sample:
                rows.append(measure("sample", sample_site(root / "sample"), args.edits, browser))
            for size in args.sizes:
                site = root / f"N{size}"
                generate_site(size, site)
                rows.append(measure(f"{size:,} merchants", site, args.edits, browser))
            browser.close()
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"(this machine has {os.cpu_count()} cores)")
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("| " + " | ".join("---" for _ in keys) + " |")
    for row in rows:
        print("| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
