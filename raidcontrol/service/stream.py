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
    def __init__(self, view: EventView):
        self.view = view
        self.recent: deque[tuple[int, str]] = deque(maxlen=KEEP)
        self.floor = view.position          # every change after ``floor`` is in ``recent``
        self.published = view.position
        self._wake = asyncio.Event()

    def publish(self, changes: list[Change]) -> None:
        """Make ``changes`` (in position order) known to every subscriber; call in the event loop."""
        fresh = [c for c in changes if c.position > self.published]
        if not fresh:
            return
        for ch in fresh:
            if len(self.recent) == self.recent.maxlen:
                self.floor = self.recent[0][0]
            self.recent.append((ch.position, json.dumps(ch.message(), separators=(",", ":"))))
        self.published = fresh[-1].position
        woken, self._wake = self._wake, asyncio.Event()
        woken.set()

    def _pending(self, last: int) -> list[tuple[int, str]] | None:
        """The retained changes after ``last`` (None when some are no longer retained)."""
        if last < self.floor:
            return None
        out = []
        for item in reversed(self.recent):
            if item[0] <= last:
                break
            out.append(item)
        out.reverse()
        return out

    def _from_journal(self, last: int) -> list[tuple[int, str]]:
        return [(c.position, json.dumps(c.message(), separators=(",", ":"))) for c in self.view.changes_after(last)]

    async def events(self, last: int | None) -> AsyncIterator[dict]:
        """The stream of one subscriber: the backlog after ``last``, then every new change."""
        last = self.published if last is None else last
        while True:
            wake = self._wake
            pending = self._pending(last)
            if pending is None:
                pending = self._from_journal(last)
            if not pending:
                await wake.wait()
                continue
            for position, data in pending:
                yield {"id": str(position), "event": EVENT_NAME, "data": data}
                last = position
