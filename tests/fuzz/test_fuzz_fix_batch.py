"""Fuzzing the live-fix ingest parser: any bytes, in any announced format, give a fleet of valid
fixes or a located InputError — never another exception, never a fix the file readers would refuse.
Example count: $RAIDCONTROL_FUZZ_EXAMPLES (default 30; ``make fuzz`` sets 10000)."""

from __future__ import annotations

import json
import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.io.fix_batch import ARROW_TYPES, CSV_TYPES, JSONL_TYPES, parse_fixes

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
TYPES = [
    CSV_TYPES[0],
    JSONL_TYPES[0],
    ARROW_TYPES[0],
    ARROW_TYPES[1],
    "application/vnd.apache.parquet",
]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(["2026-01-05T08:00:01Z", "1767600001000", "", "NaN", "1e999"]),
)
fix = st.fixed_dictionaries(
    {}, optional=dict.fromkeys(("bib", "time", "lat", "lon", "speed"), value)
)


def check(data: bytes, ctype: str) -> None:
    try:
        fleet = parse_fixes(data, ctype, source="fuzz")
    except InputError as exc:
        assert exc.file == "fuzz" and exc.message
        return
    assert np.all(np.abs(fleet.lat) <= 90) and np.all(np.abs(fleet.lon) <= 180)
    assert fleet.t_ms.dtype == np.int64 and len(fleet.bib) == len(fleet.t_ms)


@FUZZ
@given(data=st.binary(max_size=400), ctype=st.sampled_from(TYPES))
def test_any_bytes_in_any_format_are_fixes_or_a_located_error(data, ctype):
    check(data, ctype)


@FUZZ
@given(rows=st.lists(fix, max_size=8))
def test_json_lines_of_any_values_are_fixes_or_a_located_error(rows):
    check("".join(json.dumps(r) + "\n" for r in rows).encode(), JSONL_TYPES[0])


@FUZZ
@given(
    rows=st.lists(
        st.lists(st.text(alphabet='0123456789.-:TZe," ab', max_size=12), min_size=4, max_size=5),
        max_size=6,
    )
)
def test_csv_of_any_cells_is_fixes_or_a_located_error(rows):
    body = "bib,time,lat,lon\n" + "".join(",".join(r) + "\n" for r in rows)
    check(body.encode(), CSV_TYPES[0])
