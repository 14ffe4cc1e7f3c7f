"""`gongshi import` on real, messy exports in ../shared/realdata (read at run time, never copied)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from builder.importing.values import fold_name
from builder.source import parse_yaml
from helpers import REPO
from importfixtures import invoke

REALDATA = REPO.parent / "shared" / "realdata"
CARS = REALDATA / "zh_12365auto_car_complaints"
FCA = REALDATA / "uk_fca_firm_complaints" / "fca_firm_complaints_consumer_credit.csv"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real datasets are not here ({REALDATA})")
FINISHED = {"处理反馈", "用户评分"}  # 车质网 states past the manufacturer's reply; 信息审核 and 厂家受理 are pending
CAR_DEFAULTS = ("--default", "district=全国", "--default", "category=交通工具")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A site with site.yaml only: no taxonomy, so the data's own categories and results are kept."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "site.yaml").write_text("title: 测试站\norganizer: 测试区市场监督管理局\n"
                                      "base_url: https://www.example.gov.cn/ceshi/\n", "utf-8")
    return folder


def gbk_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"), newline="")))


def report_of(result: object) -> dict[str, object]:
    return json.loads(result.stdout)  # type: ignore[attr-defined]


def test_cars_with_chinese_headers_and_330_repeated_ids(site: Path) -> None:
    path = CARS / "car_complain_dominohu_gbk_zh_headers.csv"
    rows = gbk_rows(path)[1:]
    unique = {row[1]: row for row in rows}
    result = invoke("import", path, site, "--period", "2020-06", "--map", "name=投诉品牌", "--map", "number=id",
                    "--map", "received=投诉时间", "--map", "issue=问题简述", "--map", "goods=投诉车系",
                    "--map", "result=投诉状态", *CAR_DEFAULTS, "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = report_of(result)
    repeats = [p for p in report["skipped"] if re.fullmatch(r"complaint \d+ repeats row \d+ exactly \(every cell "
                                                             r"equal\): counted once", p["message"])]
    assert len(rows) == report["rows_read"] == 630 and len(repeats) == 330 == len(rows) - len(unique)
    assert report["complaints"] == len(unique) == 300
    assert report["merchants"] == len({row[2] for row in unique.values()}) == 58
    assert report["resolved"] == sum(1 for row in unique.values() if row[8] in FINISHED)
    assert report["items"] == 0 and list(report["not_itemised"]) == ["no 诉求"]
    ignored = {p["message"] for p in report["ignored_columns"]}
    assert ignored == {"`投诉车型`: not a known field; ignored", "`典型问题`: not a known field; ignored"}
    data = parse_yaml((site / "content" / "complaints" / "2020-06.yaml").read_text("utf-8"))
    names = {m["name"] for m in data["merchants"]}
    assert {"大众（进口）", "一汽-大众", "一汽大众"} <= names  # no credit codes: spellings stay apart
    assert invoke("check", site).exit_code == 0


def test_cars_repeated_rows_are_found_without_the_id_too(site: Path) -> None:
    path = CARS / "car_complain_dominohu_gbk_zh_headers.csv"
    rows = gbk_rows(path)[1:]
    result = invoke("import", path, site, "--period", "2020-06", "--map", "name=投诉品牌", "--map",
                    "result=投诉状态", *CAR_DEFAULTS, "--format", "json", "--dry-run")
    report = report_of(result)
    assert result.exit_code == 0 and report["complaints"] == len({tuple(row) for row in rows}) == 300
    assert len([p for p in report["skipped"] if re.fullmatch(r"repeats row \d+ exactly \(every cell equal\): "
                                                              r"counted once", p["message"])]) == 330


def test_cars_with_english_headers(site: Path) -> None:
    path = CARS / "car_complain_DavidYYJ_gbk.csv"
    rows = gbk_rows(path)[1:]
    result = invoke("import", path, site, "--period", "2020-06", "--map", "name=brand", "--map", "number=id",
                    "--map", "received=datetime", "--map", "issue=desc", "--map", "goods=car_model",
                    "--map", "result=status", *CAR_DEFAULTS, "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = report_of(result)
    assert report["rows_read"] == len(rows) == report["complaints"] == 600
    assert report["merchants"] == len({row[1] for row in rows}) == 75
    assert report["resolved"] == sum(1 for row in rows if row[7] in FINISHED) == 343
    text = (site / "content" / "complaints" / "2020-06.yaml").read_text("utf-8")
    assert "\t" not in text  # TABs inside `desc` are folded into spaces
    assert invoke("check", site).exit_code == 0


def fca_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(FCA.read_text("utf-8"), newline="")))


def count(text: str) -> int | None:
    return int(text.replace(",", "")) if re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", text.strip()) else None


FCA_MAP = ("--map", "name=Firm Name", "--map", "complaints=Complaints Received", "--map",
           "resolved=Complaints Closed", "--default", "district=UK", "--default", "category=consumer credit")


def test_fca_whole_file_is_reported_not_crashed(site: Path) -> None:
    rows = fca_rows()
    result = invoke("import", FCA, site, "--period", "2024-H2", *FCA_MAP, "--format", "json")
    assert result.exit_code == 1
    report = report_of(result)
    problems = report["problems"]
    more = [p for p in problems if "is more than 投诉量" in p["message"]]
    expected_more = sum(1 for r in rows if count(r["Complaints Received"]) is not None
                        and count(r["Complaints Closed"]) is not None
                        and count(r["Complaints Closed"]) > count(r["Complaints Received"]))
    assert len(more) == expected_more == 526
    assert [p["line"] for p in problems if p["field"] == "complaints"] == [
        i + 2 for i, r in enumerate(rows) if not r["Complaints Received"].strip()]
    repeated = [p for p in problems if re.match(r"the same merchant \(name `[^`]+`\) is already at row \d+",
                                                p["message"])]
    readable = [fold_name(r["Firm Name"]) for r in rows if count(r["Complaints Received"]) is not None
                and count(r["Complaints Closed"]) is not None
                and count(r["Complaints Closed"]) <= count(r["Complaints Received"])]
    assert len(repeated) == len(readable) - len(set(readable)) == 529
    upheld = [p for p in report["ignored_columns"] if "Complaints Upheld" in p["message"]]
    assert upheld == [{"path": str(FCA), "line": 1, "column": 9, "field": "column", "code": "GS708",
                       "message": "`Complaints Upheld (%)`: not a known field; ignored", "severity": "ignored"}]
    assert not (site / "content").exists()


def test_fca_percentages_mapped_as_a_count_are_reported(site: Path) -> None:
    rows = fca_rows()
    result = invoke("import", FCA, site, "--period", "2024-H2", "--map", "name=Firm Name", "--map",
                    "complaints=Complaints Received", "--map", "resolved=Complaints Upheld (%)",
                    "--default", "district=UK", "--default", "category=consumer credit", "--format", "json")
    report = report_of(result)
    percentages = [p for p in report["problems"] if p["message"].endswith("is a percentage, not a count (cell "
                                                                          f"I{p['line']})")]
    assert len(percentages) == sum(1 for r in rows if r["Complaints Upheld (%)"].endswith("%")) == 1164
    assert any("`62600.00%` is a percentage" in p["message"] for p in percentages)


def test_fca_one_half_year_with_skip_bad_rows(site: Path, tmp_path: Path) -> None:
    text = FCA.read_text("utf-8")
    lines = text.splitlines()
    half = [lines[0]] + [line for line in lines[1:] if "2024-12-31" in line]
    subset = tmp_path / "fca-2024-h2.csv"
    subset.write_text("\r\n".join(half) + "\r\n", "utf-8")
    rows = list(csv.DictReader(io.StringIO(subset.read_text("utf-8"), newline="")))
    good = [r for r in rows if count(r["Complaints Received"]) is not None
            and count(r["Complaints Closed"]) is not None
            and count(r["Complaints Closed"]) <= count(r["Complaints Received"])]
    result = invoke("import", subset, site, "--period", "2024-H2", *FCA_MAP, "--skip-bad-rows", "--format", "json")
    assert result.exit_code == 0, result.stdout
    report = report_of(result)
    assert report["merchants"] == len(good) and len(rows) - len(good) == len({p["line"] for p in report["skipped"]})
    assert report["complaints"] == sum(count(r["Complaints Received"]) for r in good)
    data = parse_yaml((site / "content" / "complaints" / "2024-H2.yaml").read_text("utf-8"))
    assert any("&" in m["name"] for m in data["merchants"])
    assert invoke("check", site).exit_code == 0
