"""Whether a build would change nothing: the inputs' digest and the last build's output, checked before the renderer
is even loaded (the command line asks here first: a build that finds nothing to do should take a moment)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from builder.buildcache import BuildCache, tool_digest
from builder.buildreport import BuildOptions, BuildReport
from builder.disclosure import resolve_as_of, write_audit
from builder.errors import SearchIndexError
from builder.fingerprint import Digester, digest
from builder.output import check_output_dir
from builder.outputtree import TreeManifest, load_manifest, output_manifest, verify_tree
from builder.pagefindbinary import pagefind_binary
from builder.trash import delete_pending, empty_trash


@dataclass(frozen=True)
class UpToDate:
    """What `up_to_date` found: the last build's report when nothing changed (else None), and the inputs' digests."""

    report: BuildReport | None
    build_key: str
    data_key: str = ""  # the digest of every input but the warnings (`input_keys`)
    manifest: TreeManifest | None = None  # the output's manifest as it was found (the build need not load it again)


def up_to_date(options: BuildOptions) -> UpToDate:
    """The last build's report again when its inputs are the same and its output is intact; the inputs' digest
    either way (for `build.build`, which need not read every input again)."""
    started = time.perf_counter()
    build_key, data_key = input_keys(options)
    if options.clean or check_output_dir(options.site_dir, options.output):  # (the build reports an unsafe output)
        return UpToDate(None, build_key, data_key)
    cache = BuildCache.open(options.site_dir)
    manifest = load_manifest(cache, output_manifest(options.output), options.output)
    done = unchanged(options, build_key, manifest)
    if done is not None:
        empty_trash(options.site_dir / ".gongshi" / "trash")  # what earlier builds could not finish deleting
        delete_pending()
        done.seconds = time.perf_counter() - started
    return UpToDate(done, build_key, data_key, manifest)


def options_key(options: BuildOptions) -> str:
    """What of the options changes the output (the output and audit places do not)."""
    return digest(page_options_key(options), str(options.search))


def page_options_key(options: BuildOptions) -> str:
    """What of the options changes the pages and their groups of files: not `search`, which only decides whether
    Pagefind indexes them (so the preview, which indexes in the background, links the pages of `gongshi build`)."""
    return digest(str(options.strict), options.encoding, str(options.mask_personal_data))


def input_keys(options: BuildOptions) -> tuple[str, str]:
    """A digest of everything a build reads: the tool, the options, the as-of date and every input file (read
    one at a time: at 100,000 merchants the inputs are 250 MB); and a digest of the same parts but the warnings'
    Markdown files (content/warnings/*.md): when only that one changed, warningsbuild.py may rebuild only what the
    warnings reach. One reading of the inputs."""
    whole, data = Digester(), Digester()
    for part, warning in _tagged_parts(options):
        whole.update(part)
        if not warning:
            data.update(part)
    return whole.hexdigest(), data.hexdigest()


def is_warning_file(route: str) -> bool:
    """Whether an input (its path from the site folder) is a warning's Markdown file."""
    return route.startswith("content/warnings/") and route.endswith(".md") and route.count("/") == 2


def _tagged_parts(options: BuildOptions) -> Iterator[tuple[str | bytes, bool]]:
    """What `input_keys` digests, in order, each with whether it is of a warning's Markdown file."""
    try:
        as_of = resolve_as_of(options.as_of, os.environ, dt.date.today()).isoformat()
    except ValueError as exc:
        as_of = f"invalid: {exc}"
    yield from ((part, False) for part in (tool_digest(), options_key(options), as_of))
    if options.search:
        try:
            binary = pagefind_binary()
            stat = binary.stat()
            yield f"{binary}:{stat.st_size}:{stat.st_mtime_ns}", False  # another Pagefind: another index
        except (SearchIndexError, OSError):
            yield "no pagefind", False
    site_dir = options.site_dir
    for top in ("site.yaml", "content", "themes"):
        path = site_dir / top
        files = [path] if not path.is_dir() else sorted(p for p in path.rglob("*") if not p.is_dir())
        for found in files:
            route = found.relative_to(site_dir).as_posix()
            warning = is_warning_file(route)
            yield route, warning
            try:
                yield found.read_bytes(), warning
            except OSError as exc:
                yield f"unreadable: {exc.errno}", warning


def summary(report: BuildReport, audit: str) -> dict[str, object]:
    """What a later build that finds nothing changed reports again."""
    return {"report": replace(report, site=None, seconds=0.0, rendered=0, kept=report.pages, origins={}),
            "audit": audit}


def unchanged(options: BuildOptions, build_key: str, manifest: TreeManifest | None) -> BuildReport | None:
    """The last build's report when its inputs are the same and its output (`manifest`: its, as loaded) is intact
    (else None: build)."""
    if not isinstance(manifest, TreeManifest) or manifest.build_key != build_key:
        return None
    last, audit = manifest.summary.get("report"), manifest.summary.get("audit")
    if not isinstance(last, BuildReport) or not isinstance(audit, str) or not verify_tree(options.output, manifest):
        return None
    write_audit(options.audit, audit)
    return replace(last, up_to_date=True)
