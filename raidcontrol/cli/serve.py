"""``raidcontrol serve``: the event as a live HTTP service (FastAPI + uvicorn, imported here only)."""

from __future__ import annotations

from pathlib import Path

import typer

EVENT_DIR = typer.Argument(..., help="The event folder.")
SEASON = typer.Option(
    None,
    "--season",
    help="The season file when the event is a round of a championship: serves /api/v1/standings.",
)


def serve_cmd(
    event_dir: Path = EVENT_DIR,
    db: str | None = typer.Option(
        None,
        "--db",
        help="Journal database URL (default: a SQLite file in the event "
        "folder, or $RAIDCONTROL_DB; PostgreSQL to run several servers).",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    poll: float | None = typer.Option(
        None,
        "--poll",
        help="Seconds between checks for records written by other "
        "processes (default 0.25; PostgreSQL is also notified at once).",
    ),
    season: Path | None = SEASON,
    heartbeat: float | None = typer.Option(
        None, "--heartbeat", help="Seconds between heartbeats on idle streams (default 15)."
    ),
) -> None:
    """Serve the event over HTTP: every table as JSON or CSV, officials' writes by role, and every
    journal change pushed on /api/v1/stream.  The API is described at /docs and /openapi.json."""
    import uvicorn

    from raidcontrol.service.app import create_app, open_journal
    from raidcontrol.service.settings import Settings

    kw = {
        k: v
        for k, v in (("poll_s", poll), ("heartbeat_s", heartbeat), ("season", season))
        if v is not None
    }
    settings = Settings.for_event(event_dir, db, **kw)
    store, _ = open_journal(settings)  # bad folder → exit 2 before listening
    store.close()
    typer.echo(
        f"serving {event_dir} on http://{host}:{port}/api/v1 (API at http://{host}:{port}/docs)",
        err=True,
    )
    uvicorn.run(
        create_app(settings), host=host, port=port, log_level="warning", timeout_graceful_shutdown=2
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_cmd)
