"""``raidcontrol simulate``: write a realistic simulated stage into an event-style folder.

Files written under OUT_DIR (N = ``--stage``):

* ``roadbooks/stage-N.gpx``  — the roadbook, OpenRally GPX;
* ``tracks/stage-N.<format>`` — the fleet's 1 Hz tracks as the trackers delivered them
  (GPS noise, outages, spikes, duplicate and swapped fixes);
* ``truth/stage-N.json``     — the ground truth: per crew, what a perfect check finds;
* ``simulation/stage-N.png`` — a picture of the route, the zones and some tracks;
* with ``--event-files``: ``event.toml``, ``entries.csv``, ``times.csv`` (DSS start, ASS finish,
  ``dnf`` for a breakdown) and ``adjustments.csv`` (the neutralisation given back), so that
  ``track scan`` and ``classify`` run on the simulated stage.
"""

import json
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from raidcontrol.cli.common import console as stdout_console
from raidcontrol.core.errors import InputError

if TYPE_CHECKING:
    from raidcontrol.simulation.simulator import StagePlan
    from raidcontrol.simulation.truth import StageTruth
    from raidcontrol.tables import Table

BATCH_FIXES = 1_000_000  # fixes simulated and written per batch (bounded memory)
PICTURE_CREWS = 6  # crews drawn on the picture


class TrackFormat(str, Enum):
    parquet = "parquet"
    csv = "csv"
    gpx = "gpx"


def stage_paths(out_dir: Path, stage: int, fmt: str) -> dict[str, Path]:
    """Where ``simulate`` writes each file of stage ``stage``."""
    return {
        "roadbook": out_dir / "roadbooks" / f"stage-{stage}.gpx",
        "tracks": out_dir / "tracks" / f"stage-{stage}.{fmt}",
        "truth": out_dir / "truth" / f"stage-{stage}.json",
        "picture": out_dir / "simulation" / f"stage-{stage}.png",
    }


def write_stage(
    plan: "StagePlan",
    paths: dict[str, Path],
    *,
    stage: int,
    picture: bool = True,
    show_progress: bool = True,
    recorded: bool = True,
) -> "StageTruth":
    """Simulate the plan's crews batch by batch, streaming their tracks to disk; write the
    roadbook, the truth and the picture.  Returns the truth.

    recorded: write the fixes as the trackers delivered them (duplicates, swapped
    neighbours); False writes each crew in time order without duplicates."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from raidcontrol.io.openrally_writer import write_roadbook
    from raidcontrol.io.track_writers import FleetWriter
    from raidcontrol.simulation.simulator import fleet_of
    from raidcontrol.simulation.truth import StageTruth

    layout = plan.context.layout
    implicit = {name for name, imp in zip(layout.wp_name, layout.wp_implicit) if imp}
    write_roadbook(
        plan.roadbook,
        paths["roadbook"],
        name=f"Simulated stage {stage} (seed {plan.seed})",
        implicit_radius=implicit,
    )
    batch = max(1, BATCH_FIXES // plan.context.fixes)
    truths = {}
    shown: list = []
    examples: dict = {}
    progress = Progress(
        TextColumn("simulating crews"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=not show_progress,
    )
    with progress, FleetWriter(paths["tracks"]) as writer:
        task = progress.add_task("crews", total=len(plan.crews))
        for first in range(0, len(plan.crews), batch):
            tracks = []
            for track, truth in plan.tracks(first, batch):
                tracks.append(track)
                truths[truth.bib] = truth
            writer.write(fleet_of(tracks, recorded=recorded))
            if len(shown) < PICTURE_CREWS:
                shown += tracks[: PICTURE_CREWS - len(shown)]
            for track in tracks:
                crew = truths[track.plan.bib]
                if "detour" not in examples and any(m.reason == "detour" for m in crew.missed):
                    examples["detour"] = track
                if "speeding" not in examples and crew.speeding and track.plan.device_speed:
                    examples["speeding"] = track
            progress.update(task, advance=len(tracks))
    truth = StageTruth(plan.seed, plan.context.rules.rulebook_id, layout.special_m / 1000.0, truths)
    paths["truth"].parent.mkdir(parents=True, exist_ok=True)
    paths["truth"].write_text(
        json.dumps(truth.to_json(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if picture:
        from raidcontrol.io.sim_picture import stage_figure

        paths["picture"].parent.mkdir(parents=True, exist_ok=True)
        if "detour" in examples:
            name = plan.roadbook.waypoints[examples["detour"].plan.detour_wp].name
            examples["clean"] = next(
                (t for t in shown if name in truths[t.plan.bib].validated), None
            )
        fig = stage_figure(plan, examples, shown, truths)
        fig.savefig(paths["picture"], dpi=110)
    return truth


def write_event(
    out_dir: Path, plan: "StagePlan", truth: "StageTruth", *, stage: int, rulebook: str
) -> None:
    """event.toml, entries.csv, times.csv and adjustments.csv of a simulated stage."""
    from raidcontrol.io.event_folder import (
        ADJUSTMENT_COLUMNS,
        ADJUSTMENTS_FILE,
        ENTRIES_FILE,
        ENTRY_COLUMNS,
        EVENT_FILE,
        TIME_COLUMNS,
        TIMES_FILE,
    )
    from raidcontrol.io.event_folder_writer import write_csv, write_event_toml
    from raidcontrol.simulation.event import event_tables

    ctx = plan.context
    tables = event_tables(
        truth,
        stage=stage,
        rulebook_id=rulebook,
        profile=ctx.profile,
        fixes=ctx.fixes,
        fix_interval_ms=ctx.fix_interval_ms,
        neutral_ms=ctx.layout.neutral_ms if ctx.layout.neutral_s is not None else None,
    )
    write_event_toml(
        out_dir / EVENT_FILE,
        f"Simulated rally (seed {plan.seed})",
        rulebook,
        [tables.stage],
        header_comment="Written by raidcontrol simulate: crews, times and credits of a simulated stage.",
    )
    write_csv(out_dir / ENTRIES_FILE, ENTRY_COLUMNS, tables.entries)
    write_csv(out_dir / TIMES_FILE, TIME_COLUMNS, tables.times)
    write_csv(out_dir / ADJUSTMENTS_FILE, ADJUSTMENT_COLUMNS, tables.adjustments)


def summary_table(
    plan: "StagePlan", truth: "StageTruth", *, fixes: int, stage: int, seed: int
) -> "Table":
    """What the simulated stage holds: crews, fixes, waypoints, the infringements and faults injected."""
    from raidcontrol.tables import Column, Table

    crews = truth.crews.values()
    rows = [
        ("crews", len(truth.crews)),
        ("fixes", fixes),
        ("waypoints", len(plan.roadbook.waypoints)),
        ("speed zones", len(plan.roadbook.zones)),
        ("missed waypoints (detour)", sum(m.reason == "detour" for c in crews for m in c.missed)),
        (
            "missed waypoints (breakdown, not reached)",
            sum(m.reason != "detour" for c in crews for m in c.missed),
        ),
        ("speeding infringements", sum(len(c.speeding) for c in crews)),
        ("clean crews", sum(c.clean for c in crews)),
        ("tracker outages", sum(len(c.outages) for c in crews)),
        ("GPS spikes", sum(len(c.spikes_ms) for c in crews)),
        ("duplicate fixes", sum(c.duplicates for c in crews)),
        ("swapped fixes", sum(c.swapped for c in crews)),
    ]
    return Table(
        (
            Column("what", "str", "", "what the simulated stage holds"),
            Column("count", "int", "", "how many"),
        ),
        tuple(rows),
        f"Simulated stage {stage}: {truth.special_km:.1f} km of special, seed {seed}",
    )


def simulate_cmd(
    out_dir: Annotated[
        Path,
        typer.Argument(
            help="Folder to write into (an event folder works: files go under "
            "roadbooks/, tracks/, truth/ and simulation/)."
        ),
    ],
    vehicles: Annotated[int, typer.Option("--vehicles", min=1, help="Number of crews.")] = 20,
    fixes: Annotated[
        int, typer.Option("--fixes", min=100, help="Fixes per crew (1 Hz: 3600 = one hour).")
    ] = 5000,
    waypoints: Annotated[
        int,
        typer.Option("--waypoints", min=1, help="Waypoints on the special (every type when ≥ 7)."),
    ] = 8,
    zones: Annotated[
        int, typer.Option("--zones", min=0, help="Speed-controlled zones (DZ/FZ) on the special.")
    ] = 3,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed gives the same stage.")
    ] = 1,
    track_format: Annotated[
        TrackFormat,
        typer.Option(
            "--track-format", help="Track file format (formerly --format, still accepted)."
        ),
    ] = TrackFormat.parquet,
    legacy_format: Annotated[
        TrackFormat | None,
        typer.Option("--format", hidden=True, help="Former name of --track-format."),
    ] = None,
    stage: Annotated[
        int, typer.Option("--stage", min=0, help="Stage number used in the file names.")
    ] = 1,
    rulebook: Annotated[
        str, typer.Option("--rulebook", help="Rulebook whose radii and gap limit the stage uses.")
    ] = "fia-2026",
    picture: Annotated[
        bool, typer.Option("--picture/--no-picture", help="Draw simulation/stage-N.png.")
    ] = True,
    event_files: Annotated[
        bool,
        typer.Option(
            "--event-files",
            help="Also write event.toml, entries.csv, times.csv and adjustments.csv (a new event "
            "folder: OUT_DIR must not hold an event.toml), with only the vehicles the rulebook "
            "covers.",
        ),
    ] = False,
    legacy_event: Annotated[
        bool, typer.Option("--event", hidden=True, help="Former name of --event-files.")
    ] = False,
) -> None:
    """Simulate a rally-raid stage: a special near Wadi Ad Dawasir with waypoints of every
    type, speed zones and a neutralisation (OpenRally GPX), a fleet's 1 Hz tracks with
    realistic speeds, GPS noise, outages, spikes, duplicate and swapped fixes, and
    infringements injected on purpose (missed waypoints, speeding), with the ground truth
    beside them (truth/stage-N.json).
    """
    from raidcontrol.io.event_folder import EVENT_FILE
    from raidcontrol.rules import load_rulebook
    from raidcontrol.simulation.event import vehicle_shares
    from raidcontrol.simulation.profile import load_profile
    from raidcontrol.simulation.simulator import plan_stage
    from raidcontrol.tracking.rules import TrackingRules

    fmt = legacy_format or track_format
    event = event_files or legacy_event
    rules = TrackingRules.from_rulebook(load_rulebook(rulebook))
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError("exists and is not a folder", file=str(out_dir))
    profile = load_profile()
    if event:
        if (out_dir / EVENT_FILE).exists():
            raise InputError(
                "already holds an event.toml; --event-files writes a new event folder",
                file=str(out_dir / EVENT_FILE),
            )
        if stage < 1:
            raise InputError(
                "--event-files needs a stage number of 1 or more (a prologue has its own rules)",
                field="--stage",
            )
        profile = load_profile({"vehicles": {"share": vehicle_shares(profile, rulebook)}})
    plan = plan_stage(
        seed=seed,
        vehicles=vehicles,
        fixes_per_vehicle=fixes,
        waypoints=waypoints,
        zones=zones,
        rules=rules,
        profile=profile,
    )
    paths = stage_paths(out_dir, stage, fmt.value)
    truth = write_stage(plan, paths, stage=stage, picture=picture)
    if event:
        write_event(out_dir, plan, truth, stage=stage, rulebook=rulebook)
    stdout_console().print(
        summary_table(plan, truth, fixes=vehicles * fixes, stage=stage, seed=seed).to_rich()
    )
    for what, path in paths.items():
        if path.exists():
            stdout_console().print(f"{what:>9}: {path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)
