"""`gongshi import` reading files: XLSX, XLS, CSV/TSV in UTF-8 or GBK, headers, sheets, formulas and limits."""

from __future__ import annotations

import contextlib
import random
import zipfile
from pathlib import Path

import pytest

from builder.importing import biff, readers
from importfixtures import (
    COMPLAINT_HEADER,
    Formula,
    complaint_rows,
    csv_text,
    drop_saved_value,
    invoke,
    snapshot,
    write_lying_xlsx,
    write_xls,
    write_xlsx,
)

TITLE = ["测试区2026年11月消费投诉明细（虚构数据）"]
MERCHANT_HEADER = ["经营者名称", "辖区", "行业", "投诉量", "办结量"]


def body(site: Path) -> str:
    """The written file without its comment header."""
    text = (site / "content" / "complaints" / "2026-11.yaml").read_text("utf-8")
    return "".join(line + "\n" for line in text.splitlines() if not line.startswith("#"))


def imported(path: Path, site: Path, *extra: str) -> str:
    result = invoke("import", path, site, "--period", "2026-11", "--force", *extra)
    assert result.exit_code == 0, result.stderr
    return body(site)


def only_problem(path: Path, site: Path, *extra: str) -> str:
    before = snapshot(site)
    result = invoke("import", path, site, "--period", "2026-11", *extra)
    assert result.exit_code == 1, result.stdout
    assert snapshot(site) == before
    lines = [line for line in result.stderr.splitlines() if not line.endswith("[ignored]")]
    assert len(lines) == 2 and lines[1].startswith("Error: 1 problem(s) in "), result.stderr
    return lines[0]


def test_every_kind_of_file_gives_the_same_period(tmp_path: Path, minimal_site: Path) -> None:
    rows = [COMPLAINT_HEADER] + complaint_rows()
    expected = imported(write_xlsx(tmp_path / "a.xlsx", rows), minimal_site)
    assert "测试丙家电销售有限公司" in expected
    assert imported(write_xls(tmp_path / "a.xls", rows), minimal_site) == expected
    text = csv_text([TITLE] + rows)
    for name, data in (("gbk.csv", text.encode("gbk")), ("gb18030.csv", text.encode("gb18030")),
                       ("bom.csv", b"\xef\xbb\xbf" + text.encode("utf-8")), ("utf8.csv", text.encode("utf-8")),
                       ("lf.csv", text.replace("\r\n", "\n").encode("utf-8")),
                       ("cr.csv", text.replace("\r\n", "\r").encode("gbk")),
                       ("tabs.tsv", text.replace(",", "\t").encode("gbk"))):
        (tmp_path / name).write_bytes(data)
        assert imported(tmp_path / name, minimal_site) == expected, name
    renamed = tmp_path / "really-xlsx.xls"
    renamed.write_bytes((tmp_path / "a.xlsx").read_bytes())
    assert imported(renamed, minimal_site) == expected


def test_csv_quoted_line_breaks_and_empty_trailing_columns(tmp_path: Path, minimal_site: Path) -> None:
    rows = [COMPLAINT_HEADER + ["", ""]] + [row + ["", ""] for row in complaint_rows()]
    rows[3][7] = "办卡后\r\n门店\t停业, 无法退款"
    path = tmp_path / "multi.csv"
    path.write_bytes(csv_text(rows).encode("gbk"))
    text = imported(path, minimal_site)
    assert "issue: \"办卡后 门店 停业, 无法退款\"" in text


def test_undecodable_csv_is_refused_with_advice(tmp_path: Path, minimal_site: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("经营者名称,投诉量\n".encode() + b"caf\xe9\xff,1\n")
    assert only_problem(path, minimal_site) == (
        f"{path}:2:4: encoding: the file is neither UTF-8 nor GB18030/GBK text: open it in Excel or WPS and save it "
        f"as “CSV UTF-8 (逗号分隔)” (.csv) or as an Excel workbook (.xlsx), or convert it with `iconv -t UTF-8`")
    path.write_bytes("经营者名称,投诉量\n".encode("utf-16"))
    assert "the file is UTF-16 text (Excel's “Unicode text”), which is not read" in only_problem(path, minimal_site)
    path.write_bytes(b"a,b\n1,\x002\n")
    assert only_problem(path, minimal_site).startswith(f"{path}:2:3: encoding: the file holds NUL bytes")


def test_unclosed_quote_names_its_row(tmp_path: Path, minimal_site: Path) -> None:
    path = tmp_path / "cut.csv"
    cut_short = '测试二商行,东湖街道,"食品\r\n'
    path.write_text(csv_text([MERCHANT_HEADER, ["测试商行", "东湖街道", "食品", 1, 1]]) + cut_short, "utf-8")
    assert only_problem(path, minimal_site) == (
        f"{path}:3:1: file: a quoted cell opened on line 3 or later is never closed: the file ends inside it "
        f"(a missing `\"`; the file may be cut short)")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("page.xls", b"<html><table><tr><td>\xe7\xbb\x8f</td></tr></table></html>",
     "file: this .xls file is really a web page (HTML), not an Excel workbook: open it in Excel or WPS and save it "
     "as .xlsx"),
    ("text.xlsx", "经营者名称,投诉量\n".encode(),
     "file: this .xlsx file is really text or another format, not an Excel workbook: open it in Excel or WPS and "
     "save it as .xlsx"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
     "file: this workbook is password-protected (encrypted): remove the password in Excel or WPS and save it"),
    ("broken.xlsx", b"PK\x03\x04garbage",
     "file: not a valid .xlsx file (File is not a zip file); open it in Excel or WPS and save it again as .xlsx"),
    ("data.ods", b"PK\x03\x04", "file: `.ods` files are not read: give an .xlsx, .xlsm, .xls, .csv or .tsv file"),
    ("empty.csv", b"", "file: the file is empty"),
])
def test_files_that_are_not_what_they_say(tmp_path: Path, minimal_site: Path, name: str, data: bytes,
                                          message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert only_problem(path, minimal_site) == f"{path}:1:1: {message}"


def test_missing_file_and_folder(tmp_path: Path, minimal_site: Path) -> None:
    assert only_problem(tmp_path / "none.xlsx", minimal_site) == f"{tmp_path / 'none.xlsx'}:1:1: file: no such file"
    (tmp_path / "dir.csv").mkdir()
    assert only_problem(tmp_path / "dir.csv", minimal_site).endswith("file: this is not a regular file")


def test_zip_bomb_is_refused_before_reading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                           minimal_site: Path) -> None:
    path = write_xlsx(tmp_path / "bomb.xlsx", [MERCHANT_HEADER, ["测试商行", "东湖街道", "食品", 1, 1]])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(60 * 2**20))  # 60 MB of zeros, about 60 KB compressed
    assert path.stat().st_size < 200_000
    monkeypatch.setattr(readers, "MAX_UNCOMPRESSED", 50 * 2**20)

    def never(*_args: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr("builder.importing.workbook.python_calamine.CalamineWorkbook.from_path", never)
    assert only_problem(path, minimal_site) == (f"{path}:1:1: file: the workbook would unpack to 60 MB; at most 50 MB "
                                                f"are read (a damaged file or a zip bomb): not read")


DAMAGED = "workbook is damaged and cannot be read"
RESAVE = "; open it in Excel or WPS and save it again as .xlsx (or export it again)"


def _damaged_workbooks(folder: Path) -> dict[str, tuple[Path, str]]:
    """Workbooks damaged in the ways real ones are, each with the start and end of the problem it gives."""
    rows = [MERCHANT_HEADER] + [[f"测试{n}商行", "东湖街道", "食品", 1, 1] for n in range(300)]
    good = write_xlsx(folder / "good.xlsx", rows, above=0)
    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(good) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
        info = archive.getinfo(sheet)
    broken = folder / "broken-xml.xlsx"
    with zipfile.ZipFile(broken, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data.replace(b"</sheetData>", b'<row r="999"><c r="A999"><v>1</c></row>'
                                                                  b"</sheetData>") if name == sheet else data)
    flipped = bytearray(good.read_bytes())  # the sheet's compressed bytes garbled, the zip's directory intact
    start = info.header_offset + 30 + len(info.filename.encode()) + 40
    flipped[start:start + 200] = bytes(b ^ 0x5A for b in flipped[start:start + 200])
    (folder / "garbled.xlsx").write_bytes(bytes(flipped))
    xls = write_xls(folder / "good.xls", rows).read_bytes()
    (folder / "cut.xls").write_bytes(xls[:len(xls) // 2])
    (folder / "noise.xls").write_bytes(xls[:512] + bytes(range(256)) * 20)
    (folder / "cut.xlsx").write_bytes(good.read_bytes()[:3000])
    (folder / "noise.xlsx").write_bytes(b"PK\x03\x04" + bytes((n * 7919) % 251 for n in range(5000)))
    sheet_damaged = f"this .xlsx {DAMAGED} (sheet 投诉明细): "
    not_zip = ("not a valid .xlsx file (File is not a zip file); open it in Excel or WPS and save it again as "
               ".xlsx")
    return {
        "broken XML": (broken, sheet_damaged + "ill-formed document: ", RESAVE),
        "garbled": (folder / "garbled.xlsx", sheet_damaged, RESAVE),
        "cut .xls": (folder / "cut.xls", f"this .xls {DAMAGED}: ", RESAVE),
        "noise .xls": (folder / "noise.xls", f"this .xls {DAMAGED}: ", RESAVE),
        "cut .xlsx": (folder / "cut.xlsx", not_zip, ""),
        "noise .xlsx": (folder / "noise.xlsx", not_zip, ""),
    }


def test_damaged_workbooks_are_refused_without_a_traceback(tmp_path: Path, minimal_site: Path) -> None:
    """Every kind of damage gives one problem at 1:1 saying the file is damaged and how to repair it."""
    for what, (path, start, end) in _damaged_workbooks(tmp_path).items():
        line = only_problem(path, minimal_site)
        assert line.startswith(f"{path}:1:1: file: {start}") and line.endswith(end), (what, line)


def test_a_lying_zip_header_is_not_unpacked_beyond_what_it_declares(tmp_path: Path, minimal_site: Path) -> None:
    """A 0.9 MB file whose 900 MB sheet declares 5,000 bytes: the readers stop at the declared size."""
    good = write_xlsx(tmp_path / "good.xlsx", [MERCHANT_HEADER, ["测试商行", "东湖街道", "食品", 1, 1]], above=0)
    path = write_lying_xlsx(tmp_path / "lying.xlsx", good, 900)
    assert path.stat().st_size < 2_500_000
    with zipfile.ZipFile(path) as archive:
        assert sum(info.file_size for info in archive.infolist()) < 50_000  # the zip-bomb check sees nothing wrong
    line = only_problem(path, minimal_site)
    assert line == (f"{path}:1:1: file: this .xlsx {DAMAGED} (sheet 投诉明细): I/O error: File is larger than its "
                    f"declared uncompressed size{RESAVE}")


def test_size_and_row_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, minimal_site: Path) -> None:
    rows = [MERCHANT_HEADER] + [[f"测试{n}商行", "东湖街道", "食品", 1, 1] for n in range(5)]
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(csv_text(rows), "utf-8")
    xlsx_path = write_xlsx(tmp_path / "rows.xlsx", rows, above=0)
    monkeypatch.setattr(readers, "MAX_ROWS", 4)
    assert only_problem(csv_path, minimal_site) == f"{csv_path}:5:1: file: more than 4 rows; split the file"
    assert only_problem(xlsx_path, minimal_site) == (f"{xlsx_path}:5:1: file: sheet 投诉明细 has 6 rows; at most 4 "
                                                     f"are read: split the file")
    monkeypatch.setattr(readers, "MAX_ROWS", 1_000_000)
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 100)
    assert only_problem(csv_path, minimal_site).endswith("file: the file is 0.0 MB; at most 0 MB are read: split it")


def test_formulas_give_their_saved_values(tmp_path: Path, minimal_site: Path) -> None:
    rows = [MERCHANT_HEADER, ["测试甲商行", "东湖街道", "食品", Formula("=2+3", 5), Formula("=D2-1", 4)],
            ["测试乙商行", "东湖街道", "食品", 3, 3]]
    text = imported(write_xlsx(tmp_path / "saved.xlsx", rows, above=0), minimal_site)
    assert ("  - name: 测试甲商行\n    district: 东湖街道\n    category: 食品\n    complaints: 5\n"
            "    resolved: 4\n") in text


def test_formula_without_saved_value_and_error_cells_are_named(tmp_path: Path, minimal_site: Path) -> None:
    rows = [MERCHANT_HEADER + ["备注"],
            ["测试甲商行", "东湖街道", "食品", Formula("=2+3"), 1, Formula("=1/0", "#DIV/0!")],
            ["测试乙商行", "东湖街道", "食品", 3, Formula("=1/0", "#DIV/0!"), ""]]
    path = write_xlsx(tmp_path / "unsaved.xlsx", rows, above=0)
    drop_saved_value(path, "D2")
    result = invoke("import", path, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if not line.endswith("]")][:-1]
    assert errors == [
        f"{path}:2:4: complaints: holds a formula without a saved value (the program that wrote the file did not "
        f"calculate it): open the file in Excel or WPS and save it again (cell D2)",
        f"{path}:3:5: resolved: holds the error value #DIV/0! instead of a value; correct the formula (cell E3)",
    ]  # the error in 备注 (F2), a column that is not read, stops nothing


@pytest.mark.parametrize("filler", [0, 400])  # a small workbook stream (mini sectors) and a large one
def test_xls_formula_saved_without_a_value_is_named(tmp_path: Path, minimal_site: Path, filler: int) -> None:
    """calamine reads such a cell as empty; the BIFF records tell that it is a formula, so the message says so."""
    rows = [MERCHANT_HEADER + ["备注"],
            ["测试甲商行", "东湖街道", "食品", Formula("=2+3"), 1, Formula("=1+1")],
            [Formula('="测试乙"&"商行"'), "东湖街道", "食品", 3, 3, ""],
            ["测试丙商行", "东湖街道", "食品", "", 0, ""]]
    rows += [[f"测试{n}号商行", "东湖街道", "食品", 1, 1, ""] for n in range(filler)]
    path = write_xls(tmp_path / "formula.xls", rows)
    result = invoke("import", path, minimal_site, "--period", "2026-11")
    assert result.exit_code == 1
    formula = ("holds a formula whose saved value is empty (the program that wrote the file did not calculate it, or "
               "the formula gives nothing): open the file in Excel or WPS, check the formula and save it again")
    errors = [line for line in result.stderr.splitlines() if not line.endswith("]")][:-1]
    assert errors == [
        f"{path}:3:4: complaints: {formula} (cell D3)",
        f"{path}:4:1: name: {formula} (cell A4)",
        f"{path}:5:4: complaints: is empty: write a whole number (0 when there is none) (cell D5)",
    ]  # the formula in 备注 (F3), a column that is not read, stops nothing


def test_damaged_xls_records_never_raise_past_the_formula_scan(tmp_path: Path) -> None:
    """The BIFF scan reads damaged files calamine accepted: any damage is NotBiff (the plain message is kept)."""
    good = write_xls(tmp_path / "good.xls", [["a", "b"]] + [[f"x{n}", Formula("=1+1")] for n in range(300)])
    assert len(biff.empty_formulas(good)["投诉明细"]) == 300
    data, damaged, rng = good.read_bytes(), tmp_path / "damaged.xls", random.Random(7)
    for round_number in range(300):
        mutated = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            at = rng.randrange(0x1E, 0x200) if round_number % 2 else rng.randrange(len(mutated))
            mutated[at] = rng.randrange(256)
        damaged.write_bytes(bytes(mutated[:rng.randrange(len(mutated))] if round_number % 5 == 0 else mutated))
        with contextlib.suppress(biff.NotBiff):  # anything else fails the test
            biff.empty_formulas(damaged)


def test_sheet_choice(tmp_path: Path, minimal_site: Path) -> None:
    notes = [["填表说明"], ["本表由平台导出"]]
    hidden = [MERCHANT_HEADER, ["测试隐藏商行", "东湖街道", "食品", 9, 9]]
    path = write_xlsx(tmp_path / "sheets.xlsx", [MERCHANT_HEADER, ["测试商行", "东湖街道", "食品", 1, 1]],
                      extra_sheets=(("说明", notes, False), ("旧表", hidden, True)))
    assert "测试商行" in imported(path, minimal_site) and "测试隐藏商行" not in body(minimal_site)
    assert "测试隐藏商行" in imported(path, minimal_site, "--sheet", "旧表")
    assert only_problem(path, minimal_site, "--sheet", "新表", "--force") == (
        f"{path}:1:1: --sheet: no sheet `新表` in this workbook; its sheets are: 说明, 旧表, 投诉明细")
    assert only_problem(path, minimal_site, "--sheet", "说明", "--force").startswith(
        f"{path}:1:1: header: no header row found in sheet 说明: none of its first 100 rows names two known fields")


def test_headers_found_by_synonym_unit_and_map(tmp_path: Path, minimal_site: Path) -> None:
    path = write_xlsx(tmp_path / "map.xlsx", [["企业", "所在地区", "行业分类", "投诉件数（件）", "办结件数(件)"],
                                              ["测试商行", "东湖街道", "食品", 4, 2]], above=0)
    assert only_problem(path, minimal_site) == (
        f"{path}:1:1: name: no column for name (经营者名称); headers taken: 经营者名称、经营者、被投诉人、"
        f"被投诉人名称、"
        f"被投诉单位、被投诉方、企业名称、商户名称、单位名称; name one with --map name=列名")
    text = imported(path, minimal_site, "--map", "name=企业")
    assert ("  - name: 测试商行\n    district: 东湖街道\n    category: 食品\n    complaints: 4\n"
            "    resolved: 2\n") in text
    assert only_problem(path, minimal_site, "--map", "name=商号", "--force") == (
        f"{path}:1:1: --map: --map name=商号: no column `商号` in the header row 1; its columns are: 企业 (A), "
        f"所在地区 (B), 行业分类 (C), 投诉件数（件） (D), 办结件数(件) (E)")


def test_two_columns_for_one_field(tmp_path: Path, minimal_site: Path) -> None:
    path = write_xlsx(tmp_path / "two.xlsx", [["被投诉人", "经营者名称", "区域", "行业", "投诉量", "办结量"],
                                              ["测试门店", "测试商行", "东湖街道", "食品", 4, 2]], above=0)
    assert only_problem(path, minimal_site) == (
        f"{path}:1:2: name: columns 被投诉人 (A), 经营者名称 (B) all name the field name (经营者名称); choose one "
        f"with --map name=列名")
    result = invoke("import", path, minimal_site, "--period", "2026-11", "--map", "name=经营者名称")
    assert result.exit_code == 0, result.stderr
    assert (f"{path}:1:1: column: `被投诉人`: --map name=经营者名称 chose another column; ignored [ignored]"
            in result.stderr)


def test_missing_district_and_default(tmp_path: Path, minimal_site: Path) -> None:
    path = write_xlsx(tmp_path / "nodistrict.xlsx", [["经营者名称", "行业", "投诉量", "办结量"],
                                                     ["测试商行", "食品", 4, 2]], above=0)
    assert only_problem(path, minimal_site) == (
        f"{path}:1:1: district: no column for district (区域); headers taken: 区域、所属区域、辖区、所属辖区、"
        f"街道、属地、"
        f"所在地区; name one with --map district=列名, or give every row one value with --default district=值")
    assert "    district: 测试区\n" in imported(path, minimal_site, "--default", "district=测试区")


def test_item_columns_of_a_file_per_merchant_are_ignored(tmp_path: Path, minimal_site: Path) -> None:
    path = write_xlsx(tmp_path / "mixed.xlsx", [MERCHANT_HEADER + ["受理日期", "处理结果"],
                                                ["测试商行", "东湖街道", "食品", 4, 2, "不是日期", "调解成功"]],
                      above=0)
    result = invoke("import", path, minimal_site, "--period", "2026-11")
    assert result.exit_code == 0, result.stderr
    assert (f"{path}:1:6: column: `受理日期`: a file of one row per merchant lists no items; ignored [ignored]"
            in result.stderr)
    assert "items" not in body(minimal_site)
