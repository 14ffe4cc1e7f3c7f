"""Open data of the built sample: items round-trip with the YAML, the Data Package validates, the page explains it."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from frictionless import validate

from builder.datadict import COMPLAINT_COLUMNS, ITEM_COLUMNS
from helpers import REPO, run_cli

STATUS_TEXT = {"active": "正常公示", "under_review": "复核中", "corrected": "已更正"}


def source_files() -> list[dict[str, Any]]:
    """The sample's period files, read with PyYAML alone (not through the builder)."""
    files = sorted((REPO / "content" / "complaints").glob("*.yaml"))
    return [yaml.safe_load(path.read_text("utf-8")) for path in files]


def text(value: object) -> str | None:
    """A YAML value as the open data writes it: dates as YYYY-MM-DD, absent as None."""
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def expected_items() -> dict[tuple[str, str, int], dict[str, Any]]:
    """Every item of every public entry, keyed by (period, merchant name, position in the YAML list)."""
    out = {}
    for data in source_files():
        period = str(data["period"])
        for merchant in data["merchants"]:
            if merchant.get("status") == "withdrawn":
                continue
            for number, item in enumerate(merchant.get("items") or [], start=1):
                out[(period, merchant["name"], number)] = {
                    "credit_code": merchant.get("credit_code"), "district": merchant["district"],
                    "category": merchant["category"], "received": text(item["received"]),
                    "goods": text(item.get("goods")),
                    "issue": item["issue"], "demand": item["demand"], "result": item["result"],
                    "handled": text(item.get("handled")), "detail": text(item.get("detail"))}
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    """A CSV written with a UTF-8 BOM."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    return list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))


def test_items_round_trip_with_the_yaml(sample_output: Path) -> None:
    expected = expected_items()
    assert len(expected) > 100
    records = json.loads((sample_output / "data" / "items.json").read_text("utf-8"))
    got = {(r["period"], r["merchant"], r["number"]): {k: r[k] for k in next(iter(expected.values()))}
           for r in records}
    assert len(records) == len(got) == len(expected)
    assert got == expected
    rows = read_csv(sample_output / "data" / "items.csv")
    assert len(rows) == len(records)
    for row, record in zip(rows, records, strict=True):
        assert row["经营者名称"] == record["merchant"] and int(row["序号"]) == record["number"]
        assert (row["受理日期"], row["办结日期"] or None, row["投诉问题"], row["基本诉求"], row["处理结果"],
                row["商品或服务"] or None) == (record["received"], record["handled"], record["issue"],
                                          record["demand"], record["result"], record["goods"])
        assert row["页面"] == "https://www.example.gov.cn/gongshi/" + record["url"] == record["page_url"]


def test_each_period_has_its_own_files_cut_from_the_whole(sample_output: Path) -> None:
    data = sample_output / "data"
    for name in ("complaints", "items"):
        whole = json.loads((data / f"{name}.json").read_text("utf-8"))
        periods = sorted({r["period"] for r in whole})
        assert periods == ["2026-08", "2026-09", "2026-10"]
        for period in periods:
            part = json.loads((data / period / f"{name}.json").read_text("utf-8"))
            assert part == [r for r in whole if r["period"] == period]
            assert read_csv(data / period / f"{name}.csv") == [
                r for r in read_csv(data / f"{name}.csv") if r["公示期"] == period]


def test_complaint_records_say_what_they_mean(sample_output: Path) -> None:
    records = json.loads((sample_output / "data" / "complaints.json").read_text("utf-8"))
    items = json.loads((sample_output / "data" / "items.json").read_text("utf-8"))
    assert list(records[0]) == [c.key for c in COMPLAINT_COLUMNS]
    assert list(items[0]) == [c.key for c in ITEM_COLUMNS]
    statuses = set()
    for r in records:
        assert r["closed"] == r["resolved"] and r["closure_rate"] == r["resolution_rate"]
        assert r["open"] == r["complaints"] - r["resolved"] >= 0
        assert r["status_label"] == STATUS_TEXT[r["status"]]
        assert r["page_url"] == "https://www.example.gov.cn/gongshi/" + r["url"]
        assert r["items_disclosed"] == sum(1 for i in items if i["period"] == r["period"] and i["url"] == r["url"])
        statuses.add(r["status"])
    assert {"active", "under_review", "corrected"} <= statuses
    gym = next(r for r in records if r["name"] == "青禾汇力健身服务有限公司" and r["period"] == "2026-10")
    assert (gym["complaints"], gym["resolved"], gym["open"], gym["items_disclosed"]) == (38, 25, 13, 3)
    rows = read_csv(sample_output / "data" / "complaints.csv")
    assert list(rows[0])[:14] == ["公示期", "公示日期", "经营者名称", "统一社会信用代码", "区域", "行业类别", "投诉量",
                                  "办结量", "办结率", "调解成功", "挽回经济损失（元）", "状态", "公示部门", "页面"]
    assert {row["状态"] for row in rows} == {"正常公示", "复核中", "已更正"}
    assert all(row["页面"].startswith("https://www.example.gov.cn/gongshi/merchants/") for row in rows)


def test_the_data_package_validates_with_frictionless(sample_output: Path) -> None:
    data = sample_output / "data"
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    report = validate(str(data / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])
    paths = {r["path"] for r in package["resources"]}
    written = {str(p.relative_to(data)) for p in data.rglob("*") if p.suffix in (".csv", ".json")
               and p.parent.name != "schemas" and p.name != "datapackage.json"}
    assert paths == written and len(paths) == 16
    for resource in package["resources"]:
        assert resource["hash"] == "sha256:" + hashlib.sha256((data / resource["path"]).read_bytes()).hexdigest()
    assert sum(task.stats["rows"] for task in report.tasks) == 2 * sum(
        len(json.loads((data / p).read_text("utf-8"))) for p in paths if p.endswith(".json"))
    assert package["licenses"] == [{"title": "青禾区政务开放数据使用条款（示例）",
                                    "path": "https://www.example.gov.cn/kaifang/tiaokuan/", "name": "CC-BY-4.0"}]
    assert package["homepage"] == "https://www.example.gov.cn/gongshi/data/"
    schema = json.loads((data / "schemas" / "items-csv.json").read_text("utf-8"))
    assert schema["primaryKey"] == ["公示期", "页面", "序号"]
    assert {f["name"]: f["type"] for f in schema["fields"]}["受理日期"] == "date"


def test_frictionless_catches_a_broken_file(sample_output: Path, tmp_path: Path) -> None:
    """The validation above can fail: a copy with a wrong cell (and its hash updated) is reported."""
    data = tmp_path / "data"
    shutil.copytree(sample_output / "data", data)
    broken = (data / "items.csv").read_bytes().replace(b",2026-10-12,", b",2026-13-12,", 1)
    (data / "items.csv").write_bytes(broken)
    package = json.loads((data / "datapackage.json").read_text("utf-8"))
    for resource in package["resources"]:
        if resource["path"] == "items.csv":
            resource["hash"] = "sha256:" + hashlib.sha256(broken).hexdigest()
    (data / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), "utf-8")
    report = validate(str(data / "datapackage.json"))
    assert not report.valid
    assert [task.name for task in report.tasks if not task.valid] == ["items-csv"]
    assert report.flatten(["fieldName", "type"]) == [["受理日期", "type-error"]]


def test_the_data_page_has_the_dictionary_downloads_and_terms(sample_output: Path) -> None:
    page = (sample_output / "data" / "index.html").read_text("utf-8")
    for column in (*COMPLAINT_COLUMNS, *ITEM_COLUMNS):
        assert f"<code>{column.key}</code>" in page, column.key
        assert column.meaning in page and column.type_label in page
    downloads = page.split('<ul class="downloads">')[1].split("</ul>")[0]
    assert downloads.count("<li><strong>") == 4  # all periods, then each period
    for period in ("2026-08", "2026-09", "2026-10"):
        assert f'href="../data/{period}/items.csv"' in page and f'href="../data/{period}/complaints.json"' in page
    assert 'href="../data/datapackage.json"' in page
    assert "青禾区政务开放数据使用条款（示例）</a>（CC-BY-4.0）" in page
    assert "调解成功、调解终止、撤回、移送有关部门" in page


def test_no_terms_without_the_key(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "sites" / "minimal", site)
    result = run_cli("build", site, "--no-search")
    assert result.returncode == 0, result.stderr
    package = json.loads((site / "output" / "data" / "datapackage.json").read_text("utf-8"))
    assert "licenses" not in package
    assert "使用条款" not in (site / "output" / "data" / "index.html").read_text("utf-8")
    assert validate(str(site / "output" / "data" / "datapackage.json")).valid


@pytest.mark.parametrize("value, shown", [
    ("可以免费使用，请注明来源", "<strong>使用条款：</strong>可以免费使用，请注明来源</p>"),
    ("\n  title: 开放许可\n  url: https://example.gov.cn/terms/",
     '<a href="https://example.gov.cn/terms/">开放许可</a></p>'),
])
def test_terms_as_text_or_mapping(tmp_path: Path, value: str, shown: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "sites" / "minimal", site)
    with (site / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"data_license: {value}\n")
    result = run_cli("build", site, "--no-search")
    assert result.returncode == 0, result.stderr
    assert shown in (site / "output" / "data" / "index.html").read_text("utf-8")
    package = json.loads((site / "output" / "data" / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["path"] in ("https://www.example.gov.cn/ceshi/data/", "https://example.gov.cn/terms/")


def test_terms_as_a_list_are_refused_with_their_position(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "tests" / "sites" / "minimal", site)
    lines = (site / "site.yaml").read_text("utf-8").count("\n")
    with (site / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("data_license: [署名, 非商业]\n")
    result = run_cli("check", site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (f"site.yaml:{lines + 1}:15: data_license: expected the terms' title, "
                                             "or a mapping of title, url, name; found a list")
