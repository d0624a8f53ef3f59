"""Timekeepers: start and finish times (one, or a CSV batch as in ``times.csv``), DNF and withdrawals."""

from __future__ import annotations

import csv
import io

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError

from raidcontrol.core.errors import InputError
from raidcontrol.service import commands
from raidcontrol.service.auth import role
from raidcontrol.service.schemas import TimeIn, WithdrawalIn
from raidcontrol.service.users import User
from raidcontrol.service.write_route import IDEMPOTENCY_KEY, WRITE, perform

ROLE = "timekeeper"
CALLER = Depends(role(ROLE))
router = APIRouter(prefix="/api/v1", tags=["timekeeper"])
BATCH_COLUMNS = ("stage", "bib", "start", "finish", "status")
BATCH_LIMIT = 5000  # rows per batch request


@router.post("/times", **WRITE)
async def post_time(
    request: Request, body: TimeIn, key: str = IDEMPOTENCY_KEY, user: User = CALLER
):
    """A crew's start (alone: the crew is on the stage), finish, DNF or withdrawal in one stage."""
    return await perform(
        request, user, key, lambda snap: commands.time_records(snap, body, ROLE, user.name)
    )


@router.post("/withdrawals", **WRITE)
async def post_withdrawal(
    request: Request, body: WithdrawalIn, key: str = IDEMPOTENCY_KEY, user: User = CALLER
):
    """A crew that does not take the start of ``stage`` and leaves the rally."""
    return await perform(
        request, user, key, lambda snap: commands.withdrawal_records(snap, body, ROLE, user.name)
    )


def parse_batch(text: str) -> list[TimeIn]:
    """CSV ``stage,bib,start,finish,status[,reason]`` → validated rows; errors name the line and field."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in BATCH_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}", file="body", line=1, field=missing[0]
        )
    rows = []
    for line, row in enumerate(reader, start=2):
        if line - 1 > BATCH_LIMIT:
            raise InputError(
                f"more than {BATCH_LIMIT} rows: split the batch", file="body", line=line
            )
        values = {k: (v or "").strip() for k, v in row.items() if k in BATCH_COLUMNS + ("reason",)}
        values = {k: v for k, v in values.items() if v != "" or k == "reason"}
        try:
            rows.append(TimeIn(**values))
        except ValidationError as exc:
            err = exc.errors()[0]
            raise InputError(
                err["msg"], file="body", line=line, field=".".join(map(str, err["loc"]))
            ) from None
    if not rows:
        raise InputError("no rows", file="body", line=2)
    return rows


CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "stage,bib,start,finish,status\n1,204,09:12:00,13:05:41.500,finished\n1,310,09:14:00,,dnf\n",
            }
        },
    }
}


@router.post("/times/batch", openapi_extra=CSV_BODY, **WRITE)
async def post_times_batch(request: Request, key: str = IDEMPOTENCY_KEY, user: User = CALLER):
    """Many readings at once, as CSV (the columns of ``times.csv``): all recorded, or none."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the body is not UTF-8 text", file="body") from None
    rows = parse_batch(text)

    def build(snap):
        seen, out = set(), []
        for line, row in enumerate(rows, start=2):
            if (row.stage, row.bib) in seen:
                raise InputError(
                    f"bib {row.bib} twice in stage {row.stage}", file="body", line=line, field="bib"
                )
            seen.add((row.stage, row.bib))
            try:
                out += commands.time_records(snap, row, ROLE, user.name)
            except InputError as exc:
                raise exc.at(file="body", line=line) from None
        return out

    return await perform(request, user, key, build)
