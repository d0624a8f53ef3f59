"""``GET /api/v1/stream``: Server-Sent Events, one per journal change (sse-starlette)."""

from __future__ import annotations

from fastapi import APIRouter, Header, Query, Request
from sse_starlette.sse import EventSourceResponse

from raidcontrol.core.errors import InputError

router = APIRouter(prefix="/api/v1", tags=["stream"])

STREAM_DOC = {
    200: {
        "description": "`text/event-stream`: events named `change`, id = journal position, data = "
        "JSON {position, first, records, recorded_at, kinds, changed}; heartbeat comments when idle.",
        "content": {
            "text/event-stream": {
                "schema": {"type": "string"},
                "example": 'id: 1241\nevent: change\ndata: {"position":1241,"first":1241,"records":1,'
                '"recorded_at":"2025-01-04T14:02:11.204+00:00","kinds":["penalty-decision"],'
                '"changed":["general","notices","penalties","stages"]}\n\n',
            }
        },
    },
    422: {"description": "Last-Event-ID is not a journal position."},
}


def _position(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    if not text.strip().isdigit():
        raise InputError("must be a journal position (a whole number)", field="Last-Event-ID")
    return int(text.strip())


@router.get("/stream", responses=STREAM_DOC, response_class=EventSourceResponse)
async def stream(
    request: Request,
    last_event_id: str | None = Header(None, alias="Last-Event-ID", max_length=30),
    since: int | None = Query(
        None, ge=0, le=2**62, description="As Last-Event-ID, for clients that cannot set headers."
    ),
) -> EventSourceResponse:
    """Every journal change as it happens: what changed (stage N, general, penalties, notices,
    standings …).  Reconnect with ``Last-Event-ID`` to get every change missed, also after a restart."""
    last = _position(last_event_id)
    last = since if last is None else last
    hub, settings = request.app.state.hub, request.app.state.settings
    return EventSourceResponse(
        hub.events(last), ping=settings.heartbeat_s, headers={"X-Accel-Buffering": "no"}
    )
