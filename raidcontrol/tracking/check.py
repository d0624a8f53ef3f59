"""``check_fleet``: a fleet's tracks against a stage's roadbook under a rulebook (pure).

The compiled kernel (:mod:`raidcontrol.tracking.kernel`) walks every crew's fixes once;
this module prepares its inputs (targets, candidate grid, crews whose fixes came out of
time order sorted on a copy), runs it in batches (reporting progress) and has
:mod:`raidcontrol.tracking.assemble` turn its arrays into :class:`CrewReport` objects.
``check_fleet`` never modifies the fleet; ``sort_fleet_in_place`` is for a reader that owns it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from raidcontrol.tracking import kernel as K
from raidcontrol.tracking.arrays import F64, I64, U8
from raidcontrol.tracking.arrays import Columns as _Columns
from raidcontrol.tracking.assemble import Assembler, Batch
from raidcontrol.tracking.flagged import WORD, flagged, words
from raidcontrol.tracking.geodesy import DEG, MS_TO_KMH
from raidcontrol.tracking.grid import TargetGrid, build_grid, leg_margin_m
from raidcontrol.tracking.model import Fleet, Roadbook
from raidcontrol.tracking.order import count_descents, gather_sorted, sort_crews_in_place
from raidcontrol.tracking.report import CrewReport, FleetReport
from raidcontrol.tracking.rules import TrackingRules
from raidcontrol.tracking.zone_evidence import derived_speeds, zone_fixes  # noqa: F401  (re-exported)

BATCH_FIXES = 2_000_000  # fixes per kernel call between two progress reports
PASS_BUFFER = 4096  # initial passage buffer per crew (grows when a crew needs more)

Progress = Callable[[int, int], None]


@dataclass
class _Targets:
    lat: F64
    lon: F64
    cos: F64
    radius: F64
    n_wp: int
    zone_limit: F64


def _targets(roadbook: Roadbook) -> _Targets:
    points = list(roadbook.waypoints)
    for zone in roadbook.zones:
        points += [zone.start, zone.end]
    lat = np.array([p.lat for p in points], np.float64)
    lon = np.array([p.lon for p in points], np.float64)
    return _Targets(
        lat,
        lon,
        np.cos(lat * DEG),
        np.array([p.clear_m for p in points], np.float64),
        len(roadbook.waypoints),
        np.array([z.limit_kmh for z in roadbook.zones], np.float64),
    )


# tlat, tlon, tcos, tr, n_wp, zone_limit, the grid's lat0, lon0, 1/dlat, 1/dlon, nrows, ncols,
# occupied, start, items, long_leg_m, then max_gap_ms, spike_v, spike_a, tol_kmh, window_ms, order_any
KernelConstants = tuple[
    F64, F64, F64, F64, int, F64, float, float, float, float, int, int, U8, I64, I64, float,
    int, float, float, float, int, bool,
]  # fmt: skip


def kernel_constants(tg: _Targets, grid: TargetGrid, rules: TrackingRules) -> KernelConstants:
    """The kernel's arguments that are the same for every crew of a stage, in its order: the
    targets, the grid over them and the rules (``check_crews`` and the live ``resume_crew``)."""
    return (
        tg.lat,
        tg.lon,
        tg.cos,
        tg.radius,
        tg.n_wp,
        tg.zone_limit,
        grid.lat0,
        grid.lon0,
        1.0 / grid.dlat,
        1.0 / grid.dlon,
        grid.nrows,
        grid.ncols,
        grid.occupied,
        grid.start,
        grid.items,
        grid.margin_m,
        rules.max_gap_ms,
        rules.spike_speed_kmh / MS_TO_KMH,
        rules.spike_accel_ms2,
        rules.tolerance_kmh,
        rules.derived_window_ms,
        rules.order == "any",
    )


@dataclass(frozen=True)
class StageTargets:
    """A roadbook's targets and the candidate grid over them, fitted to a fleet's legs: what
    every check of crews on that stage can share (:func:`stage_targets`)."""

    targets: _Targets
    grid: TargetGrid


def stage_targets(roadbook: Roadbook, fleet: Fleet) -> StageTargets:
    """The targets of ``roadbook`` and their grid, its margin fitted to a sample of ``fleet``'s
    legs.  The margin only decides which legs the grid prunes (a report never depends on it),
    so crews read later — the rest of a fleet being read — may be checked with it too."""
    tg = _targets(roadbook)
    margin = leg_margin_m(fleet.t_ms, fleet.lat, fleet.lon, fleet.offsets)
    return StageTargets(tg, build_grid(tg.lat, tg.lon, tg.radius, margin))


def check_fleet(
    roadbook: Roadbook,
    fleet: Fleet,
    rules: TrackingRules,
    progress: Progress | None = None,
    workers: int = 1,
    targets: StageTargets | None = None,
) -> FleetReport:
    """Check every crew of ``fleet``; ``progress(done_fixes, total_fixes)`` is called between batches.

    Crews are checked in batches of about ``BATCH_FIXES`` fixes; a batch holding a crew whose
    fixes are out of time order is copied, sorted, into a buffer reused batch after batch — so
    memory beyond the fleet stays at one batch per worker, whatever the fleet's size.
    ``workers`` threads check batches side by side (the kernels release the GIL; crews are
    independent): the report is the same whatever their number.  ``targets``: the roadbook's,
    made by :func:`stage_targets` for an earlier part of the fleet (else made here)."""
    stage = targets or stage_targets(roadbook, fleet)
    tg, grid = stage.targets, stage.grid
    n_crews = int(fleet.bibs.shape[0])
    n_wp, n_t, n_z = tg.n_wp, tg.lat.shape[0], tg.zone_limit.shape[0]
    out = K.KernelOut.allocate(n_crews, n_wp, n_t, n_z)
    offsets = fleet.offsets.astype(np.int64)
    total = len(fleet)
    workers = max(1, min(workers, n_crews))
    # several workers: smaller batches, so that they share the fleet evenly
    per_batch = BATCH_FIXES if workers == 1 else min(BATCH_FIXES, -(-total // (4 * workers)))
    spans = _batches(offsets, per_batch)
    largest = max((int(offsets[d] - offsets[c]) for c, d in spans), default=0)
    assembler = Assembler(roadbook, rules, out)
    context = _Check(fleet, offsets, out, tg, grid, rules, assembler)
    if workers == 1:
        buf = _buffer(largest)
        parts = []
        for c, d in spans:
            parts.append(context.batch(c, d, buf))
            if progress:
                progress(int(offsets[d]), total)
    else:
        parts = _in_threads(context, spans, largest, workers, progress, total)
    crews: dict[int, CrewReport] = {}
    for part in parts:
        crews.update(part)
    return FleetReport(roadbook, rules, crews, total)


def _buffer(capacity: int) -> _Columns:
    """A batch's buffer: room for ``capacity`` sorted fixes (touched only when a crew needs
    sorting) and their flags."""
    return _Columns(
        np.empty(capacity, np.int64),
        np.empty(capacity, np.float64),
        np.empty(capacity, np.float64),
        np.empty(capacity, np.float32),
        np.zeros(words(capacity) * WORD, np.uint8),
    )


def _batches(offsets: I64, per_batch: int) -> list[tuple[int, int]]:
    """Crews ``c:d`` of each batch: whole crews, about ``per_batch`` fixes (at least one crew)."""
    spans, c, n_crews = [], 0, offsets.shape[0] - 1
    while c < n_crews:
        d = c + 1
        while d < n_crews and offsets[d + 1] - offsets[c] <= per_batch:
            d += 1
        spans.append((c, d))
        c = d
    return spans


def _in_threads(
    context: _Check,
    spans: list[tuple[int, int]],
    largest: int,
    workers: int,
    progress: Progress | None,
    total: int,
) -> list[dict[int, CrewReport]]:
    """The batches checked by ``workers`` threads, each with its own buffer; results in batch order."""
    from concurrent.futures import ThreadPoolExecutor
    from queue import SimpleQueue

    buffers: SimpleQueue[_Columns] = SimpleQueue()
    for _ in range(workers):
        buffers.put(_buffer(largest))

    def run(span: tuple[int, int]) -> dict[int, CrewReport]:
        buf = buffers.get()
        try:
            return context.batch(*span, buf)
        finally:
            buffers.put(buf)

    parts = []
    with ThreadPoolExecutor(workers, thread_name_prefix="check") as pool:
        for part, (_, d) in zip(pool.map(run, spans), spans):
            parts.append(part)
            if progress:
                progress(int(context.offsets[d]), total)
    return parts


@dataclass
class _Check:
    """What every batch of one check shares (read only, but for its own rows of ``out``)."""

    fleet: Fleet
    offsets: I64
    out: K.KernelOut
    tg: _Targets
    grid: TargetGrid
    rules: TrackingRules
    assembler: Assembler

    def batch(self, c: int, d: int, buf: _Columns) -> dict[int, CrewReport]:
        """The reports of crews ``c:d``, checked with ``buf`` (sorted copies and flags)."""
        fleet, offsets = self.fleet, self.offsets
        s0, e0 = int(offsets[c]), int(offsets[d])
        n = e0 - s0
        local = offsets[c : d + 1] - s0
        if fleet.reordered is None:
            descents = count_descents(fleet.t_ms[s0:e0], local)
        else:  # the reader sorted each crew
            descents = np.zeros(d - c, np.int64)
        if descents.any():
            gather_sorted(
                fleet.t_ms[s0:e0],
                fleet.lat[s0:e0],
                fleet.lon[s0:e0],
                fleet.speed_kmh[s0:e0],
                local,
                descents,
                buf.t,
                buf.lat,
                buf.lon,
                buf.spd,
            )
            cols = _Columns(buf.t[:n], buf.lat[:n], buf.lon[:n], buf.spd[:n], buf.flags[:n])
        else:
            cols = _Columns(
                fleet.t_ms[s0:e0],
                fleet.lat[s0:e0],
                fleet.lon[s0:e0],
                fleet.speed_kmh[s0:e0],
                buf.flags[:n],
            )
        buf.flags[: words(n) * WORD] = 0
        _run(cols, local, self.out.rows(c, d), self.tg, self.grid, self.rules)
        reordered = descents if fleet.reordered is None else fleet.reordered[c:d]
        batch = Batch(c, d, cols, local, flagged(buf.flags, n), reordered)
        bibs = fleet.bibs[c:d]
        return dict(zip(bibs.tolist(), self.assembler.reports(batch, bibs)))


def sort_fleet_in_place(fleet: Fleet, workers: int = 1) -> Fleet:
    """Sort each crew of a fleet the caller owns by time, in place, and record how many fixes
    per crew had come out of order (``fleet.reordered``); the check then needs no copy.
    ``workers`` threads sort parts of the fleet (whole crews, about as many fixes each)."""
    for name in ("t_ms", "lat", "lon", "speed_kmh"):
        if not getattr(fleet, name).flags.writeable:  # zero-copy views of a reader's buffers
            setattr(fleet, name, getattr(fleet, name).copy())
    offsets = fleet.offsets.astype(np.int64)
    cols = (fleet.t_ms, fleet.lat, fleet.lon, fleet.speed_kmh)
    spans = _batches(offsets, -(-len(fleet) // max(1, workers)))
    if len(spans) <= 1:
        fleet.reordered = sort_crews_in_place(*cols, offsets)
        return fleet
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(spans), thread_name_prefix="sort") as pool:
        parts = list(
            pool.map(lambda cd: sort_crews_in_place(*cols, offsets[cd[0] : cd[1] + 1]), spans)
        )
    fleet.reordered = np.concatenate(parts)
    return fleet


def _run(
    cols: _Columns,
    local: I64,
    views: K.KernelOut,
    tg: _Targets,
    grid: TargetGrid,
    rules: TrackingRules,
) -> None:
    """The kernel over one batch (crew slices ``local[k]:local[k+1]`` of ``cols``) into ``views``."""
    crew_s, crew_e = local[:-1], local[1:]
    cap = PASS_BUFFER
    first = 0
    while first < crew_s.shape[0]:
        status = K.check_crews(
            cols.t,
            cols.lat,
            cols.lon,
            cols.spd,
            cols.flags,
            crew_s[first:],
            crew_e[first:],
            *kernel_constants(tg, grid, rules),
            views.rows(first),
            cap,
        )
        if status < 0:
            break
        # a crew overflowed the passage buffer: clear its flags, retry from it with a larger one
        first += int(status)
        cols.flags[crew_s[first] : crew_e[first]] = 0
        cap *= 4
