"""Generate fictional sites of N merchants, build each with gongshi, print time and memory."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import generate_site  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


@dataclass
class Result:
    """One benchmark row."""

    n: int
    generate_s: float
    exit_code: int
    seconds: float
    pages: int
    peak_mb: float  # largest single process of the build (wait4 ru_maxrss)
    tree_mb: float  # largest sampled sum of RSS over the build's process tree
    output_mb: float
    pagefind_mb: float
    files: int

    @property
    def pages_per_s(self) -> float:
        """Pages written per second of build time."""
        return self.pages / self.seconds if self.seconds else 0.0


def _children() -> dict[int, list[int]]:
    """Map every live pid to its child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree_rss(root: int) -> int:
    """Sum of the resident set sizes of root and all its descendants, in bytes."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            pass
    return total


class TreeSampler(threading.Thread):
    """Samples the RSS of a process tree every interval until stopped."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        """Watch pid and its descendants."""
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until stop() is called."""
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, _tree_rss(self.pid))

    def stop(self) -> int:
        """Stop sampling and return the peak in bytes."""
        self.done.set()
        self.join()
        return self.peak


def build(site: Path, out: Path, log_dir: Path, no_search: bool) -> tuple[int, float, int, int]:
    """Run one build in a child process; return (exit code, seconds, maxrss bytes, tree peak bytes)."""
    cmd = [sys.executable, "-m", "builder", "build", str(site), "--output", str(out)]
    if no_search:
        cmd.append("--no-search")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    with open(log_dir / "build.stdout", "wb") as so, open(log_dir / "build.stderr", "wb") as se:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdin=subprocess.DEVNULL, stdout=so, stderr=se)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # per-child rusage, unlike RUSAGE_CHILDREN
        except BaseException:
            sampler.stop()
            proc.kill()
            proc.wait()
            raise
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        tree_peak = sampler.stop()
    return proc.returncode, seconds, usage.ru_maxrss * 1024, tree_peak  # ru_maxrss is in KiB on Linux


def measure_output(out: Path) -> tuple[int, int, int, int]:
    """Return (html pages outside pagefind/, total bytes, pagefind bytes, file count) of a build."""
    pages = total = pagefind = files = 0
    for dirpath, _, filenames in os.walk(out):
        rel = Path(dirpath).relative_to(out)
        in_pagefind = rel.parts[:1] == ("pagefind",)
        for name in filenames:
            size = os.lstat(os.path.join(dirpath, name)).st_size
            total += size
            files += 1
            if in_pagefind:
                pagefind += size
            elif name.endswith(".html"):
                pages += 1
    return pages, total, pagefind, files


def bench_one(n: int, work: Path, periods: int, seed: int, no_search: bool) -> Result:
    """Generate and build one site of n merchants inside work."""
    site, out = work / "site", work / "output"
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    generate_site(n, site, periods, seed)
    gen_s = time.perf_counter() - t0
    print(f"[N={n}] generated in {gen_s:.1f} s, building …", file=sys.stderr, flush=True)
    code, seconds, maxrss, tree = build(site, out, work, no_search)
    if code != 0:
        tail = (work / "build.stderr").read_text("utf-8", "replace").splitlines()[-20:]
        print(f"[N={n}] build failed with exit code {code}:", *tail, sep="\n  ", file=sys.stderr)
    pages, total, pagefind, files = measure_output(out) if out.is_dir() else (0, 0, 0, 0)
    return Result(n, round(gen_s, 2), code, round(seconds, 2), pages, round(maxrss / MB, 1),
                  round(tree / MB, 1), round(total / MB, 1), round(pagefind / MB, 1), files)


HEADER = ("N", "pages", "seconds", "pages/s", "peak MB", "tree MB", "output MB", "pagefind MB", "files",
          "gen s")


def row(r: Result) -> tuple[str, ...]:
    """Format one result as table cells."""
    if r.exit_code != 0:
        return (str(r.n), f"FAILED (exit {r.exit_code})", f"{r.seconds:.1f}", "", f"{r.peak_mb:.0f}",
                f"{r.tree_mb:.0f}", "", "", "", f"{r.generate_s:.1f}")
    return (str(r.n), str(r.pages), f"{r.seconds:.1f}", f"{r.pages_per_s:.0f}", f"{r.peak_mb:.0f}",
            f"{r.tree_mb:.0f}", f"{r.output_mb:.1f}", f"{r.pagefind_mb:.1f}", str(r.files), f"{r.generate_s:.1f}")


def print_table(results: list[Result]) -> None:
    """Print the results as an aligned text table."""
    rows = [HEADER] + [row(r) for r in results]
    widths = [max(len(cells[i]) for cells in rows) for i in range(len(HEADER))]
    for cells in rows:
        print("  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=False)))


def main(argv: list[str] | None = None) -> int:
    """Command line: run.py N [N ...] [--keep DIR] [--no-search]."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("sizes", type=int, nargs="+", metavar="N", help="merchants per period")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the generated sites and outputs in DIR/N<n>/ (default: a temp dir, removed)")
    parser.add_argument("--no-search", action="store_true", help="pass --no-search to the build")
    parser.add_argument("--periods", type=int, default=3, help="monthly periods per site (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]} · {os.cpu_count()} CPUs · {args.periods} periods · "
          f"seed {args.seed}{' · --no-search' if args.no_search else ''}", flush=True)
    results: list[Result] = []
    for n in args.sizes:
        if args.keep:
            work, k = args.keep / f"N{n}", 1
            while work.exists():
                k += 1
                work = args.keep / f"N{n}-{k}"
            results.append(bench_one(n, work, args.periods, args.seed, args.no_search))
        else:
            with tempfile.TemporaryDirectory(prefix=f"gongshi-bench-{n}-") as tmp:
                results.append(bench_one(n, Path(tmp), args.periods, args.seed, args.no_search))
    print_table(results)
    if args.json:
        data = [asdict(r) | {"pages_per_s": round(r.pages_per_s, 1)} for r in results]
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0 if all(r.exit_code == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
