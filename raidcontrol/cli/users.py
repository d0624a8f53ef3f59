"""``raidcontrol users add|list|revoke``: officials and their bearer tokens for ``raidcontrol serve``."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

from raidcontrol.cli.common import Db, EventOpt, Format, OutputFormat, emit

users_app = typer.Typer(
    help="Officials of the live service and their tokens (stored hashed; shown once).",
    no_args_is_help=True,
)


class Role(str, Enum):
    timekeeper = "timekeeper"
    steward = "steward"
    scrutineer = "scrutineer"
    clerk = "clerk"
    tracking = "tracking"


ROLE = typer.Option(..., "--role", help="What the token may write.")


def _users(event_dir: Path, db: str | None):
    """The users held in the journal database of the event folder (or at ``db``)."""
    from raidcontrol.service.users import Users
    from raidcontrol.store import default_url

    return Users.at(db or default_url(event_dir))


@users_app.command("add")
def add_cmd(
    name: str = typer.Argument(..., help="The official's name (unique)."),
    role: Role = ROLE,
    event_dir: EventOpt = Path("."),
    db: Db = None,
) -> None:
    """Add an official and print the bearer token once (only its hash is stored)."""
    user, token = _users(event_dir, db).add(name, role.value)
    typer.echo(f"added {user.name} ({user.role}); token, shown once — keep it safe:", err=True)
    typer.echo(token)


@users_app.command("list")
def list_cmd(
    event_dir: EventOpt = Path("."), db: Db = None, fmt: Format = OutputFormat.table
) -> None:
    """The officials: name, role, when added, when revoked."""
    rows = [
        [
            u.id,
            u.name,
            u.role,
            u.created_at.isoformat(),
            u.revoked_at.isoformat() if u.revoked_at else "",
        ]
        for u in _users(event_dir, db).list()
    ]
    emit(["id", "name", "role", "created_at", "revoked_at"], rows, fmt, title="Officials")


@users_app.command("revoke")
def revoke_cmd(
    name: str = typer.Argument(..., help="The official whose token stops working."),
    event_dir: EventOpt = Path("."),
    db: Db = None,
) -> None:
    """Revoke an official's token at once (the user stays listed, for the audit trail)."""
    user = _users(event_dir, db).revoke(name)
    typer.echo(f"revoked {user.name} ({user.role})")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
