"""The CSV track reader's compiled pass gives the fleet the validated path (pyarrow's reader,
then the column-by-column checks) gives — or hands the file over, so that the same error
(message, file, line, field) is raised.

hypothesis writes CSV files in the usual layout and in odd-but-valid or hostile spellings
(CR LF, blank lines, quotes, spaces, exponents, plus signs, time zone offsets, fractional
seconds, epoch milliseconds, empty speeds, other headers, digits of other scripts, values
out of range, missing fields); every file is read both ways."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.io import csv_kernel, tracks
from raidcontrol.io.hardening import MAX_INSTANT_MS, MIN_INSTANT_MS
from tests.tracking.number_texts import styled

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAY_MS = 86_400_000
COLUMNS = ("bib", "t_ms", "lat", "lon", "speed_kmh")


def rarely(strategy, usual):
    """``usual`` most of the time, now and then something drawn from ``strategy``."""
    return st.sampled_from([False] * 9 + [True]).flatmap(
        lambda odd: strategy if odd else st.just(usual)
    )


@st.composite
def numbers(draw, limit: float, odd: bool) -> str:
    wide = draw(st.sampled_from([1.0] * 19 + [1.01])) if odd else 1.0
    value = draw(st.floats(-limit * wide, limit * wide, allow_nan=False))
    odd_styles = ["repr", "long", "exp", "plus", "space", "arabic"] if odd else []
    return styled(draw, value, draw(st.sampled_from(["fixed"] * 6 + ["int", *odd_styles])))


@st.composite
def instants(draw, odd: bool) -> str:
    margin = draw(st.sampled_from([0] * 19 + [DAY_MS])) if odd else 0
    t_ms = draw(st.integers(MIN_INSTANT_MS - margin, MAX_INSTANT_MS - 1 + margin))
    style = draw(st.sampled_from(["iso"] * 8 + ["epoch", "space"])) if odd else "iso"
    if style == "epoch":
        return str(t_ms)
    text = str(np.datetime64(t_ms, "ms"))
    base, fraction = text[:19], text[20:]
    digits = draw(st.sampled_from([0, 0, 0, 3, 1, 2, 6, 9, 10]))
    fraction = (fraction + "4071936")[:digits]
    zone = draw(st.sampled_from(["Z"] * 10 + [""] + (["+00:00", "+02:00", "z"] if odd else [])))
    sep = "T" if style == "iso" else " "
    return base[:10] + sep + base[11:] + ("." + fraction if digits else "") + zone


@st.composite
def rows(draw, with_speed: bool, odd: bool) -> str:
    bibs = ["2147483648", "-1", " 3", "x", ""] if odd else []
    bib = draw(st.sampled_from(["12", "12", "3", "007", "2147483647", *bibs]))
    fields = [bib, draw(instants(odd)), draw(numbers(90.0, odd)), draw(numbers(180.0, odd))]
    if with_speed:
        fields.append(draw(st.sampled_from(["", "", None]) | numbers(200.0, odd)) or "")
    row = ",".join(fields)
    if not odd:
        return row
    return draw(rarely(st.sampled_from([f'"{bib}"' + row[len(bib) :], row + ",", ""]), row))


@st.composite
def csv_files(draw) -> bytes:
    odd = draw(st.booleans())  # odd or hostile parts here and there, or none
    with_speed = draw(st.booleans())
    header = "bib,time,lat,lon" + (",speed" if with_speed else "")
    if odd:
        others = st.sampled_from(["bib,time,lat,lon,speed_kmh", "time,bib,lat,lon"])
        header = draw(rarely(others, header))
    body = draw(st.lists(rows(with_speed and "speed" in header, odd), min_size=0, max_size=12))
    newline = draw(st.sampled_from(["\n"] * 3 + ["\r\n"]))
    end = draw(st.sampled_from([newline, newline, ""]))
    return (newline.join([header, *body]) + end).encode()


def outcome(path: Path):
    try:
        fleet = tracks.read_fleet(path)
    except InputError as exc:
        return (exc.message, exc.file, exc.line, exc.field)
    return tuple(getattr(fleet, name) for name in COLUMNS)


def same(a, b) -> bool:
    if isinstance(a[0], str) or isinstance(b[0], str):
        return isinstance(a[0], str) and isinstance(b[0], str) and a == b
    return all(x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


@SETTINGS
@given(data=csv_files())
def test_the_compiled_pass_reads_a_generated_csv_file_as_the_validated_path(
    tmp_path: Path, data: bytes
):
    path = tmp_path / "fleet.csv"
    path.write_bytes(data)
    fast = outcome(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tracks, "_scan_csv", lambda _path: None)
        validated = outcome(path)
    assert same(fast, validated), (fast, validated)


def test_the_compiled_pass_reads_the_usual_layout_itself_in_parts(tmp_path: Path, monkeypatch):
    lines = [
        f"{k % 3 + 1},2026-01-05T08:00:{k:02d}.5Z,24.{k:03d},-45.25,{'' if k % 4 else k}"
        for k in range(50)
    ]
    path = tmp_path / "fleet.csv"
    path.write_text("bib,time,lat,lon,speed\n" + "\r\n".join(lines))
    scanned = tracks._scan_csv(path)
    assert scanned is not None
    monkeypatch.setattr(tracks.os, "cpu_count", lambda: 3)  # three parts, side by side
    assert all(
        np.array_equal(a, b, equal_nan=True) for a, b in zip(tracks._scan_csv(path), scanned)
    )
    monkeypatch.setattr(tracks, "_scan_csv", lambda _path: None)
    validated = tracks.read_fleet(path)
    monkeypatch.undo()
    fleet = tracks.read_fleet(path)
    assert same(
        tuple(getattr(fleet, c) for c in COLUMNS), tuple(getattr(validated, c) for c in COLUMNS)
    )
    assert scanned[1][3] == 1_767_600_003_500 and np.isnan(scanned[4][3]) and scanned[4][4] == 4.0


def test_warm_compiles_the_csv_pass():
    assert csv_kernel.warm() == 2
    assert csv_kernel.scan_rows.signatures and csv_kernel.count_lines.signatures


def test_a_date_read_once_serves_only_the_rows_that_write_it(tmp_path: Path, monkeypatch):
    """Rows of one day share its date (read once); a row on another day, or back on the first,
    gets its own — the instants are the validated path's."""
    days = ["2026-01-05T23:59:59.5Z", "2026-01-06T00:00:00Z", "2026-01-05T23:59:59Z"] * 2
    lines = [f"4,{t},24.0,45.0" for t in [*days, "2028-02-29T12:00:00Z", "2028-02-29T13:00:00Z"]]
    path = tmp_path / "fleet.csv"
    path.write_text("bib,time,lat,lon\n" + "\n".join(lines) + "\n")
    scanned = tracks._scan_csv(path)
    assert scanned is not None
    monkeypatch.setattr(tracks, "_scan_csv", lambda _path: None)
    validated = tracks.read_fleet(path)
    assert np.array_equal(scanned[1], validated.t_ms)
    assert list(np.diff(scanned[1][:3])) == [500, -1000]
