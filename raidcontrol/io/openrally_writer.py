"""Roadbook export: OpenRally GPX (v1.0.0 cross-country extensions of GPX 1.1).

One ``<wpt>`` per roadbook item, in roadbook order, each carrying its road-book
``<openrally:distance>`` (km) and one OpenRally element:

====================  =====================================================================
waypoints             ``wpv wpm wps wpe wpn wpc wpp`` with ``name``, ``open`` and ``clear``
                      (metres; ``open`` left out when 0). ``wpn`` and ``wpp`` follow the
                      schema's naming of the other types (GPX extensions are validated laxly).
speed zones           ``dz`` with ``<openrally:speed>`` (km/h) in the same ``<wpt>``; ``fz``
special               ``dss`` and ``ass``; a ``timecontrol`` at the start
neutralisation        ``neutralization`` (seconds) with ``fuel``
====================  =====================================================================

A name is written only when it differs from the name a reader would give anyway
(``WP<n>``, ``DZ<n>``, ``FZ<n>`` …); radii are left out for the waypoints listed in
``implicit_radius`` so that the rulebook's default applies when the file is read.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from raidcontrol.tracking.model import WAYPOINT_TYPES, Roadbook, Waypoint

OPENRALLY_NS = "http://www.openrally.org/xmlschemas/GpxExtensions/v1.0.0"
GPX_NS = "http://www.topografix.com/GPX/1/1"
COORD_DECIMALS = 7  # 1e-7 degree ≈ 1 cm
KM_DECIMALS = 3  # road-book distances to the metre


def _number(value: float) -> str:
    return str(int(round(value))) if float(value).is_integer() else f"{value:g}"  # noqa: RUF046  (numpy floats)


def _attrs(**values: object) -> str:
    return "".join(f" {k}={quoteattr(str(v))}" for k, v in values.items() if v is not None)


def _wpt(wp: Waypoint, body: list[str]) -> list[str]:
    lines = [
        f'  <wpt lat="{wp.lat:.{COORD_DECIMALS}f}" lon="{wp.lon:.{COORD_DECIMALS}f}">',
        f"    <name>{escape(wp.name)}</name>",
        "    <extensions>",
    ]
    if wp.km is not None:
        lines.append(f"      <openrally:distance>{wp.km:.{KM_DECIMALS}f}</openrally:distance>")
    lines += [f"      {b}" for b in body]
    lines += ["    </extensions>", "  </wpt>"]
    return lines


def render_roadbook(
    roadbook: Roadbook, *, name: str = "", implicit_radius: Collection[str] = ()
) -> str:
    """The OpenRally GPX text of ``roadbook`` (see the module docstring)."""
    items: list[tuple[int, Waypoint, list[str]]] = []
    for n, wp in enumerate(roadbook.waypoints, start=1):
        if wp.type not in WAYPOINT_TYPES:
            raise ValueError(
                f"waypoint {wp.name!r} has type {wp.type!r}, not one of {WAYPOINT_TYPES}"
            )
        given = wp.name != f"WP{n}"
        radii = (
            {}
            if wp.name in implicit_radius
            else {"open": _number(wp.open_m) if wp.open_m else None, "clear": _number(wp.clear_m)}
        )
        items.append(
            (
                wp.index,
                wp,
                [
                    f"<openrally:{wp.type.lower()}{_attrs(name=wp.name if given else None, **radii)}/>"
                ],
            )
        )
    for n, zone in enumerate(roadbook.zones, start=1):
        start_name = zone.name if zone.name != f"DZ{n}" else None
        end_name = zone.end.name if zone.end.name != f"FZ{n}" else None
        items.append(
            (
                zone.start.index,
                zone.start,
                [
                    f"<openrally:dz{_attrs(name=start_name, clear=_number(zone.start.clear_m))}/>",
                    f"<openrally:speed>{round(zone.limit_kmh)}</openrally:speed>",
                ],
            )
        )
        items.append(
            (
                zone.end.index,
                zone.end,
                [f"<openrally:fz{_attrs(name=end_name, clear=_number(zone.end.clear_m))}/>"],
            )
        )
    for tag, wp in (("dss", roadbook.dss), ("ass", roadbook.ass)):
        if wp is not None:
            items.append(
                (
                    wp.index,
                    wp,
                    [
                        f"<openrally:{tag}{_attrs(name=wp.name if wp.name != tag.upper() else None)}/>"
                    ],
                )
            )
    for n, control in enumerate(roadbook.time_controls, start=1):
        allowed = control.allowed_ms // 60_000 if control.allowed_ms is not None else None
        items.append(
            (
                control.index,
                control,
                [
                    f"<openrally:timecontrol{_attrs(name=control.name if control.name != f'TC{n}' else None, allowed=allowed)}/>"
                ],
            )
        )
    for n, (start, _end) in enumerate(roadbook.neutralisations, start=1):
        seconds = (start.duration_ms or 0) // 1000
        items.append(
            (
                start.index,
                start,
                [
                    (
                        f"<openrally:neutralization{_attrs(name=start.name if start.name != f'N{n}' else None)}>{seconds}"
                        f"</openrally:neutralization>"
                    ),
                    "<openrally:fuel/>",
                ],
            )
        )
    items.sort(key=lambda it: it[0])
    total_km = max((wp.km for _, wp, _ in items if wp.km is not None), default=0.0)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gpx xmlns="{GPX_NS}" xmlns:openrally="{OPENRALLY_NS}" version="1.1" creator="raidcontrol">',
        "  <metadata>",
    ]
    if name:
        lines.append(f"    <name>{escape(name)}</name>")
    lines += [
        "    <extensions>",
        "      <openrally:units>metric</openrally:units>",
        f"      <openrally:distance>{total_km:.{KM_DECIMALS}f}</openrally:distance>",
        "    </extensions>",
        "  </metadata>",
    ]
    for _, wp, body in items:
        lines += _wpt(wp, body)
    lines.append("</gpx>")
    return "\n".join(lines) + "\n"


def write_roadbook(
    roadbook: Roadbook, path: str | Path, *, name: str = "", implicit_radius: Collection[str] = ()
) -> Path:
    """Write ``roadbook`` as an OpenRally GPX file at ``path`` (folders are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        render_roadbook(roadbook, name=name, implicit_radius=implicit_radius), encoding="utf-8"
    )
    return path
