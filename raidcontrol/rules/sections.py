"""Typed views of the rulebook sections the timing uses (pydantic v2 models; pure, no I/O).

:func:`sporting` validates the merged rulebook (the shipped files and the event's overrides):
a rulebook whose ``forfeit.fixed_penalty`` is not a duration, or whose ``prologue.counts_for_general``
is not a boolean, is refused with the path of the value.  The other sections (tracking, stock,
championship) have their own readers; :func:`~raidcontrol.rules.rulebook.override_problems` checks
any override against the shipped value's kind.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from raidcontrol.core.timefmt import TimeFormatError, parse_duration

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)
_OPEN = ConfigDict(strict=True, extra="allow", frozen=True)


def _duration(value: str) -> str:
    try:
        ms = parse_duration(value)
    except TimeFormatError as exc:
        raise ValueError(str(exc)) from None
    if ms < 0:
        raise ValueError(f"must not be negative: {value!r}")
    return value


def _day(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a date YYYY-MM-DD: {value!r}") from None
    return value


Duration = Annotated[str, AfterValidator(_duration)]
Day = Annotated[str, AfterValidator(_day)]


class Category(BaseModel):
    """A category: its FIA/FIM group and its class codes."""

    model_config = _STRICT
    group: str
    classes: list[str] = Field(min_length=1)


class Prologue(BaseModel):
    model_config = _STRICT
    counts_for_general: bool


class Forfeit(BaseModel):
    """What a crew that does not finish a special gets: max time + ``fixed_penalty`` (never negative)."""

    model_config = _STRICT
    fixed_penalty: Duration


class Ties(BaseModel):
    model_config = _STRICT
    order: Literal["bib"]


class Inputs(BaseModel):
    """The readers' limits (see ``inputs.toml``)."""

    model_config = _STRICT
    max_text_length: int = Field(ge=1, le=100_000)
    max_id_length: int = Field(ge=1, le=150)
    max_nesting: int = Field(ge=1, le=64)
    earliest: Day
    latest: Day
    margin_days: int = Field(ge=0, le=3660)

    def window(self) -> tuple[datetime, datetime]:
        return tuple(
            datetime.combine(date.fromisoformat(d), datetime.min.time(), UTC)  # type: ignore[return-value]
            for d in (self.earliest, self.latest)
        )


class Sporting(BaseModel):
    """The sporting sections of a merged rulebook, sources stripped; other sections pass through."""

    model_config = _OPEN
    categories: dict[str, Category] = Field(min_length=1)
    prologue: Prologue | None = None
    forfeit: Forfeit
    ties: Ties | None = None
    inputs: Inputs
