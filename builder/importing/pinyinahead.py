"""The pinyin keys the site check will need, worked out on the second core while the period file is made.

The check sorts merchants by the pinyin of their names and trade names (builder/pinyin.py, about 0.1 ms a
name with pypinyin). A forked process works the keys of the rows' names out while this one groups the rows
into merchants and writes the file; they are handed to builder.pinyin's memo before the check, which then
finds them there. A key is the same whoever works it out, so the check gives the same result with or without
them: any name missed here, or any failure of the second process, only leaves the work to the check.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor

from builder.pinyin import pinyin_key, remember_keys
from builder.tradename import REGION_SUFFIXES, organizer_regions, short_form, trade_name

MIN_NAMES = 1000  # fewer names are worked out faster than a second process starts


def _keys(words: list[str]) -> dict[str, str]:
    return {word: pinyin_key(word) for word in words}


def words_to_sort(names: Iterable[str], districts: Iterable[str], categories: Iterable[str],
                  organizer: str) -> list[str]:
    """The names, their trade names (as builder.tradename cuts them), the districts and the categories."""
    districts, names = set(districts), set(names)
    prefixes = {region for found in organizer_regions(organizer) for region in (found, short_form(found))}
    prefixes.update(district for district in districts if district.endswith(REGION_SUFFIXES))
    prefixes.discard("")
    ordered = tuple(sorted(prefixes, key=lambda word: (-len(word), word)))
    return sorted(names | {trade_name(name, ordered) for name in names} | districts | set(categories))


class PinyinAhead:
    """Pinyin keys worked out in a second process from now until `finish` (nothing when it would not pay)."""

    def __init__(self, words: list[str]) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[dict[str, str]] | None = None
        if len(words) < MIN_NAMES or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        try:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._future = self._pool.submit(_keys, words)
        except (OSError, RuntimeError):  # no process to be had: the check works the keys out itself
            self.close()

    def finish(self) -> int:
        """Hand the keys worked out to builder.pinyin; how many (0 when the second process failed or was not used)."""
        if self._future is None:
            return 0
        try:
            keys = self._future.result()
        except Exception:  # noqa: BLE001 - any failure there only leaves the work to the check
            keys = {}
        finally:
            self.close()
        remember_keys(keys)
        return len(keys)

    def close(self) -> None:
        """Stop the second process (if any)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
        self._future = None
