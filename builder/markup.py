"""Markdown to safe HTML: Python-Markdown, then an allow-list sanitiser (nh3)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions.toc import TocExtension, slugify_unicode

from builder.model import Heading
from builder.references import written_urls

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "dl", "dt", "em", "figcaption", "figure",
    "h2", "h3", "h4", "h5", "h6", "hr", "img", "ins", "li", "mark", "ol", "p", "pre", "s", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(2, 7)},
}
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_TAG = re.compile(r"<[^>]+>")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_HEADING = re.compile(r'<h([2-6]) id="([^"]+)">(.*?)</h\1>', re.S)


@dataclass(frozen=True)
class Rendered:
    """Sanitised HTML, its plain text, its table of contents, and every link and image as written (kind, url, alt)."""

    html: str
    text: str
    toc: tuple[Heading, ...]
    written: tuple[tuple[str, str, str], ...] = ()


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    """Keep only local images and non-script links; everything else as is.

    URLs are compared the way browsers read them: control characters and spaces dropped, backslashes as
    slashes (so `\\\\host\\a.png` is the remote `//host/a.png`), case folded.
    """
    if name not in ("href", "src"):
        return value
    seen = _URL_NOISE.sub("", value).replace("\\", "/").lower()
    scheme = _SCHEME.match(seen)
    if tag == "img" and name == "src" and (scheme or seen.startswith("//")):
        return None
    if scheme and scheme.group(1) not in ("http", "https", "mailto", "tel"):
        return None
    return value


class MarkdownRenderer:
    """One reusable Markdown converter with the project's extensions and sanitiser."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(
            extensions=["tables", "attr_list", "sane_lists", "fenced_code",
                        TocExtension(slugify=slugify_unicode, permalink=False)],
            output_format="html",
        )

    def render(self, source: str) -> Rendered:
        """Convert Markdown to sanitised HTML; raw HTML in the source never survives unfiltered."""
        self._md.reset()
        raw = self._md.convert(source)
        # A level-1 heading in a body would compete with the page title: demote it.
        raw = re.sub(r"<(/?)h1\b", r"<\1h2", raw)
        raw = raw.replace("<th>", '<th scope="col">').replace('<th style="text-align: left;">', '<th scope="col">')
        clean = nh3.clean(
            raw, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto", "tel"},
            link_rel="noopener noreferrer", attribute_filter=_keep_attribute, strip_comments=True,
        )
        clean = _IMG_WITHOUT_SRC.sub("", clean)
        toc = tuple(Heading(int(level), anchor, html.unescape(_TAG.sub("", inner)).strip())
                    for level, anchor, inner in _HEADING.findall(clean))
        text = html.unescape(_TAG.sub(" ", clean))
        return Rendered(clean, " ".join(text.split()), toc, written_urls(raw))
