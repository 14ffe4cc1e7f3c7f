"""Formula cells of a legacy .xls whose saved value is empty, found in its BIFF8 records (calamine reads them as '')."""

from __future__ import annotations

import re
import struct
from pathlib import Path

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
# A FORMULA record (0x0006) whose 8-byte result says "an empty string" (type 3, then 0xFFFF): a quick look first.
_CANDIDATE = re.compile(rb"\x06\x00..(?:.{6})\x03.{5}\xff\xff", re.S)
_BOUNDSHEET, _FORMULA, _EOF = 0x0085, 0x0006, 0x000A


class NotBiff(ValueError):
    """The file is not a compound file holding a BIFF8 workbook stream (calamine tells the reason)."""


def empty_formulas(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Sheet name → the (1-based row, column) of each formula cell whose saved value is empty."""
    data = path.read_bytes()
    if not _CANDIDATE.search(data):
        return {}
    found: dict[str, set[tuple[int, int]]] = {}
    try:
        stream = _workbook_stream(data)
        for name, offset in _sheets(stream):
            cells = set(_empty_results(stream, offset))
            if cells:
                found[name] = cells
    except (struct.error, IndexError, KeyError, ValueError, OverflowError) as exc:  # damaged records
        raise NotBiff(str(exc) or type(exc).__name__) from None
    return found


def _chain(fat: list[int], start: int) -> list[int]:
    sectors: list[int] = []
    while start not in (_FREE, _END_OF_CHAIN) and len(sectors) <= len(fat):
        sectors.append(start)
        start = fat[start]
    return sectors


def _workbook_stream(data: bytes) -> bytes:
    """The `Workbook` stream of an OLE2 compound file (regular or mini sectors)."""
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    fat_count, directory_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, mini_fat_start, _, difat_start, difat_count = struct.unpack_from("<IIIII", data, 0x38)

    def sector(number: int) -> bytes:
        return data[(number + 1) * size:(number + 2) * size]

    fat_sectors = [n for n in struct.unpack_from("<109I", data, 0x4C) if n not in (_FREE, _END_OF_CHAIN)]
    while difat_start not in (_FREE, _END_OF_CHAIN) and difat_count > 0:
        more = struct.unpack(f"<{size // 4}I", sector(difat_start))
        fat_sectors += [n for n in more[:-1] if n not in (_FREE, _END_OF_CHAIN)]
        difat_start, difat_count = more[-1], difat_count - 1
    fat_bytes = b"".join(sector(n) for n in fat_sectors[:fat_count])
    fat = list(struct.unpack(f"<{len(fat_bytes) // 4}I", fat_bytes))
    directory = b"".join(sector(n) for n in _chain(fat, directory_start))
    entries: dict[str, tuple[int, int]] = {}
    for at in range(0, len(directory) - 127, 128):
        length = struct.unpack_from("<H", directory, at + 64)[0]
        name = directory[at:at + max(0, length - 2)].decode("utf-16-le", "replace")
        start, stream_size = struct.unpack_from("<II", directory, at + 116)
        entries.setdefault(name, (start, stream_size))
    start, stream_size = entries.get("Workbook") or entries["Book"]
    if stream_size >= cutoff:
        return b"".join(sector(n) for n in _chain(fat, start))[:stream_size]
    root_start = struct.unpack_from("<I", directory, 116)[0]
    mini_stream = b"".join(sector(n) for n in _chain(fat, root_start))
    mini_fat_bytes = b"".join(sector(n) for n in _chain(fat, mini_fat_start))
    mini_fat = list(struct.unpack(f"<{len(mini_fat_bytes) // 4}I", mini_fat_bytes))
    return b"".join(mini_stream[n * mini_size:(n + 1) * mini_size] for n in _chain(mini_fat, start))[:stream_size]


def _sheets(stream: bytes) -> list[tuple[str, int]]:
    """The BOUNDSHEET records of the workbook globals: each sheet's name and the offset of its BOF."""
    sheets, at = [], 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4:at + 4 + length]
        if kind == _BOUNDSHEET and len(body) >= 8:
            offset, count, flags = struct.unpack_from("<I2xBB", body)
            raw = body[8:8 + count * (2 if flags & 1 else 1)]
            sheets.append((raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace"), offset))
        elif kind == _EOF:
            break
        at += 4 + length
    return sheets


def _empty_results(stream: bytes, at: int) -> list[tuple[int, int]]:
    cells = []
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind == _FORMULA and length >= 14:
            row, column = struct.unpack_from("<HH", stream, at + 4)
            result = stream[at + 10:at + 18]
            if result[0] == 3 and result[6:8] == b"\xff\xff":
                cells.append((row + 1, column + 1))
        elif kind == _EOF:
            break
        at += 4 + length
    return cells
