"""Loading a site folder's content/ into the model, collecting every problem."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

from builder import readahead
from builder.articles import read_page, read_warning
from builder.buildcache import BuildCache, tool_digest
from builder.codes import say
from builder.complaints import entry_digests, read_period_file
from builder.errors import Message, Problem, Problems
from builder.fingerprint import Fingerprints, digest
from builder.i18n import N_
from builder.markup import MarkdownRenderer
from builder.model import Article, PeriodFile, RankingFile, Taxonomy
from builder.output import static_entries
from builder.privacy import Masked, mask_personal_data
from builder.rankingfile import read_ranking_file
from builder.readahead import ReadAhead
from builder.source import SourceError, decode, parse_yaml, split_front_matter
from builder.taxonomy import read_taxonomy

T = TypeVar("T")
P = TypeVar("P")
MAX_FILE_BYTES = 16 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class FileRead:
    """What reading one file gave (kept in the build cache): its record, problems and masked findings."""

    record: object
    problems: tuple[Problem, ...]
    masked: tuple[Masked, ...]
    parts: tuple[str, ...] = ()  # a complaint file's entries: a digest of each one's own (complaints.entry_digests)


class ContentReader:
    """Reads the files of one site folder with shared options (encoding, masking)."""

    def __init__(self, site_dir: Path, problems: Problems, encoding: str = "utf-8",
                 mask_personal: bool = False, cache: BuildCache | None = None, trust_cache: bool = True,
                 progress: Callable[[str, int, int | None], None] | None = None,
                 parsed: Mapping[str, tuple[str, object]] | None = None) -> None:
        self.site_dir = site_dir
        self.problems = problems
        self.encoding = encoding
        self.mask_personal = mask_personal
        self.renderer = MarkdownRenderer()
        self.masked: list[Masked] = []
        self.cache = cache
        self.trust_cache = trust_cache  # False: read every file again (and store what it gives)
        self.used: set[str] = set()  # the cache entries this build read or wrote
        self.origins: dict[int, str] = {}  # id of a record -> its cache entry (what it was read from, exactly)
        self.progress = progress
        self.files_read = 0
        self.parsed = parsed or {}  # shown path -> (text, its parse_yaml tree), known beforehand (import)

    def shown(self, path: Path) -> str:
        """A path as shown in messages: relative to the site folder."""
        try:
            return path.relative_to(self.site_dir).as_posix()
        except ValueError:
            return path.as_posix()

    def data(self, path: Path) -> bytes | None:
        """A file's bytes, or None after a problem (a folder, a link leaving the site, too large, unreadable)."""
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
            return path.read_bytes()
        except OSError as exc:
            self.problems.add(shown, 1, 1, "file", say("GS102", "cannot read file: {reason}", reason=exc.strerror))
            return None

    def text(self, shown: str, data: bytes) -> str | None:
        """A file's text after the personal-data check (or masking); None after a problem."""
        try:
            text = decode(data, self.encoding)
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

    def check_theme_files(self, theme_dirs: Iterable[Path]) -> None:
        """Record a problem for each file of the site's own themes' static/ folders that cannot be published as it
        is (a broken or looping link, a link to a file outside that static/ folder), before anything is rendered:
        staging such a link was refused only after every page was rendered, and a broken one was skipped unsaid."""
        site = self.site_dir.resolve()
        for directory in theme_dirs:
            static = directory / "static"
            if not directory.resolve().is_relative_to(site) or not static.is_dir():
                continue  # the built-in themes are the tool's own
            inside = static.resolve()
            for path in static_entries(static):
                unsafe = self.unsafe_path(path)
                # Static files are copied as they are, unchecked: a link to content/ would publish its raw files.
                if unsafe is None and not path.resolve().is_relative_to(inside):
                    unsafe = say("GS103", "this is a link to a file outside {folder}; copy the file into it "
                                          "instead", folder=self.shown(static) + "/")
                if unsafe is not None:
                    self.problems.add(self.shown(path), 1, 1, "file", unsafe)

    def _read_files(self, paths: list[Path], parse: Callable[[str], P],
                    read: Callable[[P, Path, str], T | None], kind: str, depends: str = "") -> list[T]:
        """Read, check, parse and turn each file into a record, recording every problem on the way.

        With a cache, a file whose bytes, kind, place and `depends` (e.g. the taxonomy) were read before gives
        back that record and its problems without being parsed again; the last files of a long list may be read
        into the cache by a second process meanwhile (`readahead.py`).
        """
        ahead = self._read_ahead(paths, parse, read, kind, depends)
        try:
            return self._read_in_order(paths, parse, read, kind, depends, ahead)
        finally:
            if ahead is not None:
                ahead.close()

    def _read_in_order(self, paths: list[Path], parse: Callable[[str], P], read: Callable[[P, Path, str], T | None],
                       kind: str, depends: str, ahead: ReadAhead | None) -> list[T]:
        results: list[T] = []
        for path in paths:
            self.files_read += 1
            if self.progress is not None:
                self.progress(N_("reading files"), self.files_read, None)
            data = self.data(path)
            if data is None:
                continue
            shown = self.shown(path)
            name = self._entry_name(kind, shown, data, depends)
            trusted = self.trust_cache
            if ahead is not None and path in ahead.paths:
                trusted = trusted or name in ahead.written()  # read by the child for this very build
            cached = self.cache.load(name) if self.cache is not None and name and trusted else None
            if isinstance(cached, FileRead):
                for problem in cached.problems:
                    self.problems.add(problem.path, problem.line, problem.column, problem.field, problem.message,
                                      problem.severity)
                self.masked.extend(cached.masked)
                self.used.add(name)
                if cached.record is not None:
                    results.append(cast(T, cached.record))
                    self.origins[id(cached.record)] = name
                    self._note_parts(cached)
                continue
            found = self._read_recorded(path, shown, data, parse, read, self._basis(kind, shown, depends))
            record = cast(T, found.record)
            if self.cache is not None and name:
                self.cache.save(name, found, later=True)
                self.used.add(name)
            if record is not None:
                results.append(record)
                if name:
                    self.origins[id(record)] = name
                    self._note_parts(found)
        return results

    def _note_parts(self, found: FileRead) -> None:
        """Record what each entry of a complaint file was read from, on its own (see `FileRead.parts`)."""
        entries = getattr(found.record, "entries", ())
        if found.parts and len(found.parts) == len(entries):
            for entry, part in zip(entries, found.parts, strict=True):
                self.origins[id(entry)] = part

    def _read_ahead(self, paths: list[Path], parse: Callable[[str], P], read: Callable[[P, Path, str], T | None],
                    kind: str, depends: str) -> ReadAhead | None:
        """A child process reading the last of these files into the cache, or None (too few bytes, no cache)."""
        if self.cache is None or len(paths) < 2:
            return None
        sizes = []
        for path in paths:
            try:
                sizes.append(path.stat().st_size)
            except OSError:
                sizes.append(0)
        count = readahead.child_share(sizes)
        if not count:
            return None
        return readahead.start(paths[-count:], lambda path: self._read_into_cache(path, parse, read, kind, depends))

    def _read_into_cache(self, path: Path, parse: Callable[[str], P], read: Callable[[P, Path, str], T | None],
                         kind: str, depends: str) -> str | None:
        """(In the read-ahead child) read one file as `_read_in_order` would and store it: its cache entry."""
        self.progress = None  # the parent shows the progress
        data = self.data(path)
        if data is None or self.cache is None:
            return None  # the parent reports the problem
        shown = self.shown(path)
        name = self._entry_name(kind, shown, data, depends)
        if self.trust_cache and self.cache.path(name).exists():
            return None  # the parent takes it from the cache anyway
        self.cache.save(name, self._read_recorded(path, shown, data, parse, read, self._basis(kind, shown, depends)))
        return name

    def _read_recorded(self, path: Path, shown: str, data: bytes, parse: Callable[[str], P],
                       read: Callable[[P, Path, str], T | None], basis: str = "") -> FileRead:
        """Read one file (`_read_one`): its record with the problems and masked findings it added, and for a
        complaint file a digest of each entry's own (`basis`: what else the entries were read with)."""
        problems_before, masked_before = len(self.problems.items), len(self.masked)
        record, parsed = self._read_one(path, shown, data, parse, read)
        parts = entry_digests(record, parsed, basis) if basis else ()
        return FileRead(record, tuple(self.problems.items[problems_before:]), tuple(self.masked[masked_before:]),
                        parts)

    def _basis(self, kind: str, shown: str, depends: str) -> str:
        """Everything a file's reading depends on but its bytes (`_entry_name` without them)."""
        if self.cache is None:
            return ""
        return digest(tool_digest(), kind, shown, depends, self.encoding, "mask" if self.mask_personal else "check")

    def _entry_name(self, kind: str, shown: str, data: bytes, depends: str) -> str:
        """The cache entry of one file read with these options."""
        if self.cache is None:
            return ""
        return "content/" + digest(self._basis(kind, shown, depends), data)

    def _read_one(self, path: Path, shown: str, data: bytes, parse: Callable[[str], P],
                  read: Callable[[P, Path, str], T | None]) -> tuple[T | None, object]:
        """One file's record (None when unusable) and what parsing it gave (None when it could not be parsed)."""
        text = self.text(shown, data)
        if text is None:
            return None, None
        if not text.strip():
            self.problems.add(shown, 1, 1, "file", say("GS108", "file is empty"))
            return None, None
        known = self.parsed.get(shown) if parse is parse_yaml else None
        try:
            parsed = cast(P, known[1]) if known is not None and known[0] == text else parse(text)
        except SourceError as exc:
            self.problems.add(shown, exc.line, exc.column, exc.field, exc.message)
            return None, None
        return read(parsed, path, shown), parsed

    def yaml_files(self, folder: str, read: Callable[[object, str], T | None]) -> list[T]:
        """Parse and read every *.yaml / *.yml file of a content folder, in name order."""
        directory = self.site_dir / "content" / folder
        if not directory.is_dir():
            return []
        paths = sorted(path for suffix in YAML_SUFFIXES for path in directory.glob(f"*{suffix}"))
        return self._read_files(paths, parse_yaml, lambda data, _path, shown: read(data, shown), f"yaml:{folder}")

    def complaint_paths(self) -> list[Path]:
        """Every *.yaml under content/complaints/, sub-folders included, in path order; any other file is an error."""
        directory = self.site_dir / "content" / "complaints"
        if not directory.is_dir():
            return []
        found: list[Path] = []
        for folder, subfolders, names in os.walk(directory):
            here = Path(folder)
            real = []
            for name in subfolders:
                path = here / name
                if path.is_symlink() and not name.endswith(YAML_SUFFIXES):
                    self.problems.add(self.shown(path), 1, 1, "file", say(
                        "GS109", "this is a link to a folder: content/complaints/ reads only real sub-folders; move "
                                 "the folder here instead"))
                elif name.endswith(YAML_SUFFIXES):
                    found.append(path)  # a folder named like a complaint file: text() reports it
                else:
                    real.append(name)
            subfolders[:] = sorted(real)
            for name in names:
                path = here / name
                if name.endswith(YAML_SUFFIXES):
                    found.append(path)
                else:
                    self.problems.add(self.shown(path), 1, 1, "file", say(
                        "GS109", "not a complaint file: content/complaints/ and its sub-folders hold only complaint "
                                 "files (*.yaml); move this file out of content/complaints/"))
        return sorted(found, key=lambda path: path.relative_to(directory).as_posix())

    def complaint_files(self, taxonomy: Taxonomy) -> list[PeriodFile]:
        """Read every complaint file (several files may declare one period)."""
        return self._read_files(self.complaint_paths(), parse_yaml,
                                lambda data, _path, shown: read_period_file(data, shown, self.problems, taxonomy),
                                "complaints", Fingerprints().of(taxonomy))

    def markdown_files(self, folder: str, kind: str) -> list[Article]:
        """Read every Markdown file of content/<folder> as warnings or pages."""
        directory = self.site_dir / "content" / folder
        if not directory.is_dir():
            return []
        read = read_warning if kind == "warning" else read_page
        return self._read_files(sorted(directory.glob("*.md")), split_front_matter,
                                lambda doc, path, shown: read(doc, path.stem, shown, self.problems, self.renderer),
                                f"markdown:{kind}")

    def taxonomy(self) -> Taxonomy:
        """Read content/taxonomy.yaml when present."""
        path = self.site_dir / "content" / "taxonomy.yaml"
        if not (path.exists() or path.is_symlink()):
            return Taxonomy()
        found = self._read_files([path], parse_yaml,
                                 lambda data, _path, shown: read_taxonomy(data, shown, self.problems), "taxonomy")
        return found[0] if found else Taxonomy()

def load_content(reader: ContentReader) -> tuple[Taxonomy, list[PeriodFile], list[RankingFile],
                                                 list[Article], list[Article]]:
    """Read taxonomy, complaint files, rankings, warnings and pages."""
    taxonomy = reader.taxonomy()
    periods = reader.complaint_files(taxonomy)
    rankings = reader.yaml_files("rankings", lambda data, shown: read_ranking_file(data, shown, reader.problems))
    warnings = reader.markdown_files("warnings", "warning")
    pages = reader.markdown_files("pages", "page")
    return taxonomy, periods, rankings, warnings, pages
