"""The rally simulator: a realistic special, its OpenRally roadbook, a fleet's 1 Hz tracks
and the ground truth beside them (pure: no file is read or written here).

How a stage is made (the figures are in ``profile.toml``):

1. a route leaves Wadi Ad Dawasir towards Bisha (Dakar 2026 stage 9): a wandering piste
   with bends, and terrain segments (piste, stony ground, wadis, dunes) that cap speed;
2. the special is cut where the slowest crew, at its slowest pace, has used
   ``clock.special_share`` of its fixes; the liaison after the ASS takes the rest;
3. waypoints of every type, speed zones (DZ/FZ with a limit) and a neutralisation are
   laid along the special (:mod:`~raidcontrol.simulation.layout`);
4. crews (bikes, cars, trucks) start a minute apart and drive under acceleration limits;
   some are given faults on purpose (:mod:`~raidcontrol.simulation.crew`);
5. the truth is measured on each crew's noise-free track (:mod:`~raidcontrol.simulation.truth`).

Large fleets are made crew by crew (:meth:`StagePlan.tracks`), so a file writer can
stream them without holding the whole fleet twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from raidcontrol.core.timefmt import parse_instant
from raidcontrol.rules import load_rulebook
from raidcontrol.simulation.context import StageContext
from raidcontrol.simulation.crew import KMH, CrewPlan, CrewTrack, base_caps, simulate_crew
from raidcontrol.simulation.drive import speed_profile
from raidcontrol.simulation.layout import Layout, build_roadbook, plan_layout
from raidcontrol.simulation.profile import SimProfile, load_profile
from raidcontrol.simulation.route import Route, build_route, draw_shape
from raidcontrol.simulation.truth import CrewTruth, StageTruth, crew_truth
from raidcontrol.tracking.model import Fleet, Roadbook
from raidcontrol.tracking.rules import TrackingRules

DEFAULT_RULEBOOK = "fia-2026"


@dataclass
class SimulatedStage:
    """A simulated stage held in memory.

    roadbook: the stage's roadbook; fleet: the tracks as a check should see them after
    reading (grouped by bib, each crew in time order, no duplicates — spikes, outages and
    noise included); recorded: the same fixes as the trackers delivered them (duplicates
    and swapped neighbours: what the files hold); truth: the ground truth; route, layout:
    the geometry behind it.
    """

    roadbook: Roadbook
    fleet: Fleet
    recorded: Fleet
    truth: StageTruth
    route: Route
    layout: Layout


@dataclass
class StagePlan:
    """Everything about a stage except the crews' tracks, which :meth:`tracks` makes on demand."""

    seed: int
    context: StageContext
    roadbook: Roadbook
    crews: list[CrewPlan]

    def tracks(
        self, first: int = 0, count: int | None = None
    ) -> Iterator[tuple[CrewTrack, CrewTruth]]:
        """Simulate crews ``first`` … ``first + count - 1`` (each with its truth), one at a time."""
        end = len(self.crews) if count is None else min(len(self.crews), first + count)
        for plan in self.crews[first:end]:
            track = simulate_crew(plan, self.context)
            yield track, crew_truth(track, self.context, self.roadbook)


def neutralisation_ms(profile: SimProfile, fixes: int, dt_s: float) -> int:
    """The neutralisation's stop: the profile's, but at most its share of a crew's fixes."""
    cap_s = float(profile.value("controls.neutralisation_max_share")) * fixes * dt_s
    return int(min(float(profile.value("controls.neutralisation_s")), cap_s)) * 1000


def _special_length(route: Route, profile: SimProfile, fixes: int, dt_s: float) -> float:
    """Where the slowest crew at its slowest pace has used its share of the fixes."""
    caps = base_caps(route, np.inf, profile)
    pace_low, _ = profile.pair("vehicles.pace")
    shares = profile.floats("vehicles.share")
    budget = (
        float(profile.value("clock.special_share")) * fixes * dt_s
        - profile.pair("clock.prestart_s")[1]
        - neutralisation_ms(profile, fixes, dt_s) / 1000.0
    )
    reach = np.inf
    for cat, share in enumerate(shares):
        if share <= 0:
            continue
        v = speed_profile(
            caps[cat] * pace_low,
            route.grid_m,
            profile.floats("vehicles.accel_ms2")[cat],
            profile.floats("vehicles.brake_ms2")[cat],
        )
        node_time = np.concatenate(([0.0], np.cumsum(2.0 * route.grid_m / (v[:-1] + v[1:]))))
        reach = min(reach, float(np.searchsorted(node_time, budget)) * route.grid_m)
    return min(reach, route.length_m)


def _category_counts(vehicles: int, shares: list[float]) -> list[int]:
    raw = np.asarray(shares) / sum(shares) * vehicles
    counts = np.floor(raw).astype(int)
    for i in np.argsort(raw - counts)[::-1][: vehicles - counts.sum()]:
        counts[i] += 1
    return [int(c) for c in counts]


def _plan_crews(
    rng: np.random.Generator,
    seed: int,
    vehicles: int,
    layout: Layout,
    rules: TrackingRules,
    profile: SimProfile,
    first_bib: int,
) -> list[CrewPlan]:
    p = profile
    first_start = parse_instant(str(p.value("clock.first_start"))).ms
    interval_ms = int(p.value("clock.start_interval_s")) * 1000
    counts = _category_counts(vehicles, p.floats("vehicles.share"))
    categories = [c for c, n in enumerate(counts) for _ in range(n)]
    ramp = float(p.value("faults.deviation_ramp_factor"))
    clearance = float(p.value("faults.clearance_m"))
    excesses = p.floats("faults.excess_kmh")
    spikes_lo, spikes_hi = (int(v) for v in p.value("faults.spikes_per_crew"))
    retire_points = layout.retire_points()
    retire_points = retire_points[retire_points < layout.special_m]
    n_wp, n_zone = len(layout.wp_s), len(layout.zone_s)
    plans = []
    for i, cat in enumerate(categories):
        detour_wp, detour_m = None, 0.0
        if rng.random() < float(p.value("faults.missed_share")):
            wp = int(rng.integers(n_wp))
            clear = rules.radii[layout.wp_type[wp]][1]
            d = min(
                clear + rng.uniform(*p.pair("faults.deviation_beyond_m")),
                layout.wp_half_window_m[wp] / (1 + ramp),
            )
            if d >= clear + 2 * clearance:
                detour_wp, detour_m = wp, float(d)
        speeding_zone, excess, hold = None, 0.0, 0.0
        if n_zone and rng.random() < float(p.value("faults.speeding_share")):
            speeding_zone = int(rng.integers(n_zone))
            excess = float(rng.choice(excesses))
            hold = float(rng.uniform(*p.pair("faults.excess_hold_s")))
        outage = (
            float(rng.uniform(*p.pair("faults.outage_s")))
            if rng.random() < float(p.value("faults.outage_share"))
            else 0.0
        )
        sparse = None
        if n_wp > 1 and rng.random() < float(p.value("faults.sparse_share")):
            sparse = int(rng.choice([w for w in range(n_wp) if w != detour_wp]))
        spikes = (
            int(rng.integers(spikes_lo, spikes_hi + 1))
            if rng.random() < float(p.value("faults.spike_share"))
            else 0
        )
        retire = None
        if retire_points.size and rng.random() < float(p.value("faults.retire_share")):
            retire = float(rng.choice(retire_points))
        plans.append(
            CrewPlan(
                bib=first_bib + i,
                category=cat,
                pace=float(rng.uniform(*p.pair("vehicles.pace"))),
                device_speed=bool(rng.random() < float(p.value("gps.device_speed_share"))),
                start_ms=first_start + i * interval_ms,
                prestart_s=float(rng.integers(*(int(v) for v in p.pair("clock.prestart_s")))),
                seed=int(rng.integers(2**63)),
                detour_wp=detour_wp,
                detour_m=detour_m,
                speeding_zone=speeding_zone,
                excess_kmh=excess,
                hold_s=hold,
                outage_s=outage,
                sparse_wp=sparse,
                spikes=spikes,
                retire_m=retire,
            )
        )
    return plans


def plan_stage(
    *,
    seed: int = 1,
    vehicles: int = 20,
    fixes_per_vehicle: int = 5000,
    waypoints: int = 8,
    zones: int = 3,
    rules: TrackingRules | None = None,
    profile: SimProfile | None = None,
    first_bib: int = 1,
) -> StagePlan:
    """Draw a stage: route, layout, roadbook and every crew's plan (no track yet)."""
    profile = profile or load_profile()
    rules = rules or TrackingRules.from_rulebook(load_rulebook(DEFAULT_RULEBOOK))
    rng = np.random.default_rng(seed)
    dt_ms = int(profile.value("clock.fix_interval_ms"))
    dt_s = dt_ms / 1000.0
    top = max(profile.floats("vehicles.max_kmh")) / KMH
    length = fixes_per_vehicle * dt_s * top + 2 * float(profile.value("route.grid_m"))
    shape = draw_shape(rng, length, profile)
    special_m = _special_length(build_route(shape, profile), profile, fixes_per_vehicle, dt_s)
    layout = plan_layout(
        rng,
        special_m,
        waypoints,
        zones,
        profile,
        neutralisation_ms(profile, fixes_per_vehicle, dt_s),
    )
    before = float(profile.value("zones.brake_before_m"))
    route = build_route(
        shape, profile, calm=layout.calm_windows(before), fast=layout.zone_windows(before)
    )
    context = StageContext(
        route,
        layout,
        rules,
        profile,
        base_caps(route, layout.special_m, profile),
        fixes_per_vehicle,
        dt_ms,
    )
    roadbook = build_roadbook(layout, route, rules)
    crews = _plan_crews(rng, seed, vehicles, layout, rules, profile, first_bib)
    return StagePlan(seed, context, roadbook, crews)


def fleet_of(
    tracks: list[CrewTrack], *, recorded: bool = False, source: str = "simulated"
) -> Fleet:
    """The fleet of some crews' tracks: clean rows, or as recorded (duplicates, swaps)."""

    def col(name: str) -> np.ndarray:
        parts = [getattr(t, name)[t.recorded] if recorded else getattr(t, name) for t in tracks]
        return np.concatenate(parts) if parts else np.empty(0)

    bib = (
        np.concatenate(
            [
                np.full(t.recorded.size if recorded else t.t_ms.size, t.plan.bib, np.int32)
                for t in tracks
            ]
        )
        if tracks
        else np.empty(0, np.int32)
    )
    return Fleet.from_columns(
        bib, col("t_ms"), col("lat"), col("lon"), col("speed_kmh"), source=source
    )


def simulate_stage(
    *,
    seed: int = 1,
    vehicles: int = 20,
    fixes_per_vehicle: int = 5000,
    waypoints: int = 8,
    zones: int = 3,
    rules: TrackingRules | None = None,
    profile: SimProfile | None = None,
    first_bib: int = 1,
) -> SimulatedStage:
    """A whole simulated stage in memory (see the module docstring).

    seed: everything follows from it; vehicles × fixes_per_vehicle fixes (1 Hz);
    waypoints, zones: how many of each on the special; rules: the tracking rules whose
    radii the roadbook uses and whose gap limit defines an outage (default: fia-2026);
    profile: the simulator's assumptions (default: ``profile.toml``).
    """
    plan = plan_stage(
        seed=seed,
        vehicles=vehicles,
        fixes_per_vehicle=fixes_per_vehicle,
        waypoints=waypoints,
        zones=zones,
        rules=rules,
        profile=profile,
        first_bib=first_bib,
    )
    tracks, truths = [], {}
    for track, truth in plan.tracks():
        tracks.append(track)
        truths[truth.bib] = truth
    truth = StageTruth(
        seed, plan.context.rules.rulebook_id, plan.context.layout.special_m / 1000.0, truths
    )
    return SimulatedStage(
        plan.roadbook,
        fleet_of(tracks),
        fleet_of(tracks, recorded=True),
        truth,
        plan.context.route,
        plan.context.layout,
    )
