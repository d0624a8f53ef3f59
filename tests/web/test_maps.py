"""The positions map: fitted to the special's shape, one label per place, leaders labelled first."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from raidcontrol.web.maps import CHAR_WIDTH, SIZE, positions_map

ROUTE = [(20.0, 44.0), (20.01, 44.2), (20.0, 44.4)]  # a flat, east-west special of about 42 km


def _viewbox(svg: str) -> tuple[float, float]:
    w, h = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups()
    return float(w), float(h)


def _labels(svg: str) -> list[tuple[float, float, int, str]]:
    return [
        (float(x), float(y), int(size), text)
        for x, y, size, text in re.findall(
            r'<text x="([\d.-]+)" y="([\d.-]+)" font-size="(\d+)" fill="#0d47a1">([^<]*)</text>',
            svg,
        )
    ]


def test_a_flat_special_gets_a_flat_picture():
    svg = positions_map(ROUTE, [], [], [(1, 1, 20.0, 44.1)], "t")
    width, height = _viewbox(svg)
    assert width == SIZE and height < SIZE / 2


def test_a_bunch_of_crews_labels_its_leaders_and_no_label_covers_another():
    crews = [(bib, rank, 20.0, 44.3 + rank * 1e-5) for rank, bib in enumerate([7, 3, 9, 4], 1)]
    svg = positions_map(ROUTE, [], [], crews, "t")
    labels = _labels(svg)
    assert labels[0][3] == "#7 (1)"  # the leader's label is placed first
    assert len(labels) < len(crews)  # the others would cover it
    assert len(re.findall(r'<g class="crew"', svg)) == len(crews)  # every crew is drawn
    assert all(f"<title>#{bib} ({rank})</title>" in svg for bib, rank, _, _ in crews)


@given(st.lists(st.tuples(st.floats(19.99, 20.01), st.floats(44.0, 44.4)), min_size=1, max_size=30))
def test_labels_never_overlap(points):
    crews = [(i + 1, i + 1, lat, lon) for i, (lat, lon) in enumerate(points)]
    boxes = [
        (x, y - size, x + CHAR_WIDTH * size * len(text), y + 2)
        for x, y, size, text in _labels(positions_map(ROUTE, [], [], crews, "t"))
    ]
    for i, (a0, b0, a1, b1) in enumerate(boxes):
        for c0, d0, c1, d1 in boxes[i + 1 :]:
            assert a1 <= c0 or c1 <= a0 or b1 <= d0 or d1 <= b0
