"""Event commands: convert-official, classify, explain, demo (all through :func:`raidcontrol.open_event`).

Only typer and the shared CLI plumbing are imported at start-up; the event API, the store
(SQLAlchemy) and the importers load inside the commands.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from raidcontrol.cli.common import (
    AsOf,
    Db,
    EventDir,
    Format,
    OutputFormat,
    console,
    parse_as_of,
    show,
)
from raidcontrol.core.errors import InputError

if TYPE_CHECKING:
    from raidcontrol.event import OpenEvent
    from raidcontrol.tables import Table


def convert_official_cmd(
    src: Annotated[
        Path, typer.Argument(help="Folder of the organiser's saved live-timing responses (JSON).")
    ],
    out: Annotated[Path, typer.Argument(help="Event folder to write (created if missing).")],
    decisions: Annotated[
        Path | None,
        typer.Option(
            "--decisions",
            help="CSV of known decisions the data does not show "
            "(stage,bib,kind,amount,scope,reason,included).",
        ),
    ] = None,
    fmt: Format = OutputFormat.table,
) -> None:
    """Convert the organiser's live-timing data into an event folder (entries, itinerary, times,
    penalties, credits, waypoint splits, withdrawals).  The summary: one row per file kind."""
    from raidcontrol.io.official import convert_official

    counts = convert_official(src, out, decisions)
    if fmt is OutputFormat.table:
        console().print(
            f"wrote event folder [bold]{out}[/]: "
            + ", ".join(f"{v} {k}" for k, v in counts.items())
        )
        return
    show(counts_table(counts, out), fmt)


def counts_table(counts: dict[str, int], out: Path) -> "Table":
    from raidcontrol.tables import Column, Table

    cols = (
        Column("what", "str", "", "what was written (entries, stages, times …)"),
        Column("count", "int", "", "how many"),
    )
    return Table(cols, tuple(counts.items()), f"wrote event folder {out}")


def _open(event_dir: Path, db: str | None, as_of: str | None) -> "OpenEvent":
    from raidcontrol.event import open_event

    return open_event(event_dir, db, as_of=parse_as_of(as_of))


def classification(
    ev: "OpenEvent",
    stage: int | None,
    special: bool,
    general: bool,
    after: int | None,
    category: str | None,
    klass: str | None,
) -> "Table":
    """The table ``classify`` prints (its options checked)."""
    if general == (stage is not None):
        raise InputError("give exactly one of --stage N or --general", field="--stage")
    if special and stage is None:
        raise InputError("--special goes with --stage N", field="--special")
    if after is not None and not general:
        raise InputError("--after goes with --general", field="--after")
    if stage is None:
        return ev.general(after, category=category, klass=klass)
    return ev.stage(stage, special=special, category=category, klass=klass)


def classify_cmd(
    event_dir: EventDir,
    stage: Annotated[
        int | None, typer.Option("--stage", help="Stage number (0 = prologue): the stage ranking.")
    ] = None,
    special: Annotated[
        bool, typer.Option("--special", help="With --stage: the special section's ranking.")
    ] = False,
    general: Annotated[bool, typer.Option("--general", help="The general classification.")] = False,
    after: Annotated[
        int | None,
        typer.Option(
            "--after",
            help="With --general: after this stage (default: the last stage with results).",
        ),
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Only this category (positions renumbered).")
    ] = None,
    klass: Annotated[
        str | None, typer.Option("--class", help="Only this class (positions renumbered).")
    ] = None,
    fmt: Format = OutputFormat.table,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="CSV: also the columns eligibility, remarks, time_ms, gap_ms, penalty_ms (always there "
            "when a scrutineering verdict is in force; JSON always has them).",
        ),
    ] = False,
    as_of: AsOf = None,
    db: Db = None,
) -> None:
    """Print a classification: a stage (--stage N), its special (--stage N --special), or the general (--general).

    CSV columns: position,bib,driver,category,class,time,gap,penalty,status; then, when the event has
    scrutineering verdicts in force (or with --wide), eligibility,remarks,time_ms,gap_ms,penalty_ms.
    """
    from raidcontrol.tables.results import CSV_NAMES, carries_eligibility

    with _open(event_dir, db, as_of) as ev:
        table = classification(ev, stage, special, general, after, category, klass)
        verdicts = carries_eligibility(ev.event.remarks)
    if fmt is OutputFormat.csv and not (wide or verdicts):
        table = table.select(CSV_NAMES)
    show(table, fmt, ms=fmt is OutputFormat.csv and len(table.columns) > len(CSV_NAMES))


def explain_cmd(
    event_dir: EventDir,
    bib: Annotated[int, typer.Option("--bib", help="Race number.")],
    stage: Annotated[int, typer.Option("--stage", help="Stage number.")],
    as_of: AsOf = None,
    db: Db = None,
    evidence: Annotated[
        bool,
        typer.Option(
            "--evidence",
            help="Also print each penalty's evidence (the fixes, times, distances and speeds behind it).",
        ),
    ] = False,
    fmt: Format = OutputFormat.table,
) -> None:
    """Explain how one crew's time in one stage was made: raw time, each penalty and credit with its
    reason and evidence picture, the forfeit, the waypoint splits, and where it ranks.

    CSV/JSON: one row per line (kind: remark, part, total, split, ranking), with the evidence column
    when --evidence is given."""
    with _open(event_dir, db, as_of) as ev:
        table = ev.explain(bib, stage, evidence=evidence or fmt is OutputFormat.table)
    if fmt is OutputFormat.table:
        print_explanation(table, event_dir, evidence)
    else:
        show(table, fmt, ms=fmt is OutputFormat.csv)


def print_explanation(table: "Table", event_dir: Path, evidence: bool) -> None:
    """The human form of ``explain``: heading, remark, the terms, splits and rankings."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    from raidcontrol.core.timefmt import format_duration

    out = console()
    out.print(f"[bold]{escape(table.title)}[/]", highlight=False)
    rows = table.to_records()
    for r in rows:
        if r["kind"] == "remark":
            out.print(f"[yellow]remark:[/] {escape(r['term'])}")
    terms = [r for r in rows if r["kind"] in ("part", "total")]
    if not terms:
        out.print("no time record for this crew in this stage")
        return
    grid = RichTable(header_style="bold")
    grid.add_column("term")
    grid.add_column("time", justify="right")
    grid.add_column("reason / evidence")
    for r in terms:
        picture = f"picture: {event_dir / r['picture']}" if r["picture"] else ""
        why = escape("; ".join(x for x in (r["reason"] or "", picture) if x))
        if r["kind"] == "total":
            grid.add_row("[bold]stage time[/]", f"[bold]{format_duration(r['time'])}[/]", why)
        else:
            grid.add_row(escape(r["term"]), format_duration(r["time"]), why)
    out.print(grid)
    proofs = [r for r in terms if r.get("evidence")]
    if evidence:
        for r in proofs:
            out.print(f"[bold]evidence[/] of {escape(r['term'])} (journal record {r['record']}):")
            out.print_json(json.dumps(r["evidence"], ensure_ascii=False, default=str))
    elif proofs:
        out.print(
            "[dim]--evidence prints the fixes, times, distances and speeds behind each penalty[/]"
        )
    splits = [r for r in rows if r["kind"] == "split"]
    if splits:
        out.print(
            "waypoint splits (elapsed, rank): "
            + " · ".join(
                f"{r['term']} {format_duration(r['time'])}"
                + (f" ({r['position']})" if r["position"] else "")
                for r in splits
            )
        )
    for r in rows:
        if r["kind"] == "ranking":
            out.print(
                f"{r['term']}: {r['position']} in {format_duration(r['time'])} "
                f"(gap {format_duration(r['gap'])}, penalties {format_duration(r['penalty'])})"
            )


DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def demo_cmd(
    data: Annotated[
        Path, typer.Option("--data", help="The organiser's Dakar 2025 data folder.")
    ] = DATA_DIR / "dakar2025_api_cache",
    decisions: Annotated[
        Path, typer.Option("--decisions", help="Known decisions the data does not show.")
    ] = DATA_DIR / "dakar2025-decisions.csv",
    out: Annotated[Path, typer.Option("--out", help="Event folder to write.")] = Path(
        "out/dakar2025"
    ),
    top: Annotated[int, typer.Option("--top", help="How many lines of the stage ranking.")] = 10,
) -> None:
    """Import the real Dakar 2025 data and print its classifications, category leaders and two
    explanations, all through the Python API (raidcontrol.open_event)."""
    from raidcontrol.event import open_event
    from raidcontrol.io.official import convert_official

    say = console()
    counts = convert_official(data, out, decisions if decisions.is_file() else None)
    say.print(
        f"[bold]Imported[/] the organiser's Dakar 2025 data into {out}: "
        + ", ".join(f"{v} {k}" for k, v in counts.items())
    )
    with open_event(out) as ev:
        from raidcontrol.classification import last_stage

        n = last_stage(ev.event)
        stage = ev.stage(n)
        show(
            stage.head(top).with_title(f"{ev.name} — stage {n} ranking, top {top} of {len(stage)}"),
            OutputFormat.table,
        )
        leaders = None
        for category in ev.rulebook.section("categories"):
            top3 = ev.general(n, category=category).head(3)
            leaders = top3 if leaders is None else leaders.concat(top3)
        if leaders is not None:
            show(
                leaders.with_title(f"General classification after stage {n} — top 3 per category"),
                OutputFormat.table,
            )
        special = dict(
            zip(
                ev.stage(n, special=True).values("bib"),
                ev.stage(n, special=True).values("position"),
            )
        )
        moved = [
            b for b, p in zip(stage.values("bib"), stage.values("position")) if p != special.get(b)
        ]
        say.print(
            f"\n{len(moved)} crews rank differently in the special and the stage: penalties outside the "
            "special count in the stage only."
        )
        picks = [stage.values("bib")[0]] + [
            a.bib for a in ev.event.adjustments if a.stage == n and a.scope == "stage"
        ][:1]
        for bib in picks:
            say.print(f"\n[dim]$ raidcontrol explain {out} --bib {bib} --stage {n}[/]")
            print_explanation(ev.explain(bib, n), out, False)
    say.print(
        f"\nEvery table as CSV or JSON: [dim]raidcontrol classify {out} --general --format csv[/]",
        soft_wrap=True,
    )
    say.print(
        f"From Python: [dim]raidcontrol.open_event({str(out)!r}).general().to_csv()[/]",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    app.command("convert-official")(convert_official_cmd)
    app.command("classify")(classify_cmd)
    app.command("explain")(explain_cmd)
    app.command("demo")(demo_cmd)
