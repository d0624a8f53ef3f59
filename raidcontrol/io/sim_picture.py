"""A picture of a simulated stage (a matplotlib ``Figure``, object-oriented API; the caller saves it).

Three panels: the route with its roadbook items and a few crews; a close-up of a
waypoint one crew missed by a detour (radius, fixes); the speed profile of a crew that
sped in a zone, against the zone limits.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from raidcontrol.simulation.crew import CrewTrack
from raidcontrol.simulation.geo import local_metres
from raidcontrol.simulation.truth import CrewTruth

TYPE_COLOURS = {
    "WPV": "tab:green",
    "WPM": "tab:blue",
    "WPS": "tab:red",
    "WPE": "tab:purple",
    "WPN": "tab:orange",
    "WPC": "tab:brown",
    "WPP": "tab:pink",
}
CLOSE_UP_M = 1500.0  # half-width of the detour close-up (metres)
LIAISON_SHOWN = 0.05  # the map shows the liaison after the ASS for 5 % of the special's length
PROFILE_PAD_M = 2000.0  # the speed profile shows 2 km either side of the zone


def _map(ax, plan, tracks: list[CrewTrack]) -> None:
    route, layout, rb = plan.context.route, plan.context.layout, plan.roadbook
    lat0, lon0 = rb.dss.lat, rb.dss.lon
    special = route.s_m <= layout.special_m
    liaison = ~special & (route.s_m <= layout.special_m * (1 + LIAISON_SHOWN))
    x, y = local_metres(route.lat, route.lon, lat0, lon0)
    ax.plot(x[special] / 1000, y[special] / 1000, color="0.2", lw=1.2, label="special")
    ax.plot(x[liaison] / 1000, y[liaison] / 1000, color="0.6", lw=1, ls="--", label="liaison")
    for zone in rb.zones:
        sl = (route.s_m >= layout.zone_s[rb.zones.index(zone)][0]) & (
            route.s_m <= layout.zone_s[rb.zones.index(zone)][1]
        )
        ax.plot(x[sl] / 1000, y[sl] / 1000, color="red", lw=4, alpha=0.6)
        zx, zy = local_metres(zone.start.lat, zone.start.lon, lat0, lon0)
        ax.annotate(
            f"{zone.name} {zone.limit_kmh:.0f}", (zx / 1000, zy / 1000), fontsize=7, color="red"
        )
    for wp in rb.waypoints:
        wx, wy = local_metres(wp.lat, wp.lon, lat0, lon0)
        ax.plot(wx / 1000, wy / 1000, "o", ms=5, color=TYPE_COLOURS.get(wp.type, "k"))
        ax.annotate(
            wp.name, (wx / 1000, wy / 1000), fontsize=6, xytext=(3, 3), textcoords="offset points"
        )
    for t in tracks[:3]:
        on = t.s_m <= layout.special_m * (1 + LIAISON_SHOWN)
        tx, ty = local_metres(t.lat[on], t.lon[on], lat0, lon0)
        ax.plot(tx / 1000, ty / 1000, lw=0.5, alpha=0.7, label=f"bib {t.plan.bib}")
    for kind, wp in (("DSS", rb.dss), ("ASS", rb.ass)):
        wx, wy = local_metres(wp.lat, wp.lon, lat0, lon0)
        ax.plot(wx / 1000, wy / 1000, "k^", ms=8)
        ax.annotate(
            kind,
            (wx / 1000, wy / 1000),
            fontsize=8,
            weight="bold",
            xytext=(4, -10),
            textcoords="offset points",
        )
    for t, colour in TYPE_COLOURS.items():
        ax.plot([], [], "o", color=colour, label=t)
    ax.set_aspect("equal")
    ax.set_xlabel("east of the DSS (km)")
    ax.set_ylabel("north of the DSS (km)")
    ax.set_title(
        f"Special {layout.special_m / 1000:.0f} km: waypoints by type, speed zones (red, km/h)"
    )
    ax.legend(fontsize=6, loc="best", ncol=2)


def _close_up(
    ax, plan, detour: CrewTrack | None, clean: CrewTrack | None, truth: dict[int, CrewTruth]
) -> None:
    if detour is None:
        ax.text(0.5, 0.5, "no detour among the drawn crews", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    wp = plan.roadbook.waypoints[detour.plan.detour_wp]
    for t, colour, label in (
        (clean, "tab:green", "validated"),
        (detour, "tab:red", "missed (detour)"),
    ):
        if t is None:
            continue
        x, y = local_metres(t.lat, t.lon, wp.lat, wp.lon)
        near = (np.abs(x) < CLOSE_UP_M) & (np.abs(y) < CLOSE_UP_M)
        ax.plot(
            x[near], y[near], ".-", ms=2, lw=0.5, color=colour, label=f"bib {t.plan.bib}: {label}"
        )
    ax.add_patch(
        Circle(
            (0, 0),
            wp.clear_m,
            fill=False,
            color="k",
            ls="--",
            label=f"clear radius {wp.clear_m:.0f} m",
        )
    )
    ax.plot(0, 0, "k+", ms=12)
    missed = next(m for m in truth[detour.plan.bib].missed if m.name == wp.name)
    ax.set_title(
        f"{wp.name} ({wp.type}): bib {detour.plan.bib} passes {missed.distance_m:.0f} m away"
    )
    ax.set_xlim(-CLOSE_UP_M, CLOSE_UP_M)
    ax.set_ylim(-CLOSE_UP_M, CLOSE_UP_M)
    ax.set_aspect("equal")
    ax.set_xlabel("east of the waypoint (m)")
    ax.set_ylabel("north of the waypoint (m)")
    ax.legend(fontsize=7, loc="lower left")


def _speed(ax, plan, speeder: CrewTrack | None, truth: dict[int, CrewTruth]) -> None:
    if speeder is None:
        ax.text(0.5, 0.5, "no speeding among the drawn crews", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return
    layout, rb = plan.context.layout, plan.roadbook
    z = speeder.plan.speeding_zone
    a, b = layout.zone_s[z]
    sl = (speeder.s_m > a - PROFILE_PAD_M) & (speeder.s_m < b + PROFILE_PAD_M)
    ax.plot(
        speeder.s_m[sl] / 1000, speeder.true_kmh[sl], color="tab:blue", lw=1, label="true speed"
    )
    if speeder.plan.device_speed:
        ax.plot(
            speeder.s_m[sl] / 1000,
            speeder.speed_kmh[sl],
            ".",
            ms=1.5,
            color="tab:orange",
            label="device speed",
        )
    zone = rb.zones[z]
    ax.hlines(
        zone.limit_kmh,
        a / 1000,
        b / 1000,
        color="red",
        lw=2,
        label=f"limit {zone.limit_kmh:.0f} km/h",
    )
    ax.axvspan(a / 1000, b / 1000, color="red", alpha=0.08)
    excess = next(e for e in truth[speeder.plan.bib].speeding if e.zone == zone.name)
    ax.set_title(
        f"bib {speeder.plan.bib} in {zone.name}: max {excess.max_speed_kmh:.0f} km/h, +{excess.excess_kmh:.0f}"
    )
    ax.set_xlabel("km from the DSS")
    ax.set_ylabel("speed (km/h)")
    ax.legend(fontsize=7)


def stage_figure(
    plan, examples: dict[str, CrewTrack], tracks: list[CrewTrack], truth: dict[int, CrewTruth]
) -> Figure:
    """The figure: ``examples`` may hold a ``detour``, a ``clean`` and a ``speeding`` crew's track."""
    fig = Figure(figsize=(15, 6.5), layout="constrained")
    grid = fig.add_gridspec(2, 2, width_ratios=[1.6, 1])
    _map(fig.add_subplot(grid[:, 0]), plan, tracks)
    _close_up(
        fig.add_subplot(grid[0, 1]), plan, examples.get("detour"), examples.get("clean"), truth
    )
    _speed(fig.add_subplot(grid[1, 1]), plan, examples.get("speeding"), truth)
    return fig
