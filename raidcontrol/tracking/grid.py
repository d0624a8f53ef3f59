"""Candidate pruning: a coarse grid over the targets' reach (pure).

A *target* is a point the check must detect a passage at (a waypoint, a DZ, an FZ) with
its radius.  A leg of length L ≤ ``margin_m`` can only come within r of a target if both
its ends lie within r + margin of it, so each grid cell lists the targets whose reach box
(r + margin around the target, in degrees, slightly widened) overlaps the cell; a leg is
tested only against the targets listed in the cells of its two ends.  A bit per cell says
whether it lists anything, so the walk along a track mostly touches a small bitmap that
stays in cache rather than the cell table.  Longer legs (rare:
sparse fixes, a spike at a track's end) are tested against every target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from raidcontrol.tracking.arrays import I64, U8
from raidcontrol.tracking.geodesy import DEG, M_PER_DEG
from raidcontrol.tracking.jit import njit

GRID_MARGIN_M = 500.0  # performance knob, not a rule: the widest margin (legs longer are tested against all targets)
MIN_MARGIN_M = 50.0  # the narrowest margin
MARGIN_PER_LEG = (
    2.0  # margin = this × the 99th percentile of sampled leg lengths (clamped to the two above)
)
SAMPLE_LEGS = 2000  # legs sampled per crew (from a few crews) to size the margin
SAMPLE_CREWS = 16
LEG_PERCENTILE = 99.0
CELLS_PER_REACH = 2  # cells across one reach: finer cells list fewer far-away targets
BOX_SLACK = 1.05  # widens each reach box to cover the projection's approximation
MAX_CELLS = 4_000_000  # memory bound of the grid (the cell size grows to stay under it)
MIN_COS = 1e-6  # guards the longitude reach near the poles


@dataclass(frozen=True)
class TargetGrid:
    """Cells of size ``dlat`` × ``dlon`` degrees from (``lat0``, ``lon0``), ``nrows`` × ``ncols``;
    cell c lists ``items[start[c]:start[c+1]]`` (target indices)."""

    lat0: float
    lon0: float
    dlat: float
    dlon: float
    nrows: int
    ncols: int
    start: I64
    items: I64
    margin_m: float
    occupied: U8  # one bit per cell (little-endian within a byte): does it list a target?


def build_grid(
    tlat: np.ndarray, tlon: np.ndarray, radius_m: np.ndarray, margin_m: float = GRID_MARGIN_M
) -> TargetGrid:
    reach = (radius_m + margin_m) * BOX_SLACK
    half_lat = reach / M_PER_DEG
    far_lat = np.minimum(np.abs(tlat) + half_lat, 90.0)
    half_lon = reach / (M_PER_DEG * np.maximum(np.cos(far_lat * DEG), MIN_COS))
    lo_lat, hi_lat = tlat - half_lat, tlat + half_lat
    lo_lon, hi_lon = tlon - half_lon, tlon + half_lon
    lat0, lon0 = float(lo_lat.min()), float(lo_lon.min())
    cell_m = float(reach.max()) / CELLS_PER_REACH
    mid_cos = max(math.cos(float(np.abs(tlat).max()) * DEG), MIN_COS)
    while True:
        dlat = cell_m / M_PER_DEG
        dlon = cell_m / (M_PER_DEG * mid_cos)
        nrows = int((hi_lat.max() - lat0) / dlat) + 1
        ncols = int((hi_lon.max() - lon0) / dlon) + 1
        if nrows * ncols <= MAX_CELLS:
            break
        cell_m *= 2
    cells: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for k in range(tlat.shape[0]):
        r0, r1 = (
            max(int((lo_lat[k] - lat0) / dlat), 0),
            min(int((hi_lat[k] - lat0) / dlat), nrows - 1),
        )
        c0, c1 = (
            max(int((lo_lon[k] - lon0) / dlon), 0),
            min(int((hi_lon[k] - lon0) / dlon), ncols - 1),
        )
        rows, cols = np.meshgrid(np.arange(r0, r1 + 1), np.arange(c0, c1 + 1), indexing="ij")
        cells.append((rows * ncols + cols).ravel())
        owners.append(np.full(cells[-1].shape[0], k, np.int64))
    cell_of = np.concatenate(cells) if cells else np.empty(0, np.int64)
    owner = np.concatenate(owners) if owners else np.empty(0, np.int64)
    order = np.lexsort((owner, cell_of))
    start, occupied = _cell_table(cell_of[order], nrows * ncols)
    return TargetGrid(
        lat0,
        lon0,
        dlat,
        dlon,
        nrows,
        ncols,
        start,
        owner[order].astype(np.int64),
        margin_m,
        occupied,
    )


@njit(cache=True)
def _cell_table(sorted_cells: I64, n_cells: int) -> tuple[I64, U8]:
    """From the cells of the (cell, target) pairs, ascending: where each cell's list starts
    (``start``, n_cells + 1 entries) and the bitmap of cells listing a target — in one pass
    over the (large, mostly empty) table."""
    start = np.empty(n_cells + 1, np.int64)
    occupied = np.zeros((n_cells + 7) // 8, np.uint8)
    q = 0
    m = sorted_cells.shape[0]
    for c in range(n_cells):
        start[c] = q
        while q < m and sorted_cells[q] == c:
            q += 1
        if q > start[c]:
            occupied[c >> 3] |= np.uint8(1 << (c & 7))
    start[n_cells] = q
    return start, occupied


def leg_margin_m(t_ms: np.ndarray, lat: np.ndarray, lon: np.ndarray, offsets: np.ndarray) -> float:
    """A grid margin fitted to the fleet: a few times its typical leg (sampled from a few crews),
    so that almost every leg uses the grid and only rare long legs test every target."""
    from raidcontrol.tracking.geodesy import leg_lengths_m

    n_crews = offsets.shape[0] - 1
    if n_crews <= 0:
        return GRID_MARGIN_M
    samples = []
    for c in np.linspace(0, n_crews - 1, min(n_crews, SAMPLE_CREWS)).astype(np.int64):
        s, e = int(offsets[c]), min(int(offsets[c + 1]), int(offsets[c]) + SAMPLE_LEGS)
        if e - s > 1:
            samples.append(leg_lengths_m(lat[s:e], lon[s:e]))
    if not samples:
        return GRID_MARGIN_M
    legs = np.concatenate(samples)
    legs = legs[np.isfinite(legs)]
    if legs.shape[0] == 0:
        return GRID_MARGIN_M
    # the percentile by nearest rank (np.percentile would import numpy.ma: 20 ms of a command)
    k = min(legs.shape[0] - 1, int(LEG_PERCENTILE / 100.0 * legs.shape[0]))
    typical = float(np.partition(legs, k)[k])
    return float(np.clip(MARGIN_PER_LEG * typical, MIN_MARGIN_M, GRID_MARGIN_M))
