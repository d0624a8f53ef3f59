"""Check a Parquet fleet while it is read, row group by row group, without keeping it.

A fleet file lists its crews one after the other, by bib (``raidcontrol simulate`` and the
usual exports write it so).  A thread reads the row groups (pyarrow decodes without the GIL)
and hands each one over as views of the buffers it was decoded into
(:meth:`~raidcontrol.io.tracks.ParquetReading.groups`).  The crews a group completes are sorted
in place and checked there (the kernels release the GIL too); the crew still going on at its
end is kept for the next group.  So reading and checking share the cores, nothing is copied
into a fleet, and memory stays at a few row groups whatever the fleet's size
(:data:`GROUPS_AHEAD` waiting, one being decoded, one being checked).  The report is
the one :func:`check_fleet` gives on the whole fleet: crews are independent
(tests/io/test_stream_check.py).  A caller that needs the fleet itself (to draw pictures)
reads it whole with :func:`read_fleet` instead.

A file whose bibs are not in ascending order cannot be checked this way (a crew could come back
later): it is then read whole and checked after, as :func:`read_fleet` and :func:`check_fleet`
do.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from raidcontrol.io.tracks import Columns, ParquetReading, read_fleet
from raidcontrol.tracking.model import Fleet, Roadbook

if TYPE_CHECKING:  # imported by the check, once the reading has started (cli/head_start.py)
    from raidcontrol.tracking.report import CrewReport, FleetReport
    from raidcontrol.tracking.rules import TrackingRules

Progress = Callable[[int, int], None]
# row groups decoded and waiting for the check (memory: one row group each): enough that the
# reading does not stall while the command line is still being parsed (cli/head_start.py)
GROUPS_AHEAD = 3
# While a file is read, the reader and the check take the GIL back from each other after each
# numpy call on a row group (a dozen a group); with Python's default switch interval (5 ms) each
# waited up to that long whenever the other was running Python (py-spy, docs/performance.md).
SWITCH_INTERVAL_S = 0.001
_END = object()  # the reader's last item


class StreamCheck:
    """A Parquet fleet file whose reading has started (in a thread, at once); :meth:`check`
    checks it against a roadbook while it is read."""

    def __init__(self, path: Path, read_progress: Progress | None = None):
        self.path = path
        self.reading = ParquetReading(path, read_progress)  # InputError: not a fleet file
        self._closed = False
        _SWITCHES.change(+1)
        self._groups: queue.Queue = queue.Queue(GROUPS_AHEAD)
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, name="read-parquet", daemon=True)
        self._reader.start()

    def close(self) -> None:
        """Stop reading (the check is not wanted after all, or is over)."""
        self._stop.set()
        with _SWITCHES.lock:
            if self._closed:
                return
            self._closed = True
        _SWITCHES.change(-1)

    def set_read_progress(self, progress: Progress | None) -> None:
        """``progress(rows read, rows)`` from now on, after each row group."""
        self.reading.progress = progress

    def check(
        self,
        roadbook: Roadbook,
        rules: TrackingRules,
        workers: int = 1,
        check_progress: Progress | None = None,
    ) -> FleetReport:
        """The fleet's report; ``check_progress`` gets (fixes checked, fixes).  Raises the
        reading's InputError."""
        try:
            return self._check(roadbook, rules, workers, check_progress)
        finally:
            self.close()  # the reader ends if it is still at work (an error, bibs out of order)

    def _check(
        self,
        roadbook: Roadbook,
        rules: TrackingRules,
        workers: int,
        check_progress: Progress | None,
    ) -> FleetReport:
        from raidcontrol.tracking.check import check_fleet, sort_fleet_in_place, stage_targets
        from raidcontrol.tracking.report import FleetReport

        crews: dict[int, CrewReport] = {}
        targets = None  # the roadbook's targets and grid, made for the first crews read
        done = 0

        def check(columns: Columns, firsts: np.ndarray) -> None:  # whole crews, in bib order
            nonlocal targets, done
            chunk = _crews(columns, firsts)
            sort_fleet_in_place(chunk, workers)
            targets = targets or stage_targets(roadbook, chunk)
            crews.update(
                check_fleet(roadbook, chunk, rules, workers=workers, targets=targets).crews
            )
            done += len(chunk)
            if check_progress:
                check_progress(done, self.reading.rows)

        going_on: Columns | None = None  # the last crew read so far (its rows may go on)
        one_crew = np.zeros(1, np.int64)
        while (group := self._next()) is not None:
            bib = group[0]
            n = bib.shape[0]
            if not n:
                continue
            starts = np.flatnonzero(bib[1:] != bib[:-1]) + 1  # where the next crews begin
            # in bib order: the first bib not before the crew going on, each crew after the last
            if (going_on is not None and bib[0] < going_on[0][0]) or bool(
                np.any(bib[starts] < bib[starts - 1])
            ):
                return self._whole(roadbook, rules, workers, check_progress)
            firsts = np.concatenate((one_crew, starts))  # every crew's first row
            if going_on is not None and bib[0] == going_on[0][0]:  # the first rows go on
                head = int(starts[0]) if starts.shape[0] else n
                going_on = _join(going_on, _rows(group, 0, head))
                if head == n:
                    continue  # the whole group goes on with that crew
                firsts = starts
            else:
                head = 0
            if going_on is not None:
                check(going_on, one_crew)
            last = int(firsts[-1])  # the last crew's first row: it may go on
            if last > head:
                check(_rows(group, head, last), firsts[:-1] - head)
            going_on = tuple(c[last:].copy() for c in group)  # type: ignore[assignment]
        if going_on is not None:
            check(going_on, one_crew)
        return FleetReport(roadbook, rules, crews, self.reading.rows)

    def _whole(
        self,
        roadbook: Roadbook,
        rules: TrackingRules,
        workers: int,
        check_progress: Progress | None,
    ) -> FleetReport:
        """Bibs out of order: the file read again whole, sorted, checked."""
        from raidcontrol.tracking.check import check_fleet, sort_fleet_in_place

        self.close()
        fleet = read_fleet(self.path)
        sort_fleet_in_place(fleet, workers)
        return check_fleet(roadbook, fleet, rules, check_progress, workers)

    def _read(self) -> None:
        """The reader thread: each row group's columns into the queue, then the end (or the
        error it met)."""
        try:
            for group in self.reading.groups():
                if not self._put(group):
                    return
            self._put(_END)
        except BaseException as exc:  # handed over: check() raises it
            self._put(exc)

    def _put(self, item: object) -> bool:
        """Hand ``item`` over once the check has room for it; False when the check has ended."""
        while not self._stop.is_set():
            try:
                self._groups.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _next(self) -> Columns | None:
        """The next row group's columns; None at the end (raises the reading's error)."""
        item = self._groups.get()
        if isinstance(item, BaseException):
            raise item
        return None if item is _END else item  # type: ignore[return-value]


class _ShortSwitches:
    """The switch interval is short while any reading is open, and back to what it was after
    the last one closes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.before = sys.getswitchinterval()

    def change(self, readings: int) -> None:
        """A reading opened (+1) or closed (-1)."""
        with self.lock:
            if self.open == 0:
                self.before = sys.getswitchinterval()
                sys.setswitchinterval(min(self.before, SWITCH_INTERVAL_S))
            self.open += readings
            if self.open == 0:
                sys.setswitchinterval(self.before)


_SWITCHES = _ShortSwitches()


def _crews(columns: Columns, firsts: np.ndarray) -> Fleet:
    """Whole crews in bib order as a fleet whose crews begin at rows ``firsts`` (the first at
    row 0): what :meth:`Fleet.from_columns` would find, without passes over the columns again."""
    bib, t_ms, lat, lon, speed = columns
    return Fleet(
        bib,
        np.asarray(t_ms, np.int64),
        np.asarray(lat, np.float64),
        np.asarray(lon, np.float64),
        np.asarray(speed, np.float32),
        bibs=bib[firsts].astype(np.int32),
        offsets=np.append(firsts, bib.shape[0]).astype(np.int64),
    )


def _rows(columns: Columns, start: int, stop: int) -> Columns:
    return tuple(c[start:stop] for c in columns)  # type: ignore[return-value]


def _join(first: Columns, then: Columns) -> Columns:
    """One crew's rows from two row groups, in one array each (its dtype kept)."""
    return tuple(np.concatenate((a, b)) for a, b in zip(first, then, strict=True))  # type: ignore[return-value]
