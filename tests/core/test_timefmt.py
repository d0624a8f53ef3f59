from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raidcontrol.core.timefmt import (
    Instant,
    TimeFormatError,
    format_duration,
    parse_duration,
    parse_instant,
)


@pytest.mark.parametrize(
    "text,ms",
    [
        ("0:00:00", 0),
        ("4:35:08", 16_508_000),
        ("33:00:00", 118_800_000),
        ("0:00:10.5", 10_500),
        ("1:02:03.004", 3_723_004),
        ("-0:01:35", -95_000),
    ],
)
def test_parse_duration(text, ms):
    assert parse_duration(text) == ms


@pytest.mark.parametrize(
    "ms,text",
    [
        (16_508_000, "4:35:08"),
        (118_800_000, "33:00:00"),
        (10_500, "0:00:10.500"),
        (1, "0:00:00.001"),
        (-95_000, "-0:01:35"),
    ],
)
def test_format_duration(ms, text):
    assert format_duration(ms) == text


@pytest.mark.parametrize("bad", ["", "4:35", "4:60:00", "4:35:08.1234", "abc", "1:2:3"])
def test_bad_durations_are_rejected(bad):
    with pytest.raises(TimeFormatError):
        parse_duration(bad)


@given(st.integers(min_value=-(10**10), max_value=10**10))
def test_duration_round_trip(ms):
    assert parse_duration(format_duration(ms)) == ms


def test_instants():
    assert parse_instant("10:18:00") == Instant(37_080_000)
    assert parse_instant("09:40:00.250").ms == 34_800_250
    a = parse_instant("2025-01-04T23:30:00+03:00")
    b = parse_instant("2025-01-05T01:15:00.5+03:00")
    assert a.kind == "utc" and b - a == 6_300_500
    with pytest.raises(TimeFormatError):
        parse_instant("10:18:00") - a
    for bad in ("25:00:00", "2025-01-04", "noon"):
        with pytest.raises(TimeFormatError):
            parse_instant(bad)


@given(st.integers(min_value=0, max_value=86_399_999))
def test_time_of_day_round_trip(ms):
    assert parse_instant(str(Instant(ms))) == Instant(ms)
