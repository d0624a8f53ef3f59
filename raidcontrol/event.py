"""The Python API: one open event, every query a :class:`~raidcontrol.tables.Table`.

    import raidcontrol

    with raidcontrol.open_event("out/dakar2025") as ev:
        print(ev.stage(1, special=True, category="Stock").to_csv())
        ev.general(after=3).to_records()
        ev.explain(bib=204, stage=1)
        ev.penalties(status="proposed")
        ev.as_of("2025-01-06T12:00Z").general()

``open_event`` validates the folder, appends what changed to the journal (one transaction,
nothing when nothing changed) and folds it; the handle is a context manager that closes its
store.  Scrutineering verdicts are part of the event state (``Event.remarks``): every
classification shows them (columns ``eligibility`` and ``remarks``) and leaves an excluded
crew out of its category's ranking.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Self

from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import JournalState, Record
from raidcontrol.core.model import Event
from raidcontrol.core.timefmt import TimeFormatError, parse_datetime
from raidcontrol.rules import Rulebook
from raidcontrol.session import EventSession, Store
from raidcontrol.tables import Table
from raidcontrol.tables.event_tables import (
    entries_table,
    itinerary_table,
    penalties_table,
    scrutineering_table,
)
from raidcontrol.tables.results import classification_table, explain_table

PENALTY_STATES = ("proposed", "confirmed", "dismissed")


def as_moment(when: str | datetime | None, field: str = "as_of") -> datetime | None:
    """An ISO 8601 text (naive = UTC) or a datetime; None for now."""
    if when is None or isinstance(when, datetime):
        return when
    try:
        return parse_datetime(when)
    except TimeFormatError as exc:
        raise InputError(str(exc), field=field) from None


class OpenEvent:
    """An event opened on its journal, as of a moment (``None``: now).

    Attributes: ``name``, ``folder``, ``event`` (the :class:`~raidcontrol.core.model.Event`),
    ``rulebook``, ``state`` (the journal records in force), ``moment``.
    """

    def __init__(self, session: EventSession, *, owns_store: bool = True):
        self._session = session
        self._owns_store = owns_store

    # -- the state ---------------------------------------------------------------------------------
    @property
    def session(self) -> EventSession:
        return self._session

    @property
    def event(self) -> Event:
        return self._session.event

    @property
    def rulebook(self) -> Rulebook:
        book = self._session.rulebook
        if book is None:
            when = self.moment.isoformat() if self.moment else "now"
            raise InputError(f"the journal holds no event as of {when}", field="--as-of")
        return book

    @property
    def state(self) -> JournalState:
        return self._session.state

    @property
    def folder(self) -> Path:
        return self._session.folder

    @property
    def name(self) -> str:
        return self.event.name

    @property
    def moment(self) -> datetime | None:
        return self._session.as_of

    def __repr__(self) -> str:
        when = f" as of {self.moment.isoformat()}" if self.moment else ""
        return f"<OpenEvent {self.name!r}{when}: {len(self.event.entries)} entries, {len(self.event.stages)} stages>"

    def as_of(self, when: str | datetime | None) -> OpenEvent:
        """The same event as the journal stood at ``when`` (ISO 8601; naive = UTC).  The view
        shares this handle's store: close this handle, not the view."""
        return OpenEvent(self._session.at(as_moment(when)), owns_store=False)

    # -- checks ------------------------------------------------------------------------------------
    def _check_filters(self, category: str | None, klass: str | None) -> None:
        categories = self.rulebook.section("categories")
        if category is not None and category not in categories:
            raise InputError(
                f"unknown category {category!r} (known: {', '.join(categories)})",
                field="--category",
            )
        if klass is not None and not any(
            klass in c.get("classes", []) for c in categories.values()
        ):
            raise InputError(
                f"unknown class {klass!r} in rulebook {self.rulebook.id}", field="--class"
            )

    def _title(self, what: str, category: str | None, klass: str | None, final: bool) -> str:
        filt = " · ".join(x for x in (category, klass) if x)
        return (
            f"{self.name} — {what}"
            + (f" · {filt}" if filt else "")
            + (" · FINAL" if final else " · PROVISIONAL")
        )

    # -- queries -----------------------------------------------------------------------------------
    def stage(
        self, n: int, special: bool = False, category: str | None = None, klass: str | None = None
    ) -> Table:
        """Stage ``n``'s ranking (``special=True``: its special section's), optionally of one
        category or class (positions renumbered)."""
        from raidcontrol.classification import classify_special, classify_stage

        self._check_filters(category, klass)
        live = self._session.live
        if live is not None:  # kept up to date record by record: equal to a recomputation
            lines = (live.special if special else live.stage)(n, category=category, klass=klass)
        else:
            lines = (classify_special if special else classify_stage)(
                self.event, self.rulebook, n, category=category, klass=klass
            )
        what = f"stage {n} {'special' if special else 'stage'} ranking"
        return classification_table(
            lines, title=self._title(what, category, klass, self.event.stages[n].final)
        )

    def general(
        self, after: int | None = None, category: str | None = None, klass: str | None = None
    ) -> Table:
        """The general classification after stage ``after`` (default: the last stage with results)."""
        from raidcontrol.classification import classify_general, counted_stages, last_stage

        self._check_filters(category, klass)
        n = last_stage(self.event) if after is None else after
        live = self._session.live
        lines = (
            live.general(n, category=category, klass=klass)
            if live is not None
            else classify_general(self.event, self.rulebook, n, category=category, klass=klass)
        )
        final = all(self.event.stages[s].final for s in counted_stages(self.event, n))
        return classification_table(
            lines,
            title=self._title(f"general classification after stage {n}", category, klass, final),
        )

    def explain(self, bib: int, stage: int, *, evidence: bool = True) -> Table:
        """How crew ``bib``'s time in ``stage`` is made: each term with its reason and evidence, the
        total, its remark, its waypoint splits and its place in the special and stage rankings."""
        from raidcontrol.classification import classify_special, classify_stage, crew_time

        ev, rb = self.event, self.rulebook
        if bib not in ev.entries:
            raise InputError(f"unknown bib {bib}", field="--bib")
        if stage not in ev.stages:
            raise InputError(f"stage {stage} is not in the event", field="--stage")
        e = ev.entries[bib]
        title = (
            f"#{bib} {e.driver} / {e.codriver} — {e.brand} {e.model} ({e.category}, {e.klass}) — "
            f"stage {stage}: {ev.stages[stage].name}"
        )
        remark = ev.remarks.get(bib)
        ct = crew_time(ev, rb, stage, bib, "stage")
        rankings = []
        for scope, fn in (("special", classify_special), ("stage", classify_stage)):
            line = next((ln for ln in fn(ev, rb, stage) if ln.bib == bib), None)
            if line is not None and line.position is not None:
                rankings.append((scope, line))
        table = explain_table(
            ct.parts if ct else (),
            (ct.time_ms, ct.status) if ct and ct.time_ms is not None else None,
            remark=remark.flag if remark else "",
            splits=ev.splits.get((stage, bib), []),
            rankings=rankings,
            title=title,
        )
        return (
            table
            if evidence
            else table.select([c.name for c in table.columns if c.name != "evidence"])
        )

    def penalties(self, status: str | None = None, stage: int | None = None) -> Table:
        """Penalties proposed by tracking or scrutineering, with the stewards' decisions;
        ``status``: only the proposed, confirmed or dismissed ones."""
        from raidcontrol.tracking.proposals import proposal_lines

        if status is not None and status not in PENALTY_STATES:
            raise InputError(
                f"unknown status {status!r} (one of {', '.join(PENALTY_STATES)})", field="--status"
            )
        lines = [
            ln for ln in proposal_lines(self.state, stage) if status is None or ln.state == status
        ]
        return penalties_table(
            lines, title="Proposed penalties" + (f" · {status}" if status else "")
        )

    def scrutineering(self) -> Table:
        """The Stock verdicts in force, with what each does to the classification."""
        return scrutineering_table(self.event, self.state)

    def entries(self) -> Table:
        """The crews, with their eligibility and remarks."""
        return entries_table(self.event)

    def itinerary(self) -> Table:
        """The stages: special length, maximum time, whether each counts and is final."""
        return itinerary_table(self.event)

    # -- writing -----------------------------------------------------------------------------------
    def record(
        self, records: list[Record] | Callable[[JournalState], list[Record]]
    ) -> list[Record]:
        """Append records to the journal in one transaction (a decision, a verdict, a time from the
        live service) and refresh this handle's state (as of now); returns them as written.  A
        function of the state instead of a list is called with the state read under the event's
        write lock (the read and the append are one atomic step)."""
        if not self._owns_store:
            raise InputError(
                "an as-of view is read-only: record through the handle that opened the event",
                field="as_of",
            )
        return self._session.record(records)

    def refresh(self) -> OpenEvent:
        """Read the folder again and append what changed (as when the event was opened)."""
        if not self._owns_store:
            raise InputError("an as-of view is read-only", field="as_of")
        from raidcontrol.core.journal import changes
        from raidcontrol.io.event_folder import read_event_folder

        _, desired = read_event_folder(self.folder)
        self.record(lambda state: changes(state, desired))
        return self

    # -- lifetime ----------------------------------------------------------------------------------
    def close(self) -> None:
        if self._owns_store:
            self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_event(
    path: str | Path,
    db: str | None = None,
    *,
    as_of: str | datetime | None = None,
    store: Store | None = None,
    sync: bool = True,
    folder_records: list[Record] | None = None,
) -> OpenEvent:
    """Open the event folder ``path``: validate it, sync it into the journal, fold it as of ``as_of``.

    db: a SQLAlchemy URL (default: ``$RAIDCONTROL_DB``, else a SQLite file in the folder);
    store: any object with the journal protocol (:class:`~raidcontrol.store.Store`: ``append``,
        ``records_since``, ``close``) instead;
    sync: False reads the journal as it is, without appending the folder's changes;
    folder_records: the folder's records already read and validated (``read_event_folder``), so
        that a caller that validated several folders first does not read them twice.
    """
    session = EventSession.open(
        path,
        db_url=db,
        as_of=as_moment(as_of, "--as-of"),
        sync=sync,
        store=store,
        desired=folder_records,
    )
    return OpenEvent(session)
