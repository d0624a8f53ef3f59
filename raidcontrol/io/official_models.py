"""pydantic v2 models of the organiser's live-timing JSON (the parts ``convert-official`` reads).

The organiser's records carry many more keys (pictures, translations, internal ids) that change
between editions: unknown keys are ignored, but every key that is read is strictly typed and
range-checked (whole milliseconds never negative and within the window the rulebook allows for a
stage day, finite lengths, texts without control characters).  Times are integer milliseconds:
``dss.absolute`` since the stage day's local midnight, ``cs.<code>.absolute[0]`` elapsed since the start.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
)

from raidcontrol.io.fields import INT64_MAX, Count, NonNegativeFloat, Text, limits_of

_LOOSE = ConfigDict(strict=True, extra="ignore", frozen=True, populate_by_name=True)
Ms = Annotated[int, Field(ge=0, le=INT64_MAX)]


def _stage_day(value: str, info: ValidationInfo) -> str:
    """A stage's date: empty, or an ISO 8601 datetime within the rulebook's window (its date and
    UTC offset place the clock readings of crews that finish after midnight)."""
    if not value:
        return value
    try:
        day = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 datetime: {value[:40]!r}") from None
    limits = limits_of(info)
    if not limits.earliest.date() <= day.date() < limits.latest.date():
        raise ValueError(
            f"{value!r} is outside the window {limits.earliest.date()} to {limits.latest.date()}"
        )
    return value


StageDay = Annotated[Text, AfterValidator(_stage_day)]


def _none_is_zero(value: Any) -> Any:
    return 0 if value is None else value


PenaltyMs = Annotated[Ms, BeforeValidator(_none_is_zero)]


class Group(BaseModel):
    """``allGroups-<year>.json``: _id, reference (``2025-A-T1``: the group is its last part)."""

    model_config = _LOOSE
    id: Text = Field(alias="_id")
    reference: Text


class Clazz(BaseModel):
    """``allClazz-<year>-A.json``: _id, reference, label (``+``, ``1``, ``STK`` …), ``$group`` (absent on groups)."""

    model_config = _LOOSE
    id: Text = Field(alias="_id")
    reference: Text
    label: Text
    group: Text | None = Field(default=None, alias="$group")


class Sector(BaseModel):
    """A sector of a stage: type (``SPE`` = special) and length, km."""

    model_config = _LOOSE
    type: Text = ""
    length: NonNegativeFloat = 0.0
    powerStage: bool = False


class StageLang(BaseModel):
    model_config = _LOOSE
    locale: Text = ""
    text: Text = ""


class ItineraryStage(BaseModel):
    """``stage-<year>-A.json``: one stage (records without ``stage`` are not stages)."""

    model_config = _LOOSE
    stage: Count
    startDate: StageDay = ""
    date: StageDay = ""
    sectors: list[Sector] = Field(default_factory=list)
    stageLangs: list[StageLang] = Field(default_factory=list)
    generalDisplay: bool = True


class Competitor(BaseModel):
    """A crew member: role (``P`` driver, ``C`` co-driver, others), names."""

    model_config = _LOOSE
    role: Text = ""
    firstName: Text = ""
    lastName: Text = ""
    name: Text = ""


class Team(BaseModel):
    model_config = _LOOSE
    bib: Count
    clazz: Text
    competitors: list[Competitor] = Field(default_factory=list)
    vehicle: Text = ""
    brand: Text = ""
    model: Text = ""
    w2rc: bool | None = None


class Start(BaseModel):
    """``dss``: the start, ms after the stage day's local midnight."""

    model_config = _LOOSE
    absolute: Ms


class Split(BaseModel):
    """A timing point of the special: elapsed ms (``absolute[0]``), penalties and bonus (ms), position."""

    model_config = _LOOSE
    absolute: list[Ms] = Field(default_factory=list)
    penality: PenaltyMs = 0
    bonus: PenaltyMs = 0
    position: list[Count] = Field(default_factory=list)


class StageResult(BaseModel):
    """``ce``: the stage's result (its penalties in ms)."""

    model_config = _LOOSE
    penality: PenaltyMs = 0


class ScoreRow(BaseModel):
    """``lastScore-<year>-A-<n>.json``: one crew's result in the stage."""

    model_config = _LOOSE
    team: Team
    dss: Start
    cs: dict[Text, Split]
    ce: StageResult | None = None


class Withdrawn(BaseModel):
    model_config = _LOOSE
    bib: Count


class Withdrawals(BaseModel):
    """``withdrawal-<year>-A.json``: per stage (``_id`` ends with ``-<stage>``), the crews withdrawn."""

    model_config = _LOOSE
    id: Annotated[Text, Field(pattern=r"-[0-9]{1,9}$")] = Field(alias="_id")
    crews: list[Withdrawn] = Field(default_factory=list, alias="list")


GROUPS = TypeAdapter(list[Group])
CLASSES = TypeAdapter(list[Clazz])
RECORDS = TypeAdapter(list[dict[str, Any]])
SCORES = TypeAdapter(list[ScoreRow])
WITHDRAWALS = TypeAdapter(list[Withdrawals])
