"""Making Pagefind's bundle byte-for-byte reproducible.

Pagefind (1.5) writes its filter files and the filter list of its meta index in hash-map order, so two
builds of the same pages differ in those files and in the names derived from their hashes. This module
sorts those lists, re-encodes the files and renames them from their new content.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import cbor2

from builder.i18n import _

SIGNATURE = b"pagefind_dcd"


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(_("{name} is not a Pagefind data file").format(name=path.name))
    return cbor2.loads(raw[len(SIGNATURE):])


def _write(directory: Path, prefix: str, suffix: str, value: Any, digits: int) -> str:
    payload = SIGNATURE + cbor2.dumps(value)
    name = f"{prefix}{hashlib.sha256(payload).hexdigest()[:digits]}"
    (directory / f"{name}{suffix}").write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    return name


def _filter_name(directory: Path, language: str, filter_hash: str, old_file: Path) -> str:
    name, values = _read(old_file)
    values = sorted(values, key=lambda pair: pair[0])
    new_hash = _write(directory, f"{language}_", ".pf_filter", [name, values], 7)
    if new_hash != filter_hash:
        old_file.unlink()
    return new_hash


def make_reproducible(bundle: Path) -> None:
    """Sort the filter data of every language's index and rename the files from their content."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text("utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = []
        for filter_name, filter_hash in meta[3]:
            old_file = bundle / "filter" / f"{filter_hash}.pf_filter"
            filters.append([filter_name, _filter_name(bundle / "filter", language, filter_hash, old_file)])
        meta[3] = sorted(filters)
        meta[4] = sorted(meta[4], key=lambda sort: sort[0])
        new_hash = _write(bundle, f"pagefind.{language}_", ".pf_meta", meta, 13)
        new_name = new_hash.removeprefix("pagefind.")
        if new_name != info["hash"]:
            meta_path.unlink()
        info["hash"] = new_name
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
