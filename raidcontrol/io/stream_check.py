"""Check a Parquet fleet while it is read: each crew is checked as soon as all its rows are in.

A fleet file lists its crews one after the other, by bib (``raidcontrol simulate`` and the
usual exports write it so).  While a thread reads the row groups (pyarrow decodes without the
GIL), the crews already complete — every crew before the last one read so far — are sorted by
time and checked (the kernels release the GIL too), so reading and checking share the cores
instead of following each other.  The report is the one :func:`check_fleet` gives on the whole
fleet: crews are independent (tests/io/test_stream_check.py).

A file whose bibs are not in ascending order cannot be checked this way (a crew could come back
later): it is then read whole and checked after, as :func:`read_fleet` and :func:`check_fleet`
do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from raidcontrol.io.tracks import ParquetReading, read_fleet
from raidcontrol.tracking.model import Fleet, Roadbook
from raidcontrol.tracking.report import CrewReport, FleetReport
from raidcontrol.tracking.rules import TrackingRules

Progress = Callable[[int, int], None]


class StreamCheck:
    """A Parquet fleet file whose reading has started (in a thread, at once); :meth:`check`
    checks it against a roadbook while it is read."""

    def __init__(self, path: Path, read_progress: Progress | None = None):
        self.path = path
        self.reading = ParquetReading(path, read_progress)  # InputError: not a fleet file
        self._reader = threading.Thread(target=self.reading.run, name="read-parquet", daemon=True)
        self._reader.start()

    def set_read_progress(self, progress: Progress | None) -> None:
        """``progress(rows read, rows)`` from now on, after each row group."""
        self.reading.progress = progress

    def check(
        self,
        roadbook: Roadbook,
        rules: TrackingRules,
        workers: int = 1,
        check_progress: Progress | None = None,
    ) -> tuple[FleetReport, Fleet]:
        """(report, fleet), each crew of the fleet sorted by time in place; ``check_progress``
        gets (fixes checked, fixes).  Raises the reading's InputError."""
        from raidcontrol.tracking.check import check_fleet, sort_fleet_in_place

        reading = self.reading
        bib, t_ms, lat, lon, speed = reading.columns
        crews: dict[int, CrewReport] = {}
        reordered: list[np.ndarray] = []
        done, seen, last_bib, in_order = 0, 0, -1, True
        while True:
            seen = reading.wait(seen)
            end = seen if reading.finished else _last_crew_start(bib, done, seen)
            if end > done:
                part = bib[done:end]
                if part[0] <= last_bib or bool(np.any(part[1:] < part[:-1])):
                    in_order = False
                    break
                chunk = Fleet.from_columns(
                    part, t_ms[done:end], lat[done:end], lon[done:end], speed[done:end]
                )
                sort_fleet_in_place(chunk, workers)
                crews.update(check_fleet(roadbook, chunk, rules, workers=workers).crews)
                assert chunk.reordered is not None  # sort_fleet_in_place counted them
                reordered.append(chunk.reordered)
                last_bib, done = int(part[-1]), end
                if check_progress:
                    check_progress(done, reading.rows)
            if reading.finished and done == seen:
                break
        self._reader.join()
        if not in_order:  # not by bib: the whole fleet, as read_fleet and check_fleet do it
            # crews already sorted in place: the file is read again, as it is
            fleet = read_fleet(self.path) if done else reading.fleet()
            sort_fleet_in_place(fleet, workers)
            return check_fleet(roadbook, fleet, rules, check_progress, workers), fleet
        fleet = reading.fleet()
        fleet.reordered = np.concatenate(reordered) if reordered else np.zeros(0, np.int64)
        return FleetReport(roadbook, rules, crews, len(fleet)), fleet


def _last_crew_start(bib: np.ndarray, done: int, seen: int) -> int:
    """The first row of the last crew among rows ``done … seen`` (its rows may go on)."""
    other = np.flatnonzero(bib[done:seen] != bib[seen - 1])
    return done + (int(other[-1]) + 1 if other.shape[0] else 0)
