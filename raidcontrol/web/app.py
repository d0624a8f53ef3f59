"""A website-only application (the pages without the API), for a static mirror or tests; the
live service (``raidcontrol serve``) mounts the same router beside its API and stream."""

from __future__ import annotations

from pathlib import Path


def create_site_app(folder: str | Path, db: str | None = None):
    from fastapi import FastAPI

    from raidcontrol.web.pages import session_source, site_router, static_app

    app = FastAPI(title="raidcontrol results", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", static_app(), name="static")
    app.include_router(site_router(session_source(Path(folder), db)))
    return app
