"""Local images and links in an article's sanitised HTML: where they stand in the Markdown, and rewriting them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from builder.codes import say
from builder.errors import Message

# nh3 writes every attribute as name="value" with `&` and `"` escaped (but not `<` or `>`), so a tag is
# matched attribute by attribute rather than up to the first `>`.
_TAG = re.compile(r'<(img|a)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)\s*/?>|</a>')
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
#: Schemes a link to another site may have (navigation, not loading: a built page still loads nothing from there).
LINK_SCHEMES = ("http", "https", "mailto", "tel")


@dataclass(frozen=True)
class Reference:
    """A local image (`image`) or link (`link`) of an article, at its place in the Markdown file."""

    kind: str
    url: str
    line: int
    column: int
    alt: str = ""


@dataclass(frozen=True)
class LocalFile:
    """A file published with an article: where it comes from, where it goes, and what the page shows of it."""

    source: Path
    route: str
    kind: str
    label: str
    size: int
    width: int = 0
    height: int = 0
    image_format: str = ""
    where: tuple[str, int, int, str] = ("", 1, 1, "")  # the first reference: file, line, column, URL


@dataclass(frozen=True)
class Replacement:
    """What a reference becomes: a new URL, extra attributes (width, height) and a note after a link's text."""

    url: str
    attributes: tuple[tuple[str, str], ...] = ()
    note: str = ""


def is_local(url: str) -> bool:
    """Whether a URL names something of this site: no scheme, not `//host`, not a bare `#anchor`."""
    seen = url.strip().replace("\\", "/")
    return bool(seen) and not _SCHEME.match(seen) and not seen.startswith(("//", "#"))


class _Written(HTMLParser):
    """Collects (kind, url, alt) of every <a href> and <img src> of Markdown's HTML, before any sanitising."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("a", "img"):
            return
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")  # the first of a repeated attribute counts, as in browsers
        key = "src" if tag == "img" else "href"
        if key in values:
            self.found.append(("image" if tag == "img" else "link", values[key], values.get("alt", "")))


def written_urls(raw_html: str) -> tuple[tuple[str, str, str], ...]:
    """(kind, url, alt) of every link and image as Markdown wrote them, including those the sanitiser drops."""
    parser = _Written()
    parser.feed(raw_html)
    parser.close()
    return tuple(parser.found)


def browser_view(url: str) -> str:
    """A URL as browsers read it: control characters and spaces dropped, backslashes as slashes."""
    return _URL_NOISE.sub("", url).replace("\\", "/")


def needs_check(kind: str, url: str) -> bool:
    """Whether a reference must be checked: every image, and every link but `#anchor`s and links to other sites."""
    seen = browser_view(url)
    if not seen:
        return False
    if kind == "image":
        return True
    scheme = _SCHEME.match(seen)
    return not seen.startswith("#") and not (scheme and scheme.group(0)[:-1].lower() in LINK_SCHEMES)


def refusal(kind: str, url: str, shown: str) -> Message | None:
    """Why a reference can never be published (another host, a script, a root-absolute path), or None."""
    seen = browser_view(url)
    scheme = _SCHEME.match(seen)
    if kind == "image" and (scheme or seen.startswith("//")):
        return say("GS402", "`{url}` is not a file of this site: images must be files beside the Markdown file or "
                            "in a folder of content/, because a built page loads nothing from another host; save the "
                            "image there and name it by its path, e.g. ![现场照片](现场照片.jpg)", url=shown)
    if seen.startswith("//"):
        return say("GS402", "`{url}` has no scheme: write a full https:// URL for a page of another site", url=shown)
    if scheme and len(scheme.group(0)) == 2:
        return say("GS402", "`{url}` is a path on one computer: put the file beside the Markdown file (or in a "
                            "folder of content/) and write its path relative to the Markdown file", url=shown)
    if scheme and scheme.group(0)[:-1].lower() not in LINK_SCHEMES:
        return say("GS402", "`{url}` is a {scheme} link, which a published page never carries: link another site "
                            "with a full https:// URL, a file or page of this site by its path relative to the "
                            "Markdown file, or use mailto: or tel:", url=shown, scheme=scheme.group(0).lower())
    if seen.startswith("/"):
        if kind == "link":
            return say("GS402", "`{url}` starts with /, which escapes the check of content/ and breaks when the site "
                                "is served under another path: write the path relative to this Markdown file, or a "
                                "full https:// URL for another site", url=shown)
        return say("GS402", "`{url}` starts with /, which escapes the check of content/ and breaks when the site is "
                            "served under another path: write the path relative to this Markdown file", url=shown)
    return None


def _position(body: str, body_line: int, offset: int) -> tuple[int, int]:
    line = body_line + body.count("\n", 0, offset)
    column = offset - (body.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _find(body: str, url: str, cursor: int) -> int:
    """Where a URL is written in the Markdown (as a whole, between delimiters), preferring the first after `cursor`."""
    for written in dict.fromkeys((url, html.escape(url, quote=True), html.escape(url, quote=False))):
        pattern = re.compile(r"(?:(?<=[(<=\"'\s])|^)" + re.escape(written) + r"(?=[)>\"'\s#?]|$)", re.M)
        match = pattern.search(body, cursor) or pattern.search(body)
        if match:
            return match.start()
    if len(url) <= 2000:  # written with character references, e.g. `java&#x09;script:`
        loose = re.compile("".join(f"(?:{re.escape(ch)}|&#0*{ord(ch)};|&#x0*{ord(ch):x};)" for ch in url), re.I)
        match = loose.search(body, cursor) or loose.search(body)
        if match:
            return match.start()
    return -1


def find_references(written: tuple[tuple[str, str, str], ...], body: str, body_line: int) -> tuple[Reference, ...]:
    """Every image and every link to check (see `written_urls`), placed at the URL's first unused spot in the body."""
    references = []
    cursor = 0
    for kind, url, alt in written:
        if not needs_check(kind, url):
            continue
        offset = _find(body, url, cursor)
        if offset >= 0:
            cursor = offset + len(url)
            line, column = _position(body, body_line, offset)
        else:
            line, column = body_line, 1
        references.append(Reference(kind, url, line, column, alt.strip()))
    return tuple(references)


def _attribute_text(name: str, value: str) -> str:
    return f' {name}="{html.escape(value, quote=True)}"'


def rewrite(markup: str, replace: Callable[[str, str], Replacement | None]) -> str:
    """The HTML with each local reference replaced as `replace(kind, url)` says (None: left as it is)."""
    out: list[str] = []
    last = 0
    pending_note = ""
    for match in _TAG.finditer(markup):
        if not match.group(1):
            if pending_note:
                out.append(markup[last:match.start()] + html.escape(pending_note))
                last = match.start()
                pending_note = ""
            continue
        tag = match.group(1)
        key = "src" if tag == "img" else "href"
        pairs = [(name.lower(), value) for name, value in _ATTRIBUTE.findall(match.group(2) or "")]
        url = html.unescape(next((value for name, value in pairs if name == key), ""))
        change = replace("image" if tag == "img" else "link", url) if is_local(url) else None
        if change is None:
            continue
        extra = dict(change.attributes)
        text = "".join(_attribute_text(name, change.url) if name == key else
                       f' {name}="{value}"' for name, value in pairs if name not in extra)
        text += "".join(_attribute_text(name, value) for name, value in change.attributes)
        out.append(markup[last:match.start()] + f"<{tag}{text}>")
        last = match.end()
        pending_note = change.note if tag == "a" else pending_note
    out.append(markup[last:])
    return "".join(out)
