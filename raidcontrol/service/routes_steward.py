"""Stewards: penalties and credits, decisions on proposed penalties, disqualifications, appeal
outcomes and neutralised segments.  Their decisions may change a final classification and
are shown on it as amendments."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request

from raidcontrol.service import commands
from raidcontrol.service.auth import role
from raidcontrol.service.schemas import (
    AdjustmentIn,
    AppealIn,
    DecisionIn,
    DisqualificationIn,
    NeutralisationIn,
)
from raidcontrol.service.users import User
from raidcontrol.service.write_route import IDEMPOTENCY_KEY, WRITE, perform

ROLE = "steward"
router = APIRouter(prefix="/api/v1", tags=["steward"])
STEWARD = Depends(role(ROLE))


@router.post("/adjustments", **WRITE)
async def post_adjustment(
    request: Request, body: AdjustmentIn, key: str = IDEMPOTENCY_KEY, user: User = STEWARD
):
    """A penalty or a credit (amount, scope, reason, decision number)."""
    return await perform(
        request, user, key, lambda snap: commands.adjustment_records(snap, body, ROLE, user.name)
    )


@router.post("/penalties/{proposal_id}/decision", **WRITE)
async def post_decision(
    request: Request,
    body: DecisionIn,
    proposal_id: int = Path(ge=1, le=2**62),
    key: str = IDEMPOTENCY_KEY,
    user: User = STEWARD,
):
    """Confirm or dismiss a proposed penalty (only confirmed ones count)."""
    return await perform(
        request,
        user,
        key,
        lambda snap: commands.decision_records(snap, proposal_id, body, ROLE, user.name),
    )


@router.post("/disqualifications", **WRITE)
async def post_disqualification(
    request: Request, body: DisqualificationIn, key: str = IDEMPOTENCY_KEY, user: User = STEWARD
):
    """Disqualify a crew (out of the classifications from that stage on)."""
    return await perform(
        request,
        user,
        key,
        lambda snap: commands.disqualification_records(snap, body, ROLE, user.name),
    )


@router.post("/appeals", **WRITE)
async def post_appeal(
    request: Request, body: AppealIn, key: str = IDEMPOTENCY_KEY, user: User = STEWARD
):
    """An appeal's outcome: upheld (recorded), or reversed (the decision's subject goes back to what it was)."""
    view = request.app.state.view

    def build(snap):
        target = view.by_id.get(body.record)
        earlier = (
            view.by_id.get(target.supersedes) if target is not None and target.supersedes else None
        )
        return commands.appeal_records(snap, body, ROLE, user.name, earlier)

    return await perform(request, user, key, build)


@router.post("/neutralisations", **WRITE)
async def post_neutralisation(
    request: Request, body: NeutralisationIn, key: str = IDEMPOTENCY_KEY, user: User = STEWARD
):
    """Neutralise a segment of a special: each crew is credited its time between the two points."""
    return await perform(
        request,
        user,
        key,
        lambda snap: commands.neutralisation_records(snap, body, ROLE, user.name),
    )
