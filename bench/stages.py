"""Where a build's time goes, stage by stage: wall time, the CPU of the builder and of its helper processes
(read-ahead, Pagefind services), and how many cores were busy, from the build's own progress stages.

    .venv/bin/python bench/stages.py SITE                       # a clean build into a temporary folder
    .venv/bin/python bench/stages.py SITE --output OUT --incremental   # a build using SITE/.gongshi/
    .venv/bin/python bench/stages.py SITE --json stages.json

The build runs in this process (`builder.build.build`, as `gongshi build --clean` does) with a progress callback;
at each change of stage the process tree's CPU is read: this process (`getrusage`), its reaped children, and
its live descendants from /proc (a Pagefind service's CPU counts while it runs, not only once it has exited).
The build reports `search index` each time a bundle is done, between merchant pages: the table sums each stage's
slices, in the order stages first appear. "idle" is the core-seconds no process of the build used
(cores × wall − CPU), a measure of how far the build is from using every core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path[:0] = [str(BENCH), str(REPO)]

from procs import proc_stats  # noqa: E402

from builder.build import BuildOptions, build  # noqa: E402


@dataclass
class Stage:
    """One stage's summed slices."""

    name: str
    first_at: float = 0.0  # seconds from the start when the stage first began
    wall: float = 0.0
    builder_cpu: float = 0.0  # this process
    helpers_cpu: float = 0.0  # its child processes, live or reaped

    def cores(self) -> float:
        """Cores busy on average during the stage."""
        return (self.builder_cpu + self.helpers_cpu) / self.wall if self.wall else 0.0


def _descendants_cpu(root: int) -> float:
    """User + system seconds of the live descendants of `root` (from /proc; what they have used so far)."""
    table = proc_stats()
    children: dict[int, list[int]] = {}
    for pid, (parent, _name, _used) in table.items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0.0, list(children.get(root, ()))
    while todo:
        pid = todo.pop()
        total += table[pid][2] if pid in table else 0.0
        todo.extend(children.get(pid, ()))
    return total


def _cpu() -> tuple[float, float]:
    """(this process, its children live or reaped) CPU seconds."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, reaped.ru_utime + reaped.ru_stime + _descendants_cpu(os.getpid())


class Timeline:
    """The progress callback that records the stages."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.stages: dict[str, Stage] = {}
        self.current: str | None = None
        self.mark = (0.0, *_cpu())
        self.system_start = resource.getrusage(resource.RUSAGE_SELF).ru_stime
        self.system = 0.0  # the builder's system seconds (creating folders and files, mostly), once closed

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        """A progress report: a new stage closes the slice of the one before."""
        if stage != self.current:
            self.close(stage)

    def close(self, following: str | None) -> None:
        """End the current slice; `following` begins."""
        now = (time.perf_counter() - self.start, *_cpu())
        if self.current is not None:
            stage = self.stages[self.current]
            stage.wall += now[0] - self.mark[0]
            stage.builder_cpu += now[1] - self.mark[1]
            stage.helpers_cpu += now[2] - self.mark[2]
        elif now[0] > 0.05:  # before the first stage (start-up)
            self.stages["start"] = Stage("start", 0.0, now[0], now[1] - self.mark[1], now[2] - self.mark[2])
        if following is not None:
            self.stages.setdefault(following, Stage(following, now[0]))
        else:
            self.system = resource.getrusage(resource.RUSAGE_SELF).ru_stime - self.system_start
        self.current, self.mark = following, now


def main(argv: list[str] | None = None) -> int:
    """Build once with the timeline and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the site folder (e.g. one made by bench/generate.py)")
    parser.add_argument("--output", type=Path, help="output folder [default: a temporary folder, removed after]")
    parser.add_argument("--incremental", action="store_true", help="use the build cache (default: a clean build)")
    parser.add_argument("--no-search", action="store_true", help="skip the search index")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the stages as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="gongshi-stages-") as scratch:
        output = args.output or Path(scratch) / "output"
        timeline = Timeline()
        report = build(BuildOptions(args.site, output, clean=not args.incremental, search=not args.no_search),
                       timeline)
        timeline.close(None)
        wall = time.perf_counter() - timeline.start  # before the temporary output is removed
    cores = os.cpu_count() or 1
    rows = list(timeline.stages.values())
    print(f"{report.pages} pages, {report.indexed} indexed, {wall:.1f} s on {cores} cores")
    print(f"{'stage':<16}{'from s':>8}{'wall s':>8}{'builder':>9}{'helpers':>9}{'cores':>7}{'idle':>7}")
    for stage in rows + [Stage("total", 0.0, sum(r.wall for r in rows), sum(r.builder_cpu for r in rows),
                               sum(r.helpers_cpu for r in rows))]:
        idle = cores * stage.wall - stage.builder_cpu - stage.helpers_cpu
        print(f"{stage.name:<16}{stage.first_at:8.1f}{stage.wall:8.1f}{stage.builder_cpu:9.1f}"
              f"{stage.helpers_cpu:9.1f}{stage.cores():7.2f}{idle:7.1f}")
    print(f"the builder's system time: {timeline.system:.1f} s of its CPU (see bench/README.md on file systems)")
    if args.json:
        args.json.write_text(json.dumps({"cores": cores, "pages": report.pages, "builder_system_s": timeline.system,
                                         "stages": [asdict(r) for r in rows]},
                                        ensure_ascii=False, indent=1) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
