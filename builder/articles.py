"""Reading Markdown warnings and pages with their front matter."""

from __future__ import annotations

import hashlib
import re

from builder.codes import say
from builder.errors import Problems
from builder.fields import Fields, type_name
from builder.markup import MarkdownRenderer
from builder.model import WARNING_TYPES, Article, Source
from builder.references import find_references
from builder.source import FrontMatterDoc, MarkedMap

WARNING_KEYS = ["title", "date", "type", "summary", "tags", "related", "slug"]
PAGE_KEYS = ["title", "slug", "order"]
SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
SUMMARY_LENGTH = 120


def default_slug(stem: str, salt: str) -> str:
    """The file name when it is a safe ASCII slug, else a stable hash-based one."""
    lowered = stem.lower()
    if SAFE_SLUG.match(lowered) and ".." not in lowered:
        return lowered
    return f"{salt}-{hashlib.sha256(stem.encode()).hexdigest()[:10]}"


def _slug(fields: Fields, stem: str, salt: str) -> str | None:
    explicit = fields.text("slug", required=False)
    if explicit is None:
        return default_slug(stem, salt)
    if not SAFE_SLUG.match(explicit) or ".." in explicit:
        fields.error("slug", say("GS213", "`{value}` is not a safe slug: use lower-case letters, digits, ., - and _",
                                 value=explicit))
        return None
    return explicit


def _meta(doc: FrontMatterDoc, shown: str, problems: Problems) -> MarkedMap | None:
    if not isinstance(doc.meta, MarkedMap):
        problems.add(shown, 2, 1, "front matter", say("GS108", "expected fields such as `title: …`, found {found}",
                                                      found=type_name(doc.meta)))
        return None
    return doc.meta


def _summary(text: str) -> str:
    return text if len(text) <= SUMMARY_LENGTH else text[:SUMMARY_LENGTH].rstrip() + "…"


def read_warning(doc: FrontMatterDoc, stem: str, shown: str, problems: Problems,
                 renderer: MarkdownRenderer) -> Article | None:
    """Check a warning's front matter and render its body."""
    meta = _meta(doc, shown, problems)
    if meta is None:
        return None
    before = problems.error_count
    fields = Fields(problems, shown, meta)
    fields.check_keys(WARNING_KEYS)
    title = fields.text("title", max_length=200)
    date = fields.date("date")
    kind = fields.choice("type", list(WARNING_TYPES))
    summary = fields.text("summary", required=False, max_length=500) or ""
    tags = fields.text_list("tags", max_length=50)
    related = fields.text_list("related", max_length=200)
    slug = _slug(fields, stem, date.isoformat() if date else "warning")
    if not doc.body.strip():
        problems.add(shown, doc.body_line, 1, "body", say("GS203", "the warning has no text below its front matter"))
    if problems.error_count > before or not (title and date and kind and slug):
        return None
    rendered = renderer.render(doc.body)
    return Article(slug=slug, title=title, html=rendered.html, text=rendered.text,
                   source=Source(shown, 1, 1), date=date, kind=kind, summary=summary or _summary(rendered.text),
                   tags=tags, related=related, toc=rendered.toc,
                   references=find_references(rendered.written, doc.body, doc.body_line))


def read_page(doc: FrontMatterDoc, stem: str, shown: str, problems: Problems,
              renderer: MarkdownRenderer) -> Article | None:
    """Check a page's front matter and render its body."""
    meta = _meta(doc, shown, problems)
    if meta is None:
        return None
    before = problems.error_count
    fields = Fields(problems, shown, meta)
    fields.check_keys(PAGE_KEYS)
    title = fields.text("title", max_length=200)
    order = fields.integer("order", required=False, minimum=0)
    slug = _slug(fields, stem, "page")
    if problems.error_count > before or not (title and slug):
        return None
    rendered = renderer.render(doc.body)
    return Article(slug=slug, title=title, html=rendered.html, text=rendered.text, source=Source(shown, 1, 1),
                   order=order or 0, summary=_summary(rendered.text), toc=rendered.toc,
                   references=find_references(rendered.written, doc.body, doc.body_line))
