"""Local images and links in an article's sanitised HTML: where they stand in the Markdown, and rewriting them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# nh3 writes every attribute as name="value" with `&` and `"` escaped (but not `<` or `>`), so a tag is
# matched attribute by attribute rather than up to the first `>`.
_TAG = re.compile(r'<(img|a)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)\s*/?>|</a>')
_ATTRIBUTE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


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


def _tags(markup: str) -> list[tuple[str, dict[str, str]]]:
    """(tag, attributes) of every <img> and <a> in order; attribute values unescaped."""
    found = []
    for match in _TAG.finditer(markup):
        if match.group(1):
            attributes = {name.lower(): html.unescape(value or "") for name, value in
                          _ATTRIBUTE.findall(match.group(2) or "")}
            found.append((match.group(1), attributes))
    return found


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
    return -1


def find_references(markup: str, body: str, body_line: int) -> tuple[Reference, ...]:
    """Every local <img src> and <a href> of the sanitised HTML, placed at the URL's first unused spot in the body."""
    references = []
    cursor = 0
    for tag, attributes in _tags(markup):
        kind, key = ("image", "src") if tag == "img" else ("link", "href")
        url = attributes.get(key, "")
        if not is_local(url):
            continue
        offset = _find(body, url, cursor)
        if offset >= 0:
            cursor = offset + len(url)
            line, column = _position(body, body_line, offset)
        else:
            line, column = body_line, 1
        references.append(Reference(kind, url, line, column, attributes.get("alt", "").strip()))
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
