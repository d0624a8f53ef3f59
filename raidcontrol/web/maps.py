"""A map of a crew's track around an infringement, against the roadbook's waypoints (with
their validation radius) and speed zones, as SVG drawn from the data: no tile server, so it
works offline at a bivouac.

Coordinates are projected onto a local plane (equirectangular about the window's centre:
metres east and north), accurate to well under a metre over the few kilometres shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), m
SIZE = 480  # drawing size, px (square; the positions map's width)
PAD = 20  # px
# The positions map's height as a share of its width: at least MIN_ASPECT (a flat special stays
# readable), at most MAX_ASPECT (a north-south special is scaled down to fit); display choices.
MIN_ASPECT = 0.35
MAX_ASPECT = 1.5
LABEL_ROOM = 12  # px kept above and below the drawing for labels
BAR_ROOM = 16  # px of the strip below the positions map that holds its scale bar
CHAR_WIDTH = 0.6  # a label character's width as a share of the font size (sans-serif, approximate)


def project(
    lat: Sequence[float], lon: Sequence[float], lat0: float, lon0: float
) -> list[tuple[float, float]]:
    """(east, north) in metres of each point about (lat0, lon0)."""
    k = math.cos(math.radians(lat0))
    return [
        (math.radians(b - lon0) * EARTH_RADIUS_M * k, math.radians(a - lat0) * EARTH_RADIUS_M)
        for a, b in zip(lat, lon)
    ]


def track_map(
    track: Iterable[tuple[float, float]],
    waypoints: Iterable[tuple[str, float, float, float]],
    zones: Iterable[tuple[str, float, float, float, float]],
    focus: tuple[float, float],
    half_width_m: float,
    title: str,
) -> str:
    """SVG of the track (lat, lon) near ``focus`` (lat, lon) within ``half_width_m`` metres.

    waypoints: (name, lat, lon, radius_m); zones: (name, lat_start, lon_start, lat_end, lon_end).
    """
    lat0, lon0 = focus
    scale = (SIZE - 2 * PAD) / (2 * half_width_m)

    def px(e: float, n: float) -> tuple[float, float]:
        return SIZE / 2 + e * scale, SIZE / 2 - n * scale

    def inside(e: float, n: float) -> bool:
        return abs(e) <= half_width_m * 1.2 and abs(n) <= half_width_m * 1.2

    pts = list(track)
    xy = project([p[0] for p in pts], [p[1] for p in pts], lat0, lon0)
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" class="map" '
            f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        ),
        f'<rect width="{SIZE}" height="{SIZE}" fill="#f7f4ea"/>',
    ]
    for name, a0, b0, a1, b1 in zones:
        (e0, n0), (e1, n1) = project([a0, a1], [b0, b1], lat0, lon0)
        (x0, y0), (x1, y1) = px(e0, n0), px(e1, n1)
        out.append(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#ffb74d" '
            f'stroke-width="10" stroke-opacity="0.6"><title>{escape(name)}</title></line>'
        )
    run: list[str] = []
    runs = []
    for e, n in xy:
        if inside(e, n):
            x, y = px(e, n)
            run.append(f"{x:.1f},{y:.1f}")
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    for r in runs:
        out.append(
            f'<polyline points="{" ".join(r)}" fill="none" stroke="#0d47a1" stroke-width="2"/>'
        )
    for name, a, b, radius in waypoints:
        ((e, n),) = project([a], [b], lat0, lon0)
        if not inside(e, n):
            continue
        x, y = px(e, n)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{max(radius * scale, 3):.1f}" fill="#c62828" '
            f'fill-opacity="0.15" stroke="#c62828"><title>{escape(name)}</title></circle>'
            f'<text x="{x + 6:.1f}" y="{y - 6:.1f}" font-size="11" fill="#c62828">{escape(name)}</text>'
        )
    bar_m = _nice(half_width_m / 2)
    out.append(
        f'<line x1="{PAD}" y1="{SIZE - PAD}" x2="{PAD + bar_m * scale:.1f}" y2="{SIZE - PAD}" stroke="#000" '
        f'stroke-width="2"/><text x="{PAD}" y="{SIZE - PAD - 4}" font-size="11">{bar_m:g} m</text></svg>'
    )
    return "".join(out)


def _nice(x: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above x (a scale bar's length)."""
    k = 10 ** math.floor(math.log10(max(x, 1e-9)))
    return max(m * k for m in (1, 2, 5) if m * k <= x)


def positions_map(
    route: Sequence[tuple[float, float]],
    waypoints: Iterable[tuple[str, float, float]],
    zones: Iterable[tuple[str, float, float, float, float]],
    crews: Iterable[tuple[int, int | None, float, float]],
    title: str,
) -> str:
    """SVG of the crews' latest positions over the whole special.

    route: the roadbook's points in order (lat, lon), joined by straight lines; waypoints: (name,
    lat, lon); zones: (name, lat_start, lon_start, lat_end, lon_end); crews: (bib, virtual rank or
    None, lat, lon) — each drawn as a dot with its bib and rank as a tooltip, labelled where the
    label does not cover another one (the best ranked first: a bunch of crews shows its leaders).

    The drawing is ``SIZE`` px wide and as high as the special's extent needs (north up, one scale
    for both axes), with a scale bar."""
    wps, zs, cs = list(waypoints), list(zones), list(crews)
    lats = [a for a, _ in route] + [w[1] for w in wps] + [c[2] for c in cs]
    lons = [b for _, b in route] + [w[2] for w in wps] + [c[3] for c in cs]
    if not lats:
        return _svg_head(SIZE, round(SIZE * MIN_ASPECT), title) + "</svg>"
    lat0, lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    xy = project(lats, lons, lat0, lon0)
    half_e = max(max(abs(e) for e, _ in xy), 1.0)
    half_n = max(max(abs(n) for _, n in xy), 1.0)
    scale = (SIZE - 2 * PAD) / (2 * max(half_e, half_n / MAX_ASPECT))
    drawing = round(max(2 * half_n * scale + 2 * PAD + 2 * LABEL_ROOM, SIZE * MIN_ASPECT))
    height = drawing + BAR_ROOM  # the scale bar has a strip of its own, below the drawing

    def px(lat: float, lon: float) -> tuple[float, float]:
        ((e, n),) = project([lat], [lon], lat0, lon0)
        return SIZE / 2 + e * scale, drawing / 2 - n * scale

    out = [_svg_head(SIZE, height, title)]
    if route:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (px(a, b) for a, b in route))
        out.append(f'<polyline points="{pts}" fill="none" stroke="#9e9e9e" stroke-width="1.5"/>')
    for name, a0, b0, a1, b1 in zs:
        (x0, y0), (x1, y1) = px(a0, b0), px(a1, b1)
        out.append(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#e53935" '
            f'stroke-width="6" stroke-opacity="0.6"><title>{escape(name)}</title></line>'
        )
    taken: list[tuple[float, float, float, float]] = []
    for name, a, b in wps:
        x, y = px(a, b)
        out.append(
            f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#c62828">'
            f"<title>{escape(name)}</title></rect>"
        )
        out.append(_label(x + 5, y + 12, name, 10, "#c62828", taken))
    ranked = sorted(cs, key=lambda c: (c[1] is None, c[1] or 0, c[0]))
    for bib, rank, a, b in reversed(ranked):  # the leaders drawn last: on top
        x, y = px(a, b)
        tip = f"#{bib}" + (f" ({rank})" if rank is not None else "")
        out.append(
            f'<g class="crew" data-bib="{bib}"><circle cx="{x:.1f}" cy="{y:.1f}" r="5" '
            f'fill="#0d47a1" stroke="#fff"><title>{escape(tip)}</title></circle></g>'
        )
    for bib, rank, a, b in ranked:  # labels in rank order, where they fit
        x, y = px(a, b)
        label = f"#{bib}" + (f" ({rank})" if rank is not None else "")
        out.append(_label(x + 7, y - 5, label, 11, "#0d47a1", taken))
    bar_m = _nice((SIZE - 2 * PAD) / scale / 4)
    out.append(
        f'<line x1="{PAD}" y1="{height - 6}" x2="{PAD + bar_m * scale:.1f}" y2="{height - 6}" '
        f'stroke="#000" stroke-width="2"/><text x="{PAD + bar_m * scale + 6:.1f}" y="{height - 2}" '
        f'font-size="11">{_distance(bar_m)}</text></svg>'
    )
    return "".join(out)


def _svg_head(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="map" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="#f7f4ea"/>'
    )


def _label(
    x: float, y: float, text: str, font_px: int, colour: str, taken: list[tuple[float, ...]]
) -> str:
    """A text at baseline (x, y) if it covers none of the ``taken`` boxes (then its box is taken),
    else nothing: the element's tooltip still names it."""
    box = (x, y - font_px, x + CHAR_WIDTH * font_px * len(text), y + 2)
    x0, y0, x1, y1 = box
    if any(x1 > a and x0 < c and y1 > b and y0 < d for a, b, c, d in taken):
        return ""
    taken.append(box)
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{font_px}" fill="{colour}">{escape(text)}</text>'
    )


def _distance(m: float) -> str:
    return f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"
