"""``LiveCheck``: the tracking check advancing with batches of fixes as they arrive (pure).

Per crew it keeps the fixes received so far (:class:`CrewFixes`: sorted, one per instant). Each
batch adds its new fixes; every crew that got one is re-checked by the batch check's kernel
resumed where the crew's previous check became final (:mod:`.resume`: the walk over the fixes
goes on from a fix a couple of minutes before the latest; a fix older than that starts the crew
again; crews holding few fixes are checked on all of them together, one batched call), so the crew's report is always exactly what the batch check
(:func:`raidcontrol.tracking.check.check_fleet`) gives on the same fixes — "the final answer
equals batch" holds by construction — and its cost does not grow with the fixes held.
:mod:`.provable` then decides which of its findings may be published yet (see
``benchmarks/bench_live_tracking.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from raidcontrol.tracking.live.fixes import CrewFixes
from raidcontrol.tracking.live.params import LiveParams
from raidcontrol.tracking.live.provable import (
    NO_PROGRESS,
    Thresholds,
    last_two,
    progress_m,
    provable_view,
)
from raidcontrol.tracking.live.resume import Rechecker
from raidcontrol.tracking.live.route_km import RouteKm
from raidcontrol.tracking.model import Fleet, Roadbook
from raidcontrol.tracking.report import CrewReport, FleetReport
from raidcontrol.tracking.rules import TrackingRules


@dataclass
class Advance:
    """What one batch did: fixes received, kept (new), resent (already held or repeated in the
    batch), and the crews re-checked (bibs, ascending)."""

    received: int = 0
    kept: int = 0
    resent: int = 0
    changed: list[int] = field(default_factory=list)


class LiveCheck:
    """The live check of one stage: crews' fixes, their latest reports and provable findings."""

    def __init__(self, roadbook: Roadbook, rules: TrackingRules, params: LiveParams):
        self.roadbook, self.rules, self.params = roadbook, rules, params
        self.route = RouteKm.of(roadbook)
        self.thresholds = Thresholds.of(roadbook, self.route, params.provable_margin_m)
        self.crews: dict[int, CrewFixes] = {}
        self.reports: dict[int, CrewReport] = {}
        self.progress: dict[int, float] = {}
        self.closed = False
        self.rechecker = Rechecker(roadbook, rules)

    def fresh(self, fleet: Fleet) -> Fleet:
        """The fixes of a batch not held yet (resends and repeats within the batch left out)."""
        keep = np.ones(len(fleet), np.bool_)
        for k, bib in enumerate(fleet.bibs.tolist()):
            s, e = int(fleet.offsets[k]), int(fleet.offsets[k + 1])
            crew = self.crews.get(bib)
            keep[s:e] = (
                crew.new_mask(fleet.t_ms[s:e])
                if crew is not None
                else CrewFixes(bib).new_mask(fleet.t_ms[s:e])
            )
        if keep.all():
            return fleet
        return Fleet.from_columns(
            fleet.bib[keep],
            fleet.t_ms[keep],
            fleet.lat[keep],
            fleet.lon[keep],
            fleet.speed_kmh[keep],
            source=fleet.source,
        )

    def add(self, fleet: Fleet) -> Advance:
        """Add a batch (a :class:`Fleet` of any fixes, any order) and re-check the crews it changed."""
        adv = Advance(received=len(fleet))
        for k, bib in enumerate(fleet.bibs.tolist()):
            s, e = int(fleet.offsets[k]), int(fleet.offsets[k + 1])
            crew = self.crews.get(bib)
            if crew is None:
                crew = self.crews[bib] = CrewFixes(bib)
            kept = crew.add(fleet.t_ms[s:e], fleet.lat[s:e], fleet.lon[s:e], fleet.speed_kmh[s:e])
            adv.kept += kept
            if kept:
                adv.changed.append(bib)
        adv.resent = adv.received - adv.kept
        self.recheck(adv.changed)
        return adv

    def recheck(self, bibs: list[int]) -> None:
        """Re-check these crews (each from its resume point, see :mod:`.resume`) and refresh
        their progress."""
        if not bibs:
            return
        earliest = {b: self.crews[b].checked() for b in bibs}
        few = [b for b in bibs if self.crews[b].n <= self.rechecker.batch_below]
        if few:  # crews with few fixes: all of them, in one batched call
            from raidcontrol.tracking.check import check_fleet

            self.reports.update(check_fleet(self.roadbook, self.fleet(few), self.rules).crews)
            self.rechecker.forget(few)
        many = [b for b in bibs if self.crews[b].n > self.rechecker.batch_below]
        if many:
            self.reports.update(
                zip(
                    many,
                    self.rechecker.reports(
                        [self.crews[b] for b in many], [earliest[b] for b in many]
                    ),
                )
            )
        moving, lat, lon = [], [], []
        for bib in bibs:
            crew, fixes = self.reports[bib], self.crews[bib]
            picked = last_two(fixes.t_ms, {s.t_ms for s in crew.spikes})
            if len(picked) < 2:
                self.progress[bib] = NO_PROGRESS
                continue
            moving.append(bib)
            lat.append(fixes.lat[picked])
            lon.append(fixes.lon[picked])
        if moving:
            self.progress.update(
                zip(moving, progress_m(self.route, np.array(lat), np.array(lon)).tolist())
            )

    def fleet(self, bibs: list[int] | None = None) -> Fleet:
        """The fixes held (of ``bibs``, default all) as a fleet, each crew sorted by time."""
        bibs = sorted(self.crews) if bibs is None else sorted(bibs)
        crews = [self.crews[b] for b in bibs]
        sizes = np.array([c.n for c in crews], np.int64)
        offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)

        def col(name: str, dtype: type[np.generic]) -> np.ndarray:
            return (
                np.concatenate([getattr(c, name) for c in crews]) if crews else np.empty(0, dtype)
            )

        bib_col = np.repeat(np.array(bibs, np.int32), sizes)
        return Fleet(
            bib_col,
            col("t_ms", np.int64),
            col("lat", np.float64),
            col("lon", np.float64),
            col("speed_kmh", np.float32),
            np.array(bibs, np.int32),
            offsets,
            "live",
            reordered=np.zeros(len(bibs), np.int64),
        )

    def close(self) -> None:
        """No more fixes will come: every finding is provable now."""
        self.closed = True

    def provable(self, bib: int) -> CrewReport:
        """The crew's report with only its findings provable now."""
        return provable_view(
            self.reports[bib],
            self.thresholds,
            self.progress.get(bib, NO_PROGRESS),
            self.closed,
            self.rules.min_share,
        )

    def provable_report(self) -> FleetReport:
        """Every crew's provable findings, as a fleet report (what the proposals are made of)."""
        crews = {bib: self.provable(bib) for bib in sorted(self.reports)}
        return FleetReport(self.roadbook, self.rules, crews, sum(c.n for c in self.crews.values()))

    def report(self) -> FleetReport:
        """Every crew's check on all fixes so far (whether provable or not)."""
        return FleetReport(
            self.roadbook,
            self.rules,
            dict(sorted(self.reports.items())),
            sum(c.n for c in self.crews.values()),
        )
