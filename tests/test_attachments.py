"""Images and attachments of warnings and pages: published under stable paths, linked, cleaned, or refused."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from builder.attachments import human_size
from builder.references import Replacement, find_references, rewrite, written_urls
from helpers import run_cli
from tools.linkcheck import check_site

GPS = {1: "N", 2: (39.0, 54.0, 20.0), 3: "E", 4: (116.0, 23.0, 30.0)}
PDF = b"%PDF-1.4\n" + b"0" * 2400 + b"\n%%EOF\n"  # 2,416 bytes: shown as 2 KB
DOCX = b"PK\x03\x04" + b"\x00" * 5000


def gps_jpeg(size: tuple[int, int] = (64, 32), orientation: int = 6) -> bytes:
    """A JPEG with GPS coordinates, an orientation, XMP and a comment, as a phone might write it."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SamplePhone"
    exif[0x8825] = GPS
    out = io.BytesIO()
    Image.new("RGB", size, (200, 60, 40)).save(out, "JPEG", exif=exif.tobytes(), quality=85,
                                               xmp=b"<x:xmpmeta>exif:GPSLatitude</x:xmpmeta>", comment=b"secret")
    return out.getvalue()


def png(size: tuple[int, int] = (12, 8), exif: bool = False) -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    if exif:
        info.add_text("Comment", "GPS 39.9,116.4")
    extra = {"exif": _exif_bytes()} if exif else {}
    Image.new("RGBA", size, (10, 120, 200, 128)).save(out, "PNG", pnginfo=info, **extra)
    return out.getvalue()


def _exif_bytes() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = GPS
    return exif.tobytes()


WARNING = """---
title: 现场照片与告知书
date: 2026-11-03
type: 典型案例
---
## 现场

![现场照片，门店已停业](图片/现场照片.jpg)

![示意图](示意图.png) ![示意图再次](./示意图.png)

[附件：告知书](../files/告知书.pdf) · [附件：处理结果](../files/处理结果.docx#page=2)

[公示说明](../../pages/method/) [开放数据](../../data/complaints.csv)
"""

PAGE = """---
title: 办事指南
---
![带元数据的截图](../warnings/截图.png)

下载：[告知书](../files/告知书.pdf)
"""

SCHEDULED = """---
title: 双12 提醒
date: 2026-12-12
type: 消费提醒
---
![海报](海报.png)
"""


@pytest.fixture
def media_site(minimal_site: Path) -> Path:
    """The minimal site with a warning and a page that name images and attachments in several folders."""
    content = minimal_site / "content"
    (content / "warnings" / "图片").mkdir()
    (content / "warnings" / "图片" / "现场照片.jpg").write_bytes(gps_jpeg())
    (content / "warnings" / "示意图.png").write_bytes(png())
    (content / "warnings" / "截图.png").write_bytes(png((20, 10), exif=True))
    (content / "warnings" / "海报.png").write_bytes(png((30, 30)))
    (content / "warnings" / "未引用.pdf").write_bytes(PDF)
    (content / "files").mkdir()
    (content / "files" / "告知书.pdf").write_bytes(PDF)
    (content / "files" / "处理结果.docx").write_bytes(DOCX)
    (content / "warnings" / "case.md").write_text(WARNING, "utf-8")
    (content / "warnings" / "double12.md").write_text(SCHEDULED, "utf-8")
    (content / "pages" / "guide.md").write_text(PAGE, "utf-8")
    return minimal_site


def build(site: Path, *args: str) -> Path:
    result = run_cli("build", site, *args)
    assert result.returncode == 0, result.stderr
    return site / "output"


def test_images_and_attachments_are_published_and_linked(media_site: Path) -> None:
    out = build(media_site)
    published = sorted(p.relative_to(out / "files").as_posix() for p in (out / "files").rglob("*") if p.is_file())
    # only what published pages name: not 未引用.pdf, not the poster of the warning dated after the as-of date
    assert published == ["files/告知书.pdf", "files/处理结果.docx", "warnings/图片/现场照片.jpg",
                         "warnings/截图.png", "warnings/示意图.png"]
    page = (out / "warnings" / "case" / "index.html").read_text("utf-8")
    assert ('<img alt="现场照片，门店已停业" src="../../files/warnings/%E5%9B%BE%E7%89%87/'
            '%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.jpg" width="32" height="64">') in page
    assert page.count('src="../../files/warnings/%E7%A4%BA%E6%84%8F%E5%9B%BE.png" width="12" height="8"') == 2
    assert ('<a href="../../files/files/%E5%91%8A%E7%9F%A5%E4%B9%A6.pdf" rel="noopener noreferrer">'
            '附件：告知书（PDF，2 KB）</a>') in page
    assert ('<a href="../../files/files/%E5%A4%84%E7%90%86%E7%BB%93%E6%9E%9C.docx#page=2" '
            'rel="noopener noreferrer">附件：处理结果（DOCX，5 KB）</a>') in page
    assert '<a href="../../pages/method/" rel="noopener noreferrer">公示说明</a>' in page
    assert '<a href="../../data/complaints.csv" rel="noopener noreferrer">开放数据</a>' in page
    guide = (out / "pages" / "guide" / "index.html").read_text("utf-8")
    assert "告知书（PDF，2 KB）" in guide and 'width="20" height="10"' in guide
    assert (out / "files" / "files" / "告知书.pdf").read_bytes() == PDF
    assert (out / "files" / "warnings" / "示意图.png").read_bytes() == png()  # no metadata: copied as it is
    assert check_site(out, skip_pages=["404.html"]) == []
    assert 'xml:base="https://www.example.gov.cn/ceshi/warnings/case/"' in (out / "feed.xml").read_text("utf-8")


def test_a_scheduled_warning_publishes_its_files_on_its_day(media_site: Path) -> None:
    out = build(media_site, "--as-of", "2026-12-12")
    assert (out / "files" / "warnings" / "海报.png").is_file()
    assert 'src="../../files/warnings/%E6%B5%B7%E6%8A%A5.png" width="30" height="30"' in \
        (out / "warnings" / "double12" / "index.html").read_text("utf-8")
    assert check_site(out, skip_pages=["404.html"]) == []


def test_exif_and_gps_are_gone_from_published_photos(media_site: Path) -> None:
    source = media_site / "content" / "warnings" / "图片" / "现场照片.jpg"
    with Image.open(source) as original:
        assert original.getexif().get_ifd(0x8825) == GPS  # the control: the source does carry GPS
    out = build(media_site)
    data = (out / "files" / "warnings" / "图片" / "现场照片.jpg").read_bytes()
    for marker in (b"Exif", b"SamplePhone", b"xmpmeta", b"GPSLatitude", b"secret"):
        assert marker not in data
    with Image.open(io.BytesIO(data)) as photo:
        assert photo.format == "JPEG" and dict(photo.getexif()) == {}
        assert photo.size == (32, 64)  # turned upright, as the orientation said
        red, green, blue = photo.convert("RGB").getpixel((16, 32))
        assert abs(red - 200) < 8 and abs(green - 60) < 8 and abs(blue - 40) < 8
    shot = (out / "files" / "warnings" / "截图.png").read_bytes()
    assert b"GPS 39.9" not in shot and b"eXIf" not in shot
    with Image.open(io.BytesIO(shot)) as image:
        assert image.mode == "RGBA" and image.getpixel((3, 3)) == (10, 120, 200, 128)


def test_a_site_path_with_dots_resolves_the_same(media_site: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    result = run_cli("check", tmp_path / "elsewhere" / ".." / "site")
    assert result.returncode == 0, result.stderr


def test_the_same_input_gives_the_same_bytes(media_site: Path, tmp_path: Path) -> None:
    first = build(media_site, "--output", str(tmp_path / "one"))
    second = build(media_site, "--output", str(tmp_path / "two"))
    for path in sorted((first / "files").rglob("*")) + [first / "warnings" / "case" / "index.html"]:
        if path.is_file():
            assert path.read_bytes() == (second / path.relative_to(first)).read_bytes(), path


def test_the_size_limit_is_configurable(media_site: Path) -> None:
    (media_site / "content" / "files" / "告知书.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * (1536 * 1024))
    with (media_site / "site.yaml").open("a", encoding="utf-8") as handle:
        handle.write("max_attachment_mb: 1\n")
    result = run_cli("build", media_site)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:2] == [
        "content/pages/guide.md:6:10: link: `../files/告知书.pdf` is 1.5 MB; at most 1 MB are published "
        "(max_attachment_mb in site.yaml)",
        "content/warnings/case.md:12:10: link: `../files/告知书.pdf` is 1.5 MB; at most 1 MB are published "
        "(max_attachment_mb in site.yaml)"]
    assert not (media_site / "output").exists()


def test_the_default_limit_is_ten_megabytes(media_site: Path) -> None:
    (media_site / "content" / "files" / "告知书.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    result = run_cli("check", media_site)
    assert "content/warnings/case.md:12:10: link: `../files/告知书.pdf` is 10.0 MB; at most 10 MB are published" \
        in result.stderr


def test_a_link_leaving_content_is_refused(media_site: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(PDF)
    (media_site / "content" / "files" / "告知书.pdf").unlink()
    (media_site / "content" / "files" / "告知书.pdf").symlink_to(secret)
    (media_site / "content" / "warnings" / "截图.png").unlink()
    (media_site / "content" / "warnings" / "截图.png").symlink_to(media_site / "content" / "warnings" / "示意图.png")
    result = run_cli("check", media_site)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if not line.startswith("Error")] == [
        "content/pages/guide.md:6:10: link: `../files/告知书.pdf` is outside content/: keep images and attachments "
        "beside the Markdown file or in a folder of content/",
        "content/warnings/case.md:12:10: link: `../files/告知书.pdf` is outside content/: keep images and "
        "attachments beside the Markdown file or in a folder of content/"]


def _png_header_only(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def test_huge_and_truncated_images_are_refused_without_a_traceback(media_site: Path) -> None:
    (media_site / "content" / "warnings" / "示意图.png").write_bytes(_png_header_only(30000, 30000))
    result = run_cli("check", media_site)
    assert result.stderr.splitlines()[0] == (
        "content/warnings/case.md:10:8: image: `示意图.png` has more than 89,478,485 pixels: make it smaller")
    (media_site / "content" / "warnings" / "示意图.png").write_bytes(png())
    output = media_site / "output"
    build(media_site)
    before = sorted(p.relative_to(output) for p in output.rglob("*"))
    noise = io.BytesIO()
    Image.effect_noise((400, 300), 60).convert("RGB").save(noise, "JPEG", quality=95)
    photo = media_site / "content" / "warnings" / "图片" / "现场照片.jpg"
    photo.write_bytes(noise.getvalue()[: len(noise.getvalue()) * 2 // 3])  # the header is fine, the data is cut
    result = run_cli("build", media_site)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("content/warnings/case.md:8:15: image: `图片/现场照片.jpg` cannot be read as a "
                                    "JPEG image (image file is truncated")
    assert sorted(p.relative_to(output) for p in output.rglob("*")) == before


def test_references_are_placed_where_they_are_written() -> None:
    body = "文字 ![a](x.png) 和 ![b](x.png)\n\n[c][1]\n\n[1]: <告知 书.pdf>\n<img alt=\"d\" src='a&quot;b.png'>"
    markup = ('<p>文字 <img alt="a" src="x.png"> 和 <img alt="b" src="x.png"></p><p><a href="告知 书.pdf">c</a></p>'
              '<img alt="d" src="a&quot;b.png"><a href="#top">t</a><a href="https://e.example/">e</a>')
    found = [(r.kind, r.url, r.line, r.column, r.alt) for r in find_references(written_urls(markup), body, 7)]
    assert found == [("image", "x.png", 7, 9, "a"), ("image", "x.png", 7, 23, "b"),
                     ("link", "告知 书.pdf", 11, 7, ""), ("image", 'a"b.png', 12, 19, "d")]


def test_rewrite_keeps_other_attributes_and_escapes_new_ones() -> None:
    markup = '<p><img alt="a>b" src="x.png"> <a href="f.pdf" title="t">文件</a> <a href="../p/">页</a></p>'
    changes = {("image", "x.png"): Replacement('../../files/"x".png', (("width", "3"), ("height", "4"))),
               ("link", "f.pdf"): Replacement("../../files/f.pdf", note="（PDF，1 KB）")}
    result = rewrite(markup, lambda kind, url: changes.get((kind, url)))
    assert result == ('<p><img alt="a>b" src="../../files/&quot;x&quot;.png" width="3" height="4"> '
                      '<a href="../../files/f.pdf" title="t">文件（PDF，1 KB）</a> <a href="../p/">页</a></p>')


@pytest.mark.parametrize(("size", "shown"), [(1, "1 KB"), (122_880, "120 KB"), (1_048_575, "1024 KB"),
                                             (2_621_440, "2.5 MB")])
def test_sizes_are_shown_as_government_sites_do(size: int, shown: str) -> None:
    assert human_size(size) == shown


def test_a_name_too_long_or_a_looping_link_is_a_problem_not_a_traceback(minimal_site: Path) -> None:
    folder = minimal_site / "content" / "pages"
    (folder / "loop.png").symlink_to(folder / "loop.png")
    long_name = "长" * 100 + ".png"  # 300 bytes: too long for the file system
    (folder / "about.md").write_text(f"---\ntitle: 关于本站\n---\n![长]({long_name})\n\n![环](loop.png)\n", "utf-8")
    result = run_cli("check", minimal_site)
    assert result.stderr.splitlines() == [
        f"content/pages/about.md:4:6: image: `{long_name}` cannot be looked up: File name too long",
        "content/pages/about.md:6:6: image: `loop.png` cannot be looked up: a link that loops",
        "Error: 2 problem(s) found; nothing was written."]


def test_messages_name_the_line_of_a_reference_in_a_page_too(minimal_site: Path) -> None:
    (minimal_site / "content" / "pages" / "about.md").write_text(
        "---\ntitle: 关于本站\n---\n本站为测试站点。\n\n![](../../outside.png)\n", "utf-8")
    result = run_cli("check", minimal_site)
    assert re.fullmatch(r"content/pages/about\.md:6:5: image: `\.\./\.\./outside\.png` is outside content/: .*\n"
                        r"Error: 1 problem\(s\) found; nothing was written\.\n", result.stderr)
