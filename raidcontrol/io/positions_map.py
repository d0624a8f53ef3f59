"""The live positions on a map (PNG): the roadbook's points joined in order, its waypoints and
zones, and each crew's latest position labelled with its bib and virtual rank (matplotlib).

Axes are longitude and latitude (WGS84 degrees) with the latitude's aspect, so distances look
true over the few hundred kilometres of a special.
"""

from __future__ import annotations

import math
from pathlib import Path

from matplotlib.figure import (
    Figure,
)  # a bare Figure draws with Agg: no pyplot, no backend to choose

from raidcontrol.tracking.live.positions import Position
from raidcontrol.tracking.live.route_km import roadbook_points
from raidcontrol.tracking.model import Roadbook

FIGSIZE_IN = (10, 8)
DPI = 110


def draw_positions(
    roadbook: Roadbook, found: list[Position], path: str | Path, title: str = ""
) -> Path:
    """Write the map of ``found`` over ``roadbook`` to ``path`` (PNG); returns the path."""
    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI)
    ax = fig.add_subplot()
    pts = roadbook_points(roadbook)
    ax.plot(
        [p.lon for p in pts],
        [p.lat for p in pts],
        color="0.6",
        lw=1,
        zorder=1,
        label="roadbook (straight)",
    )
    wps = roadbook.waypoints
    ax.scatter(
        [w.lon for w in wps],
        [w.lat for w in wps],
        marker="^",
        color="tab:blue",
        zorder=2,
        label="waypoints",
    )
    for w in wps:
        ax.annotate(
            w.name,
            (w.lon, w.lat),
            fontsize=7,
            color="tab:blue",
            xytext=(3, 3),
            textcoords="offset points",
        )
    for z in roadbook.zones:
        ax.plot(
            [z.start.lon, z.end.lon],
            [z.start.lat, z.end.lat],
            color="tab:red",
            lw=4,
            alpha=0.6,
            zorder=2,
        )
    if found:
        ax.scatter(
            [p.lon for p in found],
            [p.lat for p in found],
            color="black",
            s=14,
            zorder=3,
            label="crews",
        )
        for p in found:
            label = f"{p.bib}" + (f" (P{p.rank})" if p.rank is not None else "")
            ax.annotate(
                label, (p.lon, p.lat), fontsize=7, xytext=(3, -9), textcoords="offset points"
            )
    lats = [p.lat for p in pts] + [p.lat for p in found]
    if lats:
        ax.set_aspect(1.0 / math.cos(math.radians(sum(lats) / len(lats))))
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title(title or "Live positions")
    ax.legend(loc="best", fontsize=8)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
