"""Benchmark `gongshi import`: spreadsheet readers side by side, then whole imports of N complaint rows.

    .venv/bin/pip install -e '.[bench]'            # openpyxl, xlrd, xlsxwriter, xlwt (writers and peer readers)
    .venv/bin/python bench/import_speed.py          # 100,000 rows (the .xls holds at most 60,000)
    .venv/bin/python bench/import_speed.py 20000 --keep /tmp/imp

Each reader and each import runs in its own process; seconds are wall time of that process, CPU s the user +
system time of it and of the process it forks, MB the peak RSS of the larger of the two (os.wait4). The load
average is printed before and after the imports. Fictional data only (bench/generate.py's vocabulary).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import BRAND_CHARS, DEMANDS, DISTRICTS, INDUSTRIES, RESULTS, TAXONOMY_YAML, check_char  # noqa: E402

HEADER = ["序号", "受理日期", "被投诉人", "统一社会信用代码", "所属区域", "行业类别", "商品或服务", "投诉问题",
          "诉求", "处理结果", "办结日期"]
XLS_MAX = 60_000
READ = {
    "calamine": "from python_calamine import CalamineWorkbook as W\n"
                "b = W.from_path(F); rows = b.get_sheet_by_name(b.sheet_names[0]).to_python(skip_empty_area=False)",
    "openpyxl": "import openpyxl\n"
                "b = openpyxl.load_workbook(F, read_only=True, data_only=True)\n"
                "rows = [list(r) for r in b.worksheets[0].iter_rows(values_only=True)]",
    "xlrd": "import xlrd\n"
            "s = xlrd.open_workbook(F).sheet_by_index(0); rows = [s.row_values(i) for i in range(s.nrows)]",
}


def credit_code(rng: random.Random) -> str:
    """A fictional code that passes the GB 32100 check (area 990xxx, which no real region uses)."""
    body = "91" + f"99{rng.randrange(10000):04d}" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY")
                                                          for _ in range(9))
    return body + check_char(body)


def complaint_rows(n: int, seed: int = 1) -> list[list[object]]:
    """N complaint rows of about N/20 fictional merchants, all received in September 2026."""
    rng = random.Random(seed)
    merchants = []
    for _ in range(max(1, n // 20)):
        industry = rng.choice(INDUSTRIES)
        name = "云岚" + "".join(rng.choice(BRAND_CHARS) for _ in range(2)) + industry.suffix
        merchants.append((name, credit_code(rng), rng.choice(DISTRICTS), industry))
    rows: list[list[object]] = []
    for number in range(1, n + 1):
        name, code, district, industry = rng.choice(merchants)
        received = date(2026, 9, 1) + timedelta(days=rng.randrange(30))
        done = rng.random() < 0.8
        handled = received + timedelta(days=rng.randrange(1, 20)) if done else None
        rows.append([number, datetime.combine(received, datetime.min.time()), name, code, district,
                     industry.category, rng.choice(industry.goods), rng.choice(industry.issues), rng.choice(DEMANDS),
                     rng.choice(RESULTS) if done else "处理中",
                     datetime.combine(handled, datetime.min.time()) if handled else ""])
    return rows


def write_files(rows: list[list[object]], folder: Path) -> dict[str, Path]:
    """The same rows as .xlsx, GBK .csv and (at most 60,000 rows) .xls, under a title row."""
    import xlsxwriter
    import xlwt

    paths = {"xlsx": folder / "complaints.xlsx", "csv": folder / "complaints-gbk.csv", "xls": folder / "complaints.xls"}
    book = xlsxwriter.Workbook(str(paths["xlsx"]), {"constant_memory": True})
    sheet = book.add_worksheet("投诉明细")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["云岚市2026年9月消费投诉明细（虚构数据）"])
    sheet.write_row(1, 0, HEADER)
    for index, row in enumerate(rows, start=2):
        for column, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(index, column, value, day)
            else:
                sheet.write(index, column, value)
    book.close()
    lines = ["云岚市2026年9月消费投诉明细（虚构数据）", ",".join(HEADER)]
    lines += [",".join(v.strftime("%Y/%-m/%-d") if isinstance(v, datetime) else str(v) for v in row) for row in rows]
    paths["csv"].write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    old = xlwt.Workbook(encoding="utf-8")
    old_sheet = old.add_sheet("投诉明细")
    old_day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for column, text in enumerate(HEADER):
        old_sheet.write(0, column, text)
    for index, row in enumerate(rows[:XLS_MAX], start=1):
        for column, value in enumerate(row):
            if isinstance(value, datetime):
                old_sheet.write(index, column, value, old_day)
            else:
                old_sheet.write(index, column, value)
    old.save(str(paths["xls"]))
    return paths


def write_site(folder: Path) -> Path:
    """A small site folder whose taxonomy holds every generated category, demand and result."""
    (folder / "content" / "complaints").mkdir(parents=True)
    (folder / "site.yaml").write_text("title: 云岚市消费投诉信息公示\norganizer: 云岚市市场监督管理局\n"
                                      "base_url: https://www.example.gov.cn/gongshi/\n", "utf-8")
    (folder / "content" / "taxonomy.yaml").write_text(TAXONOMY_YAML, "utf-8")
    return folder


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, str, float]:
    """Run a command: wall seconds, peak RSS in MB, exit status, the end of stderr, CPU seconds (user + system)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-600:]
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), tail, usage.ru_utime + usage.ru_stime


def main() -> int:
    """Generate, compare readers, time imports; print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is shown")
    parser.add_argument("--no-readers", action="store_true", help="time the imports only")
    parser.add_argument("--generate-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        write_files(complaint_rows(args.rows), args.generate_only)
        (args.generate_only / "rows.txt").write_text(str(args.rows), "utf-8")
        return 0
    folder = args.keep or Path(tempfile.mkdtemp(prefix="gongshi-import-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = {"xlsx": folder / "complaints.xlsx", "csv": folder / "complaints-gbk.csv", "xls": folder / "complaints.xls"}
    # Generated in a child process, so that the processes measured below do not start from this one's memory.
    marker = folder / "rows.txt"
    if not marker.exists() or marker.read_text("utf-8") != str(args.rows):
        subprocess.run([sys.executable, __file__, str(args.rows), "--generate-only", str(folder)], check=True)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{kind} {path.stat().st_size / 2**20:.1f} MB" for kind, path in files.items()))
    print(f"\n{'file':<6} {'rows':>8} {'reader':<22} {'seconds':>8} {'CPU s':>8} {'peak MB':>8}")
    for kind, readers in () if args.no_readers else (("xlsx", ("calamine", "openpyxl")), ("xls", ("calamine", "xlrd"))):
        rows = args.rows if kind == "xlsx" else min(args.rows, XLS_MAX)
        for reader in readers:
            code = f"F = {str(files[kind])!r}\n{READ[reader]}\nassert len(rows) > {rows}"
            runs = [timed([sys.executable, "-c", code]) for _ in range(args.repeat)]
            bad = [r for r in runs if r[2] != 0]
            if bad:
                print(f"{kind:<6} {rows:>8,} {reader:<22} FAILED: {bad[0][3]}")
                continue
            label = reader + (" (read-only)" if reader == "openpyxl" else "")
            print(f"{kind:<6} {rows:>8,} {label:<22} {min(r[0] for r in runs):>8.2f} {min(r[4] for r in runs):>8.2f} "
                  f"{max(r[1] for r in runs):>8.0f}")
    print(f"\n{'file':<6} {'rows':>8} {'gongshi import':<22} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} "
          f"{'YAML MB':>8} {'check s':>8} {'check CPU':>9}")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795132800"}
    # As an installed package runs: with its bytecode compiled (pip does that; a machine that sets
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module of builder/ again in every run).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "builder")], check=True,
                   stdout=subprocess.DEVNULL)
    print(f"load average before the imports: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for kind in ("xlsx", "csv", "xls"):
        rows = args.rows if kind != "xls" else min(args.rows, XLS_MAX)
        runs = []
        for attempt in range(args.repeat):
            site = folder / f"site-{kind}-{attempt}"
            shutil.rmtree(site, ignore_errors=True)
            write_site(site)
            command = [sys.executable, "-m", "builder", "import", str(files[kind]), str(site), "--period", "2026-09"]
            runs.append((*timed(command, env), site))
        failed = [r for r in runs if r[2] != 0]
        if failed:
            print(f"{kind:<6} {rows:>8,} FAILED (exit {failed[0][2]}): {failed[0][3]}")
            continue
        size = (runs[0][5] / "content" / "complaints" / "2026-09.yaml").stat().st_size / 2**20
        checks = [timed([sys.executable, "-m", "builder", "check", str(runs[0][5])], env) for _ in range(args.repeat)]
        print(f"{kind:<6} {rows:>8,} {'(read, write, check)':<22} {min(r[0] for r in runs):>8.2f} "
              f"{min(r[4] for r in runs):>8.2f} {max(r[1] for r in runs):>8.0f} {size:>8.1f} "
              f"{min(c[0] for c in checks):>8.2f} {min(c[4] for c in checks):>9.2f}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.keep is None:
        shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
