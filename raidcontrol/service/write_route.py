"""What every write endpoint shares: the Idempotency-Key header, the documented error
responses, and :func:`perform` (build the records from the event now, append once, push)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from raidcontrol.core.journal import Record
from raidcontrol.service.schemas import WriteOut, WrittenRecord
from raidcontrol.service.users import User
from raidcontrol.service.view import Snapshot

IDEMPOTENCY_KEY = Header(
    alias="Idempotency-Key",
    min_length=1,
    max_length=200,
    pattern=r"^[\x21-\x7e]+$",
    description="Unique per write; a retry with the same key records nothing new.",
)
WRITE_RESPONSES: dict = {
    200: {
        "model": WriteOut,
        "description": "A retry: the Idempotency-Key was used already; nothing new recorded.",
    },
    401: {"description": "No token, or an unknown or revoked one."},
    403: {"description": "The token's role may not make this write; nothing recorded."},
    409: {"description": "The classification is final: only a steward's decision may change it."},
    422: {"description": "Invalid input (the field is named); nothing recorded."},
}
WRITE = {"status_code": 201, "response_model": WriteOut, "responses": WRITE_RESPONSES}


async def perform(
    request: Request, user: User, key: str, build: Callable[[Snapshot], list[Record]]
) -> JSONResponse:
    """Append ``build(snapshot)`` for ``user`` unless ``key`` was used; 201 (new) or 200 (retry)."""
    app = request.app
    route = f"{request.method} {request.url.path}"
    records, replayed, changes = await run_in_threadpool(
        app.state.writer.write, build, key, route, user.name
    )
    app.state.hub.publish(changes)
    out = WriteOut(
        position=max((r.id or 0 for r in records), default=0),
        records=[WrittenRecord(id=r.id or 0, kind=r.kind, key=r.key) for r in records],
        replayed=replayed,
    )
    return JSONResponse(
        out.model_dump(),
        status_code=200 if replayed else 201,
        headers={"X-Journal-Position": str(out.position)},
    )
