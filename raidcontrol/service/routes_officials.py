"""For any official: the audit trail (every journal record, with author, office, time and source)
and who a token belongs to."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from raidcontrol.service import tables_journal
from raidcontrol.service.auth import OFFICIAL
from raidcontrol.service.render import respond, table_responses
from raidcontrol.service.schemas import TableOut
from raidcontrol.service.users import User

router = APIRouter(prefix="/api/v1", tags=["officials"])
AUTH = {401: {"description": "No token, or an unknown or revoked one."}}


@router.get("/audit", response_model=TableOut, responses={**table_responses(), **AUTH})
def audit(
    request: Request,
    since: int = Query(0, ge=0, le=2**62),
    format: Literal["json", "csv"] | None = None,
    user: User = OFFICIAL,
) -> Response:
    """Every record of the journal after position ``since``: superseded ones and withdrawals too."""
    view = request.app.state.view
    return respond(
        request, view, ("audit", since), lambda s: tables_journal.audit(s, since), format, None
    )


class WhoAmI(BaseModel):
    name: str
    role: str


@router.get("/whoami", response_model=WhoAmI, responses=AUTH)
def whoami(user: User = OFFICIAL) -> WhoAmI:
    """The official a token belongs to."""
    return WhoAmI(name=user.name, role=user.role)
