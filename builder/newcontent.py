"""`gongshi new warning|page`: a new Markdown file from the site's archetype (or the built-in one)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from builder.articles import read_page, read_warning
from builder.config import load_config
from builder.errors import ContentError, GongshiError, Problems
from builder.i18n import _
from builder.markup import MarkdownRenderer
from builder.privacy import find_personal_data
from builder.scaffold import starter_root
from builder.slugs import slugify
from builder.source import CONTROL_CHARACTER, SourceError, decode, split_front_matter

FOLDERS = {"warning": "warnings", "page": "pages"}
MAX_TITLE = 200
MAX_TRIES = 1000
_DECLARED_SLUG = re.compile(r"""^slug:\s*["']?([^"'\s#]+)""", re.M)


class NewContentError(GongshiError):
    """The new file cannot be written; nothing was written."""


class BrokenSiteError(ContentError):
    """The site's site.yaml has problems (the ones `gongshi check` reports); nothing was written."""


def _check_title(title: str) -> str:
    text = title.strip()
    if not text:
        raise NewContentError(_("the title is empty"))
    if "\n" in text or "\r" in text or CONTROL_CHARACTER.search(text):
        raise NewContentError(_("the title must be one line without control characters"))
    if len(text) > MAX_TITLE:
        raise NewContentError(_("the title is {length} characters long; at most {limit} are allowed").format(
            length=len(text), limit=MAX_TITLE))
    found = find_personal_data(text)
    if found:
        raise NewContentError(_("the title holds unmasked {what}; mask it (e.g. 139****5678)").format(
            what=found[0].description))
    return text


def _archetype(site_dir: Path, kind: str) -> tuple[str, str]:
    """(name shown in messages, template text): the site's archetypes/<kind>.md, else the built-in one."""
    own = site_dir / "archetypes" / f"{kind}.md"
    if own.is_file():
        try:
            return f"archetypes/{kind}.md", decode(own.read_bytes())
        except OSError as exc:
            raise NewContentError(f"archetypes/{kind}.md: " + _("cannot read file: {reason}").format(
                reason=exc.strerror)) from None
        except SourceError as exc:
            raise NewContentError(f"archetypes/{kind}.md:{exc.line}:{exc.column}: {exc.field}: {exc.message.text}") \
                from None
    return f"(built-in) archetypes/{kind}.md", (starter_root() / "archetypes" / f"{kind}.md").read_text("utf-8")


def render_archetype(name: str, template: str, values: dict[str, str]) -> str:
    """Fill an archetype (Jinja2, sandboxed): {{ title | yaml }}, {{ date }}, {{ type }}, {{ slug }}."""
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.filters["yaml"] = lambda value: json.dumps(str(value), ensure_ascii=False)
    try:
        return env.from_string(template).render(values)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None) or _template_line(exc) or 1
        raise NewContentError(f"{name}:{line}:1: template: {type(exc).__name__}: {exc.message or exc}") from None


def _template_line(exc: BaseException) -> int | None:
    """The template line of a render-time error (Jinja2 puts it in the traceback's `<template>` frames)."""
    line, trace = None, exc.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _check_result(text: str, kind: str, name: str, stem: str) -> None:
    """The new file must build: check its front matter and body as the build would."""
    problems = Problems()
    shown = name
    try:
        doc = split_front_matter(text)
    except SourceError as exc:
        problems.add(shown, exc.line, exc.column, exc.field, exc.message)
    else:
        read = read_warning if kind == "warning" else read_page
        read(doc, stem, shown, problems, MarkdownRenderer())
    if problems.errors:
        raise ContentError(problems.errors)


def _taken(folder: Path) -> set[str]:
    """File stems and declared slugs already used in a content folder (lower case)."""
    taken: set[str] = set()
    if not folder.is_dir():
        return taken
    for path in folder.glob("*.md"):
        taken.add(path.stem.lower())
        try:
            head = path.read_bytes()[:4096].decode("utf-8", "replace")
        except OSError:
            continue
        taken.update(match.lower() for match in _DECLARED_SLUG.findall(head))
    return taken


def new_article(site_dir: Path, kind: str, title: str, date: dt.date, warning_type: str = "消费提醒") -> Path:
    """Write content/warnings/<date>-<slug>.md or content/pages/<slug>.md; return its path. Never overwrites."""
    if not (site_dir / "site.yaml").is_file():
        raise NewContentError(_("{path} not found: give the site folder (gongshi new {kind} TITLE SITE_DIR) or run "
                                "gongshi init first").format(path=site_dir / "site.yaml", kind=kind))
    problems = Problems()
    load_config(site_dir, problems)
    if problems.errors:
        raise BrokenSiteError(problems.errors + problems.warnings)
    title = _check_title(title)
    folder = site_dir / "content" / FOLDERS[kind]
    if folder.is_symlink() or (folder.exists() and not folder.resolve().is_relative_to(site_dir.resolve())):
        raise NewContentError(_("{folder} is a link; new files are written only inside the site folder").format(
            folder=folder))
    if folder.exists() and not folder.is_dir():
        raise NewContentError(_("{folder} is not a folder").format(folder=folder))
    slug = slugify(title, fallback=kind)
    base = f"{date.isoformat()}-{slug}" if kind == "warning" else slug
    name, template = _archetype(site_dir, kind)
    taken = _taken(folder)
    for number in range(1, MAX_TRIES + 1):
        stem = base if number == 1 else f"{base}-{number}"
        if stem.lower() in taken:
            continue
        text = render_archetype(name, template, {"title": title, "date": date.isoformat(),
                                                 "type": warning_type, "slug": stem})
        _check_result(text, kind, name, stem)
        path = folder / f"{stem}.md"
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NewContentError(_("cannot create {folder}: {reason}").format(folder=folder,
                                                                               reason=exc.strerror)) from None
        try:
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except FileExistsError:
            continue
        except OSError as exc:
            raise NewContentError(_("cannot write {path}: {reason}").format(path=path, reason=exc.strerror)) from None
        return path
    raise NewContentError(_("{count} files named {base}*.md exist already; choose another title").format(
        count=MAX_TRIES, base=base))
