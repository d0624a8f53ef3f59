"""The check's faster pieces give exactly what their plain forms give (bit for bit).

- the evidence's compiled pass (``_zone_columns``) against the numpy rule (``derived_speeds``)
  and the cumulated leg lengths;
- the closest approaches (chunks walked in the track's arrays) against a brute force;
- the grid's cell table against a bincount;
- the check's sort of nearly sorted crews against a stable argsort;
- the flagged fixes against ``flatnonzero``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from raidcontrol.tracking import kernel as K
from raidcontrol.tracking.closest import closest_approaches
from raidcontrol.tracking.flagged import WORD, flagged, words
from raidcontrol.tracking.geodesy import DEG, M_PER_DEG, leg_lengths_m
from raidcontrol.tracking.grid import _cell_table
from raidcontrol.tracking.order import count_descents, gather_sorted
from raidcontrol.tracking.zone_evidence import _zone_columns, derived_speeds

SEEDS = range(8)


def _track(rng: np.random.Generator, n: int):
    """A wandering 1 Hz track with repeated positions (stops), missing speeds and outages."""
    t = np.cumsum(
        rng.choice([1000, 1000, 1000, 2000, 40_000], size=n, p=[0.6, 0.2, 0.1, 0.08, 0.02])
    )
    t = t.astype(np.int64) + 1_767_600_000_000
    step = rng.normal(0, 2e-4, size=(n, 2))
    step[rng.random(n) < 0.1] = 0.0  # stopped: the same position again
    lat = 24.0 + np.cumsum(step[:, 0])
    lon = 45.0 + np.cumsum(step[:, 1])
    spd = rng.uniform(0, 160, n).astype(np.float32)
    spd[rng.random(n) < 0.3] = np.nan
    flags = np.zeros(n, np.uint8)
    flags[rng.random(n) < 0.02] = K.SPIKE
    flags[rng.random(n) < 0.02] |= K.GAP_AFTER
    return t, lat, lon, spd, flags


@pytest.mark.parametrize("seed", SEEDS)
def test_zone_columns_equal_the_numpy_rule(seed):
    rng = np.random.default_rng(seed)
    t, lat, lon, spd, flags = _track(rng, 400)
    gap = (flags & K.GAP_AFTER) != 0
    window = 5000
    speed, source = derived_speeds(t, lat, lon, spd, gap, window)
    threshold = 90.0
    got_speed, derived, along, over = _zone_columns(
        t, lat, lon, spd, gap, np.cos(lat * DEG), window // 2, threshold
    )
    assert np.array_equal(got_speed, speed, equal_nan=True)
    assert ["derived" if d else "device" for d in derived.tolist()] == source
    assert np.array_equal(along, np.r_[0.0, np.cumsum(leg_lengths_m(lat, lon))])
    assert np.array_equal(over, np.flatnonzero(speed > threshold))


def _closest_brute(t, lat, lon, flags, s, e, wlat, wlon, wcos):
    """Every kept fix, then every leg not across an outage, in time order (first best kept)."""
    kept = [i for i in range(s, e) if (flags[i] & K.DROPPED) == 0]
    out_d, out_t = [], []
    for k in range(wlat.shape[0]):
        kx = M_PER_DEG * wcos[k]
        b2, bt = math.inf, 0
        for q, i in enumerate(kept):
            x, y = (lon[i] - wlon[k]) * kx, (lat[i] - wlat[k]) * M_PER_DEG
            if x * x + y * y < b2:
                b2, bt = x * x + y * y, int(t[i])
            if q == 0 or flags[kept[q - 1]] & K.GAP_AFTER:
                continue
            a = kept[q - 1]
            px, py = (lon[a] - wlon[k]) * kx, (lat[a] - wlat[k]) * M_PER_DEG
            vx, vy = x - px, y - py
            l2 = vx * vx + vy * vy
            if l2 <= 0.0:
                continue
            u = min(1.0, max(0.0, -(px * vx + py * vy) / l2))
            qx, qy = px + u * vx, py + u * vy
            if qx * qx + qy * qy < b2:
                b2, bt = (
                    qx * qx + qy * qy,
                    int(t[a]) + math.floor(u * (int(t[i]) - int(t[a])) + 0.5),
                )
        out_d.append(math.sqrt(b2))
        out_t.append(bt)
    return out_d, out_t


@pytest.mark.parametrize("seed", SEEDS)
def test_closest_approaches_equal_a_brute_force(seed):
    rng = np.random.default_rng(seed)
    t, lat, lon, _spd, flags = _track(rng, 700)
    wlat = lat[rng.integers(0, 700, 5)] + rng.normal(0, 3e-3, 5)
    wlon = lon[rng.integers(0, 700, 5)] + rng.normal(0, 3e-3, 5)
    for s, e in ((0, 700), (37, 500), (650, 700), (10, 10)):
        d, tt = closest_approaches(t, lat, lon, flags, s, e, wlat, wlon, np.cos(wlat * DEG))
        bd, bt = _closest_brute(t, lat, lon, flags, s, e, wlat, wlon, np.cos(wlat * DEG))
        assert d.tolist() == bd
        if s < e:
            assert tt.tolist() == bt


@pytest.mark.parametrize("seed", SEEDS)
def test_cell_table_equals_a_bincount(seed):
    rng = np.random.default_rng(seed)
    n_cells = int(rng.integers(1, 500))
    cells = np.sort(rng.integers(0, n_cells, int(rng.integers(0, 80))))
    start, occupied = _cell_table(cells, n_cells)
    counts = np.bincount(cells, minlength=n_cells)
    assert np.array_equal(start, np.r_[0, np.cumsum(counts)])
    assert np.array_equal(occupied, np.packbits(counts > 0, bitorder="little"))


@pytest.mark.parametrize("seed", SEEDS)
def test_gather_sorted_equals_a_stable_argsort(seed):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 300, 6)
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    n = int(offsets[-1])
    t = np.cumsum(rng.choice([0, 1000, 1000, 2000], n)).astype(np.int64)
    swap = rng.random(n - 1) < 0.03 if n > 1 else np.zeros(0, bool)
    for i in np.flatnonzero(swap):  # swapped neighbours
        t[i], t[i + 1] = t[i + 1], t[i]
    if sizes[0] > 20:
        t[offsets[0] : offsets[1]] = rng.permutation(t[offsets[0] : offsets[1]])  # far from sorted
    lat, lon = rng.random(n), rng.random(n)
    spd = rng.random(n).astype(np.float32)
    out = [np.empty_like(a) for a in (t, lat, lon, spd)]
    gather_sorted(t, lat, lon, spd, offsets, count_descents(t, offsets), *out)
    for c in range(len(sizes)):
        s, e = int(offsets[c]), int(offsets[c + 1])
        order = np.argsort(t[s:e], kind="stable")
        for a, o in zip((t, lat, lon, spd), out):
            assert np.array_equal(o[s:e], a[s:e][order])


def test_flagged_finds_every_flag():
    rng = np.random.default_rng(0)
    for n in (0, 1, 7, 8, 9, 1000):
        flags = np.zeros(words(n) * WORD, np.uint8)
        flags[:n][rng.random(n) < 0.05] = K.DUPLICATE
        assert flagged(flags, n).tolist() == np.flatnonzero(flags[:n]).tolist()
