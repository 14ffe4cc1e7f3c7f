"""Incremental builds against full builds of the same site, measured in one run.

    .venv/bin/python bench/incremental.py 10000                 # generate 10,000 merchants (one file per district)
    .venv/bin/python bench/incremental.py 10000 --keep /tmp/inc  # keep the site and outputs
    .venv/bin/python bench/incremental.py --site SITE           # an existing site folder

For one site it times, each as a separate `gongshi build` process (wall time and the CPU time of the process
and its children):

- `full`: `gongshi build --clean` (the cache is ignored and written anew), the median of `--repeat` builds;
- `nothing changed`: `gongshi build` again with no edit;
- `warning edited`: one warning's body edited, then `gongshi build`, `--edits` times with a new edit each
  time; the first rebuild after a clean build brings up to date the spare that a low-priority process linked
  from the clean build's output once it ended (`--clean` trusts nothing of the output it replaced;
  builder/sparefill.py), the later ones the output before the last: both are shown. Every build here starts
  once the last one's background work (that linking, and deleting what it threw away) is done, as an editor's
  next build does. These take the warnings' quick path (builder/warningsbuild.py: the merchants are not loaded);
- `warning title edited`, `warning added`: the quick path too; the search lookup holds the warnings' titles
  beside the merchants, and its files that change are written again;
- `warning given a new tag`: a tag no other warning has added to one warning's tags (a new tag page);
  `a tag's last use removed`: that tag taken away again (its tag page goes);
- `merchant edited`: one merchant's 投诉量 changed in its district file, then `gongshi build`.

After the last edit, the incremental output is compared byte for byte with a clean build of the same input
into another folder. Rows give seconds and the ratio to the full build's median.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import generate_site  # noqa: E402

sys.path.insert(0, str(REPO))
from builder.sparefill import held  # noqa: E402

AS_OF = "2026-11-20"


def settle(site: Path, timeout: float = 120.0) -> None:
    """Wait until what the last build left to low-priority processes is done: deleting its trash, linking a new
    spare (builder/sparefill.py). An editor's next build comes later than that; a build started at once would
    find the spare still locked and make every folder of the output again."""
    gongshi_dir = site / ".gongshi"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        trash = gongshi_dir / "trash"
        if not held(gongshi_dir / "previous") and not (trash.is_dir() and any(trash.iterdir())):
            return
        time.sleep(0.1)


def gongshi(site: Path, *extra: str) -> tuple[float, float, str]:
    """Run one build, once the last one's background work is done (`settle`); return (wall seconds, CPU seconds
    of the build and its children, its summary line)."""
    settle(site)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "builder", "build", str(site), "--as-of", AS_OF, *extra],
                               cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read() if process.stdout else ""
    err = process.stderr.read() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"build failed:\n{err[-2000:]}")
    cpu = usage.ru_utime + usage.ru_stime  # the builder and the Pagefind processes it waited for
    return wall, cpu, out.splitlines()[0] if out else ""


def edit_warning(site: Path, n: int) -> None:
    """Append a sentence to the body of the first warning."""
    path = sorted((site / "content" / "warnings").glob("*.md"))[0]
    path.write_text(path.read_text("utf-8") + f"\n第{n}次补充：请消费者保留好消费凭证。\n", "utf-8")


def edit_title(site: Path, n: int) -> None:
    """Change the title of the first warning."""
    path = sorted((site / "content" / "warnings").glob("*.md"))[0]
    path.write_text(re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)}（第{n}次修订）", path.read_text("utf-8"),
                           count=1, flags=re.M), "utf-8")


def add_warning(site: Path) -> None:
    """A new warning, dated a day before the as-of date, naming no merchant (a new file each run of the script)."""
    folder = site / "content" / "warnings"
    (folder / f"zz-bench-new-{len(list(folder.glob('zz-bench-new-*.md'))) + 1}.md").write_text(
        "---\ntitle: 年末购物消费提醒\ndate: 2026-11-19\ntype: 消费提醒\n---\n请理性消费，保留好购物凭证。\n", "utf-8")


def tag_warning(site: Path, tag: str | None) -> None:
    """Give the first warning the tag `tag` (one no other warning has), or take back every tag added so."""
    path = sorted((site / "content" / "warnings").glob("*.md"))[0]
    text = re.sub(r"^(tags: \[.*?)(, 双11专项[^,\]]*)*\]$", r"\1]", path.read_text("utf-8"), count=1, flags=re.M)
    if tag is not None:
        text = re.sub(r"^(tags: \[.*)\]$", lambda m: f"{m.group(1)}, {tag}]", text, count=1, flags=re.M)
    path.write_text(text, "utf-8")


def edit_merchant(site: Path) -> None:
    """Add one to the first 投诉量 of the first district file of the newest period."""
    periods = sorted(p for p in (site / "content" / "complaints").iterdir() if p.is_dir())
    path = sorted(periods[-1].glob("*.yaml"))[0]
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"complaints: (\d+)", lambda m: f"complaints: {int(m.group(1)) + 1}", text, count=1),
                    "utf-8")


def same_tree(a: Path, b: Path) -> tuple[bool, str]:
    """Whether two folders hold the same files with the same bytes (and the first difference)."""
    left = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    right = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    if left != right:
        missing = sorted(set(left) ^ set(right))[:3]
        return False, f"different files: {missing}"
    for name in left:
        if not filecmp.cmp(a / name, b / name, shallow=False):
            return False, f"different bytes: {name}"
    return True, f"{len(left)} files identical"


def run(site: Path, repeat: int, edits: int, clean_out: Path) -> int:
    """Measure every kind of build of one site; print the rows; return 0 when the outputs are identical."""
    rows: list[tuple[str, float, float]] = []
    fulls = []
    for _ in range(repeat):
        wall, cpu, line = gongshi(site, "--clean")
        fulls.append((wall, cpu))
        print(f"  full: {wall:.1f} s ({line})", file=sys.stderr, flush=True)
    full_wall = statistics.median(w for w, _ in fulls)
    rows.append((f"full (--clean, median of {repeat})", full_wall, statistics.median(c for _, c in fulls)))
    wall, cpu, line = gongshi(site)
    rows.append(("nothing changed", wall, cpu))
    print(f"  nothing changed: {wall:.1f} s ({line})", file=sys.stderr, flush=True)
    for n in range(1, edits + 1):
        edit_warning(site, n)
        wall, cpu, line = gongshi(site)
        label = "warning edited (first rebuild after --clean)" if n == 1 else f"warning edited (rebuild {n})"
        rows.append((label, wall, cpu))
        print(f"  {label}: {wall:.1f} s ({line})", file=sys.stderr, flush=True)
    changes = (("warning title edited", lambda: edit_title(site, 1)), ("warning added", lambda: add_warning(site)),
               ("warning given a new tag", lambda: tag_warning(site, f"双11专项{os.getpid()}")),
               ("a tag's last use removed", lambda: tag_warning(site, None)))
    for label, change in changes:
        change()
        wall, cpu, line = gongshi(site)
        rows.append((label, wall, cpu))
        print(f"  {label}: {wall:.1f} s ({line})", file=sys.stderr, flush=True)
    edit_merchant(site)
    wall, cpu, line = gongshi(site)
    rows.append(("one merchant's 投诉量 edited", wall, cpu))
    print(f"  merchant edited: {wall:.1f} s ({line})", file=sys.stderr, flush=True)
    gongshi(site, "--clean", "--output", str(clean_out), "--audit", str(clean_out.parent / "clean-audit.json"))
    same, detail = same_tree(site / "output", clean_out)
    width = max(len(label) for label, _, _ in rows)
    print(f"{'build'.ljust(width)}  seconds  CPU s (build + Pagefind)  of full")
    for label, wall, cpu in rows:
        print(f"{label.ljust(width)}  {wall:7.1f}  {cpu:24.1f}  {100 * wall / full_wall:6.1f} %")
    print(f"incremental output after the edits vs a clean build of the same input: "
          f"{'byte-identical' if same else 'DIFFERENT'} ({detail})")
    return 0 if same else 1


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int, nargs="?", default=10000, help="merchants to generate (default 10000)")
    parser.add_argument("--site", type=Path, help="measure this site folder instead of a generated one")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--repeat", type=int, default=3, help="full builds (default 3; the median is used)")
    parser.add_argument("--edits", type=int, default=3, help="warning edits (default 3)")
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="gongshi-incremental-") as tmp:
        work = args.keep or Path(tmp)
        site = args.site
        if site is None:
            site = work / "site"
            generate_site(args.n, site, 3, 1, per_district=True)
        return run(site, args.repeat, args.edits, work / "clean-output")


if __name__ == "__main__":
    sys.exit(main())
