"""The kernel's arrays → :class:`CrewReport` objects, a batch of crews at a time (pure).

Most crews validate every waypoint and drive within every limit, so the work per crew is
kept to a few list operations: each batch's flagged fixes (duplicates, outages, spikes) are
split among its crews in bulk, rows of the kernel's outputs become Python lists once per
batch, and the per-waypoint and per-zone work (missed waypoints with their closest approach,
infringements with their evidence) runs only for the crews that have such a finding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from raidcontrol.tracking import kernel as K
from raidcontrol.tracking.arrays import I64, Columns
from raidcontrol.tracking.closest import closest_approaches
from raidcontrol.tracking.geodesy import DEG, MS_PER_S, MS_TO_KMH, leg_m, segment_distance_m
from raidcontrol.tracking.model import Roadbook
from raidcontrol.tracking.report import CrewReport, Gap, MissedWaypoint, SpeedInfringement, Spike
from raidcontrol.tracking.rules import TrackingRules
from raidcontrol.tracking.zone_evidence import with_evidence


@dataclass
class Batch:
    """One kernel batch: crews ``c:d`` of the fleet, their fixes in ``cols`` (crew k of the batch
    at ``local[k]:local[k+1]``), the fixes the kernel flagged (``marked``, ascending) and each
    crew's count of fixes that came out of time order."""

    c: int
    d: int
    cols: Columns
    local: I64
    marked: I64
    reordered: I64


class Assembler:
    """Builds the crew reports of a check from the kernel's outputs ``out`` (rows = crews)."""

    def __init__(self, roadbook: Roadbook, rules: TrackingRules, out: K.KernelOut):
        self.roadbook, self.rules, self.out = roadbook, rules, out
        wps = roadbook.waypoints
        self.names = [wp.name for wp in wps]
        self.types = [wp.type for wp in wps]
        self.missed_rules: dict[str, str] = {}
        self.speeding_rule = (
            f"tracking.speeding.bands: {rules.sources.get('tracking.speeding.bands', '')}"
        )

    def reports(self, batch: Batch, bibs: np.ndarray) -> list[CrewReport]:
        """The reports of the batch's crews, in fleet order (``bibs``: the batch's bibs)."""
        c, d, cols, local = batch.c, batch.d, batch.cols, batch.local
        n = d - c
        out = self.out
        marks = cols.flags[batch.marked]
        dups = np.bincount(
            np.searchsorted(local, batch.marked[(marks & K.DUPLICATE) != 0], side="right") - 1,
            minlength=n,
        ).tolist()
        gap_at = batch.marked[(marks & K.GAP_AFTER) != 0]
        spike_at = batch.marked[(marks & K.SPIKE) != 0]
        gap_cut = np.searchsorted(gap_at, local).tolist()
        spike_cut = np.searchsorted(spike_at, local).tolist()
        gap_at, spike_at = gap_at.tolist(), spike_at.tolist()
        ok = out.wp_ok[c:d]
        all_ok: list[bool] = np.all(ok, axis=1).tolist()
        ok_rows = ok.tolist()
        vt_rows, vd_rows = out.wp_t[c:d].tolist(), out.wp_d[c:d].tolist()
        over = (
            (out.zone_first_over[c:d] != K.NO_TIME).any(axis=1).tolist()
            if self.roadbook.zones
            else [False] * n
        )
        bounds = local.tolist()
        reordered = batch.reordered.tolist()
        n_wp = len(self.names)
        result = []
        for k, bib in enumerate(bibs.tolist()):
            s, e = bounds[k], bounds[k + 1]
            gaps = (
                _gaps(cols, e, gap_at[gap_cut[k] : gap_cut[k + 1]])
                if gap_cut[k] < gap_cut[k + 1]
                else []
            )
            spikes = (
                _spikes(cols, s, spike_at[spike_cut[k] : spike_cut[k + 1]])
                if spike_cut[k] < spike_cut[k + 1]
                else []
            )
            missed: list[MissedWaypoint]
            if all_ok[k]:
                validated, types, vt, vd, missed = (
                    list(self.names),
                    list(self.types),
                    vt_rows[k],
                    vd_rows[k],
                    [],
                )
            else:
                validated, types, vt, vd, missed = self._missed(
                    c + k, ok_rows[k], vt_rows[k], vd_rows[k], gaps, cols, s, e
                )
            share = len(validated) / n_wp if n_wp else 1.0
            result.append(
                CrewReport(
                    bib=bib,
                    validated=validated,
                    missed=missed,
                    speeding=self._speeding(c + k, cols, s, e) if over[k] else [],
                    gaps=gaps,
                    spikes=spikes,
                    validated_types=types,
                    validated_t_ms=vt,
                    validated_m=vd,
                    fixes=e - s,
                    duplicates=dups[k],
                    reordered=reordered[k],
                    share=share,
                    did_not_finish=share < self.rules.min_share,
                )
            )
        return result

    def _missed(
        self,
        c: int,
        ok: list[bool],
        vt: list[int],
        vd: list[float],
        gaps: list[Gap],
        cols: Columns,
        s: int,
        e: int,
    ) -> tuple[list[str], list[str], list[int], list[float], list[MissedWaypoint]]:
        """Validations (names, types, times, distances) and missed waypoints of crew c (row c),
        which missed at least one."""
        wps, rules, out = self.roadbook.waypoints, self.rules, self.out
        near_d, near_t = out.min_d[c].tolist(), out.min_t[c].tolist()
        # the kernel's closest approach is exact only within the radius (the grid guarantees no more):
        # for the other missed waypoints, measure on the whole track
        far = [k for k in range(len(wps)) if not ok[k] and not near_d[k] <= wps[k].clear_m]
        if far:
            wl = np.array([wps[k].lat for k in far])
            d, tt = closest_approaches(
                cols.t,
                cols.lat,
                cols.lon,
                cols.flags,
                s,
                e,
                wl,
                np.array([wps[k].lon for k in far]),
                np.cos(wl * DEG),
            )
            for k, dk, tk in zip(far, d.tolist(), tt.tolist()):
                near_d[k], near_t[k] = dk, tk
        hits = [k for k in range(len(wps)) if ok[k]]
        missed = []
        ooo = out.wp_ooo[c].tolist()
        for k, wp in enumerate(wps):
            if ok[k]:
                continue
            closest, closest_t = near_d[k], near_t[k]
            outage = bool(gaps) and any(
                segment_distance_m(wp.lat, wp.lon, g.start[0], g.start[1], g.end[0], g.end[1])
                <= wp.clear_m
                for g in gaps
            )
            missed.append(
                MissedWaypoint(
                    name=wp.name,
                    type=wp.type,
                    penalty_ms=rules.missed_penalty_ms[wp.type],
                    index=k + 1,
                    lat=wp.lat,
                    lon=wp.lon,
                    clear_m=wp.clear_m,
                    closest_m=closest if math.isfinite(closest) else None,
                    closest_t_ms=closest_t if math.isfinite(closest) else None,
                    out_of_order=ooo[k],
                    outage=outage,
                    rule=self._missed_rule(wp.type),
                )
            )
        return (
            [self.names[k] for k in hits],
            [self.types[k] for k in hits],
            [vt[k] for k in hits],
            [vd[k] for k in hits],
            missed,
        )

    def _missed_rule(self, wp_type: str) -> str:
        rule = self.missed_rules.get(wp_type)
        if rule is None:
            key = f"tracking.missed.{wp_type}"
            rule = self.missed_rules[wp_type] = f"{key}: {self.rules.sources.get(key, '')}"
        return rule

    def _speeding(self, c: int, cols: Columns, s: int, e: int) -> list[SpeedInfringement]:
        """The infringements of crew c (row c), which went over a limit in at least one zone."""
        rules = self.rules
        found = []
        zone = K.KernelOut(*(a[c].tolist() for a in self.out))  # crew c's row, as Python values
        for z, rb_zone in enumerate(self.roadbook.zones):
            if zone.zone_first_over[z] == K.NO_TIME:  # never over the limit (or never in the zone)
                continue
            vmax = zone.zone_vmax[z]
            excess = vmax - rb_zone.limit_kmh
            penalty = rules.speeding_penalty_ms(excess)
            if penalty <= 0:
                continue
            i0, i1 = zone.zone_i0[z], zone.zone_i1[z]
            t0, t1 = zone.zone_t0[z], zone.zone_t1[z]
            inf = SpeedInfringement(
                zone=rb_zone.name,
                limit_kmh=rb_zone.limit_kmh,
                max_speed_kmh=vmax,
                excess_kmh=excess,
                penalty_ms=penalty,
                start_ms=zone.zone_first_over[z],
                end_ms=zone.zone_last_over[z],
                duration_ms=zone.zone_over_ms[z],
                distance_m=zone.zone_over_m[z],
                index=z + 1,
                passes=zone.zone_passes[z],
                fz_passed=not zone.zone_fz_missed[z],
                speed_source="derived" if zone.zone_derived[z] else "device",
                max_at_ms=zone.zone_t_max[z],
                fix_range=(i0, i1),
                zone_t0_ms=t0,
                zone_t1_ms=t1,
                pass_times=tuple(
                    tuple(p)
                    for p in zone.zone_pass_t[z][: min(zone.zone_passes[z], K.ZONE_PASSES_KEPT)]
                ),
                rule=self.speeding_rule,
            )
            found.append(with_evidence(inf, cols, i0, i1, t0, t1, rules))
        return found


def _gaps(cols: Columns, e: int, starts: list[int]) -> list[Gap]:
    """The outages starting at fixes ``starts`` (each up to the next kept fix before ``e``)."""
    out = []
    for a in starts:
        b = a + 1
        while b < e and cols.flags[b] & K.DROPPED:
            b += 1
        if b >= e:
            continue
        dist = leg_m(float(cols.lat[a]), float(cols.lon[a]), float(cols.lat[b]), float(cols.lon[b]))
        out.append(
            Gap(
                int(cols.t[a]),
                int(cols.t[b]),
                dist,
                (float(cols.lat[a]), float(cols.lon[a])),
                (float(cols.lat[b]), float(cols.lon[b])),
            )
        )
    return out


def _spikes(cols: Columns, s: int, where: list[int]) -> list[Spike]:
    """The spikes at fixes ``where``, with the speed implied from the kept fix before (from ``s``)."""
    out = []
    for i in where:
        p = i - 1
        while p >= s and cols.flags[p] & K.DROPPED:
            p -= 1
        speed = math.nan
        if p >= s and cols.t[i] > cols.t[p]:
            speed = (
                leg_m(
                    float(cols.lat[p]), float(cols.lon[p]), float(cols.lat[i]), float(cols.lon[i])
                )
                / ((cols.t[i] - cols.t[p]) / MS_PER_S)
                * MS_TO_KMH
            )
        out.append(Spike(int(cols.t[i]), float(cols.lat[i]), float(cols.lon[i]), speed))
    return out
