"""Request and response bodies of the API (pydantic 2), each with an OpenAPI example.

Times of day are text ``HH:MM:SS[.fff]`` or ISO 8601 (as in ``times.csv``); durations are
text ``H:MM:SS[.fff]`` (as in ``adjustments.csv``).  Every write also carries a ``reason``
(free text, recorded with the record) and, for stewards, a ``decision`` number.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Text = Field(default="", max_length=2000)
Stage = Field(ge=0, le=1000, description="Stage number (0 = prologue).")
Bib = Field(ge=1, le=100_000, description="Race number.")


def _example(example: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [example]})


class TimeIn(BaseModel):
    """A timekeeper's reading: start only (crew on the stage), or a finish, or a DNF/withdrawal."""

    model_config = _example(
        {
            "stage": 1,
            "bib": 204,
            "start": "09:12:00",
            "finish": "13:05:41.500",
            "status": "finished",
            "reason": "finish control",
        }
    )
    stage: int = Stage
    bib: int = Bib
    start: str | None = Field(default=None, max_length=40)
    finish: str | None = Field(default=None, max_length=40)
    status: Literal["finished", "dnf", "withdrawn"] = "finished"
    reason: str = Text


class WithdrawalIn(BaseModel):
    """A crew that leaves the rally before ``stage`` (out of every classification from then on)."""

    model_config = _example(
        {"stage": 2, "bib": 310, "reason": "engine failure, retired at the bivouac"}
    )
    stage: int = Stage
    bib: int = Bib
    reason: str = Field(min_length=1, max_length=2000)


class AdjustmentIn(BaseModel):
    """A steward's penalty or credit."""

    model_config = _example(
        {
            "stage": 1,
            "bib": 204,
            "kind": "penalty",
            "amount": "0:05:00",
            "scope": "stage",
            "reason": "speeding in a village zone",
            "decision": "D-2025-017",
        }
    )
    stage: int = Stage
    bib: int = Bib
    kind: Literal["penalty", "credit"]
    amount: str = Field(max_length=20, description="Duration H:MM:SS[.fff], positive.")
    scope: Literal["special", "stage"] = "stage"
    reason: str = Field(min_length=1, max_length=2000)
    decision: str = Field(min_length=1, max_length=60, description="The stewards' decision number.")


class DecisionIn(BaseModel):
    """Confirm or dismiss a proposed penalty (from tracking or scrutineering)."""

    model_config = _example(
        {"decision": "confirmed", "reason": "GPS evidence reviewed", "number": "D-2025-018"}
    )
    decision: Literal["confirmed", "dismissed"]
    reason: str = Field(min_length=1, max_length=2000)
    number: str = Field(default="", max_length=60, description="The stewards' decision number.")


class DisqualificationIn(BaseModel):
    """Disqualify a crew from ``stage`` on."""

    model_config = _example(
        {"stage": 1, "bib": 204, "reason": "unauthorised assistance", "decision": "D-2025-019"}
    )
    stage: int = Stage
    bib: int = Bib
    reason: str = Field(min_length=1, max_length=2000)
    decision: str = Field(min_length=1, max_length=60)


class AppealIn(BaseModel):
    """The outcome of an appeal against an earlier decision (a journal record id)."""

    model_config = _example(
        {
            "record": 1234,
            "outcome": "reversed",
            "reason": "court of appeal ruling",
            "decision": "A-2025-002",
        }
    )
    record: int = Field(ge=1, description="Journal id of the decision appealed against.")
    outcome: Literal["upheld", "reversed"]
    reason: str = Field(min_length=1, max_length=2000)
    decision: str = Field(min_length=1, max_length=60)


class NeutralisationIn(BaseModel):
    """Neutralise a segment of a special: each crew is credited its time between two points."""

    model_config = _example(
        {
            "stage": 1,
            "from_point": "WP5",
            "to_point": "finish",
            "reason": "segment closed for a medical evacuation",
            "decision": "D-2025-020",
        }
    )
    stage: int = Stage
    from_point: str = Field(
        min_length=1, max_length=40, description="``start`` or a timing waypoint."
    )
    to_point: str = Field(
        min_length=1, max_length=40, description="A timing waypoint or ``finish``."
    )
    reason: str = Field(min_length=1, max_length=2000)
    decision: str = Field(min_length=1, max_length=60)


class Breach(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule_id: str = Field(min_length=1, max_length=60)
    subject: str = Field(default="", max_length=200)
    consequence: Literal["not-eligible", "penalty", "remark"] = "not-eligible"
    allowed: str = Field(default="", max_length=200)
    measured: str = Field(default="", max_length=200)


class ScrutineeringIn(BaseModel):
    """A scrutineer's verdict on one vehicle."""

    model_config = _example(
        {
            "bib": 500,
            "verdict": "not-eligible",
            "reference": "DEFENDER D7X-R",
            "breaches": [
                {
                    "rule_id": "R-STD-02",
                    "subject": "suspension",
                    "consequence": "not-eligible",
                    "allowed": "standard",
                    "measured": "modified",
                }
            ],
            "remarks": ["dampers not as produced"],
            "reason": "technical check",
        }
    )
    bib: int = Bib
    verdict: Literal["eligible", "eligible-with-remarks", "not-eligible", "experimental"]
    reference: str = Field(default="", max_length=200)
    breaches: list[Breach] = Field(default_factory=list, max_length=100)
    remarks: list[str] = Field(default_factory=list, max_length=100)
    reason: str = Text


class SealIn(BaseModel):
    """A seal fitted or checked on an engine or gearbox."""

    model_config = _example(
        {"bib": 500, "part": "engine", "seal": "E-004512", "stage": 3, "reason": "seal check"}
    )
    bib: int = Bib
    part: Literal["engine", "gearbox", "turbo", "other"]
    seal: str = Field(min_length=1, max_length=60)
    stage: int | None = Field(default=None, ge=0, le=1000)
    reason: str = Text


class PublicationIn(BaseModel):
    """The clerk of the course publishes a classification as provisional, then final."""

    model_config = _example(
        {"table": "general", "stage": 1, "status": "provisional", "reason": "after stage 1"}
    )
    table: Literal["general", "stage", "special"]
    stage: int = Stage
    status: Literal["provisional", "final"]
    reason: str = Text


class WrittenRecord(BaseModel):
    id: int
    kind: str
    key: str


class WriteOut(BaseModel):
    """What a write recorded: the journal ``position`` after it and its ``records``;
    ``replayed`` is true when the Idempotency-Key was already used (nothing new recorded)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "position": 1240,
                    "records": [{"id": 1240, "kind": "time", "key": "1/204"}],
                    "replayed": False,
                }
            ]
        }
    )
    position: int
    records: list[WrittenRecord]
    replayed: bool = False


class TableOut(BaseModel):
    """A table as JSON: ``rows`` are objects keyed by ``columns``; ``status`` provisional or final;
    ``position`` the journal position it was computed at (also the ETag); ``amendments`` the
    stewards' decisions recorded after a final publication."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "table": "general",
                    "status": "provisional",
                    "position": 1240,
                    "columns": [
                        "position",
                        "bib",
                        "driver",
                        "category",
                        "class",
                        "time",
                        "gap",
                        "penalty",
                        "status",
                    ],
                    "amendments": [],
                    "rows": [
                        {
                            "position": 1,
                            "bib": 204,
                            "driver": "Y. Al Rajhi",
                            "category": "Ultimate",
                            "class": "T1+",
                            "time": "3:53:41",
                            "gap": "0:00:00",
                            "penalty": "0:00:00",
                            "status": "finished",
                        }
                    ],
                }
            ]
        }
    )
    table: str
    status: Literal["provisional", "final"]
    position: int
    columns: list[str]
    amendments: list[dict[str, Any]]
    rows: list[dict[str, Any]]
