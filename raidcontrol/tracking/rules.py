"""The tracking rules of a rulebook, as plain numbers the check can use (pure).

Every figure comes from the rulebook's ``tracking`` section (``tracking.toml``); nothing
here has a default of its own.  Units: metres, km/h, m/s², milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import TimeFormatError, parse_duration
from raidcontrol.rules import Rulebook
from raidcontrol.tracking.model import WAYPOINT_TYPES

ORDER_RULES = ("ascending", "any")


@dataclass(frozen=True)
class TrackingRules:
    """What the tracking check needs from a rulebook.

    radii: waypoint type → (open_m, clear_m), the defaults when a roadbook gives none.
    zone_detect_m: radius within which a DZ or FZ counts as passed.
    missed_penalty_ms: waypoint type → penalty for missing one.
    order: ``ascending`` (a waypoint counts only when passed after the previous validated
        one) or ``any``.
    min_share: share of the stage's waypoints a crew must validate; under it: did not finish.
    max_gap_ms: fixes further apart than this are a tracker outage, never joined.
    spike_speed_kmh / spike_accel_ms2: a single fix implying more is a GPS spike.
    speed_bands: ((above_kmh, penalty_ms), …) ascending: an excess greater than above_kmh
        gets that band's penalty (the highest band that applies).
    tolerance_kmh: an excess counts only when greater than this.
    derived_window_ms: without device speed, the time base of the derived speed.
    rulebook_id, sources: where each figure comes from (dotted path → citation), for evidence.
    """

    radii: dict[str, tuple[float, float]]
    zone_detect_m: float
    missed_penalty_ms: dict[str, int]
    order: str
    min_share: float
    max_gap_ms: int
    spike_speed_kmh: float
    spike_accel_ms2: float
    speed_bands: tuple[tuple[float, int], ...]
    tolerance_kmh: float
    derived_window_ms: int
    rulebook_id: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rulebook(cls, rb: Rulebook) -> TrackingRules:
        if not rb.has("tracking"):
            raise InputError(
                f"rulebook {rb.id!r} has no tracking section (tracking.toml)", field="tracking"
            )

        def num(path: str) -> float:
            value = rb.value(path)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InputError(
                    f"rulebook {rb.id!r} value {path!r} is not a number: {value!r}", field=path
                )
            return float(value)

        def dur(path: str) -> int:
            try:
                return parse_duration(str(rb.value(path)))
            except TimeFormatError as exc:
                raise InputError(f"rulebook {rb.id!r} value {path!r}: {exc}", field=path) from None

        radii = {
            t: (num(f"tracking.waypoints.{t}.open_m"), num(f"tracking.waypoints.{t}.clear_m"))
            for t in WAYPOINT_TYPES
        }
        missed = {t: dur(f"tracking.missed.{t}") for t in WAYPOINT_TYPES}
        order = str(rb.value("tracking.validation.order"))
        if order not in ORDER_RULES:
            raise InputError(
                f"rulebook {rb.id!r}: tracking.validation.order must be one of {ORDER_RULES}, not {order!r}",
                field="tracking.validation.order",
            )
        bands_raw = rb.value("tracking.speeding.bands")
        bands: list[tuple[float, int]] = []
        for i, band in enumerate(bands_raw if isinstance(bands_raw, list) else [None]):
            try:
                above, penalty = band
                bands.append((float(above), parse_duration(str(penalty))))
            except (TypeError, ValueError, TimeFormatError):
                raise InputError(
                    f'rulebook {rb.id!r}: speed band {i + 1} must be [above_kmh, "H:MM:SS"], not {band!r}',
                    field="tracking.speeding.bands",
                ) from None
        if [b[0] for b in bands] != sorted(b[0] for b in bands):
            raise InputError(
                f"rulebook {rb.id!r}: speed bands must ascend", field="tracking.speeding.bands"
            )
        sources = {
            path: sv.source for path, sv in rb.sourced_leaves() if path.startswith("tracking.")
        }
        return cls(
            radii=radii,
            zone_detect_m=num("tracking.zones.detect_m"),
            missed_penalty_ms=missed,
            order=order,
            min_share=num("tracking.validation.min_share"),
            max_gap_ms=dur("tracking.data.max_gap"),
            spike_speed_kmh=num("tracking.data.spike_speed_kmh"),
            spike_accel_ms2=num("tracking.data.spike_accel_ms2"),
            speed_bands=tuple(bands),
            tolerance_kmh=num("tracking.speeding.tolerance_kmh"),
            derived_window_ms=dur("tracking.speeding.derived_window"),
            rulebook_id=rb.id,
            sources=sources,
        )

    def speeding_penalty_ms(self, excess_kmh: float) -> int:
        """The penalty of a zone whose maximum excess is ``excess_kmh`` (0 when within tolerance)."""
        if excess_kmh <= self.tolerance_kmh:
            return 0
        penalty = 0
        for above, band_penalty in self.speed_bands:
            if excess_kmh > above:
                penalty = band_penalty
        return penalty
