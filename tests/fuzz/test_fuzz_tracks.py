"""Fuzzing the track readers through ``raidcontrol track check`` (issue 11 §4).

Structure-aware: hypothesis builds GPX, CSV and Parquet fleets from well-formed parts and
hostile values (numbers in other scripts, with underscores, NaN, 5,000 digits; instants in
year 9999 or before 1970; names with control characters, mathtext, superscripts; DTDs and
entities; truncation and stray bytes).  The property, for every input: exit 0, or exit 2
with an error naming the file — never another exit, never a traceback, never more than
``FUZZ_SECONDS`` per input (hypothesis' deadline) or ``FUZZ_MB`` of Python/numpy memory.

``RAIDCONTROL_FUZZ_EXAMPLES`` sets the inputs per reader (small in ``make test``; ``make fuzz``
runs 10,000).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import tracemalloc
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.cli.common import run_guarded
from raidcontrol.cli.main import app

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "30"))
FUZZ_SECONDS = 30  # per input: a hang fails (hypothesis' deadline), a slow shared machine does not
FUZZ_MB = 256  # per input, traced by tracemalloc (Python objects and numpy arrays)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=FUZZ_SECONDS),
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ROADBOOK = b"""<?xml version="1.0"?>
<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1"
     xmlns:openrally="http://www.openrally.org/xmlschemas/GpxExtensions/v1.0.0">
<wpt lat="24.0" lon="45.0"><extensions><openrally:dss/></extensions></wpt>
<wpt lat="24.01" lon="45.0"><extensions><openrally:wpm name="K1"/></extensions></wpt>
<wpt lat="24.02" lon="45.0"><extensions><openrally:dz/><openrally:speed>50</openrally:speed></extensions></wpt>
<wpt lat="24.03" lon="45.0"><extensions><openrally:fz/></extensions></wpt>
<wpt lat="24.04" lon="45.0"><extensions><openrally:wps name="$\\frac{1}$"/></extensions></wpt>
</gpx>
"""

NUMBERS = st.one_of(
    st.floats(min_value=-200, max_value=200, allow_nan=False).map(lambda x: f"{x:.7f}"),
    st.sampled_from(
        [
            "24.0",
            "24.0001",
            "45.0",
            "-0",
            "1e3",
            "1e999",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "",
            " 24 ",
            "2_0.46",
            "٢٤",
            "²",
            "0x10",
            "+.",
            "1.2.3",
            "9" * 5000,
            "24,5",
            "\x00",
            "24\u200b",
        ]
    ),
)
INSTANTS = st.one_of(
    st.integers(min_value=0, max_value=3600).map(
        lambda s: f"2026-01-05T08:{s // 60 % 60:02d}:{s % 60:02d}Z"
    ),
    st.sampled_from(
        [
            "2026-01-05T08:00:00.123Z",
            "2026-01-05T08:00:00.1234567Z",
            "2026-01-05T08:00:00",
            "2026-01-05T09:00:00+01:00",
            "9999-12-31T23:00:00-12:00",
            "0001-01-01T00:00:00+14:00",
            "1969-12-31T23:59:59Z",
            "2026-02-30T00:00:00Z",
            "yesterday",
            "",
            "1767600000000",
            "99999999999999999999",
            "2026-01-05T08:00:60Z",
            "２０２６-01-05T08:00:00Z",
        ]
    ),
)
NAMES = st.one_of(
    st.integers(min_value=0, max_value=999).map(str),
    st.sampled_from(
        [
            "99999999999",
            "2147483648",
            "-1",
            "²",
            "٢٠٠",
            " 7 ",
            "Team X",
            "",
            "$\\frac{1}$",
            "\x1b[31m7",
            "7" * 300,
        ]
    ),
    st.text(max_size=20),
)
BIBS = st.one_of(
    st.integers(min_value=0, max_value=999).map(str),
    st.sampled_from(["99999999999", "-3", "0x10", "٢٠٠", "1.5", "", "7 ", "1e3", "9" * 400]),
)


def xml_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


@st.composite
def gpx_files(draw) -> bytes:
    crews = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        points = []
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            lat, lon, time = draw(NUMBERS), draw(NUMBERS), draw(INSTANTS)
            speed = draw(st.none() | NUMBERS)
            inner = f"<time>{xml_text(time)}</time>" if draw(st.booleans()) or not points else ""
            if speed is not None:
                inner += draw(
                    st.sampled_from(
                        [
                            f"<speed>{xml_text(speed)}</speed>",
                            "<extensions><gpxtpx:TrackPointExtension><gpxtpx:speed>"
                            + xml_text(speed)
                            + "</gpxtpx:speed></gpxtpx:TrackPointExtension></extensions>",
                        ]
                    )
                )
            points.append(f'<trkpt lat="{xml_text(lat)}" lon="{xml_text(lon)}">{inner}</trkpt>')
        crews.append(
            f"<trk><name>{xml_text(draw(NAMES))}</name><trkseg>\n"
            + "\n".join(points)
            + "\n</trkseg></trk>"
        )
    prolog = draw(
        st.sampled_from(
            [
                "",
                '<!DOCTYPE gpx [<!ENTITY a "ha">]>\n',
                '<!DOCTYPE gpx SYSTEM "http://example.invalid/gpx.dtd">\n',
            ]
        )
    )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + prolog
        + '<gpx xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v2" version="1.1">\n'
        + "\n".join(crews)
        + "\n</gpx>\n"
    ).encode("utf-8", "surrogatepass")
    return mutate(draw, doc)


def mutate(draw, data: bytes) -> bytes:
    """Leave the file whole, or cut it, or put a few random bytes somewhere."""
    how = draw(st.sampled_from(["whole", "whole", "cut", "insert"]))
    if how == "cut" and data:
        return data[: draw(st.integers(min_value=0, max_value=len(data)))]
    if how == "insert":
        at = draw(st.integers(min_value=0, max_value=len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


@st.composite
def csv_files(draw) -> bytes:
    header = draw(
        st.sampled_from(
            [
                "bib,time,lat,lon,speed",
                "bib,time,lat,lon",
                "bib,time,lat,lon,speed_kmh",
                "time,lat,lon",
                "bib,time,lat,lon,speed,extra",
            ]
        )
    )
    width = header.count(",") + 1
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        values = [draw(BIBS), draw(INSTANTS), draw(NUMBERS), draw(NUMBERS), draw(NUMBERS), "x"][
            :width
        ]
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            values = values[:-1]  # a short row
        rows.append(
            ",".join(v.replace(",", ";").replace("\n", " ").replace('"', "") for v in values)
        )
    return mutate(draw, ("\n".join([header, *rows]) + "\n").encode("utf-8", "surrogatepass"))


@st.composite
def parquet_tables(draw) -> pa.Table:
    n = draw(st.integers(min_value=0, max_value=6))
    time_kind = draw(st.sampled_from(["timestamp", "naive", "int", "text", "float"]))
    ms = st.integers(min_value=-(2**62), max_value=2**62) | st.integers(
        min_value=1_767_600_000_000, max_value=1_767_603_600_000
    )
    times = draw(st.lists(ms, min_size=n, max_size=n))
    columns = {
        "bib": draw(
            st.sampled_from(
                [
                    pa.array(
                        draw(
                            st.lists(
                                st.integers(min_value=-(2**40), max_value=2**40),
                                min_size=n,
                                max_size=n,
                            )
                        ),
                        pa.int64(),
                    ),
                    pa.array(draw(st.lists(BIBS, min_size=n, max_size=n)), pa.string()),
                    pa.array(
                        draw(st.lists(st.integers(0, 999) | st.none(), min_size=n, max_size=n)),
                        pa.int32(),
                    ),
                ]
            )
        ),
        "time": {
            "timestamp": pa.array(times, pa.timestamp("ms", tz="UTC")),
            "naive": pa.array(times, pa.timestamp("ms")),
            "int": pa.array(times, pa.int64()),
            "text": pa.array(draw(st.lists(INSTANTS, min_size=n, max_size=n))),
            "float": pa.array([float(t) for t in times]),
        }[time_kind],
        "lat": pa.array(
            draw(st.lists(st.floats(allow_nan=True) | st.none(), min_size=n, max_size=n)),
            pa.float64(),
        ),
        "lon": pa.array(draw(st.lists(NUMBERS, min_size=n, max_size=n)), pa.string()),
    }
    if draw(st.booleans()):
        columns["speed"] = pa.array(
            draw(st.lists(st.floats(width=32) | st.none(), min_size=n, max_size=n)), pa.float32()
        )
    drop = draw(st.sampled_from([None, None, "bib", "time", "lat"]))
    return pa.table({k: v for k, v in columns.items() if k != drop})


def check_cli(tracks: Path, roadbook: Path) -> None:
    """``track check`` on the files: exit 0, or exit 2 naming the file; no traceback, bounded memory.

    Everything written to stderr is checked: the located error lines (``error_line``) and the
    notes of the stderr console alike."""
    captured = io.StringIO()
    tracemalloc.start()
    try:
        with (
            mock.patch.object(
                sys,
                "argv",
                ["raidcontrol", "track", "check", str(roadbook), str(tracks), "--format", "json"],
            ),
            mock.patch("sys.stdout", new_callable=_Sink),
            contextlib.redirect_stderr(captured),
        ):
            code = run_guarded(app)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    err = captured.getvalue()
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err, err
    if code == 2:
        assert str(tracks.name) in "".join(err.split()) or str(roadbook.name) in "".join(
            err.split()
        ), err
    assert peak <= FUZZ_MB * 2**20, f"{peak / 2**20:.0f} MB"


class _Sink:
    """stdout for the JSON report (discarded)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _run(suffix: str, data: bytes | pa.Table) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roadbook = folder / "roadbook.gpx"
        roadbook.write_bytes(ROADBOOK)
        tracks = folder / f"fleet{suffix}"
        if isinstance(data, pa.Table):
            pq.write_table(data, tracks, row_group_size=max(1, data.num_rows // 2))
        else:
            tracks.write_bytes(data)
        check_cli(tracks, roadbook)


@FUZZ
@given(gpx_files())
def test_fuzz_gpx_tracks(data: bytes):
    _run(".gpx", data)


@FUZZ
@given(csv_files())
def test_fuzz_csv_tracks(data: bytes):
    _run(".csv", data)


@FUZZ
@given(parquet_tables())
def test_fuzz_parquet_tracks(table: pa.Table):
    _run(".parquet", table)


@FUZZ
@given(st.binary(max_size=512), st.sampled_from([".gpx", ".csv", ".parquet"]))
def test_fuzz_track_bytes(data: bytes, suffix: str):
    _run(suffix, data)
