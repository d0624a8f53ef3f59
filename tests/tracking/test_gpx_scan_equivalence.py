"""The GPX reader's three ways agree on every file: the compiled byte pass, the regular
expression it hands over to, and the expat parser (the reference, with its located errors).

hypothesis writes GPX files in odd-but-valid formatting (attribute order, single quotes,
whitespace, namespaces and prefixes, time zones, fractional seconds, numbers of every width
and notation) and with hostile parts (comments, entities, CDATA, DTDs, control characters,
digits of other scripts, instants and coordinates out of range, missing times).  For each:
``read_gpx`` gives the same columns as ``parse_gpx``, or the same error (message, file,
line, field) — with the compiled pass and with it always unsure (the regular expression)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from raidcontrol.core.errors import InputError
from raidcontrol.io import gpx_kernel, gpx_tracks
from raidcontrol.io.hardening import MAX_INSTANT_MS, MIN_INSTANT_MS
from tests.tracking.number_texts import styled

EXAMPLES = int(os.environ.get("RAIDCONTROL_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAY_MS = 86_400_000
GPX_NS = "http://www.topografix.com/GPX/1/1"
EXT_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v2"

blank = st.sampled_from(["", "", "", "\n", " ", "\t", "\r\n", "  \n    "])
some_blank = st.sampled_from([" ", " ", " ", "\n", "\t", " \r\n  "])


@st.composite
def numbers(draw, limit: float) -> str:
    """A coordinate or speed as some writer would put it (rarely out of range)."""
    wide = draw(st.sampled_from([1.0] * 19 + [1.01]))  # now and then out of range
    value = draw(st.floats(-limit * wide, limit * wide, allow_nan=False))
    style = draw(st.sampled_from(["fixed"] * 4 + ["repr", "exp", "plus", "int", "long", "lead"]))
    return styled(draw, value, style)


@st.composite
def instants(draw) -> str:
    margin = draw(st.sampled_from([0] * 19 + [DAY_MS]))  # now and then outside the window
    t_ms = draw(st.integers(MIN_INSTANT_MS - margin, MAX_INSTANT_MS - 1 + margin))
    text = str(np.datetime64(t_ms, "ms"))  # YYYY-MM-DDTHH:MM:SS.fff
    base, fraction = text[:19], text[20:]
    digits = draw(st.sampled_from([0, 0, 0, 3, 3, 1, 2, 4, 6, 7, 9, 10]))
    fraction = (fraction + draw(st.text("0123456789", min_size=7, max_size=7)))[:digits]
    zone = draw(st.sampled_from(["Z"] * 12 + ["", "", "+00:00", "+02:00", "-05:30", "z"]))
    sep = draw(st.sampled_from(["T"] * 12 + [" "]))
    return base[:10] + sep + base[11:] + ("." + fraction if digits else "") + zone


@st.composite
def points(draw, prefix: str | None) -> str:
    lat, lon = draw(numbers(90.0)), draw(numbers(180.0))
    q = draw(st.sampled_from(['"'] * 4 + ["'"]))
    attrs = [f"lat={q}{lat}{q}", f"lon={q}{lon}{q}"]
    if draw(st.sampled_from([False] * 5 + [True])):
        attrs.reverse()
    b = draw(blank)
    parts = [f"<trkpt{draw(some_blank)}{attrs[0]}{draw(some_blank)}{attrs[1]}{b}>{draw(blank)}"]
    if draw(st.booleans()):
        parts.append(f"<ele>{draw(numbers(9000.0))}</ele>{draw(blank)}")
    parts.append(f"<time>{draw(instants())}</time>{draw(blank)}")
    speed = draw(st.none() | numbers(100.0))
    if speed is not None and prefix and draw(st.booleans()):
        p = f"{prefix}:" if prefix != "-" else ""
        parts.append(
            f"<extensions>{draw(blank)}<{p}TrackPointExtension>{draw(blank)}<{p}speed>{speed}"
            f"</{p}speed>{draw(blank)}</{p}TrackPointExtension>{draw(blank)}</extensions>"
            f"{draw(blank)}"
        )
    elif speed is not None:
        parts.append(f"<speed>{speed}</speed>{draw(blank)}")
    parts.append("</trkpt>")
    return "".join(parts)


HOSTILE = [
    "<!-- a comment -->",
    "&amp;",
    "<![CDATA[24.0]]>",
    "\x01",
    "\u0662",  # ARABIC-INDIC DIGIT TWO
    "<trkpt lat='24' lon='45'></trkpt>",  # a fix without time
    '<trkpt lat="91" lon="45"><time>2026-01-05T08:00:00Z</time></trkpt>',
    '<trkpt lat="24" lon="45"><time>1999-12-31T23:59:59Z</time></trkpt>',
    '<trkpt lat="24" lon="45"><time>2026-02-30T08:00:00Z</time></trkpt>',
    '<trkpt lat="2_4" lon="45"><time>2026-01-05T08:00:00Z</time></trkpt>',
    '<trkpt lat="24" lon="45"><time>2026-01-05T08:00:00Z</time><speed>1e999</speed></trkpt>',
    "<trkseg>",
    "</trkseg>",
    "<",
]


@st.composite
def gpx_files(draw) -> bytes:
    """A GPX file of one to three tracks, its extension prefix declared on the root (or not)."""
    prefix = draw(st.sampled_from(["gpxtpx", "ns3", "-", None]))
    undeclared = draw(st.sampled_from([False] * 9 + [True]))
    declared = prefix if prefix not in (None, "-") and not undeclared else None
    default_ns = draw(st.booleans())
    ns = f' xmlns="{GPX_NS}"' if default_ns else ""
    if declared:
        ns += f' xmlns:{declared}="{EXT_NS}"'
    tracks = []
    for k in range(draw(st.integers(1, 3))):
        segs = []
        for _ in range(draw(st.integers(1, 2))):
            pts = draw(st.lists(points(prefix), min_size=0, max_size=6))
            joins = [draw(blank) for _ in pts]
            segs.append(
                f"<trkseg>{draw(blank)}{''.join(p + j for p, j in zip(pts, joins))}</trkseg>"
            )
        name = draw(st.sampled_from([str(k + 1)] * 4 + [f" {k + 7} ", "crew", ""]))
        tracks.append(f"<trk>{draw(blank)}<name>{name}</name>{draw(blank)}{''.join(segs)}</trk>")
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx{ns} version="1.1">\n{"".join(tracks)}\n</gpx>\n'
    if draw(st.sampled_from([False, False, True])):  # a hostile part somewhere inside the root
        first, last = text.index("<trk>"), text.rindex("</gpx>")
        at = draw(st.integers(first, last))
        text = text[:at] + draw(st.sampled_from(HOSTILE)) + text[at:]
    if draw(st.sampled_from([False] * 15 + [True])):
        text = text.replace("<gpx", '<!DOCTYPE gpx [<!ENTITY e "x">]>\n<gpx', 1)
    return text.encode()


def outcome(read, path: Path):
    """The columns read, or the error as (message, file, line, field)."""
    try:
        return read(path)
    except InputError as exc:
        return (exc.message, exc.file, exc.line, exc.field)


def same(a, b) -> bool:
    if isinstance(a[0], str) or isinstance(b[0], str):
        return isinstance(a[0], str) and isinstance(b[0], str) and a == b
    return all(x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


def always_unsure(*_args):
    return 0, 0, gpx_kernel.UNSURE, False


@SETTINGS
@given(data=gpx_files())
def test_every_way_reads_a_generated_gpx_file_as_the_parser_does(tmp_path: Path, data: bytes):
    path = tmp_path / "12.gpx"
    path.write_bytes(data)
    parsed = outcome(gpx_tracks.parse_gpx, path)
    fast = outcome(gpx_tracks.read_gpx, path)
    assert same(fast, parsed), (fast, parsed)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gpx_kernel, "scan_points", always_unsure)
        regex = outcome(gpx_tracks.read_gpx, path)
    assert same(regex, parsed), (regex, parsed)


def test_the_compiled_pass_reads_the_regular_layout_itself(tmp_path: Path, monkeypatch):
    """Not only handed to the other ways: the usual writer's layout is read by the kernel, and
    the regular expression is not called."""
    pts = "".join(
        f'<trkpt lat="24.{k:04d}" lon="-45.5"><ele>10</ele><time>2026-01-05T08:00:{k:02d}.25Z'
        f"</time><extensions><x:TrackPointExtension><x:speed>{k}.5</x:speed>"
        f"</x:TrackPointExtension></extensions></trkpt>\n"
        for k in range(40)
    )
    path = tmp_path / "3.gpx"
    path.write_text(
        f'<?xml version="1.0"?>\n<gpx xmlns="{GPX_NS}" xmlns:x="{EXT_NS}" version="1.1">'
        f"<trk><name>5</name><trkseg>\n{pts}</trkseg></trk></gpx>\n"
    )
    parsed = gpx_tracks.parse_gpx(path)

    def no_regex(_body):
        raise AssertionError("the regular expression was called")

    monkeypatch.setattr(gpx_tracks, "_segment_columns", no_regex)
    monkeypatch.setattr(gpx_tracks, "SCAN_ROOM", 7)  # the columns fill up: read in pieces
    scanned = gpx_tracks.scan_gpx(path)
    assert same(scanned, parsed)
    assert scanned[1][3] == 1_767_600_003_250 and scanned[4][3] == np.float32(3.5 * 3.6)


def test_warm_compiles_the_scanner():
    assert gpx_kernel.warm() == 1
    assert gpx_kernel.scan_points.signatures
