"""Images and attachments of warnings and pages: checked, linked under stable paths and published."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from builder.codes import again, say
from builder.disclosure import Unpublished, unpublished
from builder.errors import ContentError, Message, Problem, Problems
from builder.i18n import _
from builder.images import ImageProblem, probe, published_bytes
from builder.model import Article, Content
from builder.output import Staging
from builder.references import LocalFile, Reference, Replacement, refusal, rewrite

IMAGE_TYPES = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
FILE_TYPES = ("pdf", "ofd", "doc", "docx", "xls", "xlsx", "zip")
ALLOWED = (*IMAGE_TYPES, *FILE_TYPES)
SITE_OWN = ("html", "htm", "xml", "json", "csv")  # the site's own pages and data, linked by relative URLs
FILES_ROUTE = "files"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_KEEP_IN_QUERY = "=&;+%/?:@!$'()*,~"


def human_size(size: int) -> str:
    """A file size as government sites show it: `120 KB`, `2.5 MB`."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _shown(url: str) -> str:
    """A URL quoted in a message: control characters visible, at most 200 characters."""
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in url)
    return text if len(text) <= 200 else text[:200] + "…"


def _looks_like(ext: str, head: bytes) -> bool:
    """Whether a file's first bytes fit its extension (a PDF, a ZIP container, an OLE2 document)."""
    if ext == "pdf":
        return b"%PDF-" in head[:1024]
    if ext in ("ofd", "docx", "xlsx", "zip"):
        return head.startswith(_ZIP)
    return head.startswith(_OLE2)


class FileChecker:
    """Resolves the local references of every article against content/, recording each problem."""

    def __init__(self, site_dir: Path, limit_mb: int, problems: Problems, articles: Iterable[Article] = (),
                 as_of: dt.date | None = None) -> None:
        self.site_dir = Path(os.path.abspath(site_dir))  # lexical: `a/../site` and symlinked sites work alike
        self.content = self.site_dir / "content"
        self.real_content = self.content.resolve()
        self.limit_mb = limit_mb
        self.problems = problems
        self.as_of = as_of
        self.articles = {Path(os.path.normpath(self.site_dir / a.source.path)): a for a in articles}
        self._probed: dict[Path, LocalFile | Message] = {}

    def attach(self, article: Article) -> Article:
        """The article with its local files checked, its HTML pointing at their published copies."""
        if not article.references:
            return article
        md_dir = (self.site_dir / article.source.path).parent
        root = "../" * article.url.count("/")  # from the article's page back to the site root
        found: dict[tuple[str, str], Replacement] = {}
        files: dict[str, LocalFile] = {}
        for ref in article.references:
            local = self._check(ref, md_dir, article)
            if local is None:
                continue
            parts = urlsplit(ref.url.strip().replace("\\", "/"))
            suffix = (f"?{quote(parts.query, safe=_KEEP_IN_QUERY)}" if parts.query else "") + \
                (f"#{parts.fragment}" if parts.fragment else "")  # kept: `#page=2` of a PDF, `?v=2` of an update
            if isinstance(local, Article):  # a link to another page by its Markdown file
                found[(ref.kind, ref.url)] = Replacement(root + local.url + suffix)
                continue
            url = root + quote(local.route) + suffix
            if ref.kind == "image":
                found[(ref.kind, ref.url)] = Replacement(url, (("width", str(local.width)),
                                                               ("height", str(local.height))))
            else:
                found[(ref.kind, ref.url)] = Replacement(url, note=f"（{local.label}，{human_size(local.size)}）")
            files.setdefault(local.route, local)
        markup = rewrite(article.html, lambda kind, url: found.get((kind, url)))
        return replace(article, html=markup, files=tuple(files.values()))

    def _problem(self, ref: Reference, path: str, message: Message) -> None:
        self.problems.add(path, ref.line, ref.column, ref.kind, message)

    def _check(self, ref: Reference, md_dir: Path, article: Article) -> LocalFile | Article | None:
        """The file or page (by its Markdown file) a reference names, or None (a link to a route of the site,
        or a problem recorded)."""
        path = article.source.path
        try:
            return self._resolve(ref, md_dir, article)
        except (OSError, RuntimeError) as exc:  # a name too long for the file system, a link that loops
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _("a link that loops")
            self._problem(ref, path, say("GS402", "`{url}` cannot be looked up: {reason}", url=_shown(ref.url),
                                         reason=reason))
            return None

    def _resolve(self, ref: Reference, md_dir: Path, article: Article) -> LocalFile | Article | None:
        """`_check` without the file system's own errors."""
        path = article.source.path
        url = _shown(ref.url)
        refused = refusal(ref.kind, ref.url, url)
        if refused:
            self._problem(ref, path, refused)
            return None
        target = unquote(urlsplit(ref.url.strip().replace("\\", "/")).path)
        ext = posixpath.splitext(target)[1].lstrip(".").lower()
        if "\\" in target or _CONTROL.search(target):
            self._problem(ref, path, say("GS402", "`{url}` is not a usable file name: rename the file without \\ "
                                                  "or control characters", url=url))
            return None
        lexical = Path(os.path.normpath(md_dir / target))
        is_file = lexical.is_file()
        if ref.kind == "link" and not is_file and (not ext or ext in SITE_OWN or target.endswith("/")):
            return None  # a page or data file of the site itself
        if not lexical.is_relative_to(self.content) or not lexical.resolve().is_relative_to(self.real_content):
            self._problem(ref, path, say("GS402", "`{url}` is outside content/: keep images and attachments beside "
                                                  "the Markdown file or in a folder of content/", url=url))
            return None
        if ref.kind == "link" and ext == "md":
            return self._page(ref, lexical, article)
        if ext == "svg":
            self._problem(ref, path, say("GS403", "`{url}` is an SVG file: SVG can carry script and is never "
                                                  "published; convert it to PNG", url=url))
            return None
        allowed = list(IMAGE_TYPES) if ref.kind == "image" else list(ALLOWED)
        if ext not in allowed:
            hint = _("; a link to another site must start with https://") if target.startswith("www.") else ""
            if ref.kind == "image":
                message = say("GS403", "`{url}` is not an image type that can be published (allowed: {allowed}){hint}",
                              url=url, allowed=", ".join(allowed), hint=hint)
            else:
                message = say("GS403", "`{url}` is not a file type that can be published (allowed: {allowed}){hint}",
                              url=url, allowed=", ".join(allowed), hint=hint)
            self._problem(ref, path, message)
            return None
        if not is_file:
            self._problem(ref, path, self._missing(url, lexical))
            return None
        if ref.kind == "image" and not ref.alt:
            self._problem(ref, path, say("GS404", "`{url}` has no alt text: say what the image shows between the "
                                                  "brackets, e.g. ![现场照片]({url})", url=url))
        local = self._probe(lexical, ext, (path, ref.line, ref.column, url))
        if isinstance(local, Message):
            self._problem(ref, path, again(local, "`{url}` {reason}", url=url))
            return None
        return local

    def _published(self, article: Article) -> Unpublished | None:
        """Why an article is not published on the as-of date (a warning dated after it), or None."""
        return unpublished(self.as_of, None, article.date, date_word="dated") if article.kind else None

    def _page(self, ref: Reference, lexical: Path, source: Article) -> Article | None:
        """The warning or page a link names by its Markdown file, if it is published; else a problem recorded."""
        url, path = _shown(ref.url), source.source.path
        target = self.articles.get(lexical)
        if target is None:
            if not lexical.is_file():
                self._problem(ref, path, self._missing(url, lexical))
            else:  # (a warning or page with problems of its own stops the build before links are checked)
                self._problem(ref, path, say("GS401", "`{url}` is not a warning or page: only the Markdown files "
                                                      "of content/warnings/ and content/pages/ become pages", url=url))
            return None
        why = self._published(target)
        if why is not None and self._published(source) is None:
            self._problem(ref, path, say("GS401", "`{url}` is not published on the as-of date ({why}): the link "
                                                  "would lead nowhere; link to it from its date on, or date it "
                                                  "earlier", url=url, why=why.detail))
            return None
        return target

    def _missing(self, url: str, lexical: Path) -> Message:
        shown = lexical.relative_to(self.site_dir).as_posix()
        if lexical.exists():
            return say("GS401", "`{url}` is a folder, not a file", url=url)
        if lexical.parent.is_dir():
            same = [p.name for p in lexical.parent.iterdir() if p.name.lower() == lexical.name.lower()]
            if same:
                return say("GS401", "`{url}` not found: there is no file {path} (did you mean `{name}`? upper and "
                                    "lower case differ)", url=url, path=shown, name=same[0])
        return say("GS401", "`{url}` not found: there is no file {path}", url=url, path=shown)

    def _probe(self, path: Path, ext: str, where: tuple[str, int, int, str]) -> LocalFile | Message:
        """The checked file (cached: several references may name it), or why it cannot be published."""
        if path in self._probed:
            return self._probed[path]
        result: LocalFile | Message
        try:
            size = path.stat().st_size
            route = f"{FILES_ROUTE}/{path.relative_to(self.content).as_posix()}"
            if size > self.limit_mb * 1024 * 1024:
                result = say("GS405", "is {size:.1f} MB; at most {limit} MB are published (max_attachment_mb in "
                                      "site.yaml)", size=size / 1024 / 1024, limit=self.limit_mb)
            elif ext in IMAGE_TYPES:
                info = probe(path, IMAGE_TYPES[ext])
                result = LocalFile(path, route, "image", "JPG" if ext == "jpeg" else ext.upper(), size,
                                   info.width, info.height, info.format, where)
            else:
                with path.open("rb") as handle:
                    head = handle.read(1024)
                result = (LocalFile(path, route, "file", ext.upper(), size, where=where)
                          if _looks_like(ext, head) else
                          say("GS405", "does not look like a {kind} file (its first bytes are not those of one): "
                                       "check that it is the right file", kind=ext.upper()))
        except ImageProblem as exc:
            result = Message("GS405", str(exc))
        except OSError as exc:
            result = say("GS405", "cannot be read: {reason}", reason=exc.strerror)
        self._probed[path] = result
        return result


def attach_files(content: Content, site_dir: Path, problems: Problems, as_of: dt.date | None = None) -> Content:
    """Check every image, attachment and page link of the warnings and pages; point the links at their targets."""
    checker = FileChecker(site_dir, content.config.max_attachment_mb, problems, (*content.warnings, *content.pages),
                          as_of)
    return replace(content, warnings=tuple(checker.attach(a) for a in content.warnings),
                   pages=tuple(checker.attach(a) for a in content.pages))


def publish_files(articles: Iterable[Article], staging: Staging) -> int:
    """Copy the files of the published articles into the site (JPEG metadata stripped); how many were written."""
    written: set[str] = set()
    for article in articles:
        for local in article.files:
            if local.route in written:
                continue
            try:
                data = published_bytes(local.source, local.image_format) if local.kind == "image" else \
                    local.source.read_bytes()
            except (ImageProblem, OSError) as exc:
                path, line, column, url = local.where
                reason = (Message("GS405", str(exc)) if isinstance(exc, ImageProblem) else
                          say("GS405", "cannot be read: {reason}", reason=exc.strerror))
                raise ContentError([Problem(path, line, column, "image" if local.kind == "image" else "link",
                                            again(reason, "`{url}` {reason}", url=url))]) from None
            staging.write(local.route, data)
            written.add(local.route)
    return len(written)
