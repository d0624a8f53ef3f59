"""Fuzzing the scrutineering file: any value in any field gives a located InputError or a verdict, never
a crash (hypothesis; examples from RAIDCONTROL_FUZZ_EXAMPLES, small by default)."""

from __future__ import annotations

import copy
import datetime as dt
import os
import tomllib
from pathlib import Path

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.io.scrutineering import load_library, read_record
from raidcontrol.rules import load_rulebook
from raidcontrol.stock import VERDICTS, assess, stock_rules

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
BASE = tomllib.loads(
    (
        Path(__file__).resolve().parents[2]
        / "examples"
        / "stock"
        / "cases"
        / "compliant-d7x-r.toml"
    ).read_text(encoding="utf-8")
)
LIBRARY = load_library()
RULES = stock_rules(load_rulebook("fia-2026"))
PATHS = [(section, key) for section, table in BASE["car"].items() for key in table]

values = st.one_of(
    st.integers(-10_000, 10_000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.text(max_size=8),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)),
    st.just([]),
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=4), st.booleans())
def test_any_value_is_a_located_error_or_a_verdict(tmp_path, changes, in_findings):
    data = copy.deepcopy(BASE)
    for (section, key), value in changes:
        table = (
            data["findings"]["measured"].setdefault(section, {})
            if in_findings
            else data["car"][section]
        )
        table[key] = value
    path = tmp_path / "fuzz.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    try:
        record = read_record(path, LIBRARY)
    except InputError as exc:
        assert exc.file == str(path) and exc.field and (exc.line is None or exc.line >= 1)
        return
    verdict = assess(record, LIBRARY[record.reference], RULES)
    assert verdict.verdict in VERDICTS
