"""Fuzzing the OpenRally roadbook reader through ``raidcontrol track check`` (issue 11 §4).

Structure-aware: hypothesis builds roadbooks from ``<wpt>`` elements with OpenRally items
(waypoints of every type, DZ/FZ with speeds, DSS/ASS, neutralisations, time controls) and
hostile values (numbers in other scripts or with underscores, NaN, 1e999, 5,000 digits;
names with control characters, mathtext or 300 characters; statute units), DTDs and
entities (billion laughs), deep nesting, many elements, and cut or corrupted files.  The
property is the tracks fuzzer's: exit 0, or exit 2 naming the file; never a traceback,
never more than ``FUZZ_SECONDS`` or ``FUZZ_MB`` per input.  ``RAIDCONTROL_FUZZ_EXAMPLES``
sets the number of inputs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.test_fuzz_tracks import FUZZ, NUMBERS, check_cli, mutate, xml_text

TRACKS = "bib,time,lat,lon\n" + "".join(
    f"1,2026-01-05T08:00:{s:02d}Z,{24 + s * 0.001:.4f},45.0\n" for s in range(40)
)
NS = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0.0"
NAMES = st.sampled_from(
    ["K1", "", "$\\frac{1}$", "K" * 300, "K\t1", "Zone &amp; village", "²", "&#27;[31m"]
) | st.text(max_size=12)
ITEMS = st.sampled_from(
    [
        "wpv",
        "wpm",
        "wps",
        "wpe",
        "wpn",
        "wpc",
        "wpp",
        "dz",
        "fz",
        "dss",
        "ass",
        "checkpoint",
        "timecontrol",
        "neutralization",
        "danger",
        "unknown",
    ]
)
BILLION_LAUGHS = (
    '<!DOCTYPE gpx [<!ENTITY a0 "ha">'
    + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>\n"
)


@st.composite
def item(draw) -> str:
    tag = draw(ITEMS)
    attrs = ""
    for name in draw(
        st.lists(st.sampled_from(["name", "open", "clear", "allowed"]), max_size=3, unique=True)
    ):
        value = draw(NAMES) if name == "name" else draw(NUMBERS)
        attrs += f' {name}="{xml_text(value)}"'
    text = xml_text(draw(NUMBERS)) if tag == "neutralization" and draw(st.booleans()) else ""
    return f"<openrally:{tag}{attrs}>{text}</openrally:{tag}>"


@st.composite
def roadbooks(draw) -> bytes:
    wpts = []
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        inner = "".join(draw(st.lists(item(), max_size=3)))
        if draw(st.booleans()):
            inner += f"<openrally:speed>{xml_text(draw(NUMBERS))}</openrally:speed>"
        if draw(st.booleans()):
            inner += f"<openrally:distance>{xml_text(draw(NUMBERS))}</openrally:distance>"
        wpts.append(
            f'<wpt lat="{xml_text(draw(NUMBERS))}" lon="{xml_text(draw(NUMBERS))}">'
            f"<extensions>{inner}</extensions></wpt>"
        )
    prolog = draw(
        st.sampled_from(["", "", BILLION_LAUGHS, '<!DOCTYPE gpx SYSTEM "file:///etc/passwd">\n'])
    )
    units = draw(st.sampled_from(["", "metric", "statute", "statue", "furlongs", "\x01"]))
    meta = (
        f"<metadata><extensions><openrally:units>{xml_text(units)}</openrally:units></extensions></metadata>"
        if units
        else ""
    )
    padding = draw(
        st.sampled_from(["", "<x/>" * 1000, "<a>" * 500 + "</a>" * 500, "&a9;" if prolog else ""])
    )
    doc = (
        f'<?xml version="1.0"?>\n{prolog}<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" '
        f'xmlns:openrally="{NS}">{meta}\n' + "\n".join(wpts) + f"{padding}\n</gpx>\n"
    )
    return mutate(draw, doc.encode("utf-8", "surrogatepass"))


@FUZZ
@given(roadbooks())
def test_fuzz_roadbooks(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "roadbook.gpx").write_bytes(data)
        (folder / "fleet.csv").write_text(TRACKS)
        check_cli(folder / "fleet.csv", folder / "roadbook.gpx")


@FUZZ
@given(st.binary(max_size=1024))
def test_fuzz_roadbook_bytes(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "roadbook.gpx").write_bytes(b'<?xml version="1.0"?>\n<gpx>' + data)
        (folder / "fleet.csv").write_text(TRACKS)
        check_cli(folder / "fleet.csv", folder / "roadbook.gpx")
