"""Tables as HTTP responses: JSON or CSV (``?format=`` or the ``Accept`` header), the journal
position as ``ETag`` (``If-None-Match`` → 304 without computing anything), the status in
``X-Raidcontrol-Status``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import Request, Response

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import TimeFormatError, parse_datetime
from raidcontrol.service.tables import TableData
from raidcontrol.service.view import EventView, Snapshot

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"


def table_responses() -> dict:
    """OpenAPI description of a table endpoint's responses."""
    return {
        200: {
            "description": "The table (JSON or CSV); `ETag` is its journal position.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
            "headers": {
                "ETag": {"schema": {"type": "string"}},
                "X-Raidcontrol-Status": {"schema": {"type": "string"}},
            },
        },
        304: {"description": "Not modified since the `If-None-Match` ETag."},
        422: {"description": "A parameter is invalid (the field is named)."},
    }


def parse_as_of(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parse_datetime(text)
    except (TimeFormatError, ValueError) as exc:
        raise InputError(str(exc), field="as_of") from None


def negotiate(request: Request, fmt: str | None) -> str:
    if fmt:
        return fmt
    return "csv" if "text/csv" in request.headers.get("accept", "") else "json"


def respond(
    request: Request,
    view: EventView,
    key: tuple,
    build: Callable[[Snapshot], TableData],
    fmt: str | None,
    as_of: str | None,
) -> Response:
    moment = parse_as_of(as_of)
    fmt = negotiate(request, fmt)
    position = view.position_as_of(moment)
    etag = f'"{position}-{fmt}"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"ETag": etag})
    with view.lock:
        snap = view.snapshot(moment)
        table = view.cached((*key, snap.position), lambda: build(snap))
        body = view.cached(
            (*key, snap.position, fmt), lambda: table.to_csv() if fmt == "csv" else table.to_json()
        )
    headers = {
        "ETag": f'"{snap.position}-{fmt}"',
        "X-Raidcontrol-Status": table.status,
        "X-Journal-Position": str(snap.position),
        "Cache-Control": "no-cache",
    }
    return Response(body, media_type=CSV_TYPE if fmt == "csv" else JSON_TYPE, headers=headers)
