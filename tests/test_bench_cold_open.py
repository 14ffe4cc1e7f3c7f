"""bench/cold_open.py: the main thread of a traced cold open, broken down by kind of work."""

from __future__ import annotations

import sys
from typing import Any

from helpers import REPO

sys.path.insert(0, str(REPO / "bench"))
from cold_open import kind_of, main_thread_breakdown  # noqa: E402

MAIN, OTHER = (1, 10), (1, 11)


def _x(name: str, ts: int, dur: int, thread: tuple[int, int] = MAIN) -> dict[str, Any]:
    return {"ph": "X", "name": name, "ts": ts, "dur": dur, "pid": thread[0], "tid": thread[1]}


def _trace() -> list[dict[str, Any]]:
    """A renderer main thread (µs): two tasks and one cut by the answer, with noise outside the window."""
    return [
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 10, "args": {"name": "CrRendererMain"}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 11, "args": {"name": "Compositor"}},
        {"ph": "R", "name": "navigationStart", "ts": 500_000, "pid": 1, "tid": 10,
         "args": {"data": {"documentLoaderURL": ""}}},
        _x("ThreadControllerImpl::RunTask", 600_000, 100_000),  # before the search page's navigation
        {"ph": "R", "name": "navigationStart", "ts": 1_000_000, "pid": 1, "tid": 10,
         "args": {"data": {"documentLoaderURL": "http://127.0.0.1:1/gongshi/search/?q=x"}}},
        _x("ThreadControllerImpl::RunTask", 1_000_000, 500_000),
        _x("Layout", 1_100_000, 300_000),
        _x("InlineNode::ShapeTextIncludingFirstLine", 1_200_000, 100_000),
        _x("ParseHTML", 1_450_000, 50_000),
        _x("ThreadControllerImpl::RunTask", 2_000_000, 200_000),
        _x("v8.run", 2_000_000, 150_000),
        _x("Paint", 2_000_000, 900_000, OTHER),  # another thread
        _x("ThreadControllerImpl::RunTask", 2_400_000, 300_000),  # cut at the answer (2,500,000)
        _x("MajorGC", 2_600_000, 50_000),  # after the answer
    ]


def test_each_kind_counts_its_own_time_until_the_answer_and_the_rest_is_idle() -> None:
    found = main_thread_breakdown(_trace(), "search/", 1500)
    assert found == {"layout (text shaping included)": 300.0, "other": 300.0, "script": 150.0, "parsing": 50.0,
                     "idle": 700.0}
    assert sum(found.values()) == 1500.0


def test_no_navigation_to_the_page_gives_nothing() -> None:
    assert main_thread_breakdown(_trace(), "merchants/", 1500) == {}


def test_event_names_fall_into_their_kinds() -> None:
    assert kind_of("DocumentLoader::CommitNavigation") == "new document"
    assert kind_of("ResourceFetcher::requestResource") == "fetching"
    assert kind_of("V8.GC_SCAVENGER") == "garbage collection"
    assert kind_of("V8.CompileCode") == "script"
    assert kind_of("DecodedDataDocumentParser::AppendBytes") == "parsing"
    assert kind_of("BlinkScheduler_OnTaskCompleted") == "other"
