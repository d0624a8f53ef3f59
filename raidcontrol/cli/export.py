"""``raidcontrol export``: the journal's current state back into the event folder's files."""

from __future__ import annotations

from pathlib import Path

import typer

EVENT_DIR = typer.Argument(..., help="The event folder (its files are rewritten from the journal).")


def export_cmd(
    event_dir: Path = EVENT_DIR,
    db: str | None = typer.Option(
        None, "--db", help="Journal database URL (default: the event folder's, or $RAIDCONTROL_DB)."
    ),
) -> None:
    """Write what is in force in the journal into the folder: times.csv (every time recorded, also through
    the API) and decisions.csv (officials' decisions, for the record; they stay in the journal)."""
    from raidcontrol.service.export import export_folder

    counts = export_folder(event_dir, db)
    typer.echo(f"exported {event_dir}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
