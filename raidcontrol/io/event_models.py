"""pydantic v2 models of the event folder's files: ``event.toml`` and one row of each CSV file.

Each model is strict (no silent coercion: ``stage = "1"`` is not a number) and forbids unknown
keys.  CSV cells are text: whole numbers are read from ASCII digits only, durations from
``H:MM:SS[.fff]``, instants from ``HH:MM:SS[.fff]`` or ISO 8601 (within the event's window).
Limits come from the rulebook through the validation context (see :mod:`raidcontrol.io.fields`).
Cross-row rules (unknown bib, duplicates, finish after start) stay with the readers in
:mod:`raidcontrol.io.event_folder`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from raidcontrol.core.model import ADJUSTMENT_KINDS, SCOPES, TIME_STATUSES
from raidcontrol.io.fields import (
    STRICT,
    Count,
    CsvCount,
    DurationText,
    Identifier,
    InstantText,
    NonEmptyText,
    NonNegativeFloat,
    OptionalCsvCount,
    Text,
    check_text,
    duration_ms,
    limits_of,
)

_ROW = ConfigDict(strict=True, extra="forbid", frozen=True, str_strip_whitespace=True)


class StageModel(BaseModel):
    """One ``[[stage]]`` of ``event.toml``.

    number: stage number (0 = prologue), int; name: text; special_km: the special's length, km,
    float ≥ 0; max_time: the special's maximum time, ``H:MM:SS`` > 0; counts_for_general: bool;
    final: bool, the stage's results are final (default false); power_stage: bool, the power
    selective section of the championship (a 3-2-1 bonus; default false).
    """

    model_config = STRICT
    number: Count
    name: NonEmptyText
    special_km: NonNegativeFloat
    max_time: DurationText
    counts_for_general: bool
    final: bool = False
    power_stage: bool = False

    @field_validator("max_time")
    @classmethod
    def _positive(cls, value: str) -> str:
        if duration_ms(value) <= 0:
            raise ValueError("must be positive")
        return value


class EventModel(BaseModel):
    """``event.toml``.

    name: the event's name; rulebook: a rulebook id or a folder inside the event folder; id: the
    event's key in a shared journal (default: the folder's name); start_date / end_date: the
    event's first and last day (optional; they narrow the window of accepted datetimes);
    stage: the stages; rules: overrides of rulebook values (checked against the rulebook).
    """

    model_config = STRICT
    name: NonEmptyText
    rulebook: NonEmptyText
    id: Identifier | None = None
    start_date: date | None = None
    end_date: date | None = None
    stage: list[StageModel] = Field(min_length=1)
    rules: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _dates_in_order(self) -> EventModel:
        if (self.start_date is None) != (self.end_date is None):
            raise ValueError("give both start_date and end_date, or neither")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


class EntryRow(BaseModel):
    """A row of ``entries.csv``: bib (int ≥ 0), category, class, driver (required), codriver, team,
    brand, model (text); any further column is kept as text in ``extra``."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True, str_strip_whitespace=True)
    bib: CsvCount
    category: Text
    klass: Text = Field(alias="class")
    driver: NonEmptyText
    codriver: Text
    team: Text
    brand: Text
    model: Text

    @model_validator(mode="after")
    def _extra_is_text(self, info: ValidationInfo) -> EntryRow:
        limit = limits_of(info).max_text_length
        for key, value in (self.model_extra or {}).items():
            check_text(str(key), limit)
            check_text(value, limit)
        return self


class StageBibRow(BaseModel):
    """The two columns every per-crew file starts with: stage (int ≥ 0) and bib (int ≥ 0)."""

    model_config = _ROW
    stage: CsvCount
    bib: CsvCount


class TimeRow(StageBibRow):
    """A row of ``times.csv``: start and finish (clock readings, text; empty = none), status."""

    start: InstantText
    finish: InstantText
    status: str

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str) -> str:
        if value not in TIME_STATUSES:
            raise ValueError(f"unknown status {value!r} (one of {', '.join(TIME_STATUSES)})")
        return value


class AdjustmentRow(StageBibRow):
    """A row of ``adjustments.csv``: kind (penalty|credit), amount (``H:MM:SS`` > 0; a credit is a
    positive amount of kind credit), scope (special|stage), reason (text)."""

    kind: str
    amount: DurationText
    scope: str
    reason: Text

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in ADJUSTMENT_KINDS:
            raise ValueError(f"unknown kind {value!r} (penalty or credit)")
        return value

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str) -> str:
        if value not in SCOPES:
            raise ValueError(f"unknown scope {value!r} (special or stage)")
        return value

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: str) -> str:
        if duration_ms(value) <= 0:
            raise ValueError("must be a positive duration")
        return value


class SplitRow(StageBibRow):
    """A row of ``splits.csv``: waypoint (code), elapsed (``H:MM:SS[.fff]`` since the start),
    position (optional int ≥ 0)."""

    waypoint: Identifier
    elapsed: DurationText
    position: OptionalCsvCount = None
