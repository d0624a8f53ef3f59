"""A recorded stage cut into the batches the trackers would have delivered, for replays.

:func:`replay_batches` orders a fleet's fixes by time (all crews together; a crew's fixes at one
instant keep the file's order) and yields, per window of ``speed × step`` seconds of stage time
(``step`` seconds at speed 0), the window's end (epoch ms) and its fixes as CSV text
``bib,time,lat,lon,speed`` (time in epoch ms, speed in km/h, empty when the device gave none; every value written to
full precision, so the replayed fixes are exactly the recorded ones).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from raidcontrol.tracking.model import Fleet

MS_PER_S = 1000
HEADER = "bib,time,lat,lon,speed\n"


def replay_slices(fleet: Fleet, speed: float, step: float) -> Iterator[tuple[int, np.ndarray]]:
    """Per window, its end (epoch ms) and the indices of its fixes in the fleet (time order)."""
    if len(fleet) == 0:
        return
    order = np.argsort(fleet.t_ms, kind="stable")
    t = fleet.t_ms[order]
    window = max(1, round((speed if speed > 0 else 1.0) * step * MS_PER_S))
    edges = np.arange(int(t[0]) + window, int(t[-1]) + window + 1, window, dtype=np.int64)
    cuts = np.searchsorted(t, edges, side="left")
    start = 0
    for end_ms, cut in zip(edges.tolist(), cuts.tolist()):
        yield end_ms, order[start:cut]
        start = cut


def replay_batches(fleet: Fleet, speed: float, step: float) -> Iterator[tuple[int, str]]:
    """Per window, its end (epoch ms) and its fixes as CSV text (see the module docstring)."""
    for end_ms, idx in replay_slices(fleet, speed, step):
        spd = fleet.speed_kmh[idx]
        speed_text = [
            "" if math.isnan(s) else repr(s) for s in spd.astype(np.float64).tolist()
        ]  # NaN: none
        lines = [
            f"{b},{tt},{la!r},{lo!r},{s}"
            for b, tt, la, lo, s in zip(
                fleet.bib[idx].tolist(),
                fleet.t_ms[idx].tolist(),
                fleet.lat[idx].tolist(),
                fleet.lon[idx].tolist(),
                speed_text,
            )
        ]
        yield end_ms, HEADER + "".join(line + "\n" for line in lines)


def arrow_batch(fleet: Fleet, idx: np.ndarray) -> bytes:
    """Fixes ``idx`` of a fleet as an Arrow IPC stream (``bib,time,lat,lon,speed``; time in epoch ms)."""
    import pyarrow as pa

    spd = fleet.speed_kmh[idx]
    table = pa.table(
        {
            "bib": fleet.bib[idx],
            "time": fleet.t_ms[idx],
            "lat": fleet.lat[idx],
            "lon": fleet.lon[idx],
            "speed": pa.array(spd, mask=np.isnan(spd)),
        }
    )
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()
