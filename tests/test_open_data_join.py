"""The whole open-data tables are joined from the periods' files, byte for byte what encoding every row gives."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from builder import opendata
from builder.build import BuildOptions, load_site
from builder.sitemodel import Site
from helpers import REPO


def sample_site() -> Site:
    """The repository's sample site, read as a build reads it."""
    report = load_site(BuildOptions(site_dir=REPO, output_dir=Path("/nonexistent"), search=False, clean=True))
    assert report.site is not None and len(report.site.periods) > 1
    return report.site


def write_all(site: Site, folder: Path, join: bool) -> dict[str, opendata.DataFile]:
    """Every group written under `folder` (periods first), joined or encoded; the files as described."""
    def write_chunks(route: str, chunks: Iterable[bytes]) -> str:
        target = folder / route
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data := b"".join(chunks))
        return hashlib.sha256(data).hexdigest()

    written: dict[str, opendata.DataFile] = {}
    for group in sorted(opendata.plan(site), key=lambda g: not g.files[0].period):
        for made in opendata.write_group(site, group, write_chunks, (lambda r: folder / r) if join else None):
            written[made.path] = made
    return written


def test_joined_tables_are_the_encoded_ones(tmp_path: Path) -> None:
    site = sample_site()
    joined, encoded = write_all(site, tmp_path / "joined", True), write_all(site, tmp_path / "encoded", False)
    assert joined == encoded and {"complaints.csv", "complaints.json", "items.csv", "items.json"} <= set(joined)
    for route in joined:
        data = tmp_path / "joined" / "data" / route
        assert data.read_bytes() == (tmp_path / "encoded" / "data" / route).read_bytes()
    items = [f for f in joined.values() if f.period and f.path.endswith("items.json")]
    assert joined["items.json"].rows == sum(f.rows for f in items)


def test_the_whole_table_is_read_from_the_period_files(tmp_path: Path) -> None:
    site = sample_site()
    write_all(site, tmp_path, False)
    period = tmp_path / "data" / site.periods[0].period.key / "complaints.csv"
    period.write_bytes(period.read_bytes() + b"marked,row\r\n")
    group = next(g for g in opendata.plan(site) if g.prefix == "data/complaints.")
    opendata.write_group(site, group, lambda route, chunks: (tmp_path / route).write_bytes(b"".join(chunks)),
                         lambda r: tmp_path / r)
    assert b"marked,row" in (tmp_path / "data" / "complaints.csv").read_bytes()


def test_a_period_file_not_as_written_is_not_joined(tmp_path: Path) -> None:
    site = sample_site()
    write_all(site, tmp_path / "encoded", False)
    folder = tmp_path / "tampered"
    write_all(site, folder, False)
    whole = [g for g in opendata.plan(site) if not g.files[0].period]
    period = site.periods[0].period.key
    (folder / "data" / period / "complaints.json").write_bytes(b'{"not": "a table"}\n')
    (folder / "data" / period / "items.csv").unlink()
    for group in whole:
        opendata.write_group(site, group, lambda route, chunks: (folder / route).write_bytes(b"".join(chunks)),
                             lambda r: folder / r)
    for name in ("complaints.json", "complaints.csv", "items.json", "items.csv"):
        assert (folder / "data" / name).read_bytes() == (tmp_path / "encoded" / "data" / name).read_bytes(), name
