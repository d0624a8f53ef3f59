"""Push: one Server-Sent Event per journal change, the journal position as its id.

:class:`Hub` keeps the last changes (``KEEP``) as ready-made JSON and wakes every
subscriber at once when new ones arrive.  A subscriber that sends ``Last-Event-ID: N``
(or ``?last_event_id=N``) first gets every change after N, read from the journal — so a
reconnect after a dropped link, or after a server restart, misses nothing.  Idle streams
get a heartbeat comment every ``heartbeat_s`` seconds.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator

from raidcontrol.service.feed import Change
from raidcontrol.service.view import EventView

KEEP = 1024
EVENT_NAME = "change"


class Hub:
    """Changes numbered in the order this process folded them (``seq``): a change that committed late
    on PostgreSQL (a lower position than one already pushed) is still pushed to every subscriber."""

    def __init__(self, view: EventView):
        self.view = view
        self.recent: deque[tuple[int, int, str]] = deque(maxlen=KEEP)  # (seq, position, JSON)
        self.seq = 0
        self._wake = asyncio.Event()

    def publish(self, changes: list[Change]) -> None:
        """Make ``changes`` known to every subscriber; call in the event loop (each change once)."""
        if not changes:
            return
        for ch in sorted(changes, key=lambda c: c.position):
            self.seq += 1
            self.recent.append(
                (self.seq, ch.position, json.dumps(ch.message(), separators=(",", ":")))
            )
        woken, self._wake = self._wake, asyncio.Event()
        woken.set()

    def _pending(self, seen: int) -> list[tuple[int, int, str]] | None:
        """The retained changes after ``seen`` (None when some of them are no longer retained)."""
        out = []
        for item in reversed(self.recent):
            if item[0] <= seen:
                return out[::-1]
            out.append(item)
        return out[::-1] if not out or out[-1][0] == seen + 1 else None

    def _from_journal(self, last: int) -> list[tuple[int, str]]:
        return [
            (c.position, json.dumps(c.message(), separators=(",", ":")))
            for c in self.view.changes_after(last)
        ]

    async def events(self, last: int | None) -> AsyncIterator[dict]:
        """The stream of one subscriber: the backlog after ``last`` (from the journal), then every new change."""
        seen, sent = self.seq, set()  # ``sent``: the backlog's positions only
        if last is not None:
            for position, data in self._from_journal(last):
                sent.add(position)
                yield {"id": str(position), "event": EVENT_NAME, "data": data}
                last = max(last, position)
        last = last or 0
        while True:
            wake = self._wake
            pending = self._pending(seen)
            if pending is None:  # fell behind more than KEEP changes: read the journal
                pending = [(self.seq, p, d) for p, d in self._from_journal(last)]
            if not pending:
                await wake.wait()
                continue
            for seq, position, data in pending:
                seen = max(seen, seq)
                if position in sent:  # already sent from the backlog
                    continue
                last = max(last, position)
                yield {"id": str(position), "event": EVENT_NAME, "data": data}
