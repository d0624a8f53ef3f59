"""The clerk of the course: publishes a classification as provisional, then final."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from raidcontrol.service import commands
from raidcontrol.service.auth import role
from raidcontrol.service.schemas import PublicationIn
from raidcontrol.service.users import User
from raidcontrol.service.write_route import IDEMPOTENCY_KEY, WRITE, perform

ROLE = "clerk"
CALLER = Depends(role(ROLE))
router = APIRouter(prefix="/api/v1", tags=["clerk"])


@router.post("/publications", **WRITE)
async def post_publication(
    request: Request, body: PublicationIn, key: str = IDEMPOTENCY_KEY, user: User = CALLER
):
    """Publish the general, stage or special classification of a stage (provisional, then final)."""
    return await perform(
        request, user, key, lambda snap: commands.publication_records(snap, body, ROLE, user.name)
    )
