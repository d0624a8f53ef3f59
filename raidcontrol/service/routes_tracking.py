"""Live tracking on the service: the trackers' fixes in (role *tracking*), live positions out.

``POST /api/v1/tracking/fixes?stage=N`` takes a batch of fixes — CSV (``text/csv``), JSON lines
(``application/x-ndjson``) or Arrow IPC (``application/vnd.apache.arrow.stream``), columns
``bib,time,lat,lon[,speed]`` — and hands it to :meth:`raidcontrol.live_stage.LiveStage.ingest`:
validated as the track files are (a bad batch → 422 with its line and field, nothing stored),
stored idempotently by (bib, time), checked, and the provable findings recorded as proposed
penalties (revised or withdrawn when a late fix changes them).  The proposals are journal records,
pushed on ``/api/v1/stream`` like any other — at once (the view catches up after the batch), not
at the follower's next poll.  The answer:
``{received, kept, resent, crews, elapsed_ms, proposals: [{id, key, bib, code, action, …}]}``.

``POST /api/v1/tracking/close?stage=N`` (role tracking) ends the stage: every finding becomes
provable and the proposals equal ``track scan``'s.

``GET /api/v1/tracking/positions?stage=N`` (public) gives each crew's latest position, km on the
special and running time at its last waypoint — the virtual live ranking — as of now minus the
rulebook's ``tracking.live.public_delay``, as JSON (or CSV with ``?format=csv``).

One :class:`LiveStage` per stage lives in the process (opened on first use: every stored fix
reloaded), each behind a lock, since a batch re-checks and records as one step.
"""

from __future__ import annotations

import threading

from anyio import from_thread
from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from raidcontrol.service.auth import role
from raidcontrol.service.users import User

ROLE = "tracking"
router = APIRouter(prefix="/api/v1/tracking", tags=["tracking"])
TRACKING = Depends(role(ROLE))
_OPENING = threading.Lock()

# The batch's formats as the OpenAPI documents them (the body is read raw: parse_fixes validates it).
FIXES_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "bib,time,lat,lon,speed\n"
                "204,2026-01-13T04:28:25Z,24.0100000,45.0000000,87.5\n"
                "204,2026-01-13T04:28:26Z,24.0102000,45.0000000,88.0\n",
            },
            "application/x-ndjson": {
                "schema": {"type": "string"},
                "example": '{"bib": 204, "time": "2026-01-13T04:28:25Z", "lat": 24.01, "lon": 45.0}\n',
            },
            "application/vnd.apache.arrow.stream": {
                "schema": {"type": "string", "format": "binary"},
                "example": "(an Arrow IPC stream with the columns bib, time, lat, lon[, speed])",
            },
        },
    }
}
FIXES_RESPONSES: dict = {
    401: {"description": "No token, or an unknown or revoked one."},
    403: {"description": "The token's role is not tracking; nothing stored."},
    422: {
        "description": "A bad batch (its line and field named), an unsupported content type or "
        "a stage without its roadbook; nothing stored."
    },
}


def _live(request: Request, stage: int):
    return live_stage(request.app, stage)


def live_stage(app, stage: int):
    """The stage's LiveStage and its lock (opened once per process; an :class:`InputError` when
    the stage has no roadbook)."""
    from raidcontrol.live_stage import LiveStage

    with _OPENING:
        stages = getattr(app.state, "live_stages", None)
        if stages is None:
            stages = app.state.live_stages = {}
        if stage not in stages:
            settings = app.state.settings
            live = LiveStage.open(settings.event_dir, stage, settings.db_url)
            live.defer_drawing = True  # pictures drawn after the answer, outside the lock
            stages[stage] = (live, threading.Lock())
        return stages[stage]


def _draw(drawings: list) -> None:
    for drawing in drawings:
        drawing()


@router.post("/fixes", openapi_extra=FIXES_BODY, responses=FIXES_RESPONSES)
async def post_fixes(
    request: Request,
    background: BackgroundTasks,
    stage: int = Query(ge=0, le=1000, description="The stage being run."),
    user: User = TRACKING,
) -> dict:
    """A batch of fixes (CSV, JSON lines or Arrow IPC): stored once each, checked, provable findings proposed."""
    body = await request.body()
    content_type = request.headers.get("content-type", "")

    app = request.app

    def pushed(records: list) -> None:
        """The proposals are in the journal: push them now (before their pictures are drawn,
        and not at the follower's next poll)."""
        if app.state.writer.postgres:
            app.state.writer.notify(records[-1].id)
        from_thread.run_sync(app.state.hub.publish, app.state.view.catch_up())

    def ingest() -> dict:
        live, lock = _live(request, stage)
        with lock:
            result = live.ingest(body, content_type, source="body", recorded=pushed).to_dict()
            # the evidence pictures: drawn after the answer, with the stage free for the next batch
            background.add_task(_draw, live.take_drawings())
        return result

    return await run_in_threadpool(ingest)


CLOSE_RESPONSES: dict = {
    401: FIXES_RESPONSES[401],
    403: {"description": "The token's role is not tracking; nothing recorded."},
    422: {"description": "A stage without its roadbook; nothing recorded."},
}


@router.post("/close", responses=CLOSE_RESPONSES)
async def post_close(
    request: Request,
    background: BackgroundTasks,
    stage: int = Query(ge=0, le=1000, description="The stage whose fixes are all in."),
    user: User = TRACKING,
) -> dict:
    """End the stage's live tracking: no more fixes will come, so every finding is provable and
    the proposals become exactly ``track scan``'s (the records appended are answered)."""
    from raidcontrol.live_stage import proposal_event

    app = request.app

    def close() -> list:
        live, lock = _live(request, stage)
        with lock:
            records = live.close()
            background.add_task(_draw, live.take_drawings())
        if records and app.state.writer.postgres:
            app.state.writer.notify(records[-1].id)
        return records

    records = await run_in_threadpool(close)
    app.state.hub.publish(await run_in_threadpool(app.state.view.catch_up))
    return {"stage": stage, "proposals": [proposal_event(r) for r in records]}


@router.get("/positions", response_model=None)
async def get_positions(
    request: Request,
    stage: int = Query(ge=0, le=1000, description="The stage."),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> dict | PlainTextResponse:
    """Live positions and the virtual ranking, hidden for the public delay."""
    from raidcontrol.cli.common import csv_text
    from raidcontrol.tracking.live.positions import POSITION_HEADER, position_rows

    def build() -> tuple[list, int]:
        live, lock = _live(request, stage)
        with lock:
            return position_rows(live.positions()), live.live.params.public_delay_ms

    rows, delay_ms = await run_in_threadpool(build)
    if format == "csv":
        return PlainTextResponse(csv_text(POSITION_HEADER, rows), media_type="text/csv")
    return {
        "stage": stage,
        "public_delay_ms": delay_ms,
        "positions": [dict(zip(POSITION_HEADER, r)) for r in rows],
    }


def page_positions(app, stage: int):
    """A stage's live positions for the website's live page (:class:`LivePositions`)."""
    from raidcontrol.web.pages import LivePositions

    live, lock = live_stage(app, stage)
    with lock:
        return LivePositions(live.live.roadbook, live.positions(), live.live.params.public_delay_ms)
