"""``GET /api/v1/standings``: the season's standings (or ``?outlook=true``) when the server was
started with ``--season SEASON.toml``; 404 otherwise."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response

from raidcontrol.service.render import respond, table_responses
from raidcontrol.service.schemas import TableOut

router = APIRouter(prefix="/api/v1", tags=["read"])


@router.get(
    "/standings",
    response_model=TableOut,
    responses={
        **table_responses(),
        404: {"description": "The event is not served as a round of a season."},
    },
)
def standings(
    request: Request,
    category: str | None = Query(None, max_length=60),
    title: Literal["drivers", "codrivers", "manufacturers"] = "drivers",
    outlook: bool = False,
    format: Literal["json", "csv"] | None = None,
) -> Response:
    """W2RC standings (points per round, countback), or the outlook: who can still win, what each needs."""
    from raidcontrol.service.tables_season import standings as build
    from raidcontrol.store import default_url

    settings = request.app.state.settings
    if settings.season is None:
        raise HTTPException(404, "this server was not started with --season")
    db = None if settings.db_url == default_url(settings.event_dir) else settings.db_url
    return respond(
        request,
        request.app.state.view,
        ("standings", category, title, outlook),
        lambda s: build(s, settings.season, settings.event_dir, db, category, title, outlook),
        format,
        None,
    )
