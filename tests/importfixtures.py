"""Spreadsheets for the import tests, generated on the spot (XLSX with xlsxwriter, XLS with xlwt, CSV by hand)."""

from __future__ import annotations

import datetime as dt
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
import xlwt
from click.testing import CliRunner, Result

from builder import creditcode
from builder.cli import main
from builder.source import MarkedList, MarkedMap
from helpers import AS_OF_EPOCH

COMPLAINT_HEADER = ["序号", "受理日期", "被投诉人", "统一社会信用代码", "所属区域", "行业类别", "商品或服务",
                    "投诉问题", "诉求", "处理结果", "办结日期"]


def fictional_code(number: int, kind: str = "91") -> str:
    """A credit code that passes GB 32100 with the unused area code 990xxx: fictional by construction."""
    body = f"{kind}9901{number % 100:02d}MA{number:07d}"
    return body + creditcode.check_character(body)


CODE_A, CODE_B, CODE_C = fictional_code(101), fictional_code(202), fictional_code(303)


@dataclass(frozen=True)
class Formula:
    """A formula cell; value None writes it without a saved value."""

    text: str
    value: object = None


def complaint_rows() -> list[list[object]]:
    """Five complaints against three fictional merchants in November 2026."""
    day = dt.datetime
    return [
        [1, day(2026, 11, 2), "测试甲(东湖)餐饮有限公司", CODE_A, "东湖街道", "餐饮服务", "火锅套餐", "菜品中发现异物",
         "赔偿", "调解成功", day(2026, 11, 9)],
        [2, "2026/11/5", "测试甲（东湖）餐饮有限公司", CODE_A, "东湖街道", "餐饮服务", "", "结账时多收服务费", "退款",
         "处理中", ""],
        [3, "2026年11月6日", "测试乙健身服务有限公司", CODE_B, "西山镇", "预付式消费", "健身年卡", "办卡后门店停业",
         "退款", "调解成功", "2026.11.20"],
        [4, "2026-11-07 10:30", "测试乙健身服务有限公司", CODE_B, "西山镇", "预付式消费", "私教课程",
         "课程更换教练未告知", "退款", "", ""],
        [5, 46338, "测试丙家电销售有限公司", "", "南湖街道", "家用电子电器", "空调", "安装后漏水", "维修",
         "调解终止", 46345],
    ]


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "投诉明细", above: int = 2,
               extra_sheets: tuple[tuple[str, list[list[object]], bool], ...] = ()) -> Path:
    """An .xlsx with a merged title row and an export-time row above the header (when above=2)."""
    book = xlsxwriter.Workbook(str(path))
    for name, data, hidden in extra_sheets:
        extra = book.add_worksheet(name)
        _fill(book, extra, data, 0)
        if hidden:
            extra.hide()
    main_sheet = book.add_worksheet(sheet)
    if above >= 1:
        main_sheet.merge_range(0, 0, 0, 6, "测试区2026年11月消费投诉明细（虚构数据）")
    if above >= 2:
        main_sheet.write(1, 0, "导出时间：2026-12-01 09:00")
    _fill(book, main_sheet, rows, above)
    book.close()
    return path


def _fill(book: xlsxwriter.Workbook, sheet: object, rows: list[list[object]], first: int) -> None:
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows, start=first):
        for c, value in enumerate(row):
            if isinstance(value, Formula):
                sheet.write_formula(r, c, value.text, None, 0 if value.value is None else value.value)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, day)
            elif value is None or value == "":
                continue
            else:
                sheet.write(r, c, value)


def drop_saved_value(path: Path, cell: str) -> None:
    """Remove the saved value of a formula cell, as programs that do not calculate leave it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            parts[name] = re.sub(rb'(<c r="' + cell.encode() + rb'"[^>]*>)(<f>[^<]*</f>)<v>[^<]*</v>', rb"\1\2", data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def write_xls(path: Path, rows: list[list[object]], sheet: str = "投诉明细") -> Path:
    """A legacy .xls (BIFF8) with a title row above the header."""
    book = xlwt.Workbook(encoding="utf-8")
    out = book.add_sheet(sheet)
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    out.write(0, 0, "测试区2026年11月消费投诉明细（虚构数据）")
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                out.write(r, c, value, day)
            elif isinstance(value, Formula):  # xlwt saves no value with a formula (an empty one)
                out.write(r, c, xlwt.Formula(value.text.lstrip("=")))
            elif value not in (None, ""):
                out.write(r, c, value)
    book.save(str(path))
    return path


def csv_text(rows: list[list[object]]) -> str:
    """Rows as CSV text with CRLF line ends, quoting cells that need it."""
    def cell(value: object) -> str:
        if isinstance(value, dt.datetime):
            return f"{value.year}/{value.month}/{value.day}"
        text = "" if value is None else str(value)
        return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\r\n') else text
    return "".join(",".join(cell(v) for v in row) + "\r\n" for row in rows)


def invoke(*args: object, epoch: str = AS_OF_EPOCH) -> Result:
    """Run `gongshi ARGS` in this process (as of 2026-11-20)."""
    return CliRunner().invoke(main, [str(a) for a in args], env={"SOURCE_DATE_EPOCH": epoch},
                              catch_exceptions=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under a folder with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_lying_xlsx(path: Path, source: Path, megabytes: int, declared: int = 5000) -> Path:
    """A copy of an .xlsx whose sheet unpacks to MEGABYTES MB while its zip headers declare DECLARED bytes."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    head, tail = parts[sheet].split(b"</sheetData>")
    row = b'<row r="3"><c r="A3" t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = [packer.compress(head)] + [packer.compress(row * 1000) for _ in range(megabytes)]
    packed += [packer.compress(b"</sheetData>" + tail), packer.flush()]
    out, directory = bytearray(), []
    for name, data in parts.items():
        if name == sheet:
            body, crc, size = b"".join(packed), 0, declared
        else:
            one = zlib.compressobj(6, zlib.DEFLATED, -15)
            body, crc, size = one.compress(data) + one.flush(), zlib.crc32(data), len(data)
        offset, encoded = len(out), name.encode()
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, 8, 0, 0, crc, len(body), size,
                           len(encoded), 0) + encoded + body
        directory.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0, crc, len(body),
                                     size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = len(out)
    out += b"".join(directory)
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(out) - start, start, 0)
    path.write_bytes(bytes(out))
    return path


def tree_difference(built: object, parsed: object, path: str = "$") -> str | None:
    """Where two parse_yaml trees differ (type, value, key order, any mark), or None when they are the same."""
    if type(built) is not type(parsed):
        return f"{path}: {type(built).__name__} != {type(parsed).__name__}"
    if isinstance(built, MarkedMap):
        assert isinstance(parsed, MarkedMap)
        for what in ("mark", "key_marks", "value_marks", "duplicates"):
            if getattr(built, what) != getattr(parsed, what):
                return f"{path}: {what} {getattr(built, what)} != {getattr(parsed, what)}"
        if list(built) != list(parsed):
            return f"{path}: keys {list(built)} != {list(parsed)}"
        return next((found for key in built if (found := tree_difference(built[key], parsed[key], f"{path}.{key}"))),
                    None)
    if isinstance(built, MarkedList):
        assert isinstance(parsed, MarkedList)
        if (built.mark, built.item_marks, len(built)) != (parsed.mark, parsed.item_marks, len(parsed)):
            return f"{path}: mark {built.mark} {parsed.mark} or item marks or length differ"
        return next((found for index, (a, b) in enumerate(zip(built, parsed, strict=True))
                     if (found := tree_difference(a, b, f"{path}[{index}]"))), None)
    return None if built == parsed else f"{path}: {built!r} != {parsed!r}"
