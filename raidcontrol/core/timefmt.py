"""Durations and instants as integer milliseconds, and their text forms.

Rally timing is kept in whole milliseconds (``int``) everywhere: no floats, no
``timedelta`` arithmetic drift.  Text forms:

* a *duration* is ``H:MM:SS`` with ``.fff`` appended only when it is not a whole
  second; hours may pass 24 (``33:00:00``).  A negative duration gets a leading ``-``.
* an *instant* is either a time of day ``HH:MM:SS[.fff]`` (milliseconds since the
  stage day's midnight) or a full ISO 8601 datetime (milliseconds since the Unix
  epoch, UTC).  :class:`Instant` keeps which of the two it is, so that two clock
  readings of different kinds are never subtracted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

MS_PER_SECOND = 1000
MS_PER_MINUTE = 60 * MS_PER_SECOND
MS_PER_HOUR = 60 * MS_PER_MINUTE

_DURATION = re.compile(r"^(-)?(\d+):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?$")
_TIME_OF_DAY = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,3}))?$")


class TimeFormatError(ValueError):
    """A text that is not a valid duration or instant."""


def _fraction_ms(fraction: str | None) -> int:
    return int((fraction or "0").ljust(3, "0"))


def parse_duration(text: str) -> int:
    """``"H:MM:SS[.fff]"`` → milliseconds.  Raises :class:`TimeFormatError`."""
    m = _DURATION.match(text.strip())
    if not m:
        raise TimeFormatError(f"not a duration H:MM:SS[.fff]: {text!r}")
    sign, h, mi, s, frac = m.groups()
    ms = (
        int(h) * MS_PER_HOUR + int(mi) * MS_PER_MINUTE + int(s) * MS_PER_SECOND + _fraction_ms(frac)
    )
    return -ms if sign else ms


def format_duration(ms: int) -> str:
    """Milliseconds → ``H:MM:SS`` (``.fff`` only when not whole seconds)."""
    sign = "-" if ms < 0 else ""
    ms = abs(int(ms))
    h, rest = divmod(ms, MS_PER_HOUR)
    mi, rest = divmod(rest, MS_PER_MINUTE)
    s, frac = divmod(rest, MS_PER_SECOND)
    text = f"{sign}{h}:{mi:02d}:{s:02d}"
    return f"{text}.{frac:03d}" if frac else text


@dataclass(frozen=True, order=True)
class Instant:
    """A clock reading: ``ms`` since midnight (``kind="tod"``) or since the epoch (``"utc"``)."""

    ms: int
    kind: str = "tod"

    def __sub__(self, other: Instant) -> int:
        if self.kind != other.kind:
            raise TimeFormatError("cannot subtract a time of day from a full datetime")
        return self.ms - other.ms

    def shifted(self, ms: int) -> Instant:
        return Instant(self.ms + ms, self.kind)

    def __str__(self) -> str:
        if self.kind == "tod":
            h, rest = divmod(self.ms, MS_PER_HOUR)
            mi, rest = divmod(rest, MS_PER_MINUTE)
            s, frac = divmod(rest, MS_PER_SECOND)
            text = f"{h:02d}:{mi:02d}:{s:02d}"
            return f"{text}.{frac:03d}" if frac else text
        dt = datetime.fromtimestamp(self.ms / 1000, tz=UTC)
        return dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_instant(text: str) -> Instant:
    """``HH:MM:SS[.fff]`` or an ISO 8601 datetime (with or without offset; naive = UTC)."""
    text = text.strip()
    m = _TIME_OF_DAY.match(text)
    if m:
        h, mi, s, frac = m.groups()
        return Instant(
            int(h) * MS_PER_HOUR
            + int(mi) * MS_PER_MINUTE
            + int(s) * MS_PER_SECOND
            + _fraction_ms(frac)
        )
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise TimeFormatError(
            f"not a time of day HH:MM:SS[.fff] or an ISO 8601 datetime: {text!r}"
        ) from None
    if "T" not in text and " " not in text:
        raise TimeFormatError(f"a date alone is not a clock reading: {text!r}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    try:
        delta = dt - datetime(1970, 1, 1, tzinfo=UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-12:00 is in year 10000 in UTC
        raise TimeFormatError(f"a datetime out of range: {text!r}") from None
    return Instant((delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000, "utc")


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 datetime for ``--as-of``; naive means UTC."""
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise TimeFormatError(f"not an ISO 8601 datetime: {text!r}") from None
    dt = dt if dt.tzinfo else dt.replace(tzinfo=UTC)
    try:
        dt.astimezone(UTC)
    except OverflowError:
        raise TimeFormatError(f"a datetime out of range: {text!r}") from None
    return dt
