"""Tracking commands: ``track check`` (a roadbook against tracks), ``track scan`` (an event's
stage into the journal as proposed penalties), and ``penalties list/confirm/dismiss``."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from raidcontrol.cli.common import OutputFormat, csv_text, err_console
from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import format_duration
from raidcontrol.io.openrally import read_roadbook
from raidcontrol.io.tracks import read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.tracking.check import check_fleet
from raidcontrol.tracking.report import FleetReport
from raidcontrol.tracking.rules import TrackingRules

console = Console()
PROGRESS_FROM_FIXES = 1_000_000   # fleets at least this large show a progress bar

track_app = typer.Typer(help="GPS tracking compliance: waypoints and speed zones from tracks, with evidence.",
                        no_args_is_help=True)
penalties_app = typer.Typer(help="Proposed penalties (from tracking) and the stewards' decisions on them.",
                            no_args_is_help=True)


def run_check(roadbook_path: Path, tracks_path: Path, rulebook_id: str, overrides: dict | None = None,
              show_progress: bool = True):
    """Read, check (with a progress bar on large fleets) and return (report, fleet)."""
    rules = TrackingRules.from_rulebook(load_rulebook(rulebook_id, overrides))
    roadbook = read_roadbook(roadbook_path, rules)
    fleet = read_fleet(tracks_path)
    if not show_progress or len(fleet) < PROGRESS_FROM_FIXES:
        return check_fleet(roadbook, fleet, rules), fleet
    with Progress(TextColumn("checking {task.fields[fixes]} fixes"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeRemainingColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("check", total=len(fleet), fixes=f"{len(fleet):,}")
        report = check_fleet(roadbook, fleet, rules, progress=lambda done, total: bar.update(task, completed=done))
    return report, fleet


SUMMARY_HEADER = ["bib", "validated", "missed", "speeding", "penalty", "share", "dnf", "gaps", "spikes"]


def summary_rows(report: FleetReport) -> list[list]:
    n_wp = len(report.roadbook.waypoints)
    rows = []
    for bib, crew in sorted(report.crews.items()):
        rows.append([bib, f"{len(crew.validated)}/{n_wp}",
                     " ".join(f"{m.name}({m.type})" for m in crew.missed),
                     " ".join(f"{s.zone}:+{s.excess_kmh:.0f}" for s in crew.speeding),
                     format_duration(crew.penalty_total_ms), f"{crew.share:.0%}", "yes" if crew.did_not_finish else "",
                     len(crew.gaps), len(crew.spikes)])
    return rows


def check_cmd(
    roadbook: Path = typer.Argument(..., help="The stage's roadbook: an OpenRally GPX file."),
    tracks: Path = typer.Argument(..., help="The tracks: a GPX, CSV (bib,time,lat,lon[,speed]) or Parquet file, "
                                            "or a folder of GPX files."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json (the full report)."),
    rulebook: str = typer.Option("fia-2026", "--rulebook", help="Rulebook giving radii, penalties and limits."),
    evidence: Optional[Path] = typer.Option(None, "--evidence", help="Write a PNG per infringement into this folder."),
) -> None:
    """Check tracks against a roadbook: validated and missed waypoints, speeding in zones,
    tracker outages and GPS spikes, with the penalties of the rulebook.

    JSON: {"crews": {"<bib>": {"validated": [...], "missed": [...], "speeding": [...],
    "penalty_total": "H:MM:SS", ...}}}.
    """
    report, fleet = run_check(roadbook, tracks, rulebook)
    if evidence is not None:
        from raidcontrol.io.evidence import write_pictures

        write_pictures(report, fleet, evidence)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=1, ensure_ascii=False) + "\n")
        return
    rows = summary_rows(report)
    if fmt is OutputFormat.csv:
        sys.stdout.write(csv_text(SUMMARY_HEADER, rows))
        return
    table = Table(title=f"Tracking check — {roadbook.name} ({len(report.roadbook.waypoints)} waypoints, "
                        f"{len(report.roadbook.zones)} zones, {report.fixes:,} fixes, rulebook {rulebook})",
                  header_style="bold")
    for h in SUMMARY_HEADER:
        table.add_column(h, justify="right" if h in {"bib", "penalty", "share", "gaps", "spikes"} else "left")
    for row in rows:
        table.add_row(*[str(v) for v in row], style="yellow" if row[2] or row[3] else None)
    console.print(table)


def register(app: typer.Typer) -> None:
    track_app.command("check")(check_cmd)
    app.add_typer(track_app, name="track")
    app.add_typer(penalties_app, name="penalties")
