"""A small simulated stage for live tests against the running service: five crews, 400 fixes each
(1 Hz), crews 10 s apart, so the whole stage lasts about 7½ minutes of stage time — 45 s at 10×
real time.  The simulator's profile is laid over to make it that short (its own assumptions are
for real stages: 2 km of special per roadbook item, a 15-min neutralisation, a crew a minute) and
to make infringements likely; the seed gives missed waypoints (detours) and speeding for crews
that all finish, so every infringement becomes provable while the crews are on the special."""

from __future__ import annotations

from pathlib import Path

SEED = 30
VEHICLES = 5
FIXES = 400
WAYPOINTS = 3
ZONES = 1
RULEBOOK = "fia-2026"
SHORT_STAGE = {
    "layout": {"min_slot_m": 1000.0},
    "clock": {"start_interval_s": 10, "prestart_s": [5, 10]},
    "controls": {"neutralisation_s": 20},
    "faults": {"missed_share": 0.5, "speeding_share": 0.5},
}


def write_live_event(out: Path, event_id: str):
    """Write the event folder (roadbook, CSV tracks, truth, event files) → the stage's truth."""
    from raidcontrol.cli.simulate import stage_paths, write_event, write_stage
    from raidcontrol.rules import load_rulebook
    from raidcontrol.simulation.event import vehicle_shares
    from raidcontrol.simulation.profile import load_profile
    from raidcontrol.simulation.simulator import plan_stage
    from raidcontrol.tracking.rules import TrackingRules

    profile = load_profile(SHORT_STAGE)
    profile = load_profile(
        {**SHORT_STAGE, "vehicles": {"share": vehicle_shares(profile, RULEBOOK)}}
    )
    plan = plan_stage(
        seed=SEED,
        vehicles=VEHICLES,
        fixes_per_vehicle=FIXES,
        waypoints=WAYPOINTS,
        zones=ZONES,
        rules=TrackingRules.from_rulebook(load_rulebook(RULEBOOK)),
        profile=profile,
    )
    truth = write_stage(
        plan, stage_paths(out, 1, "csv"), stage=1, picture=False, show_progress=False
    )
    write_event(out, plan, truth, stage=1, rulebook=RULEBOOK)
    toml = out / "event.toml"
    toml.write_text(f'id = "{event_id}"\n' + toml.read_text())
    return plan.roadbook, truth


def injected(roadbook, truth) -> set[tuple[int, str]]:
    """The infringements injected on purpose, as proposal codes: missed waypoints by detour
    (``missed-wpK``) and speeding (``speeding-zK``), K the 1-based roadbook index."""
    wp = {w.name: k + 1 for k, w in enumerate(roadbook.waypoints)}
    zone = {z.name: k + 1 for k, z in enumerate(roadbook.zones)}
    out = set()
    for bib, crew in truth.crews.items():
        out |= {(bib, f"missed-wp{wp[m.name]}") for m in crew.missed if m.reason == "detour"}
        out |= {(bib, f"speeding-z{zone[s.zone]}") for s in crew.speeding}
    return out
