"""Finding a merchant from a reference in a ranking or a warning: credit code, id or exact name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from builder import creditcode
from builder.derived import Merchant
from builder.model import Entry


def key_in(refs: Mapping[str, str], ref: str) -> str | None:
    """The merchant key a reference names in `Resolver.refs` (as given, or as a normalised credit code), or None."""
    return refs.get(ref) or refs.get(creditcode.normalise(ref))


class Resolver:
    """Finds a merchant from a reference: credit code, id or exact name."""

    def __init__(self, merchants: Iterable[Merchant], all_entries: Iterable[Entry]) -> None:
        self.public = {merchant.key: merchant for merchant in merchants}
        self.refs: dict[str, str] = {}
        for entry in all_entries:
            if entry.credit_code:
                self.refs.setdefault(entry.credit_code, entry.key)
            if entry.merchant_id:
                self.refs.setdefault(entry.merchant_id, entry.key)
            self.refs.setdefault(entry.name, entry.key)

    def key_of(self, ref: str) -> str | None:
        """The merchant key a reference names (public or not), or None."""
        return key_in(self.refs, ref)

    def find(self, ref: str) -> Merchant | None:
        """The public merchant a reference names, or None."""
        key = self.key_of(ref)
        return self.public.get(key) if key else None
