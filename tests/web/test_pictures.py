"""The SVG pictures: well-formed, escaped, and drawn where the data says."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from raidcontrol.web.charts import gap_chart
from raidcontrol.web.maps import project, track_map

SVG = "{http://www.w3.org/2000/svg}"


def test_gap_chart_draws_one_line_per_crew_and_escapes_names():
    svg = gap_chart(
        [1, 2, 3],
        {204: [0, 0, 0], 202: [55_000, None, 120_000]},
        {204: "#204 <b>Q</b>", 202: "#202 C&C"},
        "gaps",
    )
    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    # the crew not classified after stage 2 has two points, the leader three
    assert sorted(len(pl.get("points").split()) for pl in lines) == [2, 3]


def test_project_is_metres_about_the_centre():
    ((e, n),) = project([24.001], [45.0], 24.0, 45.0)
    assert abs(e) < 1e-6 and abs(n - 111.2) < 0.1  # 0.001° of latitude ≈ 111.2 m


def test_track_map_shows_waypoint_radius_and_clips_far_points():
    track = [(24.0, 45.0 + i * 0.001) for i in range(10)] + [(25.0, 46.0)]
    svg = track_map(
        track,
        [("WP<3>", 24.0, 45.002, 90.0), ("far", 26.0, 46.0, 90.0)],
        [("DZ1", 24.0, 45.0, 24.0, 45.005)],
        (24.0, 45.002),
        1000.0,
        "map",
    )
    root = ET.fromstring(svg)
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 1 and "WP&lt;3&gt;" in svg  # the far waypoint is not drawn
    (poly,) = root.findall(f"{SVG}polyline")
    assert len(poly.get("points").split()) == 10  # the far fix is clipped
