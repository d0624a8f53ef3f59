"""Keeping in step with other writers of the same journal.

Another server process (or a command such as ``raidcontrol penalties confirm``) may append
to the journal.  The follower folds what it appended into this process's view and pushes it:
on PostgreSQL it ``LISTEN``s on ``raidcontrol_journal`` (every append is ``NOTIFY``-ed with
``'<event key>:<position>'``) and wakes at once; on every backend it also polls every
``poll_s`` seconds, so nothing is missed even without notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from starlette.concurrency import run_in_threadpool

from raidcontrol.service.stream import Hub
from raidcontrol.service.view import EventView
from raidcontrol.service.writer import CHANNEL

log = logging.getLogger("raidcontrol.service")


class Follower:
    def __init__(self, view: EventView, hub: Hub, poll_s: float, db_url: str):
        self.view, self.hub, self.poll_s, self.db_url = view, hub, poll_s, db_url
        self.wake = asyncio.Event()
        self.stopping = threading.Event()
        self.task: asyncio.Task | None = None
        self.listener: threading.Thread | None = None

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        if self.db_url.startswith("postgresql"):
            self.listener = threading.Thread(
                target=self._listen, args=(loop,), name="pg-listen", daemon=True
            )
            self.listener.start()
        self.task = loop.create_task(self._run())

    async def stop(self) -> None:
        self.stopping.set()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=self.poll_s)
            self.wake.clear()
            try:
                self.hub.publish(await run_in_threadpool(self.view.catch_up))
            except (
                Exception
            ):  # a dropped database connection must not end the stream: retry next round
                log.exception("could not read the journal; retrying")

    def _listen(self, loop: asyncio.AbstractEventLoop) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        conninfo = (
            make_url(self.db_url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        prefix = f"{self.view.store.event_key}:"
        while not self.stopping.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self.stopping.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.payload.startswith(prefix):
                                loop.call_soon_threadsafe(self.wake.set)
            except Exception:  # the server went away: reconnect (polling covers the gap)
                log.exception("LISTEN connection lost; reconnecting")
                self.stopping.wait(1.0)
