"""The page plan: every route of the site, rendered and written one at a time."""

from __future__ import annotations

import datetime as dt
import functools
import math
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from builder import datapackage, feeds, opendata
from builder.attachments import publish_files
from builder.derived import Merchant
from builder.folderprocess import Child, FolderProcess
from builder.lookup import lookup_records, period_labels, write_lookup_files
from builder.model import WARNING_TYPES, warning_type_url
from builder.output import Staging, fresh_folder
from builder.pageoutput import PageOutput
from builder.render import Renderer
from builder.sitemodel import Site
from builder.textindex import text_records, write_index

PARALLEL_PAGES = 2000  # merchants from which half of their pages are rendered by a child process
LOOKUP = "search/lookup/"
TEXT = "search/text/"
PAGE_SIZE = 50
PAGER_WINDOW = 5  # pages linked either side of the current one
T = TypeVar("T")
GROUP_TITLES = {"district": "{}的经营者", "category": "行业类别：{}", "letter": "拼音首字母 {}"}


@dataclass(frozen=True)
class PageLink:
    """A link to one page of a paginated listing."""

    number: int
    url: str


def paginate(items: Sequence[T], size: int = PAGE_SIZE) -> list[Sequence[T]]:
    """Split a listing into pages (at least one, possibly empty)."""
    count = max(1, math.ceil(len(items) / size))
    return [items[i * size:(i + 1) * size] for i in range(count)]


def pager_links(base: str, number: int, count: int, window: int = PAGER_WINDOW) -> list[PageLink]:
    """The pages a pager links from page `number` of `count`: the first, the last and `window` either side.

    Every page linking every other grows with the square of the listing (100,000 merchants are 2,000 pages).
    """
    shown = sorted({1, count, *range(max(1, number - window), min(count, number + window) + 1)})
    return [PageLink(n, page_route(base, n)) for n in shown]


def page_route(base: str, number: int) -> str:
    """The folder route of page `number` of a listing rooted at `base` (e.g. `merchants/`)."""
    return base if number == 1 else f"{base}page/{number}/"


class PageWriter:
    """Renders each route into the staging folder and remembers routes for the sitemap."""

    def __init__(self, site: Site, renderer: Renderer, staging: Staging, output: PageOutput | None = None) -> None:
        self.site = site
        self.renderer = renderer
        self.staging = staging
        self.output = output if output is not None else PageOutput(staging, renderer)
        self.routes: list[tuple[str, dt.date | None]] = []
        self.count = 0
        self.search_files: dict[str, tuple[Any, Callable[[Path, Any], object]]] = {}
        self.search_keys: dict[str, str | None] = {}
        self.search_process: FolderProcess | None = None
        # where the warnings' pages (`warning_pages`) are among `routes`, the output's other pages and the count:
        # what warningsbuild.py replaces when only the warnings changed
        self.warning_marks: tuple[slice, slice, int] | None = None

    def page(self, folder: str, template: str, column: str, title: str, modified: dt.date | None,
             **context: Any) -> None:
        """Render one page into `<folder>index.html` (or keep it from the last build: pageoutput.py)."""
        route = f"{folder}index.html"
        self.output.page(route, template, dict(column=column, title=title, modified=modified, **context))
        self.routes.append((folder, modified))
        self.count += 1

    def listing(self, base: str, items: Sequence[T], template: str, column: str, title: str,
                modified: dt.date | None, **context: Any) -> None:
        """A paginated listing."""
        pages = paginate(items)
        for number, chunk in enumerate(pages, start=1):
            shown = title if number == 1 else f"{title}（第{number}页）"
            self.page(page_route(base, number), template, column, shown, modified, items=chunk,
                      page_number=number, page_links=pager_links(base, number, len(pages)), total=len(items),
                      **context)

    def write_all(self, theme_dirs: list[Path]) -> None:
        """Write every page, the open data, feed, sitemap, 404 page and static assets."""
        try:
            self.write_pages(theme_dirs)
        finally:
            if self.search_process is not None:
                self.search_process.stop()  # (done unless the build failed)
                shutil.rmtree(self.search_process.jobs[0][1].parent, ignore_errors=True)

    def start_search_files(self) -> None:
        """Work out the search page's own indexes (the lookup of names and codes, the merchants' full text) and,
        unless the last build's are kept, start writing them in a process of their own (folderprocess.py): they
        take a few seconds at 10,000 merchants, which the rendering then spends on the other core."""
        site = self.site
        # Each is keyed by what it is made from: the lookup's records (merchants, periods, warnings) with the
        # periods' labels and the editors' synonyms its manifest lists, the merchants themselves for the full text
        # (their records are worked out only when it is written).
        self.search_files = {
            LOOKUP: ((lookup_records(site), period_labels(site), site.content.taxonomy.synonyms),
                     lambda folder, inputs: write_lookup_files(folder, *inputs)),
            TEXT: (site.merchants, lambda folder, merchants: write_index(folder, text_records(merchants))),
        }
        self.search_keys = {prefix: self.output.folder_key((inputs,))
                            for prefix, (inputs, _write) in self.search_files.items()}
        wanted = [prefix for prefix in self.search_files if not self.output.keeps(prefix, self.search_keys[prefix])]
        self.search_process = None
        if wanted and Child.possible():
            beside = self.staging.path("search")
            beside.mkdir(parents=True, exist_ok=True)
            temporary = fresh_folder(beside, ".new-")
            jobs = [(prefix, temporary / str(n), functools.partial(self.write_search_files, prefix))
                    for n, prefix in enumerate(wanted)]
            self.search_process = FolderProcess(jobs)

    def write_search_files(self, prefix: str, folder: Path) -> None:
        """Write one of the search page's own indexes into `folder`."""
        records, write = self.search_files[prefix]
        write(folder, records)

    def write_pages(self, theme_dirs: list[Path]) -> None:
        """Write every page, the open data, feed, sitemap, 404 page and static assets."""
        site = self.site
        updated = site.updated
        self.home(updated)
        self.merchants(updated)
        self.period_pages(updated)
        self.ranking_pages()
        others = getattr(self.output, "other_pages", [])
        marks = (len(self.routes), len(others), self.count)
        self.warning_pages()
        self.warning_marks = (slice(marks[0], len(self.routes)), slice(marks[1], len(others)), self.count - marks[2])
        self.site_pages(updated)
        publish_files([*site.warnings, *site.pages], self.staging)  # only files that published pages name
        self.statistics(updated)
        self.page("search/", "search.html", "搜索", "搜索", updated)
        self.open_data(updated)
        self.not_found()
        self.staging.write("feed.xml", feeds.atom(site.content.config, site.warnings))
        self.staging.write("sitemap.xml", feeds.sitemap(site.content.config.base_url, self.routes))
        for directory in reversed(theme_dirs):
            if (directory / "static").is_dir():
                self.staging.copy_tree(directory / "static", "assets")
        self.lookup()  # last: the process writing them (start_search_files) has had the rest of the pages' time

    def lookup(self) -> None:
        """The search page's own indexes: names and codes (lookup.py), the merchants' full text (textindex.py)."""
        for prefix in self.search_files:
            self.output.folder(prefix, self.search_keys[prefix], functools.partial(self.search_folder, prefix))

    def search_folder(self, prefix: str, folder: Path) -> None:
        """Fill a new folder with one of the search page's own indexes: the one the process wrote, else now."""
        process = self.search_process
        written = [job[1] for job in process.jobs if job[0] == prefix] if process is not None else []
        if process is None or not written:
            self.write_search_files(prefix, folder)
            return
        process.wait()
        if folder.exists():
            folder.rmdir()
        os.replace(written[0], folder)

    def merchant_pages(self, merchants: Sequence[Merchant]) -> None:
        """One page per merchant: on a large site the second half in a forked child, on the other core."""
        half = len(merchants) // 2
        child = self.output.beside(lambda: self.merchant_pages_of(merchants[half:])) \
            if len(merchants) >= PARALLEL_PAGES else None
        try:
            self.merchant_pages_of(merchants[:half] if child is not None else merchants)
            if child is not None:
                if self.output.join(child):
                    self.count += len(merchants) - half
                    self.routes += [(m.url, m.latest.period.end) for m in merchants[half:]]
                else:  # the child failed: its pages are rendered here, where what failed is reported
                    self.merchant_pages_of(merchants[half:])
        finally:
            if child is not None:
                child.stop()

    def merchant_pages_of(self, merchants: Sequence[Merchant]) -> None:
        """Place the pages of these merchants."""
        site = self.site
        for merchant in merchants:
            self.page(merchant.url, "merchant.html", "经营者", merchant.name, merchant.latest.period.end,
                      merchant=merchant, placements=site.placements.get(merchant.key, ()),
                      warnings=site.warnings_about.get(merchant.key, ()))

    def home(self, updated: dt.date | None) -> None:
        """The home page: latest totals, lists and warnings."""
        site = self.site
        self.page("", "home.html", "首页", site.content.config.title, updated,
                  latest=site.periods[0] if site.periods else None,
                  ranking=site.rankings[0] if site.rankings else None, warnings=site.warnings[:5])

    def merchants(self, updated: dt.date | None) -> None:
        """The directory (by name, by complaints, by district, category and initial) and one page per merchant."""
        site = self.site
        directory = site.directory
        start = len(self.routes)
        self.merchant_pages(site.merchants)
        del self.routes[start:]
        self.start_search_files()  # beside the rest of the pages: half of the merchant pages had the other core
        self.listing("merchants/", site.merchants, "merchants.html", "经营者名录", "经营者名录", updated,
                     order="name", directory=directory)
        self.listing("merchants/by-complaints/", directory.by_complaints, "merchants.html", "经营者名录",
                     "经营者名录（按投诉量）", updated, order="complaints", directory=directory)
        for kind, chosen in directory.groups.items():
            for group in chosen:
                self.listing(group.url, group.merchants, "merchants.html", "经营者名录",
                             GROUP_TITLES[kind].format(group.shown), updated, order=kind, directory=directory,
                             current=group)
        # The sitemap lists them after the directory, in its order, however they were rendered.
        self.routes += [(m.url, m.latest.period.end) for m in site.merchants]

    def period_pages(self, updated: dt.date | None) -> None:
        """The list of periods and each period's disclosure list."""
        site = self.site
        self.page("periods/", "periods.html", "公示信息", "公示信息", updated, periods=site.periods)
        for view in site.periods:
            self.page(view.url, "period.html", "公示信息", f"{view.period.label}消费投诉信息公示",
                      view.source.published, view=view)

    def ranking_pages(self) -> None:
        """The rankings overview and one page per ranking period."""
        site = self.site
        updated = site.rankings[0].source.effective if site.rankings else None
        config = site.content.config.rankings
        self.page("rankings/", "rankings.html", "红黑榜", f"{config.top_label}{config.bottom_label}", updated,
                  rankings=site.rankings)
        for ranking in site.rankings:
            self.page(ranking.url, "ranking.html", "红黑榜",
                      f"{ranking.period.label}{config.top_label}{config.bottom_label}", ranking.source.effective,
                      ranking=ranking)

    def statistics(self, updated: dt.date | None) -> None:
        """The statistics overview (trend, hot spots, latest period) and one page per period."""
        stats = self.site.statistics
        self.page("statistics/", "statistics.html", "统计分析", "统计分析", updated, stats=stats.periods,
                  trend=stats.trend, categories=stats.categories)
        for category in stats.categories.rows if stats.categories else ():
            self.page(category.url, "statistics_category.html", "统计分析", f"{category.label}：各期统计", updated,
                      category=category)
        for one in stats.periods:
            self.page(one.view.stats_url, "statistics_period.html", "统计分析", f"{one.view.period.label}统计分析",
                      one.view.source.published, s=one)

    def warning_pages(self) -> None:
        """The warnings listing (all and per type) and each article."""
        site = self.site
        updated = site.warnings[0].date if site.warnings else None
        self.listing("warnings/", site.warnings, "warnings.html", "消费警示", "消费警示", updated, kind="", tag=None)
        for kind in WARNING_TYPES:
            chosen = [w for w in site.warnings if w.kind == kind]
            self.listing(warning_type_url(kind), chosen, "warnings.html", "消费警示", kind, updated, kind=kind,
                         tag=None)
        for tag in site.tags.values():
            self.listing(tag.url, tag.warnings, "warnings.html", "消费警示", f"标签：{tag.label}", tag.warnings[0].date,
                         kind="", tag=tag)
        for warning in site.warnings:
            self.page(warning.url, "article.html", "消费警示", warning.title, warning.date,
                      article=warning, related=site.related.get(warning.slug, ()))

    def site_pages(self, updated: dt.date | None) -> None:
        """The site's own pages (content/pages/)."""
        for article in self.site.pages:
            self.page(article.url, "article.html", article.title, article.title, updated, article=article,
                      related=())

    def open_data(self, updated: dt.date | None) -> None:
        """Both open-data tables (whole and per period), their Data Package, and the page describing them.

        The tables are streamed (100,000 merchants are several hundred thousand rows) and each group of files
        is kept whole when its periods are unchanged; a kept file's size and SHA-256 come from the output
        tree's records, so the page and datapackage.json describe the files as published.
        """
        site = self.site
        groups = opendata.plan(site)
        by_prefix: dict[str, list[opendata.DataFile]] = {}
        # Each period's files first: the whole tables are joined from them (opendata.write_group).
        for group in sorted(groups, key=lambda g: not g.files[0].period):
            made: list[opendata.DataFile] = []

            def produce(group: opendata.DataGroup = group, made: list[opendata.DataFile] = made) -> None:
                made.extend(opendata.write_group(site, group, self.output.write_chunks, self.staging.path))

            self.output.group(group.prefix, (opendata.group_inputs(group), site.content.config.base_url), produce)
            by_prefix[group.prefix] = made or [replace(f, size=size, sha256=digest) for f in group.files
                                               for size, digest in [self.output.recorded(f"data/{f.path}")]]
        files = [f for group in groups for f in by_prefix[group.prefix]]
        for route, text in datapackage.schemas().items():
            self.staging.write(f"data/{route}", text)
        described = datapackage.package(site.content.config, files, updated)
        self.staging.write("data/datapackage.json", datapackage.dumps(described))
        whole = {f.path: f for f in files if not f.period}
        per_period = [(view, {f.path.rsplit("/", 1)[1]: f for f in files if f.period == view.period.key})
                      for view in site.periods]
        self.page("data/", "data.html", "开放数据", "开放数据", updated, whole=whole, per_period=per_period,
                  tables=opendata.TABLES, license=site.content.config.data_license)

    def not_found(self) -> None:
        """404.html, linked from the site's root path because it is served at any depth."""
        root_path = urlsplit(self.site.content.config.base_url).path or "/"
        html = self.renderer.render("404.html", "404.html", root=root_path, column="404", title="页面未找到",
                                    modified=None)
        self.staging.write("404.html", html)
        self.count += 1
