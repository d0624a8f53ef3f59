"""What the application needs from a journal store (a ``typing.Protocol``).

:class:`~raidcontrol.store.sql.JournalStore` (SQLite, PostgreSQL) and
:class:`~raidcontrol.store.memory.MemoryJournal` (tests, tools) implement it; code that only
needs a journal (the HTTP service, the session, the incremental classification) takes a
:class:`Journal` and runs on either.

The contract, on every implementation:

* ``append`` is all-or-nothing and exactly-once: a record whose :attr:`Record.identity`
  (content and what it supersedes) is already stored for the event is not written again and
  not returned; every record written gets the next position (``id``, ascending in commit
  order) and the append's timestamp.  NaN, infinities, NUL characters and invalid Unicode are
  refused with :class:`~raidcontrol.core.errors.InputError` before anything is written.
* ``idempotency_key``: a key already used for this event returns the records the first
  call recorded (possibly none) and appends nothing — safe retries over a network.
* ``transact(compute)`` reads the state and appends ``compute(state)`` as one atomic step:
  no other writer to the event can come between the read and the append.
* ``records_since(position)`` returns the records after a position, in position order, so
  a follower (a checkpoint, a live classification, a server process) reads only what is new.

:class:`Store` is the small part an open event needs (append, read since a position, close);
:class:`Journal` is the whole contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable

from raidcontrol.core.journal import JournalState, Record


@runtime_checkable
class Store(Protocol):
    """The small protocol an open event needs (as httpx takes a transport): append, read since a
    position, close.  A test or the service may pass any object with these."""

    event_key: str

    def append(
        self, records: Iterable[Record], *, idempotency_key: str | None = None
    ) -> list[Record]:
        """Append in one transaction; returns the records written (ids and timestamps filled in)."""
        ...

    def records_since(self, position: int) -> list[Record]:
        """The records after ``position`` (0: all), in position order."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...


@runtime_checkable
class Journal(Store, Protocol):
    """One event's append-only journal: the small protocol and what the stores offer beyond it."""

    def transact(
        self,
        compute: Callable[[JournalState], list[Record]],
        *,
        idempotency_key: str | None = None,
    ) -> list[Record]:
        """Fold the state and append what ``compute`` returns for it, atomically."""
        ...

    def append_once(
        self, records: Iterable[Record], idempotency_key: str
    ) -> tuple[list[Record], bool]:
        """``append`` with an idempotency key → (the records, whether the key was used already)."""
        ...

    def recorded_for(self, idempotency_key: str) -> list[Record] | None:
        """What an append with this key wrote, or ``None`` if the key was never used."""
        ...

    def records(self, kinds: Iterable[str] | None = None) -> list[Record]:
        """Every record of the event (of ``kinds`` if given), in position order."""
        ...

    def position(self) -> int:
        """The position (id) of the last record; 0 when there is none."""
        ...

    def get(self, record_id: int) -> Record | None:
        """One record by id (``None`` if it is not this event's)."""
        ...

    def state(self, as_of: datetime | None = None) -> JournalState:
        """The records in force at ``as_of`` (now when ``None``)."""
        ...


def state_of(store: Store, as_of: datetime | None = None) -> JournalState:
    """The records in force at ``as_of`` in any store (its own ``state`` when it has one)."""
    own = getattr(store, "state", None)
    if own is not None:
        return own(as_of)
    from raidcontrol.core.journal import fold

    return fold(store.records_since(0), as_of)


def transact(store: Store, compute: Callable[[JournalState], list[Record]]) -> list[Record]:
    """Append ``compute(state)``: atomically when the store has ``transact``, else read then append
    (enough for a store with one writer, such as a test's)."""
    own = getattr(store, "transact", None)
    if own is not None:
        return list(own(compute))
    return store.append(compute(state_of(store)))
