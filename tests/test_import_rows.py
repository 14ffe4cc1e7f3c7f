"""`gongshi import`, row by row: values, every problem at once, totals, repeats, merged names, personal data."""

from __future__ import annotations

import json
from pathlib import Path

from builder.importing.values import fold_name
from builder.privacy import is_id_card
from builder.source import parse_yaml
from importfixtures import CODE_A, CODE_B, COMPLAINT_HEADER, complaint_rows, invoke, snapshot, write_xlsx

MERCHANT_HEADER = ["经营者名称", "统一社会信用代码", "辖区", "行业", "投诉量（件）", "办结量"]


def written(site: Path, period: str = "2026-11") -> object:
    return parse_yaml((site / "content" / "complaints" / f"{period}.yaml").read_text("utf-8"))


def problem_lines(stderr: str) -> list[str]:
    """The error lines (no [ignored]/[skipped]/[warning] notes, no summary)."""
    return [line for line in stderr.splitlines() if not line.endswith("]") and not line.startswith("Error: ")
            and ": items: " not in line]


def test_per_merchant_counts_in_every_accepted_form(tmp_path: Path, minimal_site: Path) -> None:
    export = write_xlsx(tmp_path / "counts.xlsx", [
        MERCHANT_HEADER,
        ["测试甲餐饮有限公司", CODE_A, "东湖街道", "餐饮服务", "1,208", "１２"],
        ["测试乙健身服务有限公司", " 9199 0102 ma00 0020 2u ", "西山镇", "预付式消费", "12件", " 3 "],
        ["测试丙食品店", "", "南湖街道", "食品", 7, 7.0],
    ], above=1)
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 0, result.stderr
    merchants = written(minimal_site)["merchants"]
    assert [(m["name"], m.get("credit_code"), m["complaints"], m["resolved"]) for m in merchants] == [
        ("测试甲餐饮有限公司", CODE_A, 1208, 12), ("测试乙健身服务有限公司", CODE_B, 12, 3),
        ("测试丙食品店", None, 7, 7)]
    assert "header at row 2, one row per merchant" in result.stdout
    assert "3 merchants, 1227 complaints, 22 resolved, 0 items" in result.stdout


def test_every_bad_cell_is_reported_at_once(tmp_path: Path, minimal_site: Path) -> None:
    export = write_xlsx(tmp_path / "bad.xlsx", [
        MERCHANT_HEADER,
        ["测试甲餐饮有限公司", CODE_A, "东湖街道", "餐饮服务", 10, 8],
        ["测试丙有限公司", "", "南湖街道", "食品", "约20", "十二"],
        ["测试丁有限公司", "91990101MA0000101X", "南湖街道", "食品", -3, 1.5],
        ["", "", "南湖街道", "食品", 1, 1],
        ["测试戊有限公司", "", "北湖街道", "食品", 5, 6],
        ["测试己有限公司", "", "", "食品", 3, 1],
        ["测试庚有限公司", "", "北湖街道", "食品", "18.2%", 0],
        ["测试辛有限公司", "", "北湖街道", "食品", "", 0],
    ], above=0)
    before = snapshot(minimal_site)
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    assert problem_lines(result.stderr) == [
        f"{export}:3:5: complaints: expected a whole number, found `约20` (cell E3)",
        f"{export}:3:6: resolved: expected a whole number, found `十二` (cell F3)",
        f"{export}:4:2: credit_code: `91990101MA0000101X` is not a valid 统一社会信用代码: check character is X, the "
        f"checksum requires L; a character is probably mistyped (cell B4)",
        f"{export}:4:5: complaints: must be 0 or more, found `-3` (cell E4)",
        f"{export}:4:6: resolved: must be a whole number, found `1.5` (cell F4)",
        f"{export}:5:1: name: is empty: every row needs the merchant's name (经营者名称) (cell A5)",
        f"{export}:6:6: resolved: 办结量 6 is more than 投诉量 5 (cell F6)",
        f"{export}:7:3: district: is empty: every merchant needs its district (区域) (cell C7)",
        f"{export}:8:5: complaints: `18.2%` is a percentage, not a count (cell E8)",
        f"{export}:9:5: complaints: is empty: write a whole number (0 when there is none) (cell E9)",
    ]
    assert result.stderr.splitlines()[-1] == (f"Error: 10 problem(s) in {export} (sheet 投诉明细, header at row 1, "
                                              f"one row per merchant); nothing was written.")
    assert snapshot(minimal_site) == before


def test_row_values_and_the_site_check_are_reported_in_one_run(tmp_path: Path, minimal_site: Path) -> None:
    """A bad count does not hide the next row's unknown category, nor the row's own other problems."""
    export = write_xlsx(tmp_path / "tax.xlsx", [
        MERCHANT_HEADER,
        ["测试甲餐饮有限公司", CODE_A, "东湖街道", "餐饮服务", "约20", 8],
        ["测试乙餐饮有限公司", CODE_B, "东湖街道", "餐馆", 3, 1],
        ["", "", "", "食品", "十二", 1],
        ["测试丙有限公司", "", "南湖街道", "食品", 2, 1],
    ], above=0)
    before = snapshot(minimal_site)
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    lines = problem_lines(result.stderr)
    assert lines == [
        f"{export}:2:5: complaints: expected a whole number, found `约20` (cell E2)",
        f"{export}:3:4: category: `餐馆` is not a category in content/taxonomy.yaml (cell D3)",
        f"{export}:4:1: name: is empty: every row needs the merchant's name (经营者名称) (cell A4)",
        f"{export}:4:3: district: is empty: every merchant needs its district (区域) (cell C4)",
        f"{export}:4:5: complaints: expected a whole number, found `十二` (cell E4)",
    ]  # not `complaints: is empty` for the count that could not be read
    assert snapshot(minimal_site) == before
    assert "测试丙有限公司" not in result.stderr  # the good row is checked, and passes


def test_dates_and_text_checked_per_cell(tmp_path: Path, minimal_site: Path) -> None:
    good = complaint_rows()[0]

    def row(number: int, **cells: object) -> list[object]:
        values = list(good)
        values[0] = number
        for index, value in cells.items():
            values[int(index[1:])] = value
        return values

    export = write_xlsx(tmp_path / "dates.xlsx", [
        COMPLAINT_HEADER, good,
        row(2, c1="2026-02-30"),
        row(3, c1="2026-12-01"),
        row(4, c1="2026-11-10", c10="2026-11-08"),
        row(5, c7="门店\x07停业"),
        row(6, c1="下周"),
        row(7, c1="2026/13/1", c10="昨天"),
        row(8, c2="测" * 201),
    ])
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    assert problem_lines(result.stderr) == [
        f"{export}:5:2: received: `2026-02-30` is not a real date (cell B5)",
        f"{export}:6:2: received: 2026-12-01 is after the end of period 2026-11 (2026-11-30) (cell B6)",
        f"{export}:6:11: handled: 2026-11-09 is before the date received 2026-12-01 (cell K6)",
        f"{export}:7:11: handled: 2026-11-08 is before the date received 2026-11-10 (cell K7)",
        f"{export}:8:8: issue: contains the control character U+0007; delete it (cell H8)",
        f"{export}:9:2: received: expected a date such as 2026-10-05, 2026/10/5 or 2026年10月5日, found `下周` "
        f"(cell B9)",
        f"{export}:10:2: received: `2026/13/1` is not a real date (cell B10)",
        f"{export}:10:11: handled: expected a date such as 2026-10-05, 2026/10/5 or 2026年10月5日, found `昨天` "
        f"(cell K10)",
        f"{export}:11:3: name: text is 201 characters long; at most 200 are allowed (cell C11)",
    ]


def test_blank_total_and_repeated_rows(tmp_path: Path, minimal_site: Path) -> None:
    rows = complaint_rows()
    export = write_xlsx(tmp_path / "totals.xlsx", [
        COMPLAINT_HEADER, rows[0], [], rows[2], rows[2], ["合计", "", "", "", "", "", "", "", "", "", ""],
        ["", "", "总 计：", "", "", "", "", "", "", "", ""], ["小计(东湖街道)"],
        [9, "2026-11-09", "合计商贸有限公司", "", "东湖街道", "食品", "", "过期食品", "退款", "其他", ""],
    ])
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 0, result.stderr
    skipped = [line for line in result.stderr.splitlines() if line.endswith("[skipped]")]
    assert skipped == [
        f"{export}:7:1: row: repeats row 6 exactly (every cell equal): counted once [skipped]",
        f"{export}:8:1: row: a total row (合计, 总计 or 小计): left out, the totals are computed [skipped]",
        f"{export}:9:1: row: a total row (合计, 总计 or 小计): left out, the totals are computed [skipped]",
        f"{export}:10:1: row: a total row (合计, 总计 or 小计): left out, the totals are computed [skipped]",
    ]
    assert "7 rows read" in result.stdout and "4 rows skipped" in result.stdout
    names = [m["name"] for m in written(minimal_site)["merchants"]]
    assert names == ["测试甲（东湖）餐饮有限公司", "测试乙健身服务有限公司", "合计商贸有限公司"]


def test_repeated_complaint_numbers(tmp_path: Path, minimal_site: Path) -> None:
    header = ["投诉编号"] + COMPLAINT_HEADER[1:]
    rows = complaint_rows()
    again = list(rows[2])
    changed = list(rows[3])
    changed[0] = rows[2][0] = "TS-003"
    again[0] = "TS-003"
    rows[3] = changed
    again[1] = "2026-11-06"  # the same date written differently: the cells differ, the complaint does not
    export = write_xlsx(tmp_path / "numbers.xlsx", [header, rows[0], rows[2], again, changed])
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    assert (f"{export}:7:1: number: complaint TS-003 is also at row 5 with other values: keep one of the two rows "
            f"(cell A7)") in result.stderr
    assert (f"{export}:6:1: number: complaint TS-003 repeats row 5 (every field equal): counted once [skipped]"
            in result.stderr)


def test_one_credit_code_under_two_spellings(tmp_path: Path, minimal_site: Path) -> None:
    base = complaint_rows()[0]

    def row(number: int, name: str, code: str) -> list[object]:
        values = list(base)
        values[0], values[2], values[3] = number, name, code
        return values

    export = write_xlsx(tmp_path / "names.xlsx", [
        COMPLAINT_HEADER,
        row(1, "测试甲餐饮管理有限公司", CODE_A), row(2, "测试甲餐饮有限公司", CODE_A),
        row(3, "测试甲餐饮有限公司", CODE_A), row(4, "测试甲餐饮有限公司", ""),
        row(5, "测试甲 餐饮有限公司", CODE_A.lower()),
    ])
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 0, result.stderr
    merged = [line for line in result.stderr.splitlines() if line.endswith("[merged]")]
    assert merged == [
        f"{export}:7:3: name: `测试甲餐饮有限公司` without a credit code (row 7) counted with the merchant of credit "
        f"code {CODE_A} [merged]",
        f"{export}:4:3: name: `测试甲餐饮管理有限公司` (1 row) counted as `测试甲餐饮有限公司` (3 rows): same credit "
        f"code "
        f"{CODE_A} [merged]",
        f"{export}:8:3: name: `测试甲 餐饮有限公司` (1 row) counted as `测试甲餐饮有限公司` (3 rows): same credit code "
        f"{CODE_A} [merged]",
    ]
    merchants = written(minimal_site)["merchants"]
    assert [(m["name"], m["credit_code"], m["complaints"]) for m in merchants] == [("测试甲餐饮有限公司", CODE_A, 5)]
    assert "3 names merged" in result.stdout


def test_personal_data_is_masked_and_never_echoed(tmp_path: Path, minimal_site: Path) -> None:
    id_number = next(f"11010519491231{n:03d}{c}" for n in range(1000) for c in "0123456789X"
                     if is_id_card(f"11010519491231{n:03d}{c}"))
    secrets = ["13912345678", "13812345678", "zhang.san@example.com", "6222021234567890123", id_number]
    rows = complaint_rows()
    rows[0][7] = "消费者手机 139 1234 5678，多次联系无果"
    rows[0][6] = "会员卡（登记邮箱 zhang.san@example.com）"
    rows[2][7] = f"退卡时被要求提供银行卡 6222021234567890123 和身份证 {id_number}"
    rows[4][2] = "测试丙家电销售部13812345678"
    rows[3][3] = id_number  # a personal number typed into the credit-code column
    export = write_xlsx(tmp_path / "private.xlsx", [COMPLAINT_HEADER] + rows)
    outputs = []
    for fmt in ("text", "json"):
        result = invoke("import", export, minimal_site, "--period", "2026-11", "--skip-bad-rows", "--force",
                        "--format", fmt)
        assert result.exit_code == 0, result.stderr
        outputs += [result.stdout, result.stderr]
    text = (minimal_site / "content" / "complaints" / "2026-11.yaml").read_text("utf-8")
    assert "139 **** 5678" in text and "z***@example.com" in text and "6222***********0123" in text
    assert "110105********" in text and "138****5678" in text
    for secret in secrets:
        for where in [text, *outputs]:
            assert secret not in where.replace(" ", "")
    masked = [line for line in outputs[1].splitlines() if ": personal data: " in line]
    assert masked == [
        f"{export}:4:7: personal data: masked e-mail",
        f"{export}:4:8: personal data: masked phone",
        f"{export}:6:8: personal data: masked bank card",
        f"{export}:6:8: personal data: masked ID card",
        f"{export}:8:3: personal data: masked phone",
    ]
    assert (f"{export}:7:4: credit_code: row left out: is not a valid 统一社会信用代码 and looks like personal data "
            f"(not shown) (cell D7) [skipped]") in outputs[1]
    assert json.loads(outputs[2])["personal_data_masked"] == 5
    assert invoke("check", minimal_site).exit_code == 0


def test_hostile_text_round_trips_as_text(tmp_path: Path, minimal_site: Path) -> None:
    names = ["<script>alert(1)</script>测试商行", "测试: 商行 #1", "no", "2026-11-05", "0123", "true", "null", "~",
             "- 测试", "[测试]", "{测试}", "'测试'", '"测试"', "测试\\商行", "测试商行\n  - name: 注入", "@测试",
             "`测试`", "!!python/object 测试", "&a 测试", "*a", "%测试", "? 测试", "| 测试", "> 测试", "  测试  "]
    rows = [[n, "", "东湖街道", "食品", 1, 1] for n in names]
    export = write_xlsx(tmp_path / "hostile.xlsx", [MERCHANT_HEADER] + rows, above=0)
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 0, result.stderr
    got = [m["name"] for m in written(minimal_site)["merchants"]]
    assert got == [fold_name(n) for n in names]
    assert got[0] == "<script>alert（1）</script>测试商行" and got[14] == "测试商行 - name: 注入"
    assert invoke("check", minimal_site).exit_code == 0


def test_file_name_cannot_break_out_of_the_header_comment(tmp_path: Path, minimal_site: Path) -> None:
    export = write_xlsx(tmp_path / 'x\nperiod: 2099-01\n"13912345678.xlsx', [MERCHANT_HEADER,
                                                                          ["测试商行", "", "东湖街道", "食品", 1, 1]])
    result = invoke("import", export, minimal_site, "--period", "2026-11")
    assert result.exit_code == 0, result.stderr
    text = (minimal_site / "content" / "complaints" / "2026-11.yaml").read_text("utf-8")
    assert text.splitlines()[1] == ('# source: "x period: 2099-01 \\"139****5678.xlsx", sheet "投诉明细", header at '
                                    'row 3')
    assert written(minimal_site)["period"] == "2026-11"
