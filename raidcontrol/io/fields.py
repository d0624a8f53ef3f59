"""Field types shared by the input models (pydantic v2): text, whole numbers, durations, instants.

What every reader refuses, whatever the file:

* text with control characters (a terminal escape code in a driver's name would reach the
  terminal), text longer than the rulebook's ``inputs.max_text_length``;
* whole numbers written with anything but ASCII digits (``٢٠٠`` is not bib 200), or outside the
  64-bit range both databases store;
* floating-point values that are not finite (PostgreSQL refuses NaN in JSON, so SQLite must too);
* durations that are negative (penalties, maxima and forfeits; a credit is a positive amount of
  kind ``credit``), instants outside the event's window (see :class:`Limits`).

Limits that are regulation choices come from the rulebook's ``[inputs]`` section through the
validation context (``model_validate(data, context={"limits": limits})``); without a context the
defaults of :data:`DEFAULT_LIMITS` (the shipped rulebooks' values) apply.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, ValidationInfo

from raidcontrol.core.timefmt import Instant, TimeFormatError, parse_duration, parse_instant

INT64_MAX = (
    2**63 - 1
)  # the widest whole number both databases store (BIGINT); a storage fact, not a rule
STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)
_ASCII_INT = re.compile(r"^-?[0-9]+$")


@dataclass(frozen=True)
class Limits:
    """The readers' limits, from the rulebook's ``[inputs]`` section (each sourced there).

    max_text_length: characters in a text field; max_id_length: characters in an identifier
    (event id, waypoint code); max_nesting: table depth of ``[rules]`` overrides;
    earliest / latest: the window every full datetime must fall in (UTC).
    """

    max_text_length: int
    max_id_length: int
    max_nesting: int
    earliest: datetime
    latest: datetime

    def around(self, first: date | None, last: date | None, margin_days: int) -> Limits:
        """The window narrowed to the event's dates widened by ``margin_days`` either side."""
        if first is None or last is None:
            return self
        start = datetime.combine(first, datetime.min.time(), UTC) - timedelta(days=margin_days)
        end = datetime.combine(last, datetime.min.time(), UTC) + timedelta(days=margin_days + 1)
        return Limits(self.max_text_length, self.max_id_length, self.max_nesting, start, end)


DEFAULT_LIMITS = Limits(
    1000, 64, 8, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
)


def limits_of(info: ValidationInfo | None) -> Limits:
    ctx = info.context if info is not None and isinstance(info.context, dict) else {}
    return ctx.get("limits", DEFAULT_LIMITS)


def check_text(value: str, max_length: int) -> str:
    """``value`` if it holds no control character and is not longer than ``max_length``."""
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch != "\t":
            raise ValueError(f"control character U+{ord(ch):04X} is not allowed in text")
    if len(value) > max_length:
        raise ValueError(f"text of {len(value)} characters; at most {max_length}")
    return value


def _text(value: str, info: ValidationInfo) -> str:
    return check_text(value, limits_of(info).max_text_length)


def _identifier(value: str, info: ValidationInfo) -> str:
    return check_text(value, limits_of(info).max_id_length)


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def ascii_int(value: Any) -> Any:
    """A CSV cell (text) → int, ASCII digits only; other types go to pydantic's strict check."""
    if isinstance(value, str):
        text = value.strip()
        if not _ASCII_INT.match(text):
            raise ValueError(f"not a whole number (ASCII digits): {value!r}")
        if len(text.lstrip("-")) > 19:
            raise ValueError(f"whole number out of range: {value!r}")
        return int(text)
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number")
    return value


def duration_ms(value: Any) -> int:
    """A duration text ``H:MM:SS[.fff]`` → milliseconds, never negative, within the 64-bit range."""
    if not isinstance(value, str):
        raise ValueError(f"must be a duration text H:MM:SS[.fff], got {type(value).__name__}")
    try:
        ms = parse_duration(value)
    except TimeFormatError as exc:
        raise ValueError(str(exc)) from None
    if ms < 0:
        raise ValueError(f"must not be negative: {value!r}")
    if ms > INT64_MAX:
        raise ValueError(f"duration out of range: {value!r}")
    return ms


def _duration_text(value: Any) -> str:
    duration_ms(value)
    return value


def instant_in_window(value: str, limits: Limits) -> Instant:
    """A clock reading; a full datetime must fall in ``limits``' window."""
    if len(value) > limits.max_id_length:
        raise ValueError(f"not a clock reading: {value[:40]!r}…")
    try:
        instant = parse_instant(value)
    except (TimeFormatError, OverflowError) as exc:
        raise ValueError(str(exc)) from None
    if instant.kind == "utc":
        lo, hi = (int(t.timestamp() * 1000) for t in (limits.earliest, limits.latest))
        if not lo <= instant.ms < hi:
            raise ValueError(
                f"{value!r} is outside the event's window ({limits.earliest.date()} to "
                f"{limits.latest.date()}; rulebook [inputs] and the event's dates)"
            )
    return instant


def _instant_text(value: str, info: ValidationInfo) -> str:
    if value:  # empty: no clock reading
        instant_in_window(value, limits_of(info))
    return value


def _empty_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Text = Annotated[str, AfterValidator(_text)]
NonEmptyText = Annotated[str, AfterValidator(_nonblank), AfterValidator(_text)]
Identifier = Annotated[str, AfterValidator(_nonblank), AfterValidator(_identifier)]
WholeNumber = Annotated[int, Field(ge=-INT64_MAX, le=INT64_MAX)]
Count = Annotated[int, Field(ge=0, le=INT64_MAX)]
CsvCount = Annotated[int, BeforeValidator(ascii_int), Field(ge=0, le=INT64_MAX)]
FiniteFloat = Annotated[float, AfterValidator(_finite)]
NonNegativeFloat = Annotated[float, AfterValidator(_finite), Field(ge=0)]
DurationText = Annotated[str, AfterValidator(_duration_text)]
InstantText = Annotated[str, AfterValidator(_instant_text)]  # "" allowed: no reading
OptionalCsvCount = Annotated[CsvCount | None, BeforeValidator(_empty_is_none)]


def doc_problems(
    node: Any, limits: Limits = DEFAULT_LIMITS, path: tuple = ()
) -> list[tuple[tuple, str]]:
    """``(path, message)`` for every value of a parsed document (TOML/JSON) that no model may let
    through: text with control characters or too long (keys: longer than an identifier), numbers
    that are not finite, whole numbers beyond 64 bits.  Iterative: a 1,000-deep document is fine."""
    out: list[tuple[tuple, str]] = []
    stack = [(path, node)]
    while stack:
        where, item = stack.pop()
        problem = None
        if isinstance(item, dict):
            stack.extend(((*where, k), v) for k, v in item.items())
            problem = next(
                (
                    f"key {str(k)[:40]!r}: {p}"
                    for k in item
                    if (p := _text_problem(str(k), limits.max_id_length))
                ),
                None,
            )
        elif isinstance(item, list):
            stack.extend(((*where, i), v) for i, v in enumerate(item))
        elif isinstance(item, str):
            problem = _text_problem(item, limits.max_text_length)
        elif isinstance(item, float) and not math.isfinite(item):
            problem = "must be a finite number"
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > INT64_MAX:
            problem = "whole number out of range (64 bits)"
        if problem:
            out.append((where, problem))
    return out


def _text_problem(text: str, limit: int) -> str | None:
    try:
        check_text(text, limit)
    except ValueError as exc:
        return str(exc)
    return None
