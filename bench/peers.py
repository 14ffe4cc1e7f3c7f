"""gongshi beside its peers in one run: `gongshi build`, Pagefind alone on the same output, Hugo + Pagefind.

    .venv/bin/python bench/peers.py 10000                  # medians of 3 repetitions
    .venv/bin/python bench/peers.py 10000 50000 100000 --json peers.json
    .venv/bin/python bench/peers.py 50000 --layout district # each period as one file per district
    .venv/bin/python bench/peers.py 100000 --reps 1 --only build --keep /tmp/p  # the build alone, output kept

Needs Debian's Hugo (`apt-get install hugo`, 0.111) and the project's Pagefind (./scripts/setup).

Every run's outputs are removed only once every size is measured, never between two tools: on an ext4 file system
without a journal (these machines' root) a file created within 60–300 s after many were deleted costs far more
system time (the kernel skips each recently freed inode, `recently_deleted` in fs/ext4/ialloc.c), and removing a
run's outputs just before the next run's `gongshi build` charged the build alone with that (builder system time
10–21 s instead of 3–7 s for the same 10,000-merchant build).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import cbor2

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

from generate import generate_site  # noqa: E402
from hugosite import make_hugo_site  # noqa: E402
from procs import MB, Measured, folder_stats, measure  # noqa: E402
from sitelayout import LIMIT, largest_complaint_file, split_by_district  # noqa: E402

TOOLS = ("build", "pagefind", "hugo", "hugo_pagefind")
LABELS = {"build": "gongshi build", "pagefind": "Pagefind alone (same output)", "hugo": "Hugo",
          "hugo_pagefind": "Pagefind on Hugo's output", "hugo_total": "Hugo + Pagefind"}


def pagefind_binary() -> Path:
    """The binary the builder runs (builder/search.py), else the one the Pagefind wrapper would pick."""
    try:
        from builder.search import pagefind_binary as builder_binary
        return builder_binary()
    except ImportError:
        from pagefind.service import get_executable
        found = get_executable()
        if found is None:
            raise SystemExit("no Pagefind binary: run ./scripts/setup") from None
        return Path(found)


def hugo_binary() -> str:
    """Debian's hugo, or exit with the install command."""
    found = shutil.which("hugo")
    if found is None:
        raise SystemExit("hugo is not installed: apt-get install -y --no-install-recommends hugo")
    return found


@dataclass
class Row:
    """One tool at one size: medians over the repetitions, output figures of the last one."""

    n: int
    tool: str
    runs: list[float]
    seconds: float
    cpu_seconds: float
    pages: int
    largest_mb: float
    largest_command: str
    tree_mb: float
    output_mb: float
    files: int
    failed: str = ""

    @property
    def pages_per_s(self) -> float:
        """Pages per second of the median time."""
        return self.pages / self.seconds if self.seconds else 0.0


def indexed(bundle: Path) -> tuple[int, float]:
    """(pages, mean words per page) that a Pagefind bundle indexed, from its meta index."""
    metas = list(bundle.glob("pagefind.*.pf_meta"))
    if not metas:
        return 0, 0.0
    raw = gzip.decompress(metas[0].read_bytes())
    pages = cbor2.loads(raw[len(b"pagefind_dcd"):])[1]
    return len(pages), (sum(count for _, count in pages) / len(pages) if pages else 0.0)


class Session:
    """One size: the generated site, its Hugo twin, and the repetitions."""

    def __init__(self, n: int, work: Path, layout: str, periods: int, seed: int,
                 tools: tuple[str, ...] = TOOLS, keep: bool = False) -> None:
        """Generate the input (not timed as part of any tool)."""
        self.n, self.work, self.tools, self.keep = n, work, tools, keep
        self.site, self.hugo_src = work / "site", work / "hugo"
        self.pagefind = pagefind_binary()
        self.hugo = hugo_binary() if "hugo" in tools else "hugo"  # `--only build` needs no Hugo
        started = time.perf_counter()
        generate_site(n, self.site, periods, seed)
        if layout == "district" or (layout == "auto" and largest_complaint_file(self.site) > LIMIT):
            split_by_district(self.site)
            layout = "district"
        self.layout = "district" if layout == "district" else "single"
        self.hugo_pages = make_hugo_site(self.site, self.hugo_src) if "hugo" in tools else 0
        self.prepare_s = time.perf_counter() - started
        self.results: dict[str, list[Measured]] = {tool: [] for tool in TOOLS}
        self.stats: dict[str, tuple[int, int, int]] = {}
        self.indexed: dict[str, tuple[int, float]] = {}
        self.outputs: list[Path] = []  # removed by `remove_outputs` once every size is measured

    def env(self) -> dict[str, str]:
        """The environment of the build: this checkout first on the path, not a TTY."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        return env

    def repeat(self, rep: int, last: bool) -> None:
        """One repetition of the four tools, each into a fresh folder."""
        out, alone = self.work / f"out-{rep}", self.work / f"alone-{rep}"
        public = self.work / f"public-{rep}"
        steps = [
            ("build", [sys.executable, "-m", "builder", "build", str(self.site), "--output", str(out), "--clean"],
             REPO),  # --clean: a full build every time (the site's .gongshi/ cache would serve later runs)
            ("pagefind", [str(self.pagefind), "--site", str(out), "--output-path", str(alone),
                          "--force-language", "zh-cn", "--quiet"], None),
            ("hugo", [self.hugo, "--source", str(self.hugo_src), "--destination", str(public), "--quiet"], None),
            ("hugo_pagefind", [str(self.pagefind), "--site", str(public), "--output-subdir", "pagefind",
                               "--force-language", "zh-cn", "--quiet"], None),
        ]
        for tool, cmd, cwd in [step for step in steps if step[0] in self.tools]:
            progress(f"[N={self.n}] run {rep}: {LABELS[tool]} …")
            result = measure(cmd, cwd=cwd, env=self.env(), log=self.work / f"{tool}-{rep}")
            self.results[tool].append(result)
            if result.exit_code != 0:
                tail = Path(f"{self.work / f'{tool}-{rep}'}.stderr").read_text("utf-8", "replace")
                progress(f"[N={self.n}] {LABELS[tool]} failed ({result.exit_code}):\n  " +
                         "\n  ".join(tail.strip().splitlines()[-10:]))
            if tool == "pagefind" and not out.is_dir():
                break  # no output to index
        if last:
            self.stats["build"] = folder_stats(out, "pagefind") if out.is_dir() else (0, 0, 0)
            self.stats["pagefind"] = folder_stats(alone) if alone.is_dir() else (0, 0, 0)
            self.stats["hugo_total"] = folder_stats(public, "pagefind") if public.is_dir() else (0, 0, 0)
            self.indexed = {"gongshi": indexed(alone), "hugo": indexed(public / "pagefind")}
        if not (last and self.keep):  # --keep: the last run's outputs stay (e.g. for search_quality.py --site)
            self.outputs += [out, alone, public]

    def remove_outputs(self) -> None:
        """Remove the runs' outputs (after the last measurement: see the module's docstring)."""
        for folder in self.outputs:
            shutil.rmtree(folder, ignore_errors=True)

    def rows(self) -> list[Row]:
        """Median rows of every tool, plus Hugo + Pagefind."""
        rows = []
        for tool in TOOLS + ("hugo_total",):
            if tool == "hugo_total":
                pairs = list(zip(self.results["hugo"], self.results["hugo_pagefind"], strict=True))
                runs = [a.seconds + b.seconds for a, b in pairs]
                cpu = [a.cpu_seconds + b.cpu_seconds for a, b in pairs]
                measured = [a if a.largest_bytes >= b.largest_bytes else b for a, b in pairs]
            else:
                measured = self.results[tool]
                runs = [m.seconds for m in measured]
                cpu = [m.cpu_seconds for m in measured]
            if not measured:
                continue
            failed = [m.exit_code for m in measured if m.exit_code != 0]
            size, files, pages = self.stats.get(tool, (0, 0, 0))
            if tool == "pagefind":
                pages = self.indexed.get("gongshi", (0, 0.0))[0]
            elif tool == "hugo_pagefind":
                pages = self.indexed.get("hugo", (0, 0.0))[0]
            elif tool == "hugo":
                pages = self.stats.get("hugo_total", (0, 0, 0))[2]
            why = f"exit {failed[0]}" if failed else ""
            if tool == "build" and not failed and pages < self.n:
                why = f"only {pages} pages for {self.n} merchants"  # e.g. complaint files it did not read
            largest = max(measured, key=lambda m: m.largest_bytes)
            rows.append(Row(self.n, tool, [round(r, 2) for r in runs], statistics.median(runs),
                            statistics.median(cpu), pages,
                            statistics.median(m.largest_bytes for m in measured) / MB, largest.largest_command,
                            statistics.median(m.tree_bytes for m in measured) / MB, size / MB, files, why))
        return rows


def progress(message: str) -> None:
    """A progress line on stderr."""
    print(message, file=sys.stderr, flush=True)


def ratios(rows: list[Row]) -> dict[str, float]:
    """build ÷ Pagefind alone and build ÷ (Hugo + Pagefind), from the median wall and CPU times."""
    by = {r.tool: r for r in rows}
    out: dict[str, float] = {}
    for peer, name in (("pagefind", "pagefind"), ("hugo_total", "(hugo+pagefind)")):
        if "build" in by and peer in by and by[peer].seconds and by[peer].cpu_seconds:
            out[f"build/{name}"] = by["build"].seconds / by[peer].seconds
            out[f"build/{name} CPU"] = by["build"].cpu_seconds / by[peer].cpu_seconds
    return out


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    head = ["N", "tool", "seconds (median of runs)", "CPU s", "pages", "pages/s", "largest process MB", "tree MB",
            "output MB", "files"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for r in rows:
        runs = " / ".join(f"{x:.1f}" for x in r.runs)
        secs = f"{r.seconds:.1f} ({runs})" + (f" FAILED: {r.failed}" if r.failed else "")
        out = f"{r.output_mb:.1f}" if r.files else "—"
        files = str(r.files) if r.files else "—"
        command = r.largest_command.replace("pagefind_extend", "pagefind")
        lines.append(f"| {r.n:,} | {LABELS[r.tool]} | {secs} | {r.cpu_seconds:.1f} | {r.pages:,} | "
                     f"{r.pages_per_s:.0f} | {r.largest_mb:.0f} ({command}) | {r.tree_mb:.0f} | {out} | {files} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", type=int, nargs="+", metavar="N", help="merchants per period")
    parser.add_argument("--reps", type=int, default=3, help="repetitions; the medians are reported (default 3)")
    parser.add_argument("--layout", choices=("auto", "single", "district"), default="auto",
                        help="one file per period, or one per district and period (auto: district when a "
                             "period file would exceed 16 MB)")
    parser.add_argument("--periods", type=int, default=3, help="monthly periods (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR/N<n>/ and keep the inputs and logs")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the rows as JSON")
    parser.add_argument("--only", choices=TOOLS, action="append", metavar="TOOL",
                        help=f"run only these tools (repeatable; {', '.join(TOOLS)}; default all)")
    args = parser.parse_args(argv)
    tools = tuple(args.only or TOOLS)
    hugo_version = (subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()[:2]
                    if "hugo" in tools else ["no", "hugo"])
    print(f"python {sys.version.split()[0]} · {os.cpu_count()} CPUs · {' '.join(hugo_version)} · "
          f"{pagefind_binary().name} · {args.periods} periods · seed {args.seed} · {args.reps} runs", flush=True)
    all_rows: list[Row] = []
    report: list[dict[str, object]] = []
    with contextlib.ExitStack() as later:  # every size's folders are removed at the end, none between runs
        for n in args.sizes:
            measure_size(n, args, tools, later, all_rows, report)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0 if all(not r.failed for r in all_rows) else 1


def measure_size(n: int, args: argparse.Namespace, tools: tuple[str, ...], later: contextlib.ExitStack,
                 all_rows: list[Row], report: list[dict[str, object]]) -> None:
    """Measure one size, print its table and add its rows; its folders are removed when `later` closes."""
    tmp = later.enter_context(tempfile.TemporaryDirectory(prefix=f"gongshi-peers-{n}-"))
    work = args.keep / f"N{n}" if args.keep else Path(tmp)
    if args.keep and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    progress(f"[N={n}] generating the site and its Hugo twin …")
    session = Session(n, work, args.layout, args.periods, args.seed, tools,
                      args.keep is not None)
    later.callback(session.remove_outputs)
    for rep in range(1, args.reps + 1):
        session.repeat(rep, rep == args.reps)
    rows = session.rows()
    all_rows += rows
    report.append({"n": n, "layout": session.layout, "loadavg_end": os.getloadavg(),
                   "prepare_s": round(session.prepare_s, 1),
                   "hugo_pages": session.hugo_pages, "indexed": session.indexed,
                   "ratios": ratios(rows), "rows": [asdict(r) | {"pages_per_s": r.pages_per_s}
                                                    for r in rows]})
    words = ", ".join(f"{k} {p:,} pages × {w:.0f} words" for k, (p, w) in session.indexed.items())
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nN={n:,} ({session.layout} layout; Pagefind indexed {words}; load average at the end {load})")
    print(table(rows))
    print("  ".join(f"{k} = {v:.2f}×" for k, v in ratios(rows).items()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
