"""Event commands: convert-official, classify, explain, demo."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from raidcontrol.classification import (
    CSV_HEADER,
    ClassLine,
    classify_general,
    classify_special,
    classify_stage,
    crew_time,
    last_stage,
)
from raidcontrol.cli.common import OutputFormat, emit, parse_as_of
from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import format_duration
from raidcontrol.io.official import convert_official
from raidcontrol.session import EventSession

console = Console()


def _fmt(ms: int | None) -> str:
    return "" if ms is None else format_duration(ms)


def line_row(line: ClassLine) -> list:
    return [
        line.position if line.position is not None else "",
        line.bib,
        line.driver,
        line.category,
        line.klass,
        _fmt(line.time_ms),
        _fmt(line.gap_ms),
        format_duration(line.penalty_ms),
        line.status,
    ]


def convert_official_cmd(
    src: Path = typer.Argument(
        ..., help="Folder of the organiser's saved live-timing responses (JSON)."
    ),
    out: Path = typer.Argument(..., help="Event folder to write (created if missing)."),
    decisions: Path | None = typer.Option(
        None,
        "--decisions",
        help="CSV of known decisions the data does not show "
        "(stage,bib,kind,amount,scope,reason,included).",
    ),
) -> None:
    """Convert the organiser's live-timing data into an event folder (entries, itinerary, times,
    penalties, credits, waypoint splits, withdrawals)."""
    counts = convert_official(src, out, decisions)
    console.print(
        f"wrote event folder [bold]{out}[/]: " + ", ".join(f"{v} {k}" for k, v in counts.items())
    )


def classify_cmd(
    event_dir: Path = typer.Argument(..., help="The event folder."),
    stage: int | None = typer.Option(
        None, "--stage", help="Stage number (0 = prologue): the stage ranking."
    ),
    special: bool = typer.Option(
        False, "--special", help="With --stage: the special section's ranking instead."
    ),
    general: bool = typer.Option(False, "--general", help="The general classification."),
    after: int | None = typer.Option(
        None,
        "--after",
        help="With --general: after this stage (default: the last stage with results).",
    ),
    category: str | None = typer.Option(
        None, "--category", help="Only this category (positions renumbered)."
    ),
    klass: str | None = typer.Option(
        None, "--class", help="Only this class (positions renumbered)."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Compute as of this moment of the journal (ISO 8601)."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Journal database URL (default: a SQLite file in the event folder, or $RAIDCONTROL_DB).",
    ),
) -> None:
    """Print a classification: a stage (--stage N), its special (--stage N --special), or the general (--general)."""
    if general == (stage is not None):
        raise InputError("give exactly one of --stage N or --general", field="--stage")
    if special and stage is None:
        raise InputError("--special goes with --stage N", field="--special")
    if after is not None and not general:
        raise InputError("--after goes with --general", field="--after")
    session = EventSession.open(event_dir, db_url=db, as_of=parse_as_of(as_of))
    ev, rb = session.event, session.rulebook
    categories = rb.section("categories")
    if category is not None and category not in categories:
        raise InputError(
            f"unknown category {category!r} (known: {', '.join(categories)})", field="--category"
        )
    if klass is not None and not any(klass in c.get("classes", []) for c in categories.values()):
        raise InputError(f"unknown class {klass!r} in rulebook {rb.id}", field="--class")
    kw = dict(category=category, klass=klass, effects=session.effects)
    if general:
        n = last_stage(ev) if after is None else after
        lines = (
            session.live.general(n, category=category, klass=klass)
            if session.live
            else classify_general(ev, rb, n, **kw)
        )
        title = f"{ev.name} — general classification after stage {n}"
        final = all(
            ev.stages[s].final for s in ev.stages if s <= n and ev.stages[s].counts_for_general
        )
    else:
        lines = (
            getattr(session.live, "special" if special else "stage")(
                stage, category=category, klass=klass
            )
            if session.live
            else (classify_special if special else classify_stage)(ev, rb, stage, **kw)
        )
        title = f"{ev.name} — stage {stage} {'special' if special else 'stage'} ranking"
        final = ev.stages[stage].final
    filt = " · ".join(x for x in (category, klass) if x)
    title += (f" · {filt}" if filt else "") + (" · FINAL" if final else " · PROVISIONAL")
    flagged = {i for i, ln in enumerate(lines) if ln.flags}
    rows = [line_row(ln) for ln in lines]
    if fmt is OutputFormat.table:
        rows = [r + ["; ".join(ln.flags)] for r, ln in zip(rows, lines)]
        emit(list(CSV_HEADER) + ["remarks"], rows, fmt, title=title, highlight_rows=flagged)
    else:
        emit(CSV_HEADER, rows, fmt)


def explain_cmd(
    event_dir: Path = typer.Argument(..., help="The event folder."),
    bib: int = typer.Option(..., "--bib", help="Race number."),
    stage: int = typer.Option(..., "--stage", help="Stage number."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="As of this moment of the journal (ISO 8601)."
    ),
    db: str | None = typer.Option(None, "--db", help="Journal database URL."),
    evidence: bool = typer.Option(
        False, "--evidence", help="Also print each penalty's full evidence (JSON)."
    ),
) -> None:
    """Explain how one crew's time in one stage was made: raw time, each penalty and credit with its
    reason and evidence picture, the forfeit, the waypoint splits, and where it ranks."""
    session = EventSession.open(event_dir, db_url=db, as_of=parse_as_of(as_of))
    ev, rb = session.event, session.rulebook
    if bib not in ev.entries:
        raise InputError(f"unknown bib {bib}", field="--bib")
    if stage not in ev.stages:
        raise InputError(f"stage {stage} is not in the event", field="--stage")
    entry = ev.entries[bib]
    console.print(
        f"[bold]#{bib} {escape(entry.driver)}[/] / {escape(entry.codriver)} — {escape(entry.brand)} "
        f"{escape(entry.model)} ({entry.category}, {entry.klass}) — stage {stage}: {escape(ev.stages[stage].name)}"
    )
    effect = session.effects.get(bib)
    if effect is not None and effect.flag:
        console.print(f"[yellow]remark:[/] {escape(effect.flag)}")
    ct = crew_time(ev, rb, stage, bib, "stage")
    if ct is None:
        console.print("no time record for this crew in this stage")
        return
    table = Table(header_style="bold")
    table.add_column("term")
    table.add_column("time", justify="right")
    table.add_column("reason / evidence")
    details = []
    for part in ct.parts:
        proof = part.adjustment.evidence if part.adjustment is not None else None
        picture = (
            f"picture: {event_dir / proof['picture']}" if proof and proof.get("picture") else ""
        )
        if proof:
            details.append((part, proof))
        table.add_row(
            escape(part.label),
            format_duration(part.ms),
            escape("; ".join(x for x in (part.reason, picture) if x)),
        )
    if ct.time_ms is not None:
        table.add_row(
            "[bold]stage time[/]", f"[bold]{format_duration(ct.time_ms)}[/]", f"status: {ct.status}"
        )
    console.print(table)
    if evidence:
        for part, proof in details:
            console.print(
                f"[bold]evidence[/] of {escape(part.label)} (journal record {part.adjustment.record_id}):"
            )
            console.print_json(json.dumps(proof, ensure_ascii=False, default=str))
    elif details:
        console.print(
            "[dim]--evidence prints the fixes, times, distances and speeds behind each penalty[/]"
        )
    splits = ev.splits.get((stage, bib), [])
    if splits:
        console.print(
            "waypoint splits (elapsed, rank): "
            + " · ".join(
                f"{sp.waypoint} {format_duration(sp.elapsed_ms)}"
                + (f" ({sp.position})" if sp.position else "")
                for sp in splits
            )
        )
    for scope, fn in (("special", classify_special), ("stage", classify_stage)):
        line = next((ln for ln in fn(ev, rb, stage) if ln.bib == bib), None)
        if line is not None and line.position is not None:
            console.print(
                f"{scope} ranking: {line.position} in {_fmt(line.time_ms)} (gap {_fmt(line.gap_ms)}, "
                f"penalties {format_duration(line.penalty_ms)})"
            )


DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def demo_cmd(
    data: Path = typer.Option(
        DATA_DIR / "dakar2025_api_cache", "--data", help="The organiser's Dakar 2025 data folder."
    ),
    decisions: Path = typer.Option(
        DATA_DIR / "dakar2025-decisions.csv",
        "--decisions",
        help="Known decisions the data does not show.",
    ),
    out: Path = typer.Option(Path("out/dakar2025"), "--out", help="Event folder to write."),
    top: int = typer.Option(10, "--top", help="How many lines of the stage ranking."),
) -> None:
    """Import the real Dakar 2025 data and print its classifications, category leaders and two explanations."""
    counts = convert_official(data, out, decisions if decisions.is_file() else None)
    console.print(
        f"[bold]Imported[/] the organiser's Dakar 2025 data into {out}: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    session = EventSession.open(out)
    ev, rb = session.event, session.rulebook
    n = last_stage(ev)
    stage_lines = classify_stage(ev, rb, n)
    emit(
        CSV_HEADER,
        [line_row(ln) for ln in stage_lines[:top]],
        OutputFormat.table,
        title=f"{ev.name} — stage {n} ranking, top {top} of {len(stage_lines)}",
    )
    leaders = []
    for category in rb.section("categories"):
        lines = classify_general(ev, rb, n, category=category, effects=session.effects)
        leaders += [line_row(ln) for ln in lines[:3]]
    emit(
        CSV_HEADER,
        leaders,
        OutputFormat.table,
        title=f"General classification after stage {n} — top 3 per category",
    )
    special = {ln.bib: ln.position for ln in classify_special(ev, rb, n)}
    moved = [ln for ln in stage_lines if ln.position != special.get(ln.bib)]
    console.print(
        f"\n{len(moved)} crews rank differently in the special and the stage: penalties outside the special count in the stage only."
    )
    picks = [stage_lines[0].bib] + [
        a.bib for a in ev.adjustments if a.stage == n and a.scope == "stage"
    ][:1]
    for bib in picks:
        console.print(f"\n[dim]$ raidcontrol explain {out} --bib {bib} --stage {n}[/]")
        explain_cmd(out, bib, n, None, None, False)
    console.print(
        f"\nEvery table as CSV or JSON: [dim]raidcontrol classify {out} --general --format csv[/]"
    )


def register(app: typer.Typer) -> None:
    app.command("convert-official")(convert_official_cmd)
    app.command("classify")(classify_cmd)
    app.command("explain")(explain_cmd)
    app.command("demo")(demo_cmd)
