"""The open-data encoders (batched for speed) write what the plain encodings write, on hostile values."""

from __future__ import annotations

import csv
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.datadict import COMPLAINT_COLUMNS, ITEM_COLUMNS, Column, csv_columns, json_columns
from builder.opendata import Record, _cell, csv_chunks, json_chunks, to_csv, to_json

HOSTILE = ["", ",", '"', "\r", "\n", "\r\n", "%s", "%", "=1+1", "-3", "+x", "@SUM(A1)", "\tx", "\rx", "<script>",
           "a,b", 'say "hi"', "😀", "\u2028", "\x00", "\\", "null", " {}", "},\n  {", "正常名称"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.sampled_from(HOSTILE),
                    st.lists(st.sampled_from([*HOSTILE, "a", "经", " "]), max_size=4).map("".join),
                    st.text(max_size=8))
ODD_COLUMNS = (Column("%s", "a,b", "string", ""), Column('"q"\n', "", "string", ""),
               Column("x", "=x", "string", "", csv=False), Column("", "中", "number", "", json=False))
TABLES = st.sampled_from([COMPLAINT_COLUMNS, ITEM_COLUMNS, ODD_COLUMNS, ODD_COLUMNS[:1], ODD_COLUMNS[2:3], ()])


def reference_json(rows: list[Record], columns: tuple[Column, ...]) -> str:
    """The JSON file as its definition has it."""
    keys = [c.key for c in json_columns(columns)]
    return json.dumps([{key: row[key] for key in keys} for row in rows], ensure_ascii=False, indent=1) + "\n"


def reference_csv(rows: list[Record], columns: tuple[Column, ...]) -> bytes:
    """The CSV file written a cell at a time by the csv module."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    chosen = csv_columns(columns)
    writer.writerow([c.title for c in chosen])
    for row in rows:
        writer.writerow([_cell(row[c.key]) for c in chosen])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=TABLES, data=st.data(), batch=st.integers(min_value=1, max_value=4))
def test_batched_encodings_are_the_plain_ones(columns: tuple[Column, ...], data: st.DataObject, batch: int) -> None:
    keys = list(dict.fromkeys(c.key for c in columns))
    rows = data.draw(st.lists(st.fixed_dictionaries({key: SCALARS for key in keys}), max_size=7))
    assert "".join(json_chunks(rows, columns, batch)) == reference_json(rows, columns)
    assert b"".join(csv_chunks(rows, columns, batch)) == reference_csv(rows, columns)
    assert to_json(rows, columns) == reference_json(rows, columns) and to_csv(rows, columns) == reference_csv(rows,
                                                                                                              columns)


def test_the_batches_meet_where_a_batch_ends() -> None:
    rows: list[Record] = [{c.key: f"第{n}行,\"{c.key}\"" if c.type == "string" else n for c in ITEM_COLUMNS}
                          for n in range(7)]
    for batch in (1, 2, 3, 7, 8):
        assert "".join(json_chunks(rows, ITEM_COLUMNS, batch)) == reference_json(rows, ITEM_COLUMNS)
        assert b"".join(csv_chunks(rows, ITEM_COLUMNS, batch)) == reference_csv(rows, ITEM_COLUMNS)
