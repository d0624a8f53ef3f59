"""The application factory: ``create_app(settings)`` → a FastAPI app serving one event.

At start-up the event folder is validated and what changed in it is recorded (as every
command does), the journal is read into memory, and the follower starts.  Routers are listed
in ``ROUTERS``; a new one (e.g. the live-tracking ingest, ``routes_tracking`` with
``POST /api/v1/tracking/fixes`` for the ``tracking`` role) is added with one line there.
"""

from __future__ import annotations

import importlib
import importlib.util
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from raidcontrol.core.errors import InputError
from raidcontrol.service.settings import Settings

ROUTERS = (
    "routes_read",
    "routes_season",
    "routes_officials",
    "routes_stream",
    "routes_timekeeper",
    "routes_steward",
    "routes_scrutineer",
    "routes_clerk",
    "routes_tracking",
)
DESCRIPTION = """Race control as a live service: every table of the event as JSON or CSV (`?format=csv` or
`Accept: text/csv`) with its journal position as `ETag`; officials' writes by role (bearer tokens from
`raidcontrol users add NAME --role ROLE`, each write with an `Idempotency-Key`); every journal change
pushed on `/api/v1/stream` (Server-Sent Events)."""


def open_journal(settings: Settings):
    """Validate and record the folder, read the journal: → (store, view)."""
    from raidcontrol.core.journal import folder_changes
    from raidcontrol.service.folder_sync import read_folder
    from raidcontrol.service.view import EventView
    from raidcontrol.store import JournalStore

    event_key, desired = read_folder(settings.event_dir)
    store = JournalStore(settings.db_url, event_key=event_key)
    view = EventView(store, season=settings.season is not None)
    view.catch_up()
    if settings.sync_folder:
        store.append(folder_changes(view.state, desired))
        view.catch_up()
    return store, view


def _errors(app: FastAPI) -> None:
    from raidcontrol.service.commands import FinalError

    def detail(err: InputError) -> dict:
        where = [x for x in ("body" if err.file == "body" else None, err.field) if x]
        out = {"loc": where or ["request"], "msg": err.message, "type": "value_error"}
        if err.line is not None:
            out["line"] = err.line
        return out

    @app.exception_handler(InputError)
    async def bad_input(_: Request, exc: InputError) -> JSONResponse:
        """422 in FastAPI's shape, one item per problem (``InputErrors`` carry several)."""
        return JSONResponse(
            {"detail": [detail(e) for e in getattr(exc, "errors", [exc])]}, status_code=422
        )

    @app.exception_handler(FinalError)
    async def final(_: Request, exc: FinalError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=409)


def _website(app: FastAPI, settings: Settings) -> None:
    """The public results website (``raidcontrol.web``) over the same in-memory state as the API."""
    from raidcontrol.web.pages import site_router, static_app
    from raidcontrol.web.views import Snapshot as PageSnapshot

    def source() -> PageSnapshot:
        snap = app.state.view.snapshot()
        last = snap.state.history[-1].recorded_at if snap.state.history else None
        return PageSnapshot(
            snap.event,
            snap.rulebook,
            snap.effects,
            snap.state,
            snap.position,
            settings.event_dir,
            last,
        )

    def championship(outlook: bool) -> object:
        from raidcontrol.service.tables_season import standings

        return standings(
            app.state.view.snapshot(),
            settings.season,
            settings.event_dir,
            settings.db_url,
            None,
            "drivers",
            outlook,
        )

    def live_positions(stage: int):
        from raidcontrol.service.routes_tracking import page_positions

        return page_positions(app, stage)

    app.mount("/static", static_app(), name="static")
    app.include_router(
        site_router(source, championship if settings.season else None, live_positions)
    )


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from raidcontrol.service.follower import Follower
        from raidcontrol.service.stream import Hub
        from raidcontrol.service.users import Users
        from raidcontrol.service.writer import Writer

        store, view = open_journal(settings)
        app.state.settings, app.state.view = settings, view
        app.state.users, app.state.hub, app.state.writer = (
            Users(store.engine),
            Hub(view),
            Writer(view),
        )
        follower = Follower(view, app.state.hub, settings.poll_s, settings.db_url)
        follower.start()
        try:
            yield
        finally:
            await follower.stop()
            store.close()

    app = FastAPI(title="raidcontrol", version="1", description=DESCRIPTION, lifespan=lifespan)
    _errors(app)
    for name in ROUTERS:
        module = f"raidcontrol.service.{name}"
        if importlib.util.find_spec(module) is not None:  # a router not yet built is simply absent
            app.include_router(importlib.import_module(module).router)

    _website(app, settings)

    @app.get("/api/v1/health", tags=["read"])
    def health(request: Request) -> dict:
        """Liveness, and the journal position this process has reached."""
        return {"status": "ok", "position": request.app.state.view.position}

    return app
