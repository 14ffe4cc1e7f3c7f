"""The Jinja2 environment: theme lookup, filters, and rendering one page."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, MutableMapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup, escape

from builder.buildcache import BuildCache, tool_digest
from builder.charts import bar_chart
from builder.errors import Message, Problem
from builder.model import WARNING_TYPES, warning_type_url
from builder.scoring import FIGURES, round_half_up
from builder.stats import Breakdown, HotTable, Matrix

# The built-in themes: builder/themes in an installed package, themes/ beside builder/ in the repository.
_INSTALLED_THEMES = Path(__file__).resolve().parent / "themes"
BUILTIN_THEMES = _INSTALLED_THEMES if _INSTALLED_THEMES.is_dir() else Path(__file__).resolve().parent.parent / "themes"


# Images the templates show by name (favicon, 党政机关网站标识, 网站纠错): each is the file of that name in the first
# theme folder that has one, in whatever format it has there (PNG first). The built-in theme's are PNG: a phone
# draws a PNG off the page's main thread, while an SVG image is a document of its own, its text laid out in a
# CJK font (≈ 85 ms of a search page's main thread opened cold at CPU ÷4, before its answer).
THEME_IMAGES = ("favicon", "dzjg", "jiucuo")
IMAGE_FORMATS = (".png", ".svg", ".ico", ".webp", ".jpg", ".gif")


def theme_images(dirs: list[Path]) -> dict[str, str]:
    """The file name under assets/ of each of THEME_IMAGES: a site's own image, in any of IMAGE_FORMATS, comes
    before the built-in one (its name as before, e.g. favicon.svg, still replaces it)."""
    found: dict[str, str] = {}
    for stem in THEME_IMAGES:
        names = (f"{stem}{ext}" for folder in dirs for ext in IMAGE_FORMATS
                 if (folder / "static" / f"{stem}{ext}").is_file())
        found[stem] = next(names, f"{stem}.png")
    return found


def theme_dirs(site_dir: Path, theme: str) -> list[Path]:
    """Theme folders in lookup order: the site's own, then the built-in one."""
    dirs = [site_dir / "themes" / theme, BUILTIN_THEMES / theme, BUILTIN_THEMES / "default"]
    unique: list[Path] = []
    for path in dirs:
        if path.is_dir() and path.resolve() not in [p.resolve() for p in unique]:
            unique.append(path)
    return unique


def rate(numerator: int | None, denominator: int | None) -> str:
    """A percentage with one decimal, or — when the denominator is 0 or unknown."""
    if not denominator or numerator is None:
        return "—"
    return f"{100 * numerator / denominator:.1f}%"


def number(value: float | int | None) -> str:
    """A number with thousands separators; whole floats lose their .0."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")


def fixed(value: float | Fraction | Decimal | None, places: int) -> str:
    """A number with exactly `places` decimals, rounded half up (四舍五入), or — for None."""
    if value is None:
        return "—"
    exact_value = value if isinstance(value, Fraction) else Fraction(repr(value) if isinstance(value, float) else value)
    return format(round_half_up(exact_value, places), "f")


def chinese_date(value: dt.date | None) -> str:
    """A date as 2026年9月2日."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def change(current: int, previous: int | None) -> str:
    """Change against the previous period, e.g. +3, −2, 0, or — without a previous period."""
    if previous is None:
        return "—"
    delta = current - previous
    return f"+{delta}" if delta > 0 else ("0" if delta == 0 else f"−{-delta}")


STATUS_LABELS = {"active": "", "under_review": "复核中", "corrected": "已更正", "withdrawn": "已撤回"}


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates kept for the next build in the same process (the live preview rebuilds often).

    Jinja checks each entry against the checksum of the template's source, so an edited template is
    compiled anew; a single `gongshi build` starts empty and gains nothing, loses nothing.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket from memory, if this template was compiled before."""
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a newly compiled template."""
        self.store[bucket.key] = bucket.bytecode_to_string()


COMPILED = MemoryBytecodeCache()


class CachedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in memory (`COMPILED`) and in the build cache, for the next `gongshi build`: compiling
    the theme takes a tenth of a second, which a rebuild of a few pages (warningsbuild.py) would spend at each edit.

    The build cache signs what it keeps (compiled code is run). Jinja checks each entry against the checksum of the
    template's source; what it compiles to depends on Jinja's version and this tool too (its code generator, its
    settings), so the entries are named by both. `used`: the entries of this build (a full build keeps only those).
    """

    FOLDER = "compiled"

    def __init__(self, cache: BuildCache) -> None:
        self.cache = cache
        self.prefix = f"{tool_digest()[:16]}-{jinja2.__version__}-"
        self.used: set[str] = set()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Fill the bucket from memory, else from the build cache."""
        name = self.prefix + bucket.key
        self.used.add(name)
        data = COMPILED.store.get(bucket.key)
        if data is None:
            data = self.cache.load(f"{self.FOLDER}/{name}")
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)  # (one that does not fit its template's source is compiled anew)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep a newly compiled template in memory and in the build cache."""
        COMPILED.dump_bytecode(bucket)
        self.cache.save(f"{self.FOLDER}/{self.prefix}{bucket.key}", bucket.bytecode_to_string(), plain=True)


def chart(chart_id: str, table: Breakdown | HotTable | Matrix) -> Markup:
    """The bar chart of a statistics table."""
    labels, series = table.series()
    return bar_chart(chart_id, table.chart_title, labels, series)


def escape_output(value: object) -> str:
    """What `{{ value }}` writes under autoescape: markupsafe.escape's text, without a Markup object per value.

    A page writes hundreds of values; most are plain text with nothing to escape, or integers. Text is
    escaped as markupsafe does it (`&amp; &lt; &gt; &#39; &#34;`), an int written as it is (digits and a
    sign), anything else (Markup, None, floats, objects with `__html__`) goes through markupsafe.escape.
    """
    kind = type(value)
    if kind is str:
        text = str(value)
        if "&" in text or "<" in text or ">" in text or "'" in text or '"' in text:
            return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
                    .replace('"', "&#34;"))
        return text
    if kind is int:
        return str(value)
    return escape(value)


class FastTemplate(jinja2.Template):
    """A template whose output expressions escape with `escape_output` (the same text, less work)."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: CodeType,
                  globals: MutableMapping[str, Any],  # noqa: A002 (Jinja's own name for it)
                  uptodate: Callable[[], bool] | None = None) -> jinja2.Template:
        """The compiled template, its module's `escape` (which autoescaped output calls) replaced."""
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = escape_output
        return template


def make_environment(dirs: list[Path], cache: BuildCache | None = None) -> jinja2.Environment:
    """One Environment for the whole build: autoescaped, strict about undefined names (`cache`: where compiled
    templates are kept between builds; see `CachedBytecode`)."""
    env = jinja2.Environment(
        bytecode_cache=COMPILED if cache is None else CachedBytecode(cache),
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Each build makes its own Environment: the templates it has loaded need no look at their files'
        # times at every page (an `extends` or `import` looked up 11,000 times at 10,000 merchants).
        auto_reload=False,
    )
    env.template_class = FastTemplate
    env.filters.update(number=number, cdate=chinese_date, fixed=fixed)
    env.globals.update(rate=rate, change=change, status_label=STATUS_LABELS.get, chart=chart,
                       warning_types=WARNING_TYPES, warning_type_url=warning_type_url, figures=FIGURES,
                       theme_images=theme_images(dirs))
    return env


class Renderer:
    """Renders templates with the site-wide context and a page's own."""

    def __init__(self, env: jinja2.Environment, common: dict[str, Any]) -> None:
        self.env = env
        self.common = common
        self._templates: dict[str, jinja2.Template] = {}

    def render(self, template: str, route: str, root: str | None = None, **context: Any) -> str:
        """Render a template for a route (e.g. `merchants/X/index.html`) with links relative to it."""
        if template not in self._templates:
            self._templates[template] = self.env.get_template(template)
        if root is None:
            root = "../" * route.count("/")
        return self._templates[template].render(self.common, root=root, route=route, **context)


def template_problem(exc: jinja2.TemplateError, site_dir: Path) -> Problem:
    """A theme template's error as a Problem at the template's file and line (from the traceback)."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not filename:
        trace = exc.__traceback__
        while trace is not None:
            code = trace.tb_frame.f_code
            if code.co_filename.endswith(".html") and Path(code.co_filename).is_file():
                filename, line = code.co_filename, trace.tb_lineno
            trace = trace.tb_next
    shown = filename or "themes"
    with contextlib.suppress(ValueError):
        shown = Path(shown).resolve().relative_to(site_dir.resolve()).as_posix()
    return Problem(shown, line or 1, 1, "template", Message("GS801", f"{type(exc).__name__}: {exc.message or exc}"))


def template_site_uses(env: jinja2.Environment) -> dict[str, frozenset[str]] | None:
    """The attributes of `site` each template reads, itself or through the templates it extends, includes or
    imports (a name worked out while rendering: any template's); None when a template uses `site` otherwise.

    A page's key covers only the attributes its own template reads (pageoutput.PageKeys): a new tag, which only
    the warnings' templates show, leaves the merchants' pages their keys.
    """
    own: dict[str, set[str]] = {}
    refs: dict[str, set[str | None]] = {}
    for name in env.list_templates(filter_func=lambda n: not n.startswith(".")):
        try:
            source = env.loader.get_source(env, name)[0] if env.loader is not None else ""
            tree = env.parse(source)
        except (jinja2.TemplateError, OSError, UnicodeDecodeError):
            return None
        own[name] = set()
        if not _site_uses(tree, None, own[name]):
            return None
        refs[name] = set(jinja2.meta.find_referenced_templates(tree))
    every = frozenset().union(*own.values())
    return {name: _reached_uses(name, own, refs, every) for name in own}


def _reached_uses(name: str, own: dict[str, set[str]], refs: dict[str, set[str | None]],
                  every: frozenset[str]) -> frozenset[str]:
    """What `name` and the templates it reaches read of `site` (`every` when one is named at render time or is
    not among the templates)."""
    seen, todo, used = {name}, [name], set(own[name])
    while todo:
        for ref in refs[todo.pop()]:
            if ref is None or ref not in own:
                return every
            if ref not in seen:
                seen.add(ref)
                todo.append(ref)
                used |= own[ref]
    return frozenset(used)


def _site_uses(node: jinja2.nodes.Node, parent: jinja2.nodes.Node | None, used: set[str]) -> bool:
    """Collect `site.<attribute>` reads under a node; False when `site` appears in any other way."""
    if isinstance(node, jinja2.nodes.Name) and node.name == "site":
        if isinstance(parent, jinja2.nodes.Getattr) and parent.node is node:
            used.add(parent.attr)
            return True
        return False
    return all(_site_uses(child, node, used) for child in node.iter_child_nodes())
