"""Loading a site folder's content/ into the model, collecting every problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from builder.articles import read_page, read_warning
from builder.codes import say
from builder.complaints import read_period_file
from builder.errors import Message, Problems
from builder.markup import MarkdownRenderer
from builder.model import Article, PeriodFile, RankingFile, Taxonomy
from builder.privacy import Masked, mask_personal_data
from builder.rankingfile import read_ranking_file
from builder.source import SourceError, decode, parse_yaml, split_front_matter
from builder.taxonomy import read_taxonomy

T = TypeVar("T")
P = TypeVar("P")
MAX_FILE_BYTES = 16 * 1024 * 1024


class ContentReader:
    """Reads the files of one site folder with shared options (encoding, masking)."""

    def __init__(self, site_dir: Path, problems: Problems, encoding: str = "utf-8",
                 mask_personal: bool = False) -> None:
        self.site_dir = site_dir
        self.problems = problems
        self.encoding = encoding
        self.mask_personal = mask_personal
        self.renderer = MarkdownRenderer()
        self.masked: list[Masked] = []

    def shown(self, path: Path) -> str:
        """A path as shown in messages: relative to the site folder."""
        try:
            return path.relative_to(self.site_dir).as_posix()
        except ValueError:
            return path.as_posix()

    def text(self, path: Path) -> str | None:
        """A file's text after the personal-data check (or masking); None after a problem."""
        shown = self.shown(path)
        unsafe = self.unsafe_path(path)
        if unsafe:
            self.problems.add(shown, 1, 1, "file", unsafe)
            return None
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                self.problems.add(shown, 1, 1, "file", say("GS102", "file is {size:.1f} MB; at most {limit} MB are "
                                                                    "read: split it", size=size / 1024 / 1024,
                                                           limit=MAX_FILE_BYTES // 1024 // 1024))
                return None
            text = decode(path.read_bytes(), self.encoding)
        except OSError as exc:
            self.problems.add(shown, 1, 1, "file", say("GS102", "cannot read file: {reason}", reason=exc.strerror))
            return None
        except SourceError as exc:
            self.problems.add(shown, exc.line, exc.column, exc.field, exc.message)
            return None
        masked, findings = mask_personal_data(text)
        if self.mask_personal:
            self.masked.extend(Masked(shown, f.line, f.column, f.kind) for f in findings)
            return masked
        for finding in findings:
            self.problems.add(shown, finding.line, finding.column, "personal data",
                              say("GS501", "unmasked {what}; mask it (e.g. 139****5678) or build with "
                                           "--mask-personal-data", what=finding.description))
        # Later messages about this file quote the masked text, never the personal data itself.
        return masked

    def unsafe_path(self, path: Path) -> Message | None:
        """Why a content path must not be read (a folder, a link leaving the site), or None."""
        if path.is_dir():
            return say("GS103", "this is a folder, not a file; rename it or move it out of content/")
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return say("GS103", "this is a broken or looping link; replace it by the file itself")
        if not resolved.is_relative_to(self.site_dir.resolve()):
            return say("GS103", "this is a link to a file outside the site folder; copy the file into the site "
                                "instead")
        if not resolved.is_file():
            return say("GS103", "this is not a regular file")
        return None

    def _read_files(self, paths: list[Path], parse: Callable[[str], P],
                    read: Callable[[P, Path, str], T | None]) -> list[T]:
        """Read, check, parse and turn each file into a record, recording every problem on the way."""
        results: list[T] = []
        for path in paths:
            text = self.text(path)
            if text is None:
                continue
            shown = self.shown(path)
            if not text.strip():
                self.problems.add(shown, 1, 1, "file", say("GS108", "file is empty"))
                continue
            try:
                parsed = parse(text)
            except SourceError as exc:
                self.problems.add(shown, exc.line, exc.column, exc.field, exc.message)
                continue
            record = read(parsed, path, shown)
            if record is not None:
                results.append(record)
        return results

    def yaml_files(self, folder: str, read: Callable[[object, str], T | None]) -> list[T]:
        """Parse and read every *.yaml / *.yml file of a content folder, in name order."""
        directory = self.site_dir / "content" / folder
        if not directory.is_dir():
            return []
        paths = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
        return self._read_files(paths, parse_yaml, lambda data, _path, shown: read(data, shown))

    def markdown_files(self, folder: str, kind: str) -> list[Article]:
        """Read every Markdown file of content/<folder> as warnings or pages."""
        directory = self.site_dir / "content" / folder
        if not directory.is_dir():
            return []
        read = read_warning if kind == "warning" else read_page
        return self._read_files(sorted(directory.glob("*.md")), split_front_matter,
                                lambda doc, path, shown: read(doc, path.stem, shown, self.problems, self.renderer))

    def taxonomy(self) -> Taxonomy:
        """Read content/taxonomy.yaml when present."""
        path = self.site_dir / "content" / "taxonomy.yaml"
        if not (path.exists() or path.is_symlink()):
            return Taxonomy()
        found = self._read_files([path], parse_yaml,
                                 lambda data, _path, shown: read_taxonomy(data, shown, self.problems))
        return found[0] if found else Taxonomy()

def load_content(reader: ContentReader) -> tuple[Taxonomy, list[PeriodFile], list[RankingFile],
                                                 list[Article], list[Article]]:
    """Read taxonomy, complaint summaries, rankings, warnings and pages."""
    taxonomy = reader.taxonomy()
    periods = reader.yaml_files(
        "complaints", lambda data, shown: read_period_file(data, shown, reader.problems, taxonomy))
    rankings = reader.yaml_files("rankings", lambda data, shown: read_ranking_file(data, shown, reader.problems))
    warnings = reader.markdown_files("warnings", "warning")
    pages = reader.markdown_files("pages", "page")
    return taxonomy, periods, rankings, warnings, pages
