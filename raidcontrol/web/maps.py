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
SIZE = 480  # drawing size, px (square)
PAD = 20  # px


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
    None, lat, lon) — each drawn as a dot labelled with its bib (and rank)."""
    wps, zs, cs = list(waypoints), list(zones), list(crews)
    lats = [a for a, _ in route] + [w[1] for w in wps] + [c[2] for c in cs]
    lons = [b for _, b in route] + [w[2] for w in wps] + [c[3] for c in cs]
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" class="map" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect width="{SIZE}" height="{SIZE}" fill="#f7f4ea"/>'
    )
    if not lats:
        return head + "</svg>"
    lat0, lon0 = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
    xy = project(lats, lons, lat0, lon0)
    half = max(max(abs(e) for e, _ in xy), max(abs(n) for _, n in xy), 1.0)
    scale = (SIZE - 2 * PAD) / (2 * half)

    def px(lat: float, lon: float) -> tuple[float, float]:
        ((e, n),) = project([lat], [lon], lat0, lon0)
        return SIZE / 2 + e * scale, SIZE / 2 - n * scale

    out = [head]
    if route:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (px(a, b) for a, b in route))
        out.append(f'<polyline points="{pts}" fill="none" stroke="#9e9e9e" stroke-width="1.5"/>')
    for name, a0, b0, a1, b1 in zs:
        (x0, y0), (x1, y1) = px(a0, b0), px(a1, b1)
        out.append(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#e53935" '
            f'stroke-width="6" stroke-opacity="0.6"><title>{escape(name)}</title></line>'
        )
    for name, a, b in wps:
        x, y = px(a, b)
        out.append(
            f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#c62828">'
            f"<title>{escape(name)}</title></rect>"
            f'<text x="{x + 5:.1f}" y="{y + 12:.1f}" font-size="10" fill="#c62828">{escape(name)}</text>'
        )
    for bib, rank, a, b in cs:
        x, y = px(a, b)
        label = f"#{bib}" + (f" ({rank})" if rank is not None else "")
        out.append(
            f'<g class="crew" data-bib="{bib}"><circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#0d47a1"/>'
            f'<text x="{x + 7:.1f}" y="{y - 5:.1f}" font-size="11" fill="#0d47a1">{escape(label)}</text></g>'
        )
    return "".join(out) + "</svg>"
