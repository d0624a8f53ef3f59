"""Where a simulated stage's roadbook items sit along the route, and the roadbook itself.

The special (DSS at ``s = 0`` to ASS at ``special_m``) is cut into equal slots; each slot
holds one item — a waypoint, a speed zone or the neutralisation — in a shuffled order, so
that zones and waypoints alternate the way they do in a real road book and every item
has room around it (for a crew's detour, or the braking before a zone).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raidcontrol.core.errors import InputError
from raidcontrol.simulation.profile import SimProfile
from raidcontrol.simulation.route import Route
from raidcontrol.tracking.model import WAYPOINT_TYPES, Roadbook, SpeedZone, Waypoint
from raidcontrol.tracking.rules import TrackingRules


@dataclass(frozen=True)
class Layout:
    """Items along the special, in metres from the DSS.

    wp_s, wp_type, wp_name, wp_named (the file carries the name), wp_implicit (the file
    gives no radius: the rulebook's applies), wp_half_window_m (room for a detour either
    side); zone_s (n × 2: DZ and FZ), zone_limit_kmh, zone_name, zone_named;
    neutral_s (the neutralisation point, or None) and its length ``neutral_ms``.
    """

    special_m: float
    slot_m: float
    wp_s: np.ndarray
    wp_type: tuple[str, ...]
    wp_name: tuple[str, ...]
    wp_named: tuple[bool, ...]
    wp_implicit: tuple[bool, ...]
    wp_half_window_m: np.ndarray
    zone_s: np.ndarray
    zone_limit_kmh: np.ndarray
    zone_name: tuple[str, ...]
    zone_named: tuple[bool, ...]
    neutral_s: float | None
    neutral_ms: int

    def calm_windows(self, brake_before_m: float) -> list[tuple[float, float]]:
        """Stretches kept free of tight bends: detour room around waypoints, zones with
        their braking room, the DSS, the ASS and the neutralisation."""
        out = [(s - h, s + h) for s, h in zip(self.wp_s, self.wp_half_window_m)]
        out += [(a - brake_before_m, b + brake_before_m) for a, b in self.zone_s]
        out += [(0.0, 0.0), (self.special_m, self.special_m)]
        if self.neutral_s is not None:
            out.append((self.neutral_s, self.neutral_s))
        return out

    def zone_windows(self, brake_before_m: float) -> list[tuple[float, float]]:
        return [(a - brake_before_m, b + brake_before_m) for a, b in self.zone_s]

    def retire_points(self) -> np.ndarray:
        """Slot boundaries: places between items where a crew can break down."""
        k = np.arange(1, len(self.wp_s) + len(self.zone_s) + (self.neutral_s is not None) + 1)
        return (k + 0.5) * self.slot_m


def _waypoint_types(rng: np.random.Generator, n: int, profile: SimProfile) -> list[str]:
    types = [str(t) for t in profile.value("waypoints.types")]
    weights = np.asarray(profile.floats("waypoints.weights"))
    unknown = set(types) - set(WAYPOINT_TYPES)
    if unknown:
        raise InputError(
            f"simulation profile: unknown waypoint types {sorted(unknown)}", field="waypoints.types"
        )
    chosen = list(types) if n >= len(types) else []  # every type at least once when there is room
    chosen += list(rng.choice(types, size=n - len(chosen), p=weights / weights.sum()))
    rng.shuffle(chosen)
    return chosen


def plan_layout(
    rng: np.random.Generator,
    special_m: float,
    waypoints: int,
    zones: int,
    profile: SimProfile,
    neutral_ms: int,
) -> Layout:
    """Lay ``waypoints`` waypoints, ``zones`` zones and one neutralisation (a stop of
    ``neutral_ms``) along the special."""
    if waypoints < 1:
        raise InputError("a stage needs at least one waypoint", field="waypoints")
    if zones < 0:
        raise InputError("the number of zones cannot be negative", field="zones")
    kinds = ["wp"] * waypoints + ["zone"] * zones + ["neutral"]
    slot = special_m / (len(kinds) + 1)
    jitter = float(profile.value("layout.waypoint_jitter"))
    window_share = float(profile.value("layout.window_share"))
    zone_share = float(profile.value("layout.zone_share"))
    if slot < float(profile.value("layout.min_slot_m")):
        raise InputError(
            f"the special ({special_m / 1000:.1f} km) is too short for {waypoints} waypoints and {zones} "
            f"zones: give more fixes per vehicle or fewer waypoints/zones",
            field="fixes",
        )
    rng.shuffle(kinds)
    types = iter(_waypoint_types(rng, waypoints, profile))
    named_share = float(profile.value("waypoints.named_share"))
    implicit_share = float(profile.value("waypoints.default_radius_share"))
    limits = profile.floats("zones.limits_kmh")
    z_lo, z_hi = profile.pair("zones.length_km")
    wp_s, wp_type, wp_name, wp_named, wp_implicit = [], [], [], [], []
    zone_s, zone_limit, zone_name, zone_named = [], [], [], []
    neutral_s = None
    for k, kind in enumerate(kinds):
        centre = (k + 1) * slot
        if kind == "wp":
            s = centre + rng.uniform(-jitter, jitter) * slot
            wtype = next(types)
            named = (
                wtype == "WPC" or rng.random() < named_share
            )  # a WPC is named by its road-book km
            n = len(wp_s) + 1
            name = (
                (f"WPC {s / 1000:.2f}" if wtype == "WPC" else f"{wtype}-{n:02d}")
                if named
                else f"WP{n}"
            )
            wp_s.append(s)
            wp_type.append(wtype)
            wp_name.append(name)
            wp_named.append(named)
            wp_implicit.append(bool(rng.random() < implicit_share))
        elif kind == "zone":
            length = min(rng.uniform(z_lo, z_hi) * 1000.0, zone_share * slot)
            zone_s.append((centre - length / 2, centre + length / 2))
            zone_limit.append(float(rng.choice(limits)))
            named = bool(rng.random() < named_share)
            n = len(zone_name) + 1
            zone_name.append(f"SZ-{n:02d}" if named else f"DZ{n}")
            zone_named.append(named)
        else:
            neutral_s = centre
    return Layout(
        special_m=special_m,
        slot_m=slot,
        wp_s=np.asarray(wp_s),
        wp_type=tuple(wp_type),
        wp_name=tuple(wp_name),
        wp_named=tuple(wp_named),
        wp_implicit=tuple(wp_implicit),
        wp_half_window_m=np.full(len(wp_s), window_share * slot),
        zone_s=np.asarray(zone_s, dtype=np.float64).reshape(-1, 2),
        zone_limit_kmh=np.asarray(zone_limit),
        zone_name=tuple(zone_name),
        zone_named=tuple(zone_named),
        neutral_s=neutral_s,
        neutral_ms=neutral_ms,
    )


def build_roadbook(
    layout: Layout, route: Route, rules: TrackingRules, source: str = "simulated"
) -> Roadbook:
    """The roadbook of a layout on its route (radii: the rulebook's defaults for each type)."""
    items: list[tuple[float, str, object]] = [
        (0.0, "TC", None),
        (0.0, "DSS", None),
        (layout.special_m, "ASS", None),
    ]
    items += [(s, "WP", i) for i, s in enumerate(layout.wp_s)]
    items += [(a, "DZ", z) for z, (a, _) in enumerate(layout.zone_s)]
    items += [(b, "FZ", z) for z, (_, b) in enumerate(layout.zone_s)]
    if layout.neutral_s is not None:
        items.append((layout.neutral_s, "NEUTRALIZATION", None))
    items.sort(key=lambda it: it[0])  # stable: the time control stays before the DSS
    lat, lon, _ = route.at(np.asarray([it[0] for it in items]))
    waypoints: list[Waypoint] = []
    starts: dict[int, Waypoint] = {}
    zones: list[SpeedZone] = []
    dss = ass = neutral = None
    controls: list[Waypoint] = []
    for index, ((s, kind, ref), la, lo) in enumerate(zip(items, lat, lon)):
        common = {"lat": float(la), "lon": float(lo), "index": index, "km": round(s / 1000.0, 3)}
        if kind == "WP":
            wtype = layout.wp_type[ref]
            open_m, clear_m = rules.radii[wtype]
            waypoints.append(
                Waypoint(
                    name=layout.wp_name[ref], type=wtype, clear_m=clear_m, open_m=open_m, **common
                )
            )
        elif kind == "DZ":
            starts[ref] = Waypoint(
                name=layout.zone_name[ref], type="DZ", clear_m=rules.zone_detect_m, **common
            )
        elif kind == "FZ":
            end = Waypoint(name=f"FZ{ref + 1}", type="FZ", clear_m=rules.zone_detect_m, **common)
            zones.append(
                SpeedZone(
                    layout.zone_name[ref], float(layout.zone_limit_kmh[ref]), starts[ref], end
                )
            )
        elif kind == "TC":
            controls.append(Waypoint(name="TC1", type="TC", clear_m=rules.zone_detect_m, **common))
        elif kind == "DSS":
            dss = Waypoint(name="DSS", type="DSS", clear_m=rules.zone_detect_m, **common)
        elif kind == "ASS":
            ass = Waypoint(name="ASS", type="ASS", clear_m=rules.zone_detect_m, **common)
        else:
            neutral = Waypoint(
                name="N1",
                type="NEUTRALIZATION",
                clear_m=rules.zone_detect_m,
                duration_ms=layout.neutral_ms,
                **common,
            )
    return Roadbook(
        waypoints=tuple(waypoints),
        zones=tuple(zones),
        dss=dss,
        ass=ass,
        neutralisations=((neutral, neutral),) if neutral else (),
        time_controls=tuple(controls),
        source=source,
    )
