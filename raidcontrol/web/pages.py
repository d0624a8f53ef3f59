"""The website's routes (FastAPI): server-rendered pages over a :class:`~raidcontrol.web.views.Snapshot`.

``site_router(source)`` builds the router; ``source()`` returns the snapshot in force (the
live service passes its in-memory state; ``session_source`` opens the event folder).  Every
classification page also answers ``?format=csv|json|pdf`` (the same lines as the page).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from raidcontrol.web import i18n, views
from raidcontrol.web.render import render

SnapshotSource = Callable[[], views.Snapshot]


class LivePositions(NamedTuple):
    """A stage's live positions for the page: its roadbook, the positions (virtual-ranking order,
    :func:`raidcontrol.tracking.live.positions.positions`) and the public delay applied (ms)."""

    roadbook: Any
    positions: list
    delay_ms: int


STREAM_URL = "/api/v1/stream"
DECISION_URL = "/api/v1/penalties/{id}/decision"  # the stewards' write API (routes_steward)
LIVE_REFRESH_S = 5  # the positions page refetches itself this often: fixes are not journal changes
TOP_IN_CHART = 10  # crews drawn in the gap chart (display choice)
LATEST_ON_HOME = 3  # podium lines on the home page (display choice)
NOTICES_ON_HOME = 5


def session_source(folder: Path, db: str | None = None) -> SnapshotSource:
    """A source that opens the event folder's journal for each request (for a server without
    the in-memory state, and for tests)."""

    def source() -> views.Snapshot:
        from raidcontrol.session import EventSession

        session = EventSession.open(folder, db_url=db)
        try:
            last = session.state.history[-1] if session.state.history else None
            return views.Snapshot(
                session.event,
                session.rulebook,
                session.effects,
                session.state,
                last.id if last and last.id else 0,
                folder,
                last.recorded_at if last else None,
            )
        finally:
            session.close()

    return source


def _translator(request: Request) -> i18n.Translator:
    """The visitor's language: the ``lang`` switch, its cookie, then ``Accept-Language``."""
    return i18n.Translator(
        i18n.choose(
            request.query_params.get("lang"),
            request.cookies.get("lang"),
            request.headers.get("accept-language"),
        )
    )


def _context(
    request: Request, snap: views.Snapshot, title: str, **extra: object
) -> dict[str, object]:
    t = _translator(request)
    lang = t.lang
    params = dict(request.query_params)

    def switch_query(code: str) -> str:
        return urlencode({**params, "lang": code})

    return {
        "t": t,
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "switch_query": switch_query,
        "title": title,
        "event_name": snap.event.name,
        "position": snap.position,
        "base": "",
        "stream_url": STREAM_URL,
        "updated_at": _when(snap.updated_at),
        **extra,
    }


def _when(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if dt else None


def _page(
    request: Request, template: str, snap: views.Snapshot, title: str, **extra: object
) -> HTMLResponse:
    ctx = _context(request, snap, title, **extra)
    response = HTMLResponse(render(template, **ctx))
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(
            "lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax"
        )
    response.headers["ETag"] = f'W/"{snap.position}-{ctx["lang"]}"'
    response.headers["Cache-Control"] = "no-cache"
    return response


def _filters(
    snap: views.Snapshot, category: str | None, klass: str | None
) -> tuple[str | None, str | None]:
    if category and category not in views.categories(snap):
        raise HTTPException(404, f"unknown category {category!r}")
    if klass and klass not in views.classes(snap, None):
        raise HTTPException(404, f"unknown class {klass!r}")
    return category or None, klass or None


def _filter_query(category: str | None, klass: str | None) -> str:
    q = {k: v for k, v in (("category", category), ("class", klass)) if v}
    return ("&" + urlencode(q)) if q else ""


def _download(
    fmt: str,
    snap: views.Snapshot,
    lines: list[views.Line],
    title: str,
    final: bool,
    request: Request,
) -> Response:
    from raidcontrol.tables.results import carries_eligibility
    from raidcontrol.web import downloads

    if fmt == "csv":
        csv = downloads.lines_csv(lines, carries_eligibility(snap.event.remarks))
        return Response(csv, media_type="text/csv; charset=utf-8")
    if fmt == "json":
        return Response(downloads.lines_json(lines), media_type="application/json")
    if fmt == "pdf":
        from raidcontrol.web.bulletin import bulletin_pdf

        return Response(
            bulletin_pdf(snap, lines, title, final, _translator(request).lang),
            media_type="application/pdf",
        )
    raise HTTPException(400, f"unknown format {fmt!r} (csv, json or pdf)")


def site_router(
    source: SnapshotSource,
    standings: Callable[[bool], object] | None = None,
    live_positions: Callable[[int], LivePositions] | None = None,
) -> APIRouter:
    """The website's routes over ``source``; ``standings(outlook)`` gives the season's standings (or
    its outlook) as a table with ``header`` and ``rows`` when the event belongs to a season;
    ``live_positions(stage)`` gives a stage's live positions (``roadbook``, ``positions``,
    ``delay_ms``; raises :class:`InputError` when the stage has no live tracking) when the server
    follows live tracking."""
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        snap = source()
        t = _translator(request)
        with_results = snap.event.stages_with_results()
        latest = views.stage_lines(snap, with_results[-1])[:LATEST_ON_HOME] if with_results else []
        notices = list(reversed(views.notices(snap)))[:NOTICES_ON_HOME]
        return _page(
            request,
            "home.html.j2",
            snap,
            t("home"),
            stages=views.itinerary(snap),
            latest=latest,
            latest_stage=with_results[-1] if with_results else None,
            notices=notices,
        )

    @router.get("/stage/{number}", response_class=HTMLResponse)
    def stage(
        request: Request,
        number: int,
        special: bool = False,
        category: str | None = None,
        klass: str | None = Query(None, alias="class"),
        format: str | None = None,
    ) -> Response:
        snap = source()
        if number not in snap.event.stages:
            raise HTTPException(404, f"no stage {number}")
        category, klass = _filters(snap, category, klass)
        lines = views.stage_lines(snap, number, special=special, category=category, klass=klass)
        t = _translator(request)
        st = snap.event.stages[number]
        title = f"{t('stage')} {number} — {t('special_ranking') if special else t('stage_ranking')}"
        title += "".join(f" · {x}" for x in (category, klass) if x)
        if format:
            return _download(format, snap, lines, title, st.final, request)
        return _page(
            request,
            "stage.html.j2",
            snap,
            title,
            stage=st,
            state=views.stage_state(snap, number),
            special=special,
            lines=lines,
            category=category,
            klass=klass,
            categories=views.categories(snap),
            classes=views.classes(snap, category),
            filter_query=_filter_query(category, klass),
            self_url=str(request.url.include_query_params()),
        )

    @router.get("/live/{number}", response_class=HTMLResponse)
    def live(request: Request, number: int) -> Response:
        from raidcontrol.core.errors import InputError

        snap = source()
        if number not in snap.event.stages:
            raise HTTPException(404, f"no stage {number}")
        t = _translator(request)
        rows, svg, delay_ms, problem = [], None, None, None
        if live_positions is None:
            problem = t("no_live_tracking")
        else:
            try:
                found = live_positions(number)
            except InputError as exc:
                problem = f"{t('no_live_tracking')} ({exc.message})"
            else:
                from raidcontrol.tracking.live.positions import position_rows
                from raidcontrol.tracking.live.route_km import roadbook_points
                from raidcontrol.web.maps import positions_map

                rb = found.roadbook
                delay_ms = found.delay_ms
                rows = [
                    dict(zip(("rank", "bib", "last_wp", "running", "gap", "km", "at"), r))
                    for r in position_rows(found.positions)
                ]
                for r in rows:
                    entry = snap.event.entries.get(r["bib"])
                    r["driver"] = entry.driver if entry is not None else ""
                svg = positions_map(
                    [(p.lat, p.lon) for p in roadbook_points(rb)],
                    [(w.name, w.lat, w.lon) for w in rb.waypoints],
                    [(z.name, z.start.lat, z.start.lon, z.end.lat, z.end.lon) for z in rb.zones],
                    [(p.bib, p.rank, p.lat, p.lon) for p in found.positions],
                    t("live_map", n=number),
                )
        return _page(
            request,
            "live.html.j2",
            snap,
            f"{t('stage')} {number} — {t('live_positions')}",
            stage=snap.event.stages[number],
            rows=rows,
            svg=svg,
            delay_ms=delay_ms,
            problem=problem,
            refresh_s=LIVE_REFRESH_S,
        )

    @router.get("/stewards", response_class=HTMLResponse)
    def stewards(request: Request, stage: int | None = None) -> Response:
        snap = source()
        if stage is not None and stage not in snap.event.stages:
            raise HTTPException(404, f"no stage {stage}")
        t = _translator(request)
        return _page(
            request,
            "stewards.html.j2",
            snap,
            t("stewards_board"),
            proposals=views.proposals(snap, stage),
            stage=stage,
            stages=snap.event.stage_numbers(),
            decision_url=DECISION_URL,
        )

    @router.get("/general", response_class=HTMLResponse)
    def general(
        request: Request,
        after: int | None = None,
        category: str | None = None,
        klass: str | None = Query(None, alias="class"),
        format: str | None = None,
    ) -> Response:
        snap = source()
        if after is not None and after not in snap.event.stages:
            raise HTTPException(404, f"no stage {after}")
        if not snap.event.stages:
            raise HTTPException(404, "the event has no stages")
        category, klass = _filters(snap, category, klass)
        after, lines = views.general_lines(snap, after, category=category, klass=klass)
        t = _translator(request)
        title = t("general_after", n=after) + "".join(f" · {x}" for x in (category, klass) if x)
        counted = views.counted_stages(snap.event, views.last_stage(snap.event))
        final = all(snap.event.stages[n].final for n in counted if n <= after)
        if format:
            return _download(format, snap, lines, title, final, request)
        chart = None
        stages, series = views.gap_series(snap, category, TOP_IN_CHART)
        if len(stages) > 1 and series:
            from raidcontrol.web.charts import gap_chart

            labels = {bib: f"#{bib} {snap.event.entries[bib].driver}" for bib in series}
            chart = gap_chart(stages, series, labels, t("gap_chart", n=len(series)))
        return _page(
            request,
            "general.html.j2",
            snap,
            title,
            lines=lines,
            after=after,
            counted=counted,
            state=views.FINAL if final else views.PROVISIONAL,
            category=category,
            klass=klass,
            categories=views.categories(snap),
            classes=views.classes(snap, category),
            chart=chart,
            chart_title=t("gap_chart", n=len(series)),
            filter_query=_filter_query(category, klass),
            self_url=str(request.url.include_query_params()),
        )

    @router.get("/crew/{bib}", response_class=HTMLResponse)
    def crew(request: Request, bib: int) -> Response:
        snap = source()
        entry = snap.event.entries.get(bib)
        if entry is None:
            raise HTTPException(404, f"no crew #{bib}")
        stages = views.crew_stages(snap, bib)
        t = _translator(request)
        for s in stages:
            for part in s.parts:
                if part["evidence"]:
                    from raidcontrol.web.evidence_maps import infringement_map

                    part["map"] = infringement_map(
                        snap.folder,
                        snap.rulebook,
                        s.number,
                        bib,
                        part["evidence"],
                        f"#{bib} {t('stage')} {s.number}: {part['label']}",
                    )
        stock = views.stock_category(snap)
        return _page(
            request,
            "crew.html.j2",
            snap,
            f"#{bib} {entry.driver}",
            entry=entry,
            stages=stages,
            verdict=views.scrutineering(snap).get(bib),
            remark=views.remark(snap, bib),
            is_stock=bool(stock) and entry.category == stock,
            points=None,
        )

    @router.get("/notices", response_class=HTMLResponse)
    def notices(request: Request) -> Response:
        snap = source()
        t = _translator(request)
        return _page(request, "notices.html.j2", snap, t("notices"), notices=views.notices(snap))

    @router.get("/stock", response_class=HTMLResponse)
    def stock(request: Request) -> Response:
        snap = source()
        t = _translator(request)
        category = views.stock_category(snap)
        lines = None
        if category and snap.event.stages_with_results():
            lines = views.general_lines(snap, None, category=category)[1]
        cars = views.stock_cars(snap, category)
        return _page(request, "stock.html.j2", snap, t("stock"), lines=lines, cars=cars)

    @router.get("/championship", response_class=HTMLResponse)
    def championship(request: Request) -> Response:
        snap = source()
        t = _translator(request)
        table = standings(False) if standings is not None else None
        outlook = standings(True) if standings is not None else None
        return _page(
            request, "championship.html.j2", snap, t("championship"), table=table, outlook=outlook
        )

    @router.get("/search", response_class=HTMLResponse)
    def search(request: Request, q: str = "") -> Response:
        snap = source()
        t = _translator(request)
        hits = [snap.event.entries[b] for b in views.search(snap, q)]
        return _page(request, "search.html.j2", snap, t("search_results", q=q), hits=hits, query=q)

    @router.get("/evidence/{path:path}")
    def evidence(path: str) -> Response:
        snap = source()
        root = (snap.folder / "evidence").resolve()
        target = (snap.folder / path).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            raise HTTPException(404, "no such picture")
        return FileResponse(target)

    return router


def static_app():
    """The website's static files (stylesheet and the live script)."""
    from importlib import resources

    from fastapi.staticfiles import StaticFiles

    return StaticFiles(directory=str(resources.files("raidcontrol.web") / "static"))
