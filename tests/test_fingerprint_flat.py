"""Flat records (no list, tuple or dict in their fields) are fingerprinted in place, not remembered by id."""

from __future__ import annotations

import dataclasses

from builder.fingerprint import BIG_TUPLE, Fingerprints


@dataclasses.dataclass(frozen=True, slots=True)
class Link:
    """A flat record, as a page link or a disclosure row is."""

    number: int
    url: str


@dataclasses.dataclass(frozen=True, slots=True)
class Anchor:
    """Another flat record with the same fields as `Link`."""

    number: int
    url: str


@dataclasses.dataclass(frozen=True)
class Listing:
    """A record that holds a container (remembered by id), its rows flat."""

    rows: tuple[Link, ...]


def listing(changed: int | None = None) -> Listing:
    """A listing long enough to be remembered as a tuple, one row's url changed when asked."""
    return Listing(tuple(Link(n, f"p/{n}/" if n != changed else "p/changed/") for n in range(BIG_TUPLE * 2)))


def test_a_field_of_a_flat_record_reaches_the_digest_of_what_holds_it() -> None:
    before = Fingerprints().of({"listing": listing(), "links": [Link(1, "a/")]})
    assert Fingerprints().of({"listing": listing(changed=20), "links": [Link(1, "a/")]}) != before
    assert Fingerprints().of({"listing": listing(), "links": [Link(1, "b/")]}) != before
    assert Fingerprints().of({"listing": listing(), "links": [Link(2, "a/")]}) != before


def test_the_kind_of_a_flat_record_is_part_of_its_digest() -> None:
    assert Fingerprints().of([Link(1, "a/")]) != Fingerprints().of([Anchor(1, "a/")])
    assert Fingerprints().of([Link(1, "a/")]) != Fingerprints().of([1, "a/"])


def test_a_flat_record_fingerprinted_on_its_own_first_gives_its_holders_the_same_digest() -> None:
    value = listing()
    fresh = Fingerprints().of(value)
    seen = Fingerprints()
    for row in value.rows:
        assert seen.of(row) == Fingerprints().of(row)
    assert seen.of(value) == fresh
    assert seen.of([value.rows[3]]) == Fingerprints().of([value.rows[3]])
