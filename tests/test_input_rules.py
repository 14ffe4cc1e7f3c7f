"""Input rules beyond the broken fixtures: accepted inputs, JSON problems, links, large files, --output."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest

from builder.build import BuildOptions, load_site
from builder.errors import ContentError
from fixture_sites import assemble_case
from helpers import SITES, run_cli

ACCEPTED = SITES / "accepted"


class H1(HTMLParser):
    """The text of a page's <h1> and the tags found inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text = ""
        self.inner_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h1":
            self.depth += 1
        elif self.depth:
            self.inner_tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text += data


def h1_of(page: Path) -> H1:
    parser = H1()
    parser.feed(page.read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def accepted_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("accepted") / "output"
    # As of the end of the year: the fixture's newest period and warning are dated in December.
    result = run_cli("build", ACCEPTED, "--output", out, "--no-search", "--input-encoding", "gb18030",
                     "--as-of", "2026-12-31")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return out


def test_bom_crlf_trailing_spaces_and_special_names_build(accepted_output: Path) -> None:
    special = h1_of(accepted_output / "merchants" / "91310115MA1K3BTP2B" / "index.html")
    assert special.text == "测试（中国）A&B《商贸》Co., Ltd. <b>粗体</b>"
    assert special.inner_tags == []
    raw = (accepted_output / "merchants" / "91310115MA1K3BTP2B" / "index.html").read_text("utf-8")
    assert "A&amp;B《商贸》Co., Ltd. &lt;b&gt;粗体&lt;/b&gt;" in raw
    long_name = "测试" + "长名称" * 60 + "有限公司"
    assert h1_of(accepted_output / "merchants" / "long-name" / "index.html").text == long_name


def test_full_width_digits_in_counts_and_yaml_1_1_lookalikes(accepted_output: Path) -> None:
    records = json.loads((accepted_output / "data" / "complaints.json").read_text("utf-8"))
    by_id = {(r["credit_code"] or r["id"]): r for r in records if r["period"] == "2026-11"}
    assert (by_id["91310115MA1K3BTP2B"]["complaints"], by_id["91310115MA1K3BTP2B"]["resolved"]) == (12, 10)
    assert by_id["yaml-no"]["name"] == "no"  # not the boolean false
    assert by_id["yaml-no"]["complaints"] == 12  # `012` is twelve, not octal ten


def test_gbk_file_is_converted_with_the_option_and_refused_without(accepted_output: Path) -> None:
    article = h1_of(accepted_output / "warnings" / "gbk-holiday" / "index.html")
    assert article.text == "春节消费提醒（GBK 编码）"
    result = run_cli("check", ACCEPTED)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "content/warnings/gbk-holiday.md:2:8: encoding: file is not valid UTF-8 text. It is probably GBK/GB18030: "
        "save it as UTF-8 (e.g. `iconv -f GB18030 -t UTF-8`) or build with `--input-encoding gb18030`.")


def test_check_format_json_lists_problems(tmp_path: Path) -> None:
    site = assemble_case("resolved-more", tmp_path / "site")
    result = run_cli("check", site, "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report == {"ok": False, "language": "en", "problems": [{
        "path": "content/complaints/2026-09.yaml", "line": 10, "column": 15, "field": "merchants[1].resolved",
        "code": "GS302", "message": "办结量 6 is more than 投诉量 5", "severity": "error"}]}
    good = run_cli("check", SITES / "minimal", "--format", "json")
    assert good.returncode == 0 and json.loads(good.stdout) == {"ok": True, "language": "en", "problems": []}


def test_identity_change_is_a_warning_without_strict(tmp_path: Path) -> None:
    site = assemble_case("identity-change-strict", tmp_path / "site")
    result = run_cli("check", site)
    assert result.returncode == 0
    assert ("content/complaints/2026-10.yaml:5:5: name: `测试甲乙餐饮管理有限公司` differs from `测试甲乙餐饮有限公司` "
            "in content/complaints/2026-09.yaml:5 for the same merchant; the newest is shown [warning]"
            in result.stderr.splitlines())
    report = json.loads(run_cli("check", site, "--format", "json").stdout)
    assert report["ok"] is True and {p["severity"] for p in report["problems"]} == {"warning"}


def test_links_leaving_the_site_are_refused_links_inside_are_read(minimal_site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("period: 2026-12\n", "utf-8")
    complaints = minimal_site / "content" / "complaints"
    (complaints / "2026-12.yaml").symlink_to(secret)
    (complaints / "2026-13.yaml").symlink_to(tmp_path / "missing.yaml")
    inside = minimal_site / "drafts"
    inside.mkdir()
    shutil.move(complaints / "2026-10.yaml", inside / "2026-10.yaml")
    (complaints / "2026-10.yaml").symlink_to(inside / "2026-10.yaml")
    with pytest.raises(ContentError) as caught:
        load_site(BuildOptions(minimal_site))
    assert [str(p) for p in caught.value.problems] == [
        "content/complaints/2026-12.yaml:1:1: file: this is a link to a file outside the site folder; copy the file "
        "into the site instead",
        "content/complaints/2026-13.yaml:1:1: file: this is a broken or looping link; replace it by the file itself",
    ]


def test_a_50_mb_file_is_refused_before_it_is_read(minimal_site: Path) -> None:
    big = minimal_site / "content" / "complaints" / "2026-12.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: the size is what counts
    with pytest.raises(ContentError) as caught:
        load_site(BuildOptions(minimal_site))
    assert [str(p) for p in caught.value.problems] == [
        "content/complaints/2026-12.yaml:1:1: file: file is 50.0 MB; at most 16 MB are read: split it"]


@pytest.mark.parametrize("where, code, words", [
    (".", 1, "contains the site folder itself; choose an output folder inside or beside it"),
    ("content", 1, "content is inside content/; choose another output folder"),
    ("content/out", 1, "out is inside content/; choose another output folder"),
    ("site.yaml", 2, "Invalid value for '--output' / '-o': Directory"),
])
def test_unsafe_output_folders_are_refused(minimal_site: Path, where: str, code: int, words: str) -> None:
    before = sorted(str(p.relative_to(minimal_site)) for p in minimal_site.rglob("*"))
    result = run_cli("build", minimal_site, "--output", minimal_site / where, "--no-search")
    assert result.returncode == code
    assert words in result.stderr and "Traceback" not in result.stderr
    assert sorted(str(p.relative_to(minimal_site)) for p in minimal_site.rglob("*")) == before


def test_the_parent_of_the_site_is_refused_as_output(minimal_site: Path) -> None:
    result = run_cli("build", minimal_site, "--output", minimal_site.parent, "--no-search")
    assert result.returncode == 1 and "contains the site folder itself" in result.stderr
    assert (minimal_site / "site.yaml").is_file()


def test_personal_data_is_never_quoted_in_messages(tmp_path: Path) -> None:
    site = assemble_case("personal-data-variants", tmp_path / "site")
    result = run_cli("check", site)
    assert result.returncode == 1 and len(result.stderr.splitlines()) == 6
    squeezed = unicodedata.normalize("NFKC", re.sub(r"[\s-]", "", result.stderr))
    for secret in ("13912345678", "11010519491231002X", "6222021234567890123", "zhang.san@example.com"):
        assert secret not in squeezed


def test_mask_personal_data_masks_reports_and_publishes_no_number(tmp_path: Path) -> None:
    site = assemble_case("personal-data-variants", tmp_path / "site")
    out = tmp_path / "out"
    # As of the end of the year: the case's 2026-11 summary is published in December.
    result = run_cli("build", site, "--output", out, "--no-search", "--mask-personal-data", "--as-of", "2026-12-31")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "masked" in line] == [
        "content/complaints/2026-11.yaml:5:19: personal data: masked mobile",
        "content/complaints/2026-11.yaml:12:20: personal data: masked mobile",
        "content/complaints/2026-11.yaml:15:22: personal data: masked email",
        "content/complaints/2026-11.yaml:15:51: personal data: masked id_card",
        "content/warnings/cards.md:6:9: personal data: masked bank_card",
    ]
    published = "".join(p.read_text("utf-8") for p in sorted(out.rglob("*")) if p.suffix in (".html", ".json", ".xml"))
    squeezed = unicodedata.normalize("NFKC", re.sub(r"[\s-]", "", published))
    for secret in ("13912345678", "11010519491231002X", "6222021234567890123", "zhang.san@example.com"):
        assert secret not in squeezed
    assert "１３９****５６７８" in published and "110105 ******** 002X" in published
    assert "z***@example.com" in published and "jubao@example.gov.cn" in published


def test_a_folder_that_is_not_a_previous_build_is_not_replaced(minimal_site: Path, tmp_path: Path) -> None:
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "report.docx").write_bytes(b"precious")
    result = run_cli("build", minimal_site, "--output", documents, "--no-search")
    assert result.returncode == 1
    assert "is not a previous build (it has no 404.html and no sitemap.xml)" in result.stderr
    assert [p.name for p in documents.iterdir()] == ["report.docx"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli("build", minimal_site, "--output", empty, "--no-search").returncode == 0
    assert run_cli("build", minimal_site, "--output", empty, "--no-search").returncode == 0  # a build replaces a build
