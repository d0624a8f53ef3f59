"""How a simulated crew drives: speed profiles under acceleration limits, and where the
crew is at each tick of its tracker (numba kernels over numpy arrays, pure).

Units: metres, seconds, m/s.  A route is a grid of nodes ``grid_m`` apart; ``cap[i]`` is
the fastest the crew may pass node ``i`` (0 where it must stop).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def speed_profile(cap: np.ndarray, grid_m: float, accel: float, brake: float) -> np.ndarray:
    """Speed (m/s) at each node: standing start at node 0, never above ``cap``, speeding
    up at most ``accel`` and slowing down at most ``brake`` (m/s²)."""
    n = cap.shape[0]
    v = np.empty(n)
    v[0] = 0.0
    for i in range(1, n):
        v[i] = min(cap[i], math.sqrt(v[i - 1] * v[i - 1] + 2.0 * accel * grid_m))
    for i in range(n - 2, -1, -1):
        limit = math.sqrt(v[i + 1] * v[i + 1] + 2.0 * brake * grid_m)
        if v[i] > limit:
            v[i] = limit
    return v


@njit(cache=True)
def sample_drive(
    v: np.ndarray, grid_m: float, start_s: float, stop_node: int, stop_s: float, dt_s: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distance along the route (m) and speed (m/s) at ``t_k = k * dt_s`` (k < n).

    The crew waits at node 0 until ``start_s``, drives the profile ``v`` with constant
    acceleration between nodes, waits ``stop_s`` at ``stop_node`` (-1: no stop) and stands
    still at the last node once it gets there.
    """
    s_out = np.empty(n)
    v_out = np.empty(n)
    last = v.shape[0] - 1
    i = 0
    depart = start_s
    arrive = depart + 2.0 * grid_m / (v[0] + v[1]) if last > 0 else np.inf
    for k in range(n):
        t = k * dt_s
        while i < last and t >= arrive:
            i += 1
            depart = arrive + (stop_s if i == stop_node else 0.0)
            arrive = depart + 2.0 * grid_m / (v[i] + v[i + 1]) if i < last else np.inf
        if i >= last or t < depart:
            s_out[k] = i * grid_m
            v_out[k] = 0.0
        else:
            seg = arrive - depart
            a = (v[i + 1] - v[i]) / seg
            tau = t - depart
            s_out[k] = i * grid_m + v[i] * tau + 0.5 * a * tau * tau
            v_out[k] = v[i] + a * tau
    return s_out, v_out


@njit(cache=True)
def correlated_noise(eps: np.ndarray, sigma: float, rho: float) -> np.ndarray:
    """A stationary first-order autoregressive series (standard deviation ``sigma``,
    lag-one correlation ``rho``) driven by the standard normal draws ``eps``."""
    out = np.empty(eps.shape[0])
    if eps.shape[0] == 0:
        return out
    out[0] = sigma * eps[0]
    scale = sigma * math.sqrt(1.0 - rho * rho)
    for k in range(1, eps.shape[0]):
        out[k] = rho * out[k - 1] + scale * eps[k]
    return out


@njit(cache=True)
def nearest_approach(x: np.ndarray, y: np.ndarray, t_ms: np.ndarray, max_gap_ms: int) -> float:
    """Smallest distance from the origin to the polyline (``x``, ``y``) in metres, judged
    on each segment between consecutive points, except across a gap over ``max_gap_ms``."""
    best = np.inf
    n = x.shape[0]
    for k in range(n):
        d = math.hypot(x[k], y[k])
        if d < best:
            best = d
        if k + 1 < n and t_ms[k + 1] - t_ms[k] <= max_gap_ms:
            dx = x[k + 1] - x[k]
            dy = y[k + 1] - y[k]
            ll = dx * dx + dy * dy
            if ll > 0.0:
                u = -(x[k] * dx + y[k] * dy) / ll
                if 0.0 < u < 1.0:
                    d = math.hypot(x[k] + u * dx, y[k] + u * dy)
                    if d < best:
                        best = d
    return best
