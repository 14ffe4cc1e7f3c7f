"""`gongshi import`: what it writes, what it refuses, and that a failed import leaves content/ as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

import pytest

from builder.errors import OutputError
from builder.importing.run import ImportOptions, run_import
from builder.source import parse_yaml
from helpers import run_cli
from importfixtures import CODE_A, CODE_B, COMPLAINT_HEADER, complaint_rows, csv_text, invoke, snapshot, write_xlsx

ITEM_A = "{received: 2026-11-02, goods: 火锅套餐, issue: 菜品中发现异物, demand: 赔偿, result: 调解成功, " \
         "handled: 2026-11-09}"
ITEM_B = "{received: 2026-11-06, goods: 健身年卡, issue: 办卡后门店停业, demand: 退款, result: 调解成功, " \
         "handled: 2026-11-20}"
ITEM_C = "{received: 2026-11-12, goods: 空调, issue: 安装后漏水, demand: 维修, result: 调解终止, handled: 2026-11-19}"


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """The standard export: title and export-time rows, header at row 3, five complaints."""
    return write_xlsx(tmp_path / "export.xlsx", [COMPLAINT_HEADER] + complaint_rows())


def written(site: Path, period: str = "2026-11") -> str:
    return (site / "content" / "complaints" / f"{period}.yaml").read_text("utf-8")


def test_writes_the_documented_format_and_the_site_checks(minimal_site: Path, export: Path) -> None:
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 0, result.stderr
    sha = hashlib.sha256(export.read_bytes()).hexdigest()
    assert written(minimal_site) == f"""\
# Written by `gongshi import` from a spreadsheet; edit the spreadsheet and import it again (--force).
# source: "export.xlsx", sheet "投诉明细", header at row 3
# sha256: {sha}
# columns: name = 被投诉人 (C); credit_code = 统一社会信用代码 (D); district = 所属区域 (E); category = 行业类别 (F); \
received = 受理日期 (B); issue = 投诉问题 (H); demand = 诉求 (I); result = 处理结果 (J); handled = 办结日期 (K); \
goods = 商品或服务 (G)
# 5 rows read, 0 skipped: 3 merchants, 5 complaints, 3 resolved, 3 items
period: 2026-11
published: 2026-11-20
department: 测试区市场监督管理局
merchants:
  - name: 测试甲（东湖）餐饮有限公司
    credit_code: "{CODE_A}"
    district: 东湖街道
    category: 餐饮服务
    complaints: 2
    resolved: 1
    items:
      - {ITEM_A}
  - name: 测试乙健身服务有限公司
    credit_code: "{CODE_B}"
    district: 西山镇
    category: 预付式消费
    complaints: 2
    resolved: 1
    items:
      - {ITEM_B}
  - name: 测试丙家电销售有限公司
    district: 南湖街道
    category: 家用电子电器
    complaints: 1
    resolved: 1
    items:
      - {ITEM_C}
"""
    assert ("Imported " in result.stdout and "5 rows read, 3 merchants, 5 complaints, 3 resolved, 3 items; "
            "0 rows skipped, 0 names merged, 0 personal data masked. Wrote content/complaints/2026-11.yaml"
            in result.stdout)
    assert f"{export}:3:1: column: `序号`: not a known field; ignored [ignored]" in result.stderr
    assert (f"{export}: items: 1 row(s) counted but not listed as items (处理结果 `处理中` is a state of handling, not "
            f"a result): rows 5") in result.stderr
    assert f"{export}: items: 1 row(s) counted but not listed as items (no 处理结果 yet): rows 7" in result.stderr
    check = invoke("check", minimal_site)
    assert check.exit_code == 0 and check.stdout.startswith("OK: 6 merchants, 3 periods"), check.output


def test_same_input_same_bytes(tmp_path: Path, minimal_site: Path, export: Path) -> None:
    assert invoke("import", export, minimal_site, "--period", "2026-11").exit_code == 0
    first = written(minimal_site)
    assert invoke("import", export, minimal_site, "--period", "2026-11", "--force").exit_code == 0
    assert written(minimal_site) == first
    moved = tmp_path / "elsewhere" / "export.xlsx"
    moved.parent.mkdir()
    moved.write_bytes(export.read_bytes())
    assert invoke("import", moved, minimal_site, "--period", "2026-11", "--force").exit_code == 0
    assert written(minimal_site) == first  # the header names the file, not the folder it was read from


def test_refuses_to_overwrite_without_force(minimal_site: Path, export: Path) -> None:
    target = minimal_site / "content" / "complaints" / "2026-11.yaml"
    target.write_text("# an editor's file\n", "utf-8")
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    assert (f"{export}:1:1: --out: content/complaints/2026-11.yaml already exists: give --force to replace it "
            f"(nothing was written)") in result.stderr
    assert target.read_text("utf-8") == "# an editor's file\n"
    assert invoke("import", export, minimal_site, "--period", "2026-11", "--force").exit_code == 0
    assert written(minimal_site).startswith("# Written by `gongshi import`")


def test_dry_run_writes_nothing(minimal_site: Path, export: Path) -> None:
    before = snapshot(minimal_site)
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Dry run: ") and "Would write content/complaints/2026-11.yaml" in result.stdout
    assert snapshot(minimal_site) == before


def test_out_must_lie_in_content_complaints(tmp_path: Path, minimal_site: Path, export: Path) -> None:
    before = snapshot(minimal_site)
    for out in (minimal_site / "content" / "2026-11.yaml", minimal_site / "content" / "complaints" / ".sub" / "x.yaml",
                minimal_site / "content" / "complaints" / ".." / "pages" / "x.yaml", tmp_path / "x.yaml",
                minimal_site / "content" / "complaints" / "notes.md",
                minimal_site / "content" / "complaints" / "2026-11" / ".." / ".." / "x.yaml"):
        result = invoke("import", export, minimal_site, "--period", "2026-11", "--out", out)
        assert result.exit_code == 1 and ": --out: " in result.stderr, (out, result.stderr)
    assert snapshot(minimal_site) == before
    out = minimal_site / "content" / "complaints" / "2026-11-platform.yaml"
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "Wrote content/complaints/2026-11-platform.yaml" in result.stdout and out.is_file()
    out.unlink()
    district = minimal_site / "content" / "complaints" / "2026-11" / "西岭镇.yaml"  # one file per district
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--out", district)
    assert result.exit_code == 0, result.stderr
    assert "Wrote content/complaints/2026-11/西岭镇.yaml" in result.stdout and district.is_file()


def test_out_may_lie_in_a_sub_folder(minimal_site: Path, export: Path) -> None:
    """One period in several files (one per district): --out content/complaints/<period>/<district>.yaml."""
    out = minimal_site / "content" / "complaints" / "2026-11" / "东湖街道.yaml"
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert "Wrote content/complaints/2026-11/东湖街道.yaml" in result.stdout
    assert parse_yaml(out.read_text("utf-8"))["period"] == "2026-11"
    assert not list(out.parent.glob(".gongshi-import-*"))


def test_a_period_file_over_the_builders_limit_is_refused_before_writing(
        monkeypatch: pytest.MonkeyPatch, minimal_site: Path, export: Path) -> None:
    """The builder reads at most 16 MB per file: import says so, naming the spreadsheet and how to split it."""
    monkeypatch.setattr("builder.importing.run.MAX_FILE_BYTES", 1000)

    def never(*_args: object) -> None:
        raise AssertionError("the site was checked")

    monkeypatch.setattr("builder.importing.run.check_in_place", never)
    before = snapshot(minimal_site)
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1 and snapshot(minimal_site) == before
    problems = [line for line in result.stderr.splitlines() if not line.endswith("]") and ": items: " not in line]
    assert problems[0].startswith(f"{export}:1:1: file: the period file made from this spreadsheet would be "
                                           f"0.0 MB and the site reads at most 0 MB per file")
    assert problems[0].endswith("nothing was written; split the spreadsheet by district (区域), one file per "
                                "district, and import each part with --out content/complaints/2026-11/<district>.yaml")
    assert len(problems) == 2 and problems[1].startswith("Error: 1 problem(s)")
    out = minimal_site / "content" / "complaints" / "2026-11" / "东湖街道.yaml"
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--out", out, "--skip-bad-rows")
    assert result.exit_code == 1 and not out.exists()
    assert "--out content/complaints/2026-11/<district>.yaml" in result.stderr


def test_out_refuses_a_link(tmp_path: Path, minimal_site: Path, export: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("keep\n", "utf-8")
    link = minimal_site / "content" / "complaints" / "2026-11.yaml"
    link.symlink_to(outside)
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--force")
    assert result.exit_code == 1 and "exists and is not a regular file (a link or a folder)" in result.stderr
    assert outside.read_text("utf-8") == "keep\n"


def test_a_failed_write_leaves_content_as_it_was(monkeypatch: pytest.MonkeyPatch, minimal_site: Path,
                                                 export: Path) -> None:
    before = snapshot(minimal_site)

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("builder.importing.output.os.replace", refuse)
    with pytest.raises(OutputError, match="No space left on device"):
        run_import(ImportOptions(export, minimal_site, "2026-11"))
    assert snapshot(minimal_site) == before  # no temporary file left behind either


def test_a_failed_write_removes_the_folders_it_made(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    minimal_site: Path, export: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "site.yaml").write_bytes((minimal_site / "site.yaml").read_bytes())

    def fail(_fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("builder.importing.output.os.fsync", fail)
    with pytest.raises(OutputError, match="Input/output error"):
        run_import(ImportOptions(export, bare, "2026-11", as_of=dt.date(2026, 11, 20)))
    assert sorted(p.name for p in bare.iterdir()) == ["site.yaml"]
    monkeypatch.undo()
    run_import(ImportOptions(export, bare, "2026-11", as_of=dt.date(2026, 11, 20)))
    assert (bare / "content" / "complaints" / "2026-11.yaml").is_file()


def test_a_file_that_fails_the_site_check_does_not_land(tmp_path: Path, minimal_site: Path) -> None:
    rows = [COMPLAINT_HEADER] + complaint_rows()
    rows[1][5] = "餐饮"        # not in content/taxonomy.yaml
    rows[3][8] = "退钱"        # not a demand in content/taxonomy.yaml
    export = write_xlsx(tmp_path / "export.xlsx", rows)
    before = snapshot(minimal_site)
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "[" not in line and not line.startswith(f"{export}: ")]
    assert lines == [
        f"{export}:4:6: category: `餐饮` is not a category in content/taxonomy.yaml (did you mean `餐饮服务`?) "
        f"(cell F4)",
        f"{export}:6:9: demand: `退钱` is not one of: 退款, 维修, 赔偿, 其他 (cell I6)",
        f"Error: 2 problem(s) in {export} (sheet 投诉明细, header at row 3, one row per complaint); nothing was "
        f"written.",
    ]
    assert snapshot(minimal_site) == before


def test_skip_bad_rows_writes_the_good_rows_and_reports_the_rest(tmp_path: Path, minimal_site: Path) -> None:
    rows = [COMPLAINT_HEADER] + complaint_rows()
    rows[3][8] = "退钱"               # row 6: fails the site check (demand not in the taxonomy)
    rows[5][1] = "2026-02-30"         # row 8: not a date
    export = write_xlsx(tmp_path / "export.xlsx", rows)
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--skip-bad-rows")
    assert result.exit_code == 0, result.stderr
    assert (f"{export}:8:2: received: row left out: `2026-02-30` is not a real date (cell B8) [skipped]"
            in result.stderr)
    assert (f"{export}:6:9: demand: row left out: `退钱` is not one of: 退款, 维修, 赔偿, 其他 (cell I6) [skipped]"
            in result.stderr)
    assert "3 rows read" not in result.stdout and "2 rows skipped" in result.stdout
    data = parse_yaml(written(minimal_site))
    assert [(m["name"], m["complaints"], m["resolved"], len(m.get("items", []))) for m in data["merchants"]] == [
        ("测试甲（东湖）餐饮有限公司", 2, 1, 1), ("测试乙健身服务有限公司", 1, 0, 0)]
    assert invoke("check", minimal_site).exit_code == 0


def test_json_report(minimal_site: Path, export: Path) -> None:
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--format", "json", "--dry-run")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert {key: report[key] for key in ("ok", "sheet", "header_row", "mode", "rows_read", "merchants", "complaints",
                                         "resolved", "items", "rows_skipped", "names_merged", "personal_data_masked",
                                         "output", "written", "dry_run")} == {
        "ok": True, "sheet": "投诉明细", "header_row": 3, "mode": "complaint", "rows_read": 5, "merchants": 3,
        "complaints": 5, "resolved": 3, "items": 3, "rows_skipped": 0, "names_merged": 0, "personal_data_masked": 0,
        "output": "content/complaints/2026-11.yaml", "written": False, "dry_run": True}
    assert report["columns"]["name"] == "被投诉人 (C)"
    assert report["sha256"] == hashlib.sha256(export.read_bytes()).hexdigest()
    assert report["not_itemised"] == {"no 处理结果 yet": [7],
                                      "处理结果 `处理中` is a state of handling, not a result": [5]}


def test_json_report_of_a_failure(tmp_path: Path, minimal_site: Path) -> None:
    rows = [COMPLAINT_HEADER] + complaint_rows()
    rows[2][2] = "  "
    export = write_xlsx(tmp_path / "export.xlsx", rows)
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["written"] is False
    assert report["problems"] == [{"path": str(export), "line": 5, "column": 3, "field": "name", "code": "GS203",
                                   "message": "is empty: every row needs the merchant's name (经营者名称) (cell C5)",
                                   "severity": "error"}]


def test_department_published_and_period_options(minimal_site: Path, export: Path) -> None:
    result = invoke("import", export, minimal_site, "--period", "2026-Q4", "--published", "2026-12-05",
                    "--department", "测试区市场监督管理局东湖所")
    assert result.exit_code == 0, result.stderr
    text = written(minimal_site, "2026-Q4")
    assert "\nperiod: 2026-Q4\npublished: 2026-12-05\ndepartment: 测试区市场监督管理局东湖所\n" in text


def test_a_broken_site_yaml_is_told_as_itself(minimal_site: Path, export: Path) -> None:
    """Without --department the organizer comes from site.yaml: a GBK or broken site.yaml is reported as such."""
    site_yaml = minimal_site / "site.yaml"
    good = site_yaml.read_text("utf-8")
    site_yaml.write_bytes(good.encode("gbk"))
    before = snapshot(minimal_site)
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1 and snapshot(minimal_site) == before
    first = good.split("\n", 1)[0]
    column = next(i for i, ch in enumerate(first) if ord(ch) > 127) + 1
    assert result.stderr.splitlines()[0].startswith(f"site.yaml:1:{column}: encoding: file is not valid UTF-8 text")
    assert "--department" not in result.stderr
    site_yaml.write_text("title: [测试\n", "utf-8")
    result = invoke("import", export, minimal_site, "--period", "2026-11", "--department", "测试局")
    assert result.exit_code == 1 and result.stderr.startswith("site.yaml:"), result.stderr
    assert "--department" not in result.stderr
    site_yaml.unlink()
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.stderr.splitlines()[0] == "site.yaml:1:1: file: site.yaml not found: a site folder needs a site.yaml"


def test_bad_options_are_reported_together(minimal_site: Path, export: Path) -> None:
    result = invoke("import", export, minimal_site, "--period", "2026-13", "--map", "owner=经营者",
                    "--default", "goods=手机", "--department", " ")
    assert result.exit_code == 1
    assert [line.split(": ", 1)[1] for line in result.stderr.splitlines()[:-1]] == [
        "--default: --default goods=…: only district and category can be given one value for every row",
        "--department: --department gives no text",
        "--map: --map owner=经营者: `owner` is not a field; fields: name, credit_code, district, category, "
        "complaints, resolved, received, issue, demand, result, handled, goods, number",
        "--period: `2026-13` is not a period: write YYYY-MM, YYYY-Qn, YYYY-H1, YYYY-H2 or YYYY",
    ]
    assert invoke("import", export, minimal_site, "--period", "2026-11", "--map", "name").exit_code == 2


def test_imported_periods_build(minimal_site: Path, export: Path, tmp_path: Path) -> None:
    assert invoke("import", export, minimal_site, "--period", "2026-11").exit_code == 0
    result = run_cli("build", minimal_site, "--no-search", "--output", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    period_page = (tmp_path / "out" / "periods" / "2026-11" / "index.html").read_text("utf-8")
    assert "测试乙健身服务有限公司" in period_page and "测试丙家电销售有限公司" in period_page
    data = json.loads((tmp_path / "out" / "data" / "complaints.json").read_text("utf-8"))
    assert "2026-11" in json.dumps(data, ensure_ascii=False)


def test_console_script_runs_import(minimal_site: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(csv_text([COMPLAINT_HEADER] + complaint_rows()).encode("gb18030"))
    result = run_cli("import", export, minimal_site, "--period", "2026-11")
    assert result.returncode == 0, result.stderr
    assert "3 merchants, 5 complaints, 3 resolved, 3 items" in result.stdout
    assert os.path.getsize(minimal_site / "content" / "complaints" / "2026-11.yaml") > 0


def test_a_second_file_for_a_period_lands_unless_it_repeats_a_merchant(tmp_path: Path, minimal_site: Path) -> None:
    # Many files per period (issue 11): a district's file for a period that has one already is added to it.
    export = write_xlsx(tmp_path / "october.xlsx", [["经营者名称", "区域", "行业", "投诉量", "办结量"],
                                                    ["测试丁食品店", "东湖街道", "食品", 2, 1]], above=0)
    out = minimal_site / "content" / "complaints" / "2026-10" / "platform.yaml"
    result = invoke("import", export, minimal_site, "--period", "2026-10", "--out", out, "--skip-bad-rows")
    assert result.exit_code == 0, result.stderr
    assert out.is_file() and "period: 2026-10" in out.read_text("utf-8")
    out.unlink()
    # A merchant the period's other file already lists is the duplicate error, naming both places.
    header = ["经营者名称", "统一社会信用代码", "区域", "行业", "投诉量", "办结量"]
    row = ["测试甲乙餐饮有限公司", "91350100M000100Y43", "甲街道", "餐饮服务", 2, 1]
    repeated = write_xlsx(tmp_path / "repeated.xlsx", [header, row], above=0)
    before = snapshot(minimal_site)
    result = invoke("import", repeated, minimal_site, "--period", "2026-10", "--out", out, "--skip-bad-rows")
    assert result.exit_code == 1
    assert "is listed twice in this period; first at" in result.stderr and "content/complaints/2026-10.yaml" in \
        result.stderr, result.stderr
    assert snapshot(minimal_site) == before


def test_the_check_never_writes_through_to_the_site(tmp_path: Path, minimal_site: Path, export: Path) -> None:
    target = minimal_site / "content" / "complaints" / "2026-11.yaml"
    target.write_text("# an editor's file\n", "utf-8")
    before = snapshot(minimal_site)
    assert invoke("import", export, minimal_site, "--period", "2026-11", "--force", "--dry-run").exit_code == 0
    rows = [COMPLAINT_HEADER] + complaint_rows()
    rows[1][5] = "餐饮"
    failing = write_xlsx(tmp_path / "failing.xlsx", rows)
    assert invoke("import", failing, minimal_site, "--period", "2026-11", "--force").exit_code == 1
    assert snapshot(minimal_site) == before  # the staged copy hard-links the site's files; none was written through
