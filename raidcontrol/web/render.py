"""The Jinja2 environment shared by the pages and the bulletins (autoescaped HTML)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from raidcontrol.core.timefmt import format_duration


def hms(ms: int | None) -> str:
    """A duration in ms as ``H:MM:SS`` (with milliseconds when not whole); empty for None."""
    return "" if ms is None else format_duration(ms)


def signed(ms: int | None) -> str:
    """A signed term of a stage time: credits show with a minus sign."""
    if ms is None:
        return ""
    return ("-" if ms < 0 else "") + format_duration(abs(ms))


def when(dt: datetime | None) -> str:
    return "" if dt is None else dt.strftime("%Y-%m-%d %H:%M:%S UTC")


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("raidcontrol.web", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(hms=hms, signed=signed, when=when)
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
