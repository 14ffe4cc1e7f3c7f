"""Where PageWriter's pages and files go: rendered (or kept from the last build) into the staging folder.

`PageWriter` decides the routes and what each is given; this module decides whether a page must be rendered.
A page's key is a digest of the tool, the templates, the options, what every page shares (`config` and
`freshness`), the attributes of `site` its template reads (with the templates it extends, includes or imports)
and everything the page itself is given; an `OutputTree` keeps or hard-links the file when an earlier tree holds
that key. Whether a rendered page is marked for Pagefind is noted for the search indexer, which indexes those
pages once all are written.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import jinja2

from builder.buildcache import tool_digest
from builder.fingerprint import Fingerprints, Unfingerprintable, digest
from builder.folderprocess import Child, Forked
from builder.i18n import N_
from builder.output import Staging
from builder.outputtree import FileRecord, OutputTree
from builder.render import Renderer, template_site_uses, theme_images
from builder.search import SearchIndexer, is_marked

Progress = Callable[[str, int, int | None], None]


def templates_digest(theme_dirs: Sequence[Path]) -> str:
    """A digest of every template file of the theme folders, in lookup order, and of the images the templates name
    (render.theme_images: which file each is depends on the folders' static files)."""
    parts: list[str | bytes] = []
    for folder in theme_dirs:
        templates = folder / "templates"
        for path in sorted(p for p in templates.rglob("*") if p.is_file()) if templates.is_dir() else ():
            parts += [str(folder), path.relative_to(templates).as_posix(), path.read_bytes()]
    parts += [f"{stem}={name}" for stem, name in sorted(theme_images(list(theme_dirs)).items())]
    return digest(*parts)


_USES: dict[str, dict[str, frozenset[str]] | None] = {}  # the templates' digest -> what each reads of `site`


class PageKeys:
    """Cache keys of pages: what every page shares, what its template reads of `site`, then what it is given."""

    def __init__(self, env: jinja2.Environment, theme_dirs: Sequence[Path], common: dict[str, Any],
                 options: str, origins: dict[int, str] | None = None) -> None:
        self.fingerprints = Fingerprints.for_build()
        site = common["site"]
        self._preset(site.content, origins or {})
        templates = templates_digest(theme_dirs)
        if templates not in _USES:  # parsing every template again is a tenth of a second a build (serve)
            _USES.clear()
            _USES[templates] = template_site_uses(env)
        each = _USES[templates]
        self.each = each  # the attributes of `site` each template reads (None: `site` itself is passed on)
        uses = None if each is None else set().union(*each.values())  # and all of them
        self._by_template: dict[str, str | None] = {}
        self.attributes: dict[str, str] | None = None
        try:
            # what the files made from values (`of`: open data, the search's own indexes) share: not the
            # templates' reads of `site`, which they are not made from
            self.common: str | None = digest(tool_digest(), templates, options, self.fingerprints.of(common["config"]),
                                             self.fingerprints.of(common["freshness"]))
        except Unfingerprintable:
            self.common = None
        try:
            if uses is None:
                self.attributes = {"": self.fingerprints.of(site)}
            else:
                self.attributes = {name: f"{name}={self.fingerprints.of(getattr(site, name))}"
                                   for name in sorted(uses)}
        except (Unfingerprintable, AttributeError):
            self.attributes = None

    def shared_of(self, template: str) -> str | None:
        """What the pages of `template` share: the common part and what the template reads of `site` (None: no
        key, render them)."""
        if template in self._by_template:
            return self._by_template[template]
        if self.common is None or self.attributes is None:
            return None
        each = self.each
        names = sorted(self.attributes) if each is None or template not in each else sorted(each[template])
        self._by_template[template] = key = digest(self.common, *(self.attributes[name] for name in names))
        return key

    def _preset(self, content: Any, origins: dict[int, str]) -> None:
        """Digests of the records read from files (complaint files, their entries, ranking files) from their origins."""
        # A record is what its file's bytes made (an entry: what its own part of the file made, so that one
        # merchant's edit leaves the others' pages alone): no need to look at its fields (a ranking file's are
        # 10,000s of scores).
        known = self.fingerprints  # the very record of an earlier build (and its entries): the same file
        for record in content.periods:
            origin = origins.get(id(record))
            if not origin or known.knows(record) and all(known.knows(entry) for entry in record.entries):
                continue
            known.preset(record, digest(origin))
            for index, entry in enumerate(record.entries):
                own = origins.get(id(entry))  # what the entry was read from on its own (complaints.entry_digests)
                known.preset(entry, digest(own) if own else digest(origin, str(index)))
        for ranking in content.rankings:
            origin = origins.get(id(ranking))
            if origin and not known.knows(ranking):
                known.preset(ranking, digest(origin))

    def page(self, template: str, route: str, context: dict[str, Any]) -> str | None:
        """The key of one page, or None (render it) when what it is given has no fingerprint."""
        shared = self.shared_of(template)
        if shared is None:
            return None
        try:
            return digest(shared, template, route, self.fingerprints.of(context))
        except Unfingerprintable:
            return None

    def of(self, *values: object) -> str | None:
        """The key of a group of files made from these values."""
        if self.common is None:
            return None
        try:
            return digest(self.common, *(self.fingerprints.of(value) for value in values))
        except Unfingerprintable:
            return None


class PageOutput:
    """Renders pages into the staging folder (or keeps them), feeds the search index, reports progress."""

    def __init__(self, staging: Staging, renderer: Renderer, keys: PageKeys | None = None,
                 indexer: SearchIndexer | None = None, progress: Progress | None = None,
                 unindexed: Collection[str] = ()) -> None:
        self.staging = staging
        self.tree = staging if isinstance(staging, OutputTree) else None
        self.renderer = renderer
        self.keys = keys
        self.indexer = indexer
        self.progress = progress
        self.unindexed = unindexed  # pages never given to Pagefind (the merchant pages: textindex.py)
        self.other_pages: list[str] = []  # the others, which the search indexer looks at
        self.marked: dict[str, bool] = {}  # other pages rendered in this build: whether marked for the search index
        self.rendered = 0
        self.placed = 0
        self._shown = time.monotonic()

    def page(self, route: str, template: str, context: dict[str, Any]) -> None:
        """Place one page at `route` (e.g. `merchants/X/index.html`)."""
        rendered: list[str] = []

        def render() -> str:
            rendered.append(self.renderer.render(template, route, **context))
            return rendered[0]

        if self.tree is not None:
            key = self.keys.page(template, route, context) if self.keys is not None else None
            if self.tree.page(route, key, render):
                self.rendered += 1
        else:
            self.staging.write(route, render())
            self.rendered += 1
        self.placed += 1
        if route not in self.unindexed:
            self.other_pages.append(route)
            if rendered and self.indexer is not None:
                self.marked[route] = is_marked(rendered[0])
        if self.progress is not None and (self.placed % 500 == 0 or time.monotonic() - self._shown > 0.5):
            self._shown = time.monotonic()
            self.progress(N_("pages"), self.placed, None)

    def beside(self, work: Callable[[], object]) -> Forked | None:
        """Run `work` (placing pages) in a forked child while this process goes on, when it can (an output tree,
        no other thread); `join` takes what the child placed. None: do the work here."""
        if self.tree is None or not Child.possible():
            return None
        tree = self.tree
        known = set(tree.written)
        counts = (self.rendered, self.placed, tree.reused, len(self.other_pages))

        def placed() -> tuple[dict[str, FileRecord], tuple[int, ...], list[str], dict[str, bool]]:
            self.progress = None  # (in the child) the builder alone shows progress
            work()
            others = self.other_pages[counts[3]:]
            return ({route: record for route, record in tree.written.items() if route not in known},
                    (self.rendered - counts[0], self.placed - counts[1], tree.reused - counts[2]),
                    others, {route: self.marked[route] for route in others if route in self.marked})

        return Forked(placed)

    def join(self, child: Forked) -> bool:
        """Take the pages a child placed (`beside`) into this output; False when it failed (do its work here)."""
        got = child.result()
        if not isinstance(got, tuple) or self.tree is None:
            return False
        written: dict[str, FileRecord] = got[0]
        rendered, placed, reused = got[1]
        with self.tree.lock:
            self.tree.written.update(written)
            self.tree.reused += reused
        self.rendered += rendered
        self.placed += placed
        self.other_pages += got[2]
        self.marked.update(got[3])
        return True

    def group(self, prefix: str, inputs: tuple[object, ...], produce: Callable[[], object]) -> None:
        """Files under `prefix` made by `produce` from `inputs`: kept whole when the inputs are unchanged."""
        key = self.keys.of(*inputs) if self.keys is not None else None
        if self.tree is not None and key is not None:
            self.tree.group(prefix, key, produce)
        else:
            produce()

    def folder_key(self, inputs: tuple[object, ...]) -> str | None:
        """The key of a folder made whole from `inputs` (`folder`); None when nothing is kept between builds."""
        return self.keys.of(*inputs) if self.tree is not None and self.keys is not None else None

    def keeps(self, prefix: str, key: str | None) -> bool:
        """Whether `folder(prefix, key, …)` keeps an earlier build's folder instead of making it."""
        return self.tree is not None and key is not None and self.tree.keeps(prefix, key)

    def folder(self, prefix: str, key: str | None, make: Callable[[Path], None]) -> None:
        """A folder of files that `make` writes whole (into a new, empty folder it is given), kept when `key`
        (from `folder_key`) is unchanged."""
        if self.tree is not None and key is not None:
            self.tree.folder(prefix, key, make)
            return
        target = self.staging.path(prefix.rstrip("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        make(target)

    def write_chunks(self, route: str, chunks: Iterable[str | bytes]) -> str:
        """Write a large file piece by piece (open data), never holding it whole; its SHA-256."""
        return self.staging.write_chunks(route, chunks)

    def recorded(self, route: str) -> tuple[int, str]:
        """The size and SHA-256 of a file this build placed in the output tree (one a kept group brought)."""
        record = self.tree.written.get(route) if self.tree is not None else None
        if record is None:
            raise KeyError(route)
        if not record.digest:  # the tree records every digest; read the file should one be missing
            with open(self.staging.path(route), "rb") as handle:
                return record.stat[0], hashlib.file_digest(handle, "sha256").hexdigest()
        return record.stat[0], record.digest

