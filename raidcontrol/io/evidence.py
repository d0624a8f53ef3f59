"""Evidence pictures: one PNG per tracking infringement, for a steward or a team to read.

* a **missed waypoint**: a map (metres east/north of the waypoint) with the validation
  radius, the opening radius, the crew's track around it, the closest approach and any
  tracker outage (dashed) — the title gives the distance, the time and the penalty;
* **speeding**: a map of the zone (the track coloured by speed, DZ and FZ marked, the
  fastest fix labelled) beside the speed profile through the zone with the limit, the
  time over it shaded and the penalty in the title.

Matplotlib's object-oriented API (a ``Figure`` saved as PNG by the Agg renderer: no
display, no pyplot, no global backend switched at import).  Text from the roadbook (a
waypoint's or a zone's name) is drawn as plain text, never as mathtext, so ``$\\frac{1}$``
is just a name.  File names: ``<bib>-missed-wp<n>.png`` and ``<bib>-speeding-z<n>.png``;
each is written under a temporary name and renamed, and :func:`write_pictures` moves a
scan's pictures into place only once all of them are drawn (an error leaves none behind).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
from matplotlib import rc_context
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from raidcontrol.core.timefmt import format_duration
from raidcontrol.io.atomic import atomic_write
from raidcontrol.tracking.check import derived_speeds
from raidcontrol.tracking.geodesy import local_xy
from raidcontrol.tracking.model import Fleet
from raidcontrol.tracking.report import (
    CrewReport,
    FleetReport,
    MissedWaypoint,
    SpeedInfringement,
    iso,
)
from raidcontrol.tracking.rules import TrackingRules

MAP_HALF_M = 500.0  # half-width of a missed waypoint's map, at least (metres)
MAP_RADII = 2.5  # …and at least this many opening radii
MAP_CLEAR_RADII = 4.0  # …and this many validation radii
MAP_CLOSEST = 1.4  # …and this many times the closest approach
CONTEXT_MS = 60_000  # track shown before and after a zone (ms)
DPI = 110
SPEED_SCALE_OVER_LIMIT = 1.2  # the colour scale reaches at least 20 % over the limit
S_PER_MIN = 60.0
MS_PER_S = 1000.0
PLAIN_TEXT = {
    "text.parse_math": False,
    "text.usetex": False,
}  # names are text, never mathtext or LaTeX


def _save(fig: Figure, path: Path) -> Path:
    """Save ``fig`` as PNG under a temporary name beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as fh:
        fig.savefig(fh, format="png")
    return path


def crew_fixes(fleet: Fleet, crew: CrewReport):
    """The crew's kept fixes in time order: (t_ms, lat, lon, device speed, outage-after flags)."""
    at = int(np.searchsorted(fleet.bibs, crew.bib))
    if at >= fleet.bibs.shape[0] or fleet.bibs[at] != crew.bib:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty, empty, empty, empty.astype(bool)
    s, e = int(fleet.offsets[at]), int(fleet.offsets[at + 1])
    order = np.argsort(fleet.t_ms[s:e], kind="stable") + s
    t = fleet.t_ms[order]
    keep = np.r_[True, t[1:] != t[:-1]]
    if crew.spikes:
        keep &= ~np.isin(t, [sp.t_ms for sp in crew.spikes])
    order = order[keep]
    t = fleet.t_ms[order]
    gap_after = np.zeros(t.shape[0], bool)
    for g in crew.gaps:
        gap_after[np.searchsorted(t, g.start_ms)] = True
    return (
        t,
        fleet.lat[order],
        fleet.lon[order],
        fleet.speed_kmh[order].astype(np.float64),
        gap_after,
    )


def _hhmmss(ms: int | None) -> str:
    text = iso(ms) or ""
    return text[11:19] if len(text) >= 19 else text


def missed_picture(
    crew: CrewReport, missed: MissedWaypoint, fleet: Fleet, path: Path, open_m: float | None = None
) -> Path:
    t, lat, lon, _, gap_after = crew_fixes(fleet, crew)
    x, y = local_xy(lat, lon, missed.lat, missed.lon)
    half = max(
        MAP_HALF_M,
        MAP_RADII * (open_m or 0.0),
        MAP_CLEAR_RADII * missed.clear_m,
        MAP_CLOSEST * (missed.closest_m or 0.0),
    )
    with rc_context(PLAIN_TEXT):
        return _missed_figure(crew, missed, t, x, y, gap_after, half, open_m, path)


def _missed_figure(
    crew: CrewReport,
    missed: MissedWaypoint,
    t,
    x,
    y,
    gap_after,
    half: float,
    open_m: float | None,
    path: Path,
) -> Path:
    fig = Figure(figsize=(7.5, 7), dpi=DPI)
    ax = fig.subplots()
    near = (np.abs(x) < 2 * half) & (np.abs(y) < 2 * half)
    for seg in np.split(np.arange(t.shape[0]), np.flatnonzero(gap_after) + 1):
        seg = seg[near[seg]]
        if seg.shape[0]:
            ax.plot(
                x[seg],
                y[seg],
                "-",
                color="#1f5fa8",
                lw=1.6,
                label="track" if "track" not in [h.get_label() for h in ax.lines] else None,
            )
            ax.plot(x[seg], y[seg], ".", color="#1f5fa8", ms=2.5)
    for g in crew.gaps:
        gx, gy = local_xy(
            np.array([g.start[0], g.end[0]]),
            np.array([g.start[1], g.end[1]]),
            missed.lat,
            missed.lon,
        )
        ax.plot(
            gx,
            gy,
            "--",
            color="#c0392b",
            lw=1.2,
            label=f"tracker outage {format_duration(g.duration_ms)}",
        )
    ax.add_patch(
        Circle(
            (0, 0),
            missed.clear_m,
            color="#27ae60",
            alpha=0.18,
            label=f"validation radius {missed.clear_m:.0f} m",
        )
    )
    ax.add_patch(Circle((0, 0), missed.clear_m, color="#27ae60", fill=False, lw=1.5))
    if open_m:
        ax.add_patch(
            Circle(
                (0, 0),
                open_m,
                color="#7f8c8d",
                fill=False,
                ls=":",
                lw=1.0,
                label=f"opening radius {open_m:.0f} m",
            )
        )
    ax.plot([0], [0], marker="x", color="#145a32", ms=10, mew=2.5)
    ax.annotate(
        f"{missed.type} {missed.name}",
        (0, 0),
        xytext=(8, 8),
        textcoords="offset points",
        fontsize=10,
        weight="bold",
    )
    if missed.closest_t_ms is not None and t.shape[0]:
        i = int(np.clip(np.searchsorted(t, missed.closest_t_ms), 0, t.shape[0] - 1))
        ax.plot([0, x[i]], [0, y[i]], "-", color="#c0392b", lw=1.0)
        ax.annotate(
            f"closest {missed.closest_m:.0f} m at {_hhmmss(missed.closest_t_ms)}",
            (x[i], y[i]),
            xytext=(8, -14),
            textcoords="offset points",
            fontsize=9,
            color="#c0392b",
        )
    ax.set_xlim(-half, half)
    ax.set_ylim(-half, half)
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.set_xlabel("metres east of the waypoint")
    ax.set_ylabel("metres north of the waypoint")
    closest = (
        f"closest approach {missed.closest_m:.0f} m"
        if missed.closest_m is not None
        else "never came near"
    )
    notes = (" — passed out of order" if missed.out_of_order else "") + (
        " — possibly during an outage" if missed.outage else ""
    )
    ax.set_title(
        f"Bib {crew.bib} — missed {missed.type} {missed.name}: {closest}{notes}\n"
        f"penalty {format_duration(missed.penalty_ms)}",
        fontsize=11,
    )
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    return _save(fig, path)


def speeding_picture(
    crew: CrewReport,
    inf: SpeedInfringement,
    fleet: Fleet,
    rules: TrackingRules,
    path: Path,
    dz: tuple[float, float],
    fz: tuple[float, float],
) -> Path:
    t, lat, lon, spd, gap_after = crew_fixes(fleet, crew)
    speed, _ = derived_speeds(t, lat, lon, spd, gap_after, rules.derived_window_ms)
    lo = int(np.searchsorted(t, inf.zone_t0_ms - CONTEXT_MS))
    hi = int(np.searchsorted(t, inf.zone_t1_ms + CONTEXT_MS, side="right"))
    t, lat, lon, speed = t[lo:hi], lat[lo:hi], lon[lo:hi], speed[lo:hi]
    passes = inf.pass_times or ((inf.zone_t0_ms, inf.zone_t1_ms),)
    in_zone = np.zeros(t.shape[0], bool)
    for a, b in passes:
        in_zone |= (t >= a) & (t <= b)
    x, y = local_xy(lat, lon, dz[0], dz[1])
    fzx, fzy = local_xy(fz[0], fz[1], dz[0], dz[1])
    with rc_context(PLAIN_TEXT):
        fig = Figure(figsize=(13, 5.6), dpi=DPI)
        ax_map, ax_sp = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.35]})
        _zone_map(fig, ax_map, inf, t, x, y, in_zone, speed, (float(fzx), float(fzy)))
        _speed_profile(ax_sp, inf, rules, t, speed, in_zone, passes)
        pass_note = f", {inf.passes} passes" if inf.passes > 1 else ""
        fz_note = "" if inf.fz_passed else " (FZ not reached: zone closed at the nearest fix)"
        fig.suptitle(
            f"Bib {crew.bib} — speeding in zone {inf.zone}{pass_note}{fz_note}: "
            f"penalty {format_duration(inf.penalty_ms)}",
            fontsize=12,
            weight="bold",
        )
        fig.tight_layout()
        return _save(fig, path)


def _zone_map(
    fig: Figure, ax_map, inf: SpeedInfringement, t, x, y, in_zone, speed, fz_xy: tuple[float, float]
) -> None:
    """The zone's map: the track, coloured by speed inside the zone, DZ, FZ and the fastest fix."""
    fzx, fzy = fz_xy
    ax_map.plot(x, y, "-", color="#bdc3c7", lw=1.2, label="track")
    legs = np.flatnonzero(in_zone[:-1] & in_zone[1:])  # legs inside a pass
    vmax_scale = max(inf.max_speed_kmh, inf.limit_kmh * SPEED_SCALE_OVER_LIMIT)
    if legs.shape[0]:
        pts = np.column_stack([x, y])
        lc = LineCollection(np.stack([pts[legs], pts[legs + 1]], axis=1), cmap="RdYlGn_r", lw=3)
        lc.set_array(speed[legs])
        lc.set_clim(0, vmax_scale)
        ax_map.add_collection(lc)
        fig.colorbar(lc, ax=ax_map, label="speed km/h", shrink=0.8)
    ax_map.plot([0], [0], "o", color="#2c3e50", ms=8)
    ax_map.annotate("DZ", (0, 0), xytext=(6, 6), textcoords="offset points", weight="bold")
    ax_map.plot([fzx], [fzy], "s", color="#2c3e50", ms=8)
    ax_map.annotate("FZ", (fzx, fzy), xytext=(6, 6), textcoords="offset points", weight="bold")
    if t.shape[0]:
        m = int(np.clip(np.searchsorted(t, inf.max_at_ms), 0, t.shape[0] - 1))
        ax_map.plot([x[m]], [y[m]], "*", color="#c0392b", ms=14)
        ax_map.annotate(
            f"{inf.max_speed_kmh:.0f} km/h at {_hhmmss(inf.max_at_ms)}",
            (x[m], y[m]),
            xytext=(8, -14),
            textcoords="offset points",
            color="#c0392b",
            fontsize=9,
        )
    ax_map.set_aspect("equal", adjustable="datalim")
    ax_map.grid(True, alpha=0.3)
    ax_map.set_xlabel("metres east of the DZ")
    ax_map.set_ylabel("metres north of the DZ")
    ax_map.set_title(f"zone {inf.zone} — limit {inf.limit_kmh:.0f} km/h")


def _speed_profile(
    ax_sp, inf: SpeedInfringement, rules: TrackingRules, t, speed, in_zone, passes
) -> None:
    """The speed through the zone against the limit, the time over it shaded."""
    minutes = (t - inf.zone_t0_ms) / MS_PER_S / S_PER_MIN
    ax_sp.plot(
        minutes,
        speed,
        "-",
        color="#1f5fa8",
        lw=1.4,
        label="speed (device)" if inf.speed_source == "device" else "speed (from the fixes)",
    )
    ax_sp.axhline(
        inf.limit_kmh, color="#c0392b", lw=1.5, ls="--", label=f"limit {inf.limit_kmh:.0f} km/h"
    )
    over = in_zone & (speed > inf.limit_kmh + rules.tolerance_kmh)
    ax_sp.fill_between(
        minutes,
        inf.limit_kmh,
        np.where(over, speed, inf.limit_kmh),
        color="#e74c3c",
        alpha=0.35,
        step=None,
        label=f"over the limit: {format_duration(inf.duration_ms)}, {inf.distance_m:.0f} m",
    )
    for n, (a, b) in enumerate(passes):
        ax_sp.axvspan(
            (a - inf.zone_t0_ms) / MS_PER_S / S_PER_MIN,
            (b - inf.zone_t0_ms) / MS_PER_S / S_PER_MIN,
            color="#f1c40f",
            alpha=0.15,
            label="in the zone" if n == 0 else None,
        )
    ax_sp.set_xlabel("minutes from the DZ")
    ax_sp.set_ylabel("km/h")
    ax_sp.grid(True, alpha=0.3)
    ax_sp.legend(loc="best", fontsize=8)
    ax_sp.set_title(
        f"max {inf.max_speed_kmh:.1f} km/h (+{inf.excess_kmh:.1f}), {_hhmmss(inf.start_ms)}–{_hhmmss(inf.end_ms)} UTC"
    )


def picture_name(bib: int, code: str) -> str:
    return f"{bib}-{code}.png"


def write_pictures(
    report: FleetReport, fleet: Fleet, folder: Path, progress=None
) -> dict[tuple[int, str], Path]:
    """A PNG per infringement of the report into ``folder``; returns {(bib, code): path}.

    The pictures are drawn into a temporary folder beside ``folder`` and moved into place
    only when every one of them is drawn: an error leaves ``folder`` as it was."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    jobs = [
        (crew, item)
        for _, crew in sorted(report.crews.items())
        for item in (*crew.missed, *crew.speeding)
    ]
    if not jobs:
        return {}
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        drawn = _draw_all(report, fleet, staging, jobs, progress)
        folder.mkdir(exist_ok=True)
        return {key: tmp.replace(folder / tmp.name) for key, tmp in drawn.items()}
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _draw_all(
    report: FleetReport, fleet: Fleet, folder: Path, jobs: list, progress
) -> dict[tuple[int, str], Path]:
    opening = {wp.index: wp.open_m for wp in report.roadbook.waypoints}
    out: dict[tuple[int, str], Path] = {}
    for n, (crew, item) in enumerate(jobs):
        path = folder / picture_name(crew.bib, item.code)
        if isinstance(item, MissedWaypoint):
            wp = report.roadbook.waypoints[item.index - 1]
            out[(crew.bib, item.code)] = missed_picture(
                crew, item, fleet, path, opening.get(wp.index)
            )
        else:
            zone = report.roadbook.zones[item.index - 1]
            out[(crew.bib, item.code)] = speeding_picture(
                crew,
                item,
                fleet,
                report.rules,
                path,
                (zone.start.lat, zone.start.lon),
                (zone.end.lat, zone.end.lon),
            )
        if progress:
            progress(n + 1, len(jobs))
    return out
