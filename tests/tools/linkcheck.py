"""Standard-library internal link checker for a built static site.

Every ``*.html`` file under the site folder is parsed; every URL in ``a``/``area``/``link``/``form``
(navigation) and ``script``/``img``/``source``/``iframe``/``video``/``audio``/``track``/``embed``/
``object``/``input type=image`` (resources), plus ``url()``/``@import`` in CSS files, ``<style>`` blocks
and ``style`` attributes, is resolved the way a browser resolves it against the page's own URL.

* Internal URLs must name an existing file (a URL ending in ``/`` means ``dir/index.html``; a URL that
  names a directory without the trailing slash is a problem) and any ``#fragment`` must match an ``id``
  (or ``<a name>``) in the target page.
* ``http(s)://`` and protocol-relative URLs loaded as a resource are problems (the site must load nothing
  from another host); the same URLs in navigation (``<a href>``, ``<link rel=canonical>`` …) are allowed
  and listed separately.
* A root-relative URL (``/x``) or ``../`` that climbs above the site folder is a problem, because the
  site must work under any sub-path — unless ``base_url`` is given: then URLs under ``base_url`` (absolute)
  or under its path (root-relative) are mapped into the site and checked like relative ones.
* ``mailto:``, ``tel:``, ``data:``, ``blob:`` and ``about:`` URLs are fine; any other scheme is a problem.

Command line: ``python tests/tools/linkcheck.py SITE_DIR [--base-url URL]`` (exit 1 on problems).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote, unquote, urljoin, urlsplit

__all__ = [
    "Link",
    "Problem",
    "SiteReport",
    "scan_site",
    "check_site",
    "external_links",
    "external_resources",
    "main",
]

#: Schemes that are never checked and never a problem.
HARMLESS_SCHEMES = frozenset({"mailto", "tel", "data", "blob", "about"})
#: ``<link rel>`` values whose ``href`` the browser fetches.
RESOURCE_RELS = frozenset(
    {"stylesheet", "icon", "shortcut", "apple-touch-icon", "apple-touch-icon-precomposed",
     "mask-icon", "manifest", "preload", "modulepreload", "prefetch", "prerender"}
)
#: Elements and attributes holding a navigation URL.
NAV_ATTRS: dict[str, tuple[str, ...]] = {"a": ("href",), "area": ("href",), "form": ("action",)}
#: Elements and attributes holding a URL the browser loads by itself.
RESOURCE_ATTRS: dict[str, tuple[str, ...]] = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
}
HTML_SUFFIXES = (".html", ".htm")
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_DEFAULT_ROOT = "http://site.invalid/__site_root__/"


class Link(NamedTuple):
    """A URL as written (``url``) on one page (``page``, a path relative to the site folder)."""

    page: str
    url: str


class Problem(NamedTuple):
    """One broken URL: ``(page, url, reason)``."""

    page: str
    url: str
    reason: str

    def __str__(self) -> str:
        """One line: ``page: url: reason``."""
        return f"{self.page}: {self.url}: {self.reason}"


@dataclass
class SiteReport:
    """Everything one scan of a site found."""

    pages: int = 0
    urls_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    external_links: list[Link] = field(default_factory=list)
    external_resources: list[Link] = field(default_factory=list)


@dataclass
class _Ref:
    """One URL found in a document."""

    url: str
    resource: bool


@dataclass
class _Page:
    """What the parser keeps of one HTML page."""

    refs: list[_Ref] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    base_href: str | None = None


class _PageParser(HTMLParser):
    """Collects URLs, ids and ``<base href>`` of one HTML document."""

    def __init__(self) -> None:
        """Start with an empty page."""
        super().__init__(convert_charrefs=True)
        self.page = _Page()
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record the URLs and anchors of one start tag."""
        a = {k: (v or "") for k, v in attrs}
        if a.get("id"):
            self.page.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.page.ids.add(a["name"])
        if tag == "base" and "href" in a and self.page.base_href is None:
            self.page.base_href = a["href"].strip()
        if "style" in a:
            self.page.refs.extend(_Ref(u, True) for u in _css_urls(a["style"]))
        if tag == "style":
            self._in_style = True
        if tag == "link" and "href" in a:
            rels = set(a.get("rel", "").lower().split())
            self.page.refs.append(_Ref(a["href"], bool(rels & RESOURCE_RELS)))
            return
        if tag == "input" and a.get("type", "").lower() == "image" and "src" in a:
            self.page.refs.append(_Ref(a["src"], True))
        for attr in NAV_ATTRS.get(tag, ()):
            if attr in a:
                self.page.refs.append(_Ref(a[attr], False))
        for attr in RESOURCE_ATTRS.get(tag, ()):
            if attr not in a:
                continue
            urls = _srcset_urls(a[attr]) if attr == "srcset" else [a[attr]]
            self.page.refs.extend(_Ref(u, True) for u in urls)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Treat ``<x/>`` like ``<x>``."""
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        """Leave a ``<style>`` block."""
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        """Collect ``url()`` references inside ``<style>``."""
        if self._in_style:
            self.page.refs.extend(_Ref(u, True) for u in _css_urls(data))


def _srcset_urls(value: str) -> list[str]:
    """URLs of a ``srcset`` attribute (each candidate's first token)."""
    return [c.split()[0] for c in value.split(",") if c.strip()]


def _css_urls(css: str) -> list[str]:
    """URLs referenced by ``url()`` and ``@import`` in CSS text."""
    found = [next(g for g in m.groups() if g is not None) for m in _CSS_URL.finditer(css)]
    found += [m.group(1) if m.group(1) is not None else m.group(2) for m in _CSS_IMPORT.finditer(css)]
    return [u for u in found if u.strip()]


def _parse_html(path: Path) -> _Page:
    """Parse one HTML file."""
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    return parser.page


def _rel(site: Path, path: Path) -> str:
    """Site-relative POSIX path of a file."""
    return path.relative_to(site).as_posix()


def _page_url(root_url: str, rel: str) -> str:
    """The URL a file of the site is served at."""
    return root_url + quote(rel, safe="/")


def _is_external(url: str) -> bool:
    """True for ``http(s)://`` and protocol-relative URLs."""
    u = url.strip()
    return u.startswith("//") or urlsplit(u).scheme.lower() in ("http", "https")


class _Checker:
    """Resolves URLs of one site and caches the anchors of target pages."""

    def __init__(self, site: Path, base_url: str | None) -> None:
        """Prepare for one site folder."""
        self.site = site
        self.root_url = base_url if base_url else _DEFAULT_ROOT
        if not self.root_url.endswith("/"):
            self.root_url += "/"
        self._ids: dict[Path, set[str]] = {}

    def ids_of(self, path: Path) -> set[str]:
        """Anchors (``id`` and ``<a name>``) of an HTML file, cached."""
        if path not in self._ids:
            self._ids[path] = _parse_html(path).ids
        return self._ids[path]

    def remember(self, path: Path, page: _Page) -> None:
        """Store the anchors of an already parsed page."""
        self._ids[path] = page.ids

    def check(self, rel: str, base: str, ref: _Ref, report: SiteReport) -> None:
        """Check one URL of page ``rel`` whose base URL is ``base``."""
        raw = ref.url
        url = raw.strip()
        if not url:
            return
        report.urls_checked += 1
        scheme = urlsplit(url).scheme.lower()
        if scheme in HARMLESS_SCHEMES:
            return
        if scheme and scheme not in ("http", "https"):
            report.problems.append(Problem(rel, raw, f"unexpected URL scheme {scheme}:"))
            return
        absolute = urljoin(base, url)
        if urlsplit(absolute)._replace(query="", fragment="").geturl() + "/" == self.root_url:
            report.problems.append(Problem(rel, raw, "directory URL without trailing slash"))
            return
        internal = absolute.startswith(self.root_url)
        if _is_external(url) and not internal:
            if ref.resource:
                report.external_resources.append(Link(rel, raw))
                report.problems.append(Problem(rel, raw, "external resource"))
            else:
                report.external_links.append(Link(rel, raw))
            return
        if not internal:
            if url.startswith("/"):
                reason = "root-relative URL (breaks under a sub-path)"
            else:
                reason = "URL leaves the site folder"
            report.problems.append(Problem(rel, raw, reason))
            return
        parts = urlsplit(absolute)
        try:
            sub = unquote(parts.path[len(urlsplit(self.root_url).path):], errors="strict")
        except UnicodeDecodeError:
            report.problems.append(Problem(rel, raw, "percent-encoding is not UTF-8"))
            return
        target = self.site / sub if sub else self.site
        if sub == "" or sub.endswith("/"):
            if not target.is_dir():
                report.problems.append(Problem(rel, raw, f"missing directory {sub or '.'}"))
                return
            target = target / "index.html"
            if not target.is_file():
                report.problems.append(Problem(rel, raw, f"missing file {_rel(self.site, target)}"))
                return
        elif target.is_dir():
            report.problems.append(Problem(rel, raw, "directory URL without trailing slash"))
            return
        elif not target.is_file():
            report.problems.append(Problem(rel, raw, f"missing file {sub}"))
            return
        fragment = parts.fragment
        if not fragment or fragment.lower() == "top" or not target.name.endswith(HTML_SUFFIXES):
            return
        ids = self.ids_of(target)
        if fragment not in ids and unquote(fragment) not in ids:
            report.problems.append(
                Problem(rel, raw, f"missing anchor #{unquote(fragment)} in {_rel(self.site, target)}")
            )


def _html_files(site: Path) -> Iterator[Path]:
    """All HTML files of the site, in a stable order."""
    return iter(sorted(p for p in site.rglob("*") if p.suffix.lower() in HTML_SUFFIXES and p.is_file()))


def scan_site(
    site_dir: str | Path,
    *,
    base_url: str | None = None,
    skip_pages: Iterable[str] = (),
    check_css: bool = True,
) -> SiteReport:
    """Check every URL of every page (and CSS file) of a built site; see the module docstring."""
    site = Path(site_dir).resolve()
    if not site.is_dir():
        raise NotADirectoryError(str(site))
    skip = set(skip_pages)
    checker = _Checker(site, base_url)
    report = SiteReport()
    for path in _html_files(site):
        rel = _rel(site, path)
        page = _parse_html(path)
        checker.remember(path, page)
        if rel in skip:
            continue
        report.pages += 1
        url = _page_url(checker.root_url, rel)
        base = urljoin(url, page.base_href) if page.base_href else url
        for ref in page.refs:
            checker.check(rel, base, ref, report)
    if check_css:
        for path in sorted(site.rglob("*.css")):
            rel = _rel(site, path)
            if rel in skip or not path.is_file():
                continue
            url = _page_url(checker.root_url, rel)
            for u in _css_urls(path.read_text(encoding="utf-8", errors="replace")):
                checker.check(rel, url, _Ref(u, True), report)
    return report


def check_site(
    site_dir: str | Path, *, base_url: str | None = None, skip_pages: Iterable[str] = ()
) -> list[Problem]:
    """List every broken internal URL, missing anchor and external resource of a site."""
    return scan_site(site_dir, base_url=base_url, skip_pages=skip_pages).problems


def external_links(
    site_dir: str | Path, *, base_url: str | None = None, skip_pages: Iterable[str] = ()
) -> list[Link]:
    """List the (allowed) navigation links to other hosts, e.g. ``<a href="https://…">``."""
    return scan_site(site_dir, base_url=base_url, skip_pages=skip_pages).external_links


def external_resources(
    site_dir: str | Path, *, base_url: str | None = None, skip_pages: Iterable[str] = ()
) -> list[Link]:
    """List every URL on another host that a page or stylesheet would load by itself."""
    return scan_site(site_dir, base_url=base_url, skip_pages=skip_pages).external_resources


def main(argv: list[str] | None = None) -> int:
    """Command line: print problems one per line; exit 1 if there are any."""
    ap = argparse.ArgumentParser(description="Check the internal links of a built static site.")
    ap.add_argument("site_dir", type=Path)
    ap.add_argument("--base-url", default=None, help="URL the site is published at (maps root-relative URLs)")
    ap.add_argument("--skip", action="append", default=[], help="page (site-relative path) not to check")
    ap.add_argument("--external", action="store_true", help="also list external links")
    args = ap.parse_args(argv)
    report = scan_site(args.site_dir, base_url=args.base_url, skip_pages=args.skip)
    for problem in report.problems:
        print(problem)
    if args.external:
        for link in report.external_links:
            print(f"{link.page}: {link.url}: external link")
    print(
        f"linkcheck: {report.pages} pages, {report.urls_checked} URLs, {len(report.problems)} problems, "
        f"{len(report.external_links)} external links",
        file=sys.stderr,
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
