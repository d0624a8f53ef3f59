"""Scrutineers: verdicts on vehicles (Stock eligibility) and seals."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from raidcontrol.service import commands
from raidcontrol.service.auth import role
from raidcontrol.service.schemas import ScrutineeringIn, SealIn
from raidcontrol.service.users import User
from raidcontrol.service.write_route import IDEMPOTENCY_KEY, WRITE, perform

ROLE = "scrutineer"
CALLER = Depends(role(ROLE))
router = APIRouter(prefix="/api/v1", tags=["scrutineer"])


@router.post("/scrutineering", **WRITE)
async def post_scrutineering(
    request: Request, body: ScrutineeringIn, key: str = IDEMPOTENCY_KEY, user: User = CALLER
):
    """A verdict: eligible, eligible with remarks, not eligible (breaches) or experimental."""
    return await perform(
        request, user, key, lambda snap: commands.scrutineering_records(snap, body, ROLE, user.name)
    )


@router.post("/seals", **WRITE)
async def post_seal(
    request: Request, body: SealIn, key: str = IDEMPOTENCY_KEY, user: User = CALLER
):
    """A seal fitted or checked on an engine, gearbox or turbo."""
    return await perform(
        request, user, key, lambda snap: commands.seal_records(snap, body, ROLE, user.name)
    )
