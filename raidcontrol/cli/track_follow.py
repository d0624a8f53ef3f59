"""Live tracking commands on the ``track`` group: ``follow`` (ingest fixes as they arrive and
propose provable penalties), ``replay`` (feed a recorded stage into a drop folder at N× real
time) and ``positions`` (the live positions and the virtual ranking).  Heavy modules are
imported inside the commands."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from raidcontrol.cli import common
from raidcontrol.cli.common import OutputFormat, emit
from raidcontrol.core.errors import InputError


def _proposal_table(records):
    """The records as a table of proposal events (the JSON lines' fields, ``amount`` a duration)."""
    from raidcontrol.live_stage import proposal_event
    from raidcontrol.tables import Column, Table

    columns = (
        Column("id", "int", description="the journal record's id"),
        Column("key", "str", description="the proposal's subject"),
        Column("bib", "int"),
        Column("code", "str", description="the finding's code"),
        Column("action", "str", description="proposed, revised or withdrawn"),
        Column("supersedes", "int", description="the record this one replaces"),
        Column("amount", "duration", description="the penalty proposed"),
        Column("reason", "str"),
    )
    events = [proposal_event(r) for r in records]
    rows = [
        tuple(ev.get("amount_ms" if c.name == "amount" else c.name) for c in columns)
        for ev in events
    ]
    return Table(columns, rows)


def _print_records(records, fmt: OutputFormat, *, header: bool = False) -> None:
    """One line per record: a coloured line (table), a JSON line (json) or a CSV row (csv, with
    ``amount_ms``; the header only when ``header``)."""
    from raidcontrol.core.timefmt import format_duration
    from raidcontrol.live_stage import proposal_event

    if fmt is OutputFormat.csv:
        text = _proposal_table(records).to_csv(ms=True)
        sys.stdout.write(text if header else text.split("\n", 1)[1])
        sys.stdout.flush()
        return
    for r in records:
        ev = proposal_event(r)
        if fmt is OutputFormat.json:
            sys.stdout.write(json.dumps(ev, ensure_ascii=False) + "\n")
            continue
        colour = {"proposed": "yellow", "revised": "cyan", "withdrawn": "green"}[ev["action"]]
        amount = f" {format_duration(ev['amount_ms'])}" if "amount_ms" in ev else ""
        err = f" — {ev['reason']}" if "reason" in ev else ""
        from rich.console import Console
        from rich.markup import escape

        Console().print(
            f"[{colour}]{ev['action']:>9}[/] #{ev['id']} bib {ev['bib']} {ev['code']}{amount}{escape(err)}",
            highlight=False,
        )
    sys.stdout.flush()


def follow_cmd(
    event_dir: Annotated[
        Path, typer.Argument(help="The event folder (with roadbooks/stage-N.gpx).")
    ],
    source: Annotated[
        Path,
        typer.Argument(
            help="A folder the provider drops fix files into (.csv, .jsonl, .arrow, "
            ".parquet), or a growing .csv/.jsonl file."
        ),
    ],
    stage: Annotated[int, typer.Option("--stage", help="The stage being run.")],
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Journal database URL (default: the event folder's SQLite file, or $RAIDCONTROL_DB).",
        ),
    ] = None,
    poll: Annotated[
        float, typer.Option("--poll", help="Seconds between two looks at SOURCE.")
    ] = 1.0,
    idle: Annotated[
        float | None,
        typer.Option(
            "--idle",
            help="Stop after this many seconds without a new fix (default: follow until Ctrl-C).",
        ),
    ] = None,
    close: Annotated[
        bool,
        typer.Option(
            "--close/--no-close",
            help="When stopping, close the stage: every finding "
            "becomes provable (the proposals then equal 'track scan').",
        ),
    ] = False,
    fmt: Annotated[
        OutputFormat,
        typer.Option(
            "--format",
            help="table (one line per proposal), csv (one row per proposal) or json (JSON lines).",
        ),
    ] = OutputFormat.table,
    pictures: Annotated[
        bool,
        typer.Option(
            "--pictures/--no-pictures", help="Draw each proposal's picture under evidence/stage-N/."
        ),
    ] = True,
) -> None:
    """Follow a stage live: ingest fixes as they arrive (validated, stored, idempotent by bib and
    time), re-check the crews and record each finding as a proposed penalty as soon as it is
    provable; a late fix that changes a finding revises or withdraws its proposal.

    A refused batch (bad fix) prints FILE:LINE: field: message and is skipped; the exit code is then 2."""
    from raidcontrol.io.fix_source import open_source
    from raidcontrol.live_stage import LiveStage

    src = open_source(source)
    live = LiveStage.open(event_dir, stage, db, pictures=pictures)
    try:
        _print_records(live.restored, fmt, header=True)
        held = sum(c.n for c in live.live.crews.values())
        common.err_console.print(
            f"following stage {stage} from {source} ({held:,} fixes stored); Ctrl-C to stop"
        )
        try:
            refused = _follow(live, src, poll, idle, fmt)
        except KeyboardInterrupt:
            refused = 0
        if close:
            _print_records(live.close(), fmt)
            common.err_console.print(f"stage {stage} closed: the proposals are final")
    finally:
        live.shut()
    if refused:
        raise typer.Exit(2)


def _follow(live, src, poll: float, idle: float | None, fmt: OutputFormat) -> int:
    """Poll the source until idle for ``idle`` seconds (forever when None); returns the files refused."""
    from raidcontrol.io.fix_batch import merge_fleets, parse_fixes

    refused = 0
    last_new = time.monotonic()
    while idle is None or time.monotonic() - last_new < idle:
        fleets = []
        for chunk in src.poll():  # each file validated alone: a bad one is refused alone
            try:
                fleets.append(parse_fixes(chunk.data, chunk.content_type, chunk.name))
            except InputError as exc:
                refused += 1
                common.err_console.print(
                    f"[bold red]refused:[/] {chunk.locate(exc).located()}", highlight=False
                )
        if fleets:  # everything that arrived since the last look: one batch
            result = live.add(merge_fleets(fleets))
            if result.kept:
                last_new = time.monotonic()
            _print_records(result.records, fmt)
        time.sleep(poll)
    return refused


def replay_cmd(
    event_dir: Annotated[Path, typer.Argument(help="The event folder with tracks/stage-N.*.")],
    stage: Annotated[int, typer.Option("--stage", help="The stage to replay.")],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into", help="The drop folder to write fix files into ('track follow' reads it)."
        ),
    ] = None,
    post: Annotated[
        str | None,
        typer.Option(
            "--post",
            help="Or the service's root URL: each batch is POSTed to "
            "/api/v1/tracking/fixes (token in $RAIDCONTROL_TOKEN).",
        ),
    ] = None,
    speed: Annotated[
        float, typer.Option("--speed", help="Times real time (0: as fast as possible).")
    ] = 10.0,
    step: Annotated[
        float,
        typer.Option("--step", help="Seconds of wall time per batch (of stage time at --speed 0)."),
    ] = 1.0,
    close: Annotated[
        bool,
        typer.Option(
            "--close/--no-close",
            help="With --post: close the stage on the service at the end (every finding becomes "
            "provable; the proposals then equal 'track scan').",
        ),
    ] = False,
) -> None:
    """Replay a recorded stage's tracks as the trackers would deliver them: in time order, one CSV
    batch per step, at --speed times real time — into a drop folder (files written under a .part
    name and renamed, so a follower never reads half a file) or POSTed to the service."""
    from raidcontrol.io.stage_files import stage_files
    from raidcontrol.io.tracks import read_fleet

    if (into is None) == (post is None):
        raise InputError("give exactly one of --into DIR and --post URL", field="--into")
    if close and post is None:
        raise InputError(
            "--close needs --post ('track follow --close' closes a drop folder's stage)",
            field="--close",
        )
    _, tracks = stage_files(event_dir, stage)
    fleet = read_fleet(tracks)
    send = _drop_into(into, stage) if into is not None else _post_to(post, stage)
    n = replay(fleet, send, speed, step)
    common.err_console.print(f"replayed {n:,} fixes of stage {stage} into {into or post}")
    if close:
        send.close()
        common.err_console.print(f"stage {stage} closed on {post}")


def replay(fleet, send, speed: float, step: float, started=None) -> int:
    """Send a fleet's fixes as :func:`replay_batches` cuts them: batch ``k`` (its CSV text) goes to
    ``send(k, rows)`` at ``(k + 1) × step`` seconds of wall time after the start (at once when
    ``speed`` is 0), so a fix of stage time ``t`` is sent by ``t0 + (t − t0) / speed + step``.
    ``started(wall0, t0_ms)`` is told the start (``time.monotonic()``) and the first fix's time —
    the clock that maps wall time to stage time.  Returns the fixes sent."""
    from raidcontrol.io.fix_replay import replay_batches

    wall0 = time.monotonic()
    if started is not None and len(fleet):
        started(wall0, int(fleet.t_ms.min()))
    n = 0
    for k, (_, rows) in enumerate(replay_batches(fleet, speed, step)):
        if speed > 0:
            time.sleep(max(0.0, wall0 + (k + 1) * step - time.monotonic()))
        send(k, rows)
        n += rows.count("\n") - 1
    return n


def _drop_into(into: Path, stage: int):
    into.mkdir(parents=True, exist_ok=True)

    def send(k: int, rows: str) -> None:
        part = into / f".stage-{stage}-{k:06d}.csv.part"
        part.write_text(rows)
        part.rename(into / f"stage-{stage}-{k:06d}.csv")

    return send


def _post_to(url: str, stage: int, transport=None):
    """A sender POSTing each batch to the service (``transport``: for tests)."""
    import os

    import httpx

    client = httpx.Client(
        base_url=url.rstrip("/"),
        transport=transport,
        timeout=60.0,
        headers={
            "Authorization": f"Bearer {os.environ.get('RAIDCONTROL_TOKEN', '')}",
            "Content-Type": "text/csv",
        },
    )

    def send(k: int, rows: str) -> None:
        answer = client.post(
            "/api/v1/tracking/fixes", params={"stage": stage}, content=rows.encode()
        )
        if answer.status_code != 200:
            raise InputError(
                f"the service refused batch {k}: {answer.status_code} {answer.text[:300]}", file=url
            )

    def close() -> None:
        answer = client.post("/api/v1/tracking/close", params={"stage": stage})
        if answer.status_code != 200:
            raise InputError(
                f"the service did not close the stage: {answer.status_code} {answer.text[:300]}",
                file=url,
            )

    send.close = close  # type: ignore[attr-defined]
    return send


def positions_cmd(
    event_dir: Annotated[Path, typer.Argument(help="The event folder.")],
    stage: Annotated[int, typer.Option("--stage", help="The stage.")],
    at: Annotated[
        str | None, typer.Option("--at", help="As of this moment (ISO 8601; default: now).")
    ] = None,
    delay: Annotated[
        str | None,
        typer.Option(
            "--delay",
            help="Public delay H:MM:SS (default: the rulebook's tracking.live.public_delay).",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.table,
    db: Annotated[str | None, typer.Option("--db", help="Journal database URL.")] = None,
    map_png: Annotated[
        Path | None, typer.Option("--map", help="Also draw the positions on a map (PNG).")
    ] = None,
) -> None:
    """Live positions and the virtual ranking from the stored fixes: each crew's latest position,
    km on the special, last waypoint validated and running time there, the gap to the best crew
    at that waypoint — hidden for the public delay."""
    from raidcontrol.core.timefmt import TimeFormatError, parse_datetime, parse_duration
    from raidcontrol.live_stage import LiveStage
    from raidcontrol.tracking.live.positions import POSITION_HEADER, position_rows

    try:
        now = int(parse_datetime(at).timestamp() * 1000) if at else None
    except TimeFormatError as exc:
        raise InputError(str(exc), field="--at") from None
    try:
        delay_ms = parse_duration(delay) if delay else None
    except TimeFormatError as exc:
        raise InputError(str(exc), field="--delay") from None
    live = LiveStage.open(event_dir, stage, db, publish=False)
    try:
        found = live.positions(now, delay_ms)
        shown = live.live.params.public_delay_ms if delay_ms is None else delay_ms
        if map_png is not None:
            from raidcontrol.io.positions_map import draw_positions

            draw_positions(live.live.roadbook, found, map_png, f"Stage {stage}: live positions")
    finally:
        live.shut()
    from raidcontrol.core.timefmt import format_duration

    emit(
        POSITION_HEADER,
        position_rows(found),
        fmt,
        title=f"Stage {stage}: live positions (delay {format_duration(shown)})",
    )


def register(track_app: typer.Typer) -> None:
    track_app.command("follow")(follow_cmd)
    track_app.command("replay")(replay_cmd)
    track_app.command("positions")(positions_cmd)
