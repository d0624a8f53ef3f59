"""A stage followed live: fixes ingested as they arrive, stored, checked, and the provable
findings recorded as proposed penalties (the application layer of live tracking).

:meth:`LiveStage.ingest` is what both ``raidcontrol track follow`` and the service's
``POST /api/v1/tracking/fixes`` call with a batch's bytes:

1. parse and validate the batch (:func:`raidcontrol.io.fix_batch.parse_fixes`) — a bad batch
   raises :class:`InputError` and nothing is stored;
2. keep the fixes not held yet and store them in one transaction (:class:`FixStore`,
   idempotent by (bib, time));
3. re-check the crews that got new fixes (:class:`LiveCheck`);
4. append in one transaction the journal records that make the stage's tracking proposals
   equal the provable findings: new proposals, revisions (superseding) and withdrawals
   (tombstones) — the same records ``track scan`` writes, author ``tracking``.

:meth:`LiveStage.open` reloads the stage's stored fixes, so a restart loses no fix, and its first
publication appends whatever a crash kept from the journal (``publish=False``: read only, for
positions). Each new or revised proposal's picture is drawn where ``track scan`` draws it
(``evidence/stage-N/<bib>-<code>.png``), so a later scan with pictures finds nothing to change;
``pictures=False`` records none (``picture`` null), as ``track scan --no-pictures`` does.
:meth:`LiveStage.close` ends the stage: every finding becomes provable and the proposals equal
``track scan``'s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import JournalState, Record


@dataclass
class IngestResult:
    """received / kept / resent: fixes in the batch, new, already held; crews: crews re-checked;
    records: journal records appended (proposals, revisions, withdrawals); elapsed_ms: wall time."""

    received: int = 0
    kept: int = 0
    resent: int = 0
    crews: int = 0
    records: list[Record] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "kept": self.kept,
            "resent": self.resent,
            "crews": self.crews,
            "elapsed_ms": round(self.elapsed_ms, 2),
            "proposals": [proposal_event(r) for r in self.records],
        }


def proposal_event(r: Record) -> dict[str, Any]:
    """A journal record of a proposal as a JSON-able event (for the stream and the console)."""
    bib, code = r.key.split("/")[1:3]
    if r.payload is None:
        return {
            "id": r.id,
            "key": r.key,
            "bib": int(bib),
            "code": code,
            "action": "withdrawn",
            "supersedes": r.supersedes,
        }
    return {
        "id": r.id,
        "key": r.key,
        "bib": int(bib),
        "code": code,
        "action": "revised" if r.supersedes else "proposed",
        "supersedes": r.supersedes,
        "amount_ms": r.payload["amount_ms"],
        "reason": r.payload["reason"],
    }


class LiveStage:
    """One event's stage followed live (see the module docstring)."""

    def __init__(self, session, stage: int, live, fixes, pictures: bool = True):
        self.session, self.stage, self.live, self.fixes = session, stage, live, fixes
        self.pictures = pictures
        # With defer_drawing, pictures wait in ``drawings`` for :meth:`take_drawings`.
        self.defer_drawing = False
        self.drawings: list[Callable[[], None]] = []
        self.state: JournalState = session.state
        self.entries = set(session.event.entries)
        self.source = f"live fixes of stage {stage}"
        self.restored: list[Record] = []

    @classmethod
    def open(
        cls,
        event_dir: str | Path,
        stage: int,
        db_url: str | None = None,
        publish: bool = True,
        pictures: bool = True,
    ) -> LiveStage:
        from raidcontrol.io.fix_store import FixStore
        from raidcontrol.io.openrally import read_roadbook
        from raidcontrol.session import EventSession
        from raidcontrol.tracking.live.engine import LiveCheck
        from raidcontrol.tracking.live.params import LiveParams
        from raidcontrol.tracking.rules import TrackingRules

        session = EventSession.open(event_dir, db_url=db_url)
        try:
            if stage not in session.event.stages:
                raise InputError(
                    f"the event has no stage {stage} (stages: {sorted(session.event.stages)})",
                    field="--stage",
                )
            roadbook_path = Path(event_dir) / "roadbooks" / f"stage-{stage}.gpx"
            if not roadbook_path.is_file():
                raise InputError(
                    f"no roadbook for stage {stage}: expected roadbooks/stage-{stage}.gpx",
                    file=str(roadbook_path),
                    field="--stage",
                )
            rules = TrackingRules.from_rulebook(session.rulebook)
            live = LiveCheck(
                read_roadbook(roadbook_path, rules),
                rules,
                LiveParams.from_rulebook(session.rulebook),
            )
            fixes = FixStore(session.store.url, session.store.event_key)
        except BaseException:
            session.close()
            raise
        self = cls(session, stage, live, fixes, pictures)
        live.add(fixes.fleet(stage))  # a restart: every stored fix back
        self.restored = self._publish(sorted(live.reports)) if publish else []
        if publish and pictures:
            self._draw_missing()
        return self

    def ingest(
        self, data: bytes, content_type: str, source: str = "request", recorded=None
    ) -> IngestResult:
        """Validate, store, check and publish one batch of fixes (see the module docstring);
        ``recorded(records)`` is called once the records are in the journal, before their
        pictures are drawn (the service pushes them then)."""
        from raidcontrol.io.fix_batch import parse_fixes

        t0 = time.perf_counter()
        fleet = parse_fixes(data, content_type, source)
        return self.add(fleet, t0, recorded)

    def add(self, fleet, t0: float | None = None, recorded=None) -> IngestResult:
        """Store, check and publish a parsed batch (a :class:`Fleet`)."""
        t0 = time.perf_counter() if t0 is None else t0
        new = self.live.fresh(fleet)
        self.fixes.append(self.stage, new)  # durable before anything depends on it
        adv = self.live.add(new)
        records = self._publish(adv.changed, recorded)
        return IngestResult(
            len(fleet),
            adv.kept,
            len(fleet) - adv.kept,
            len(adv.changed),
            records,
            (time.perf_counter() - t0) * 1000.0,
        )

    def close(self) -> list[Record]:
        """End the stage: every finding is provable; returns the records appended."""
        self.live.close()
        return self._publish(sorted(self.live.reports))

    def _publish(self, bibs: list[int], recorded=None) -> list[Record]:
        """Append the records that make these crews' proposals equal their provable findings,
        then draw the pictures of the new or revised ones (``recorded(records)`` in between)."""
        from raidcontrol.tracking.proposals import proposal_records
        from raidcontrol.tracking.report import FleetReport

        bibs = [b for b in bibs if not self.entries or b in self.entries]
        if not bibs:
            return []
        views = FleetReport(
            self.live.roadbook, self.live.rules, {b: self.live.provable(b) for b in bibs}
        )
        mine = {f"{self.stage}/{b}/" for b in bibs}
        pictures = self._picture_paths(views) if self.pictures else {}

        def diff() -> list[Record]:
            return [
                r
                for r in proposal_records(
                    views, self.stage, self.state, pictures, None, self.source
                )
                if r.payload is not None or r.key[: r.key.rindex("/") + 1] in mine
            ]

        records = diff()
        if records:  # another writer (a scan, a restarted follower) may have moved on: diff afresh
            self._refresh()
            records = diff()
        written = self.session.store.append(records)
        for r in written:
            self.state.history.append(r)
            if r.payload is None:
                self.state.current.pop((r.kind, r.key), None)
            else:
                self.state.current[(r.kind, r.key)] = r
        if recorded is not None and written:
            recorded(written)
        if self.pictures:  # after the journal: a picture takes longer than the check (~0.2 s)
            drawing = self._drawing(
                views,
                {(r.payload["bib"], r.payload["code"]) for r in written if r.payload is not None},
            )
            if drawing is not None and self.defer_drawing:
                self.drawings.append(drawing)
            elif drawing is not None:
                drawing()
        return written

    def take_drawings(self) -> list[Callable[[], None]]:
        """The pictures left to draw (with ``defer_drawing``), to run outside the stage's lock: the
        service draws them after releasing it, so a batch arriving meanwhile does not wait."""
        drawings, self.drawings = self.drawings, []
        return drawings

    def _refresh(self) -> None:
        """The tracking proposals in force, read again from the journal."""
        from raidcontrol.core.journal import fold
        from raidcontrol.tracking.proposals import PROPOSED

        self.state = fold(self.session.store.records([PROPOSED]))

    def _draw_missing(self) -> None:
        """Draw the pictures of the stage's proposals in force whose file is missing (a stop
        between the journal and the drawing)."""
        from raidcontrol.tracking.proposals import PROPOSED
        from raidcontrol.tracking.report import FleetReport

        folder = Path(self.session.folder)
        wanted = set()
        for (kind, key), r in self.state.current.items():
            if kind != PROPOSED or not key.startswith(f"{self.stage}/") or r.payload is None:
                continue
            picture = (r.payload.get("evidence") or {}).get("picture")
            if (
                picture
                and r.payload["bib"] in self.live.reports
                and not (folder / picture).is_file()
            ):
                wanted.add((r.payload["bib"], r.payload["code"]))
        if wanted:
            bibs = sorted({b for b, _ in wanted})
            views = FleetReport(
                self.live.roadbook, self.live.rules, {b: self.live.provable(b) for b in bibs}
            )
            drawing = self._drawing(views, wanted)
            if drawing is not None:
                drawing()

    def _picture_paths(self, views) -> dict[tuple[int, str], str]:
        """Where ``track scan`` puts each infringement's picture (relative to the event folder)."""
        from raidcontrol.io.evidence import picture_name

        return {
            (bib, f.code): f"evidence/stage-{self.stage}/{picture_name(bib, f.code)}"
            for bib, crew in views.crews.items()
            for f in (*crew.missed, *crew.speeding)
        }

    def _drawing(self, views, wanted: set[tuple[int, str]]) -> Callable[[], None] | None:
        """The drawing of the pictures of the new or revised proposals ``wanted`` (as ``track scan``
        draws them), with its data copied now: it may run later, outside the stage's lock."""
        from dataclasses import replace

        from raidcontrol.io.evidence import write_pictures
        from raidcontrol.tracking.report import FleetReport

        crews = {}
        for bib, crew in views.crews.items():
            missed = [m for m in crew.missed if (bib, m.code) in wanted]
            speeding = [s for s in crew.speeding if (bib, s.code) in wanted]
            if missed or speeding:
                crews[bib] = replace(crew, missed=missed, speeding=speeding)
        if not crews:
            return None
        folder = Path(self.session.folder) / "evidence" / f"stage-{self.stage}"
        report = FleetReport(views.roadbook, views.rules, crews)
        fleet = self.live.fleet(sorted(crews))  # a copy of the crews' fixes as they are now
        return lambda: write_pictures(report, fleet, folder)

    def positions(self, now_ms: int | None = None, delay_ms: int | None = None):
        """The crews' live positions and virtual ranking (see :mod:`raidcontrol.tracking.live.positions`);
        ``now_ms`` defaults to the wall clock, ``delay_ms`` to the rulebook's public delay."""
        from raidcontrol.tracking.live.positions import positions

        starts = {
            bib: rec.start.ms
            for (stage, bib), rec in self.session.event.times.items()
            if stage == self.stage and rec.start is not None
        }
        now = int(time.time() * 1000) if now_ms is None else now_ms
        delay = self.live.params.public_delay_ms if delay_ms is None else delay_ms
        return positions(
            self.live.crews,
            self.live.reports,
            self.live.roadbook,
            self.live.route,
            now,
            delay,
            starts,
        )

    def shut(self) -> None:
        """Release the databases (the stage stays open for a later :meth:`open`)."""
        self.fixes.close()
        self.session.close()
