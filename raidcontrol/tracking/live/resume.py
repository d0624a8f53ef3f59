"""Re-checking a crew from where its last check became final, not from its first fix (pure).

The batch check walks a crew's fixes once, left to right (:func:`raidcontrol.tracking.kernel.check_crews`);
what it decided about a fix depends only on the fixes up to two after it. So each crew keeps
the walk's state at a *resume point* — a fix about :data:`RESUME_LAG_MS` of stage time before its
latest one (the scan state, the passages open and closed before it, the closest approaches, the
fixes' flags) — and the next re-check walks on from there
(:func:`raidcontrol.tracking.kernel.resume_crew`), then validates the waypoints and measures the
zones on all the passages (a few per waypoint: cheap). A fix that arrives older than the fix
after the resume point (late beyond the lag, or a crew's whole history resent) starts the crew
again from its first fix, as does a passage buffer that fills up. Either way the arrays are
those the batch check gives on the same fixes, so the reports are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from raidcontrol.tracking import kernel as K
from raidcontrol.tracking.arrays import F64, I64, U8, Columns
from raidcontrol.tracking.assemble import Assembler, Batch
from raidcontrol.tracking.check import _Targets, _targets, kernel_constants
from raidcontrol.tracking.flagged import WORD, flagged, words
from raidcontrol.tracking.grid import GRID_MARGIN_M, TargetGrid, build_grid
from raidcontrol.tracking.live.fixes import CrewFixes
from raidcontrol.tracking.model import Roadbook
from raidcontrol.tracking.report import CrewReport
from raidcontrol.tracking.rules import TrackingRules

# Performance knob, not a rule: how far (stage time) the resume point stays behind a crew's
# latest fix, so that fixes arriving up to this late resume rather than start the crew again.
RESUME_LAG_MS = 120_000
# Performance knob, not a rule: a crew holding at most this many fixes is re-checked on all of
# them with the other such crews in one batched call — below it that costs less than a resumed
# walk's fixed cost per crew (the kernel call and the report assembled alone).
BATCH_BELOW_FIXES = 2_000
FIRST_PASSAGES = 64  # a crew's first passage buffer (kept between batches: 32 bytes a passage)
GROWTH = 4  # the passage buffer grows this many times when a crew fills it


def _passages(cap: int) -> K.Passages:
    return (
        np.empty(cap, np.int64),
        np.empty(cap, np.int64),
        np.empty(cap, np.float64),
        np.empty(cap, np.int64),
    )


@dataclass
class CrewState:
    """A crew's check state at its resume point ``i0`` (see the module docstring)."""

    n_targets: int
    cap: int = FIRST_PASSAGES
    i0: int = 0
    scan: K.ScanState = K.FRESH_SCAN
    scan_flag: int = 0
    opened: K.OpenPassages = field(init=False)
    min_d: F64 = field(init=False)
    min_t: I64 = field(init=False)
    passages: K.Passages = field(init=False)
    npass: int = 0
    safe_after_ms: int = int(K.NO_TIME)  # fixes later than this leave the state valid
    flags: U8 = field(default_factory=lambda: np.zeros(WORD, np.uint8))

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        """Back to the crew's first fix (the flags are rewritten by the next walk)."""
        self.i0, self.scan, self.scan_flag, self.npass = 0, K.FRESH_SCAN, 0, 0
        self.safe_after_ms = int(K.NO_TIME)
        self.opened = K.fresh_passages(self.n_targets)
        self.min_d = np.full(self.n_targets, np.inf)
        self.min_t = np.full(self.n_targets, K.NO_TIME, np.int64)
        self.passages = _passages(self.cap)

    def reserve(self, n: int) -> None:
        """Room for the flags of n fixes (whole words, zero beyond the fixes)."""
        size = words(n) * WORD
        if size > self.flags.shape[0]:
            grown = np.zeros(max(size, 2 * self.flags.shape[0]), np.uint8)
            grown[: self.flags.shape[0]] = self.flags
            self.flags = grown


def resume_point(t_ms: np.ndarray, i0: int, lag_ms: int = RESUME_LAG_MS) -> int:
    """Where the next resume starts: the last fix at least ``lag_ms`` before the latest, at most
    the third-to-last (a fix's flags depend on the two after it), never before ``i0``."""
    n = int(t_ms.shape[0])
    if n < 3:
        return i0
    lagged = int(np.searchsorted(t_ms, t_ms[-1] - lag_ms, side="right")) - 1
    return max(i0, min(lagged, n - 3))


class Rechecker:
    """Re-checks crews of one stage from their resume points (one :class:`CrewState` per crew).

    ``lag_ms``, ``first_cap`` (the passage buffer a crew starts with) and ``batch_below`` (see
    :data:`BATCH_BELOW_FIXES`; :class:`LiveCheck` applies it) are performance knobs: any values
    give the same reports (the tests use small ones to take every path)."""

    def __init__(
        self,
        roadbook: Roadbook,
        rules: TrackingRules,
        lag_ms: int = RESUME_LAG_MS,
        first_cap: int = FIRST_PASSAGES,
        batch_below: int = BATCH_BELOW_FIXES,
    ):
        self.roadbook, self.rules, self.lag_ms, self.first_cap = roadbook, rules, lag_ms, first_cap
        self.batch_below = batch_below
        self.restarts = 0  # crews started again from their first fix (a late fix, a full buffer)
        self.tg: _Targets = _targets(roadbook)
        self.grid: TargetGrid = build_grid(self.tg.lat, self.tg.lon, self.tg.radius, GRID_MARGIN_M)
        self.states: dict[int, CrewState] = {}
        # the kernel's arguments that are the same for every crew
        self.fixed = kernel_constants(self.tg, self.grid, rules)

    def forget(self, bibs: list[int]) -> None:
        """These crews were checked on all their fixes elsewhere: their next resume starts afresh."""
        for bib in bibs:
            self.states.pop(bib, None)

    def reports(self, crews: list[CrewFixes], earliest_new: list[int]) -> list[CrewReport]:
        """The reports of these crews (``earliest_new[k]``: the earliest instant added to crew k
        since its last re-check), each the batch check's on all its fixes."""
        tg = self.tg
        n_t = tg.lat.shape[0]
        out = K.KernelOut.allocate(len(crews), tg.n_wp, n_t, tg.zone_limit.shape[0])
        assembler = Assembler(self.roadbook, self.rules, out)
        result = []
        for j, (crew, first_new) in enumerate(zip(crews, earliest_new)):
            st = self.states.get(crew.bib)
            if st is None:
                st = self.states[crew.bib] = CrewState(n_t, self.first_cap)
            elif first_new <= st.safe_after_ms:
                st.restart()
                self.restarts += 1
            self._walk(crew, st, out, j)
            n = crew.n
            cols = Columns(crew.t_ms, crew.lat, crew.lon, crew.speed_kmh, st.flags[:n])
            batch = Batch(
                j,
                j + 1,
                cols,
                np.array([0, n], np.int64),
                flagged(st.flags, n),
                np.zeros(1, np.int64),
            )
            result += assembler.reports(batch, np.array([crew.bib], np.int64))
        return result

    def _walk(self, crew: CrewFixes, st: CrewState, out: K.KernelOut, j: int) -> None:
        """Walk the crew on from its resume point into row j of ``out``; move the resume point."""
        st.reserve(crew.n)
        while True:
            stop = resume_point(crew.t_ms, st.i0, self.lag_ms)
            kept, scan, scan_flag = K.resume_crew(
                crew.t_ms,
                crew.lat,
                crew.lon,
                crew.speed_kmh,
                st.flags,
                st.i0,
                st.scan,
                st.scan_flag,
                stop,
                st.opened,
                st.min_d,
                st.min_t,
                st.passages,
                st.npass,
                *self.fixed,
                out,
                j,
            )
            if kept >= 0:
                break
            st.cap *= GROWTH  # the passages overflowed: the state is spoiled, start again
            st.restart()
            self.restarts += 1
        st.i0, st.scan, st.scan_flag, st.npass = stop, scan, scan_flag, kept
        n = crew.n
        st.safe_after_ms = int(crew.t_ms[min(stop + 1, n - 1)]) if n else int(K.NO_TIME)
