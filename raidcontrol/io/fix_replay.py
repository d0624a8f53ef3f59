"""A recorded stage cut into the batches the trackers would have delivered, for replays.

:func:`replay_batches` orders a fleet's fixes by time (all crews together; a crew's fixes at one
instant keep the file's order) and yields, per window of ``speed × step`` seconds of stage time
(``step`` seconds at speed 0), the window's end (epoch ms) and its fixes as CSV text
``bib,time,lat,lon,speed`` (time in epoch ms, speed in km/h, empty when the device gave none).
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from raidcontrol.tracking.model import Fleet

MS_PER_S = 1000
HEADER = "bib,time,lat,lon,speed\n"


def replay_batches(fleet: Fleet, speed: float, step: float) -> Iterator[tuple[int, str]]:
    if len(fleet) == 0:
        return
    order = np.argsort(fleet.t_ms, kind="stable")
    t = fleet.t_ms[order]
    window = max(1, round((speed if speed > 0 else 1.0) * step * MS_PER_S))
    edges = np.arange(int(t[0]) + window, int(t[-1]) + window + 1, window, dtype=np.int64)
    cuts = np.searchsorted(t, edges, side="left")
    start = 0
    for end_ms, cut in zip(edges.tolist(), cuts.tolist()):
        idx = order[start:cut]
        start = cut
        spd = fleet.speed_kmh[idx]
        speed_text = np.where(np.isnan(spd), "", np.char.mod("%.2f", np.nan_to_num(spd)))
        lines = [f"{b},{tt},{la:.7f},{lo:.7f},{s}" for b, tt, la, lo, s in
                 zip(fleet.bib[idx].tolist(), fleet.t_ms[idx].tolist(), fleet.lat[idx].tolist(),
                     fleet.lon[idx].tolist(), speed_text.tolist())]
        yield end_ms, HEADER + "".join(line + "\n" for line in lines)
