"""The public read API: the event, itinerary, entries, classifications, explanations,
penalties with evidence, scrutineering, the notice board — every table as JSON or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel

from raidcontrol.service import tables, tables_journal
from raidcontrol.service.render import respond, table_responses
from raidcontrol.service.schemas import TableOut

router = APIRouter(prefix="/api/v1", tags=["read"])
Format = Literal["json", "csv"]
FORMAT = Query(None, description="json or csv (default: from the Accept header, else json).")
AS_OF = Query(None, description="ISO 8601 moment: the table as it stood then.", max_length=64)
CATEGORY = Query(None, max_length=60)
CLASS = Query(None, alias="class", max_length=60)
STAGE = PathParam(ge=0, le=1000)
TABLE = {"response_model": TableOut, "responses": table_responses()}


def _view(request: Request):
    return request.app.state.view


class EventOut(BaseModel):
    """The event: ``name``, ``rulebook`` id, numbers of ``stages`` and ``entries``, the last stage
    with results (``last_stage``) and the journal ``position``."""

    name: str
    rulebook: str
    stages: int
    entries: int
    last_stage: int | None
    position: int


@router.get("/event", response_model=EventOut)
def event(request: Request) -> EventOut:
    """The event and its journal position."""
    from raidcontrol.classification import last_stage

    view = _view(request)
    with view.lock:
        snap = view.snapshot()
    ev = snap.event
    return EventOut(
        name=ev.name,
        rulebook=ev.rulebook_id,
        stages=len(ev.stages),
        entries=len(ev.entries),
        last_stage=last_stage(ev) if ev.stages else None,
        position=snap.position,
    )


@router.get("/itinerary", **TABLE)
def itinerary(request: Request, format: Format | None = FORMAT) -> Response:
    """The stages: number, name, special length (km), maximum time, counted for the general, status."""
    return respond(request, _view(request), ("itinerary",), tables.itinerary, format, None)


@router.get("/entries", **TABLE)
def entries(
    request: Request,
    category: str | None = CATEGORY,
    klass: str | None = CLASS,
    format: Format | None = FORMAT,
) -> Response:
    """The crews entered (bib, category, class, driver, co-driver, team, brand, model)."""
    return respond(
        request,
        _view(request),
        ("entries", category, klass),
        lambda s: tables.entries(s, category, klass),
        format,
        None,
    )


@router.get("/classification/general", **TABLE)
def general(
    request: Request,
    after: int | None = Query(None, ge=0, le=1000),
    category: str | None = CATEGORY,
    klass: str | None = CLASS,
    as_of: str | None = AS_OF,
    format: Format | None = FORMAT,
) -> Response:
    """The general classification after a stage (default: the last with results); the same CSV as
    ``raidcontrol classify EVENT --general --format csv``."""
    return respond(
        request,
        _view(request),
        ("general", after, category, klass),
        lambda s: tables.classification(s, "general", after, category, klass),
        format,
        as_of,
    )


@router.get("/classification/{scope}/{stage}", **TABLE)
def stage_ranking(
    request: Request,
    scope: Literal["stage", "special"],
    stage: int = STAGE,
    category: str | None = CATEGORY,
    klass: str | None = CLASS,
    as_of: str | None = AS_OF,
    format: Format | None = FORMAT,
) -> Response:
    """A stage's ranking (``stage``: all adjustments) or its special's (``special``)."""
    return respond(
        request,
        _view(request),
        (scope, stage, category, klass),
        lambda s: tables.classification(s, scope, stage, category, klass),
        format,
        as_of,
    )


@router.get("/crews/{bib}/explain", **TABLE)
def explain(
    request: Request,
    bib: int = PathParam(ge=1, le=100_000),
    stage: int = Query(ge=0, le=1000),
    scope: Literal["stage", "special"] = "stage",
    as_of: str | None = AS_OF,
    format: Format | None = FORMAT,
) -> Response:
    """How a crew's time was made: raw time, each penalty and credit with reason, record and picture."""
    return respond(
        request,
        _view(request),
        ("explain", bib, stage, scope),
        lambda s: tables.explain(s, bib, stage, scope),
        format,
        as_of,
    )


@router.get("/penalties", **TABLE)
def penalties(
    request: Request,
    stage: int | None = Query(None, ge=0, le=1000),
    status: Literal["in force", "proposed", "confirmed", "dismissed"] | None = None,
    as_of: str | None = AS_OF,
    format: Format | None = FORMAT,
) -> Response:
    """Every penalty and credit with its status: in force, or proposed / confirmed / dismissed."""
    return respond(
        request,
        _view(request),
        ("penalties", stage, status),
        lambda s: tables_journal.penalties(s, stage, status),
        format,
        as_of,
    )


class PenaltyOut(BaseModel):
    """A proposed penalty as recorded: its ``payload`` (stage, bib, amount_ms, reason, evidence …),
    its ``decision`` (null while undecided) and the URL of its ``picture`` (null if none)."""

    id: int
    kind: str
    payload: dict
    decision: dict | None
    picture: str | None


def _proposal(request: Request, record_id: int):
    view = _view(request)
    with view.lock:
        rec = next((r for r in view.state.of_kind("penalty-proposed") if r.id == record_id), None)
    if rec is not None:
        return rec
    raise HTTPException(404, f"no proposed penalty {record_id} in force")


@router.get(
    "/penalties/{record_id}",
    response_model=PenaltyOut,
    responses={404: {"description": "No such penalty."}},
)
def penalty(request: Request, record_id: int = PathParam(ge=1, le=2**62)) -> PenaltyOut:
    """One proposed penalty with its full evidence (fixes, times, distances, speeds) and decision."""
    rec = _proposal(request, record_id)
    dec = _view(request).state.get("penalty-decision", str(rec.id))
    has_picture = bool((rec.payload.get("evidence") or {}).get("picture"))
    return PenaltyOut(
        id=rec.id,
        kind=rec.kind,
        payload=rec.payload,
        decision=dec.payload if dec else None,
        picture=f"/api/v1/penalties/{rec.id}/picture" if has_picture else None,
    )


@router.get(
    "/penalties/{record_id}/picture",
    response_class=FileResponse,
    responses={
        200: {"content": {"image/png": {}, "image/svg+xml": {}}},
        404: {"description": "No picture."},
    },
)
def penalty_picture(request: Request, record_id: int = PathParam(ge=1, le=2**62)) -> FileResponse:
    """The evidence picture of a proposed penalty (a file of the event folder)."""
    rec = _proposal(request, record_id)
    relative = (rec.payload.get("evidence") or {}).get("picture")
    folder: Path = request.app.state.settings.event_dir.resolve()
    path = (folder / relative).resolve() if relative else None
    if path is None or not path.is_relative_to(folder) or not path.is_file():
        raise HTTPException(404, "this penalty has no picture")
    return FileResponse(path)


@router.get("/scrutineering", **TABLE)
def scrutineering(
    request: Request, as_of: str | None = AS_OF, format: Format | None = FORMAT
) -> Response:
    """Scrutineering verdicts (Stock eligibility) and seals, per bib."""
    return respond(
        request, _view(request), ("scrutineering",), tables_journal.scrutineering, format, as_of
    )


@router.get("/notices", **TABLE)
def notices(
    request: Request, as_of: str | None = AS_OF, format: Format | None = FORMAT
) -> Response:
    """The notice board: every decision of the stewards and the clerk of the course, in order."""
    return respond(request, _view(request), ("notices",), tables_journal.notices, format, as_of)
