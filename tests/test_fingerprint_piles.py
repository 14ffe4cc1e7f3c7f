"""Fingerprints of large values: their parts are hashed in piles, and the digest is the one of all of them joined."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from builder import fingerprint
from builder.fingerprint import Fingerprints


@dataclasses.dataclass(frozen=True)
class Row:
    """A record as the model has them."""

    name: str
    count: int
    day: dt.date


def large_value() -> tuple[list[dict[str, object]], tuple[Row, ...]]:
    """Many small records, as the lookup's and a listing's are (dicts in a list, dataclasses in a long tuple)."""
    records = [{"name": f"商户{n}", "periods": [n % 3, n % 5], "code": f"9199{n:014d}"} for n in range(3000)]
    rows = tuple(Row(f"经营者{n}", n, dt.date(2026, 1 + n % 12, 1)) for n in range(3000))
    return records, rows


def digests(value: object) -> tuple[str, str]:
    """The digest of a value and of a tuple holding it (remembered as a whole) from new Fingerprints."""
    return Fingerprints().of(value), Fingerprints().of((value,) * (fingerprint.BIG_TUPLE + 1))


def test_piles_give_the_digest_of_everything_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    value = large_value()
    monkeypatch.setattr(fingerprint, "PILE", 10**9)  # never hashed before the end: one text of every part
    whole = digests(value)
    flushed: list[int] = []
    flush = fingerprint._Parts.flush

    def counted(self: fingerprint._Parts) -> None:
        flushed.append(len(self))
        flush(self)

    monkeypatch.setattr(fingerprint._Parts, "flush", counted)
    monkeypatch.setattr(fingerprint, "PILE", 50)
    assert digests(value) == whole
    assert len([n for n in flushed if n > 50]) > 100  # the large value really was hashed pile by pile
    assert max(flushed) < 60  # and nothing larger than a pile (plus one element's parts) waited


def test_a_change_deep_in_a_large_value_changes_its_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fingerprint, "PILE", 50)
    records, rows = large_value()
    before = digests((records, rows))
    records[2500]["periods"] = [0, 1]  # a record far past the first piles
    assert digests((records, rows))[0] != before[0]
    changed = rows[:2999] + (Row("经营者2999", 2999, dt.date(2026, 1, 2)),)
    assert digests((large_value()[0], changed))[1] != before[1]
