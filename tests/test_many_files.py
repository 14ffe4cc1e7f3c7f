"""Many files per period: district files in sub-folders of content/complaints/ make one period together."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from helpers import SITES, run_cli

DISTRICTS = SITES / "districts"
JIA = "测试市甲街道市场监管所"
YI = "测试市乙镇市场监管所"


class Tables(HTMLParser):
    """The text of every table row (header and body cells) and of every `p.meta` paragraph."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.meta: list[str] = []
        self._cell: list[str] | None = None
        self._meta: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            self._cell = []
        elif tag == "p" and ("class", "meta") in attrs:
            self._meta = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "p" and self._meta is not None:
            self.meta.append("".join(self._meta))
            self._meta = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._meta is not None:
            self._meta.append(data)


def tables(page: Path) -> Tables:
    parser = Tables()
    parser.feed(page.read_text("utf-8"))
    return parser


def column(parsed: Tables, header: str) -> dict[str, str]:
    """First cell of each body row -> the cell under `header` (from the first row holding that header)."""
    head = next(row for row in parsed.rows if header in row)
    at = head.index(header)
    return {row[0].split(" ")[0]: row[at] for row in parsed.rows if row is not head and len(row) == len(head)}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("districts") / "output"
    result = run_cli("build", DISTRICTS, "--output", out, "--no-search", "--as-of", "2026-11-20",
                     "--audit", out.parent / "audit.json")
    assert result.returncode == 0, result.stderr
    return out


def test_district_files_in_a_folder_make_one_period(built: Path) -> None:
    page = tables(built / "periods" / "2026-09" / "index.html")
    departments = column(page, "公示部门")
    assert departments == {"测试戊己商贸有限公司": YI, "测试甲乙餐饮有限公司": JIA, "测试丙丁电器商店": JIA,
                           "测试庚辛健身中心": YI}
    # The period's publication date is the latest of its files; its departments are both, in file (path) order.
    assert any("公示日期：2026年10月12日" in line and f"公示部门：{YI}、{JIA}" in line for line in page.meta)


def test_a_top_level_file_and_a_nested_district_file_make_one_period(built: Path) -> None:
    page = tables(built / "periods" / "2026-10" / "index.html")
    assert column(page, "投诉量") == {"测试戊己商贸有限公司": "4", "测试甲乙餐饮有限公司": "2"}
    assert any("公示日期：2026年11月15日" in line for line in page.meta)


def test_merchant_history_shows_the_department_of_each_period(built: Path) -> None:
    history = tables(built / "merchants" / "91350100MA0000001P" / "index.html")
    assert column(history, "公示部门") == {"2026年10月": YI, "2026年9月": YI}
    history = tables(built / "merchants" / "91350100M000100Y43" / "index.html")
    assert column(history, "公示部门") == {"2026年10月": JIA, "2026年9月": JIA}


def test_open_data_gives_each_entry_its_own_department(built: Path) -> None:
    rows = json.loads((built / "data" / "complaints.json").read_text("utf-8"))
    found = {(row["period"], row["name"]): (row["department"], row["published"]) for row in rows}
    assert found == {
        ("2026-10", "测试戊己商贸有限公司"): (YI, "2026-11-15"),
        ("2026-10", "测试甲乙餐饮有限公司"): (JIA, "2026-11-15"),
        ("2026-09", "测试戊己商贸有限公司"): (YI, "2026-10-12"),
        ("2026-09", "测试甲乙餐饮有限公司"): (JIA, "2026-10-12"),
        ("2026-09", "测试丙丁电器商店"): (JIA, "2026-10-12"),
        ("2026-09", "测试庚辛健身中心"): (YI, "2026-10-12"),
    }


def test_a_district_file_dated_later_waits_while_the_others_are_published(tmp_path: Path) -> None:
    out, audit = tmp_path / "output", tmp_path / "audit.json"
    result = run_cli("build", DISTRICTS, "--output", out, "--no-search", "--as-of", "2026-11-10", "--audit", audit)
    assert result.returncode == 0, result.stderr
    page = tables(out / "periods" / "2026-10" / "index.html")
    assert column(page, "投诉量") == {"测试甲乙餐饮有限公司": "2"}
    assert any("公示日期：2026年11月6日" in line for line in page.meta)
    left = json.loads(audit.read_text("utf-8"))["left_out"]
    assert [(r["period"], r["name"], r["reason"], r["source"]) for r in left] == [
        ("2026-10", "测试戊己商贸有限公司", "scheduled", "content/complaints/2026-10/乙镇/十月.yaml:5")]


def test_one_department_shows_no_department_column(tmp_path: Path) -> None:
    out = tmp_path / "output"
    result = run_cli("build", SITES / "minimal", "--output", out, "--no-search")
    assert result.returncode == 0, result.stderr
    for page in (out / "periods" / "2026-09" / "index.html", out / "merchants" / "91350100M000100Y43" / "index.html"):
        assert "公示部门</th>" not in page.read_text("utf-8")
