"""The live-tracking figures of a rulebook (``tracking.live`` in ``tracking.toml``), each sourced.

provable_margin_m: metres beyond a roadbook km a crew must be for it to count as past it.
public_delay_ms: how long the public positions lag behind the fixes (0: real time).
"""

from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.core.errors import InputError
from raidcontrol.rules import Rulebook


@dataclass(frozen=True)
class LiveParams:
    provable_margin_m: float
    public_delay_ms: int

    @classmethod
    def from_rulebook(cls, rb: Rulebook) -> LiveParams:
        if not rb.has("tracking.live"):
            raise InputError(
                f"rulebook {rb.id!r} has no tracking.live section (tracking.toml)",
                field="tracking.live",
            )
        margin = rb.value("tracking.live.provable_margin_m")
        if isinstance(margin, bool) or not isinstance(margin, (int, float)) or margin < 0:
            raise InputError(
                f"rulebook {rb.id!r}: tracking.live.provable_margin_m must be a number ≥ 0, "
                f"not {margin!r}",
                field="tracking.live.provable_margin_m",
            )
        return cls(float(margin), rb.duration_ms("tracking.live.public_delay"))
