"""``raidcontrol scrutineer``: Stock eligibility — check one car, report on an event, list
the production-reference library and the Stock rules.

Exit codes of ``check``: 0 eligible (with or without remarks) or experimental (the car
may run; the verdict is printed), 1 not eligible, 2 bad input.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from raidcontrol.cli.common import OutputFormat, emit
from raidcontrol.cli.common import console as _console
from raidcontrol.core.errors import InputError

if TYPE_CHECKING:
    from raidcontrol.stock.breach import Verdict

EXIT_NOT_ELIGIBLE = 1
DEFAULT_RULEBOOK = "fia-2026"


def _style(verdict: str) -> str:
    """The colour a verdict is printed in."""
    from raidcontrol.stock.breach import (
        ELIGIBLE,
        ELIGIBLE_WITH_REMARKS,
        EXPERIMENTAL,
        NOT_ELIGIBLE,
    )

    return {
        ELIGIBLE: "bold green",
        ELIGIBLE_WITH_REMARKS: "bold yellow",
        NOT_ELIGIBLE: "bold red",
        EXPERIMENTAL: "bold magenta",
    }[verdict]


BREACH_HEADER = (
    "rule",
    "subject",
    "measured",
    "allowed",
    "unit",
    "basis",
    "consequence",
    "penalty",
    "stage",
    "text",
)

scrutineer = typer.Typer(
    help="Stock eligibility: production references, scrutineering records, verdicts.",
    no_args_is_help=True,
)


def _event_dir_of(file: Path) -> Path | None:
    """The event folder a file ``EVENT_DIR/scrutineering/<bib>.toml`` belongs to, if any."""
    from raidcontrol.io.event_folder import EVENT_FILE
    from raidcontrol.io.scrutineering import SCRUTINEERING_DIR

    folder = file.resolve().parent
    if folder.name == SCRUTINEERING_DIR and (folder.parent / EVENT_FILE).is_file():
        return folder.parent
    return None


def breach_rows(verdict: Verdict) -> list[list]:
    from raidcontrol.core.timefmt import format_duration

    return [
        [
            b.rule_id,
            b.subject,
            b.measured,
            b.allowed,
            b.unit,
            b.basis,
            b.consequence,
            format_duration(b.penalty_ms) if b.penalty_ms else "",
            "" if b.stage is None else b.stage,
            b.text,
        ]
        for b in verdict.breaches
    ]


@scrutineer.command("check")
def check_cmd(
    file: Annotated[
        Path,
        typer.Argument(
            help="A scrutineering file (scrutineering/<bib>.toml): declaration and findings."
        ),
    ],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, json or csv (the breaches).")
    ] = OutputFormat.table,
    rulebook: Annotated[
        str | None,
        typer.Option(
            "--rulebook",
            help="Rulebook id (default: the event's when FILE is in an event folder, else "
            "fia-2026).",
        ),
    ] = None,
    references: Annotated[
        list[Path] | None,
        typer.Option(
            "--references",
            help="A folder of extra production-reference sheets (repeatable; EVENT_DIR/references is "
            "used automatically).",
        ),
    ] = None,
) -> None:
    """Check one Stock car against its production reference and the Stock rules.

    Exit code 0: eligible, eligible with remarks, or experimental (runs outside the Stock
    ranking); 1: not eligible; 2: bad input (file, line and field are named).
    """
    from raidcontrol.io.event_folder import read_event_toml
    from raidcontrol.io.scrutineering import EVENT_REFERENCES, check_file, load_library
    from raidcontrol.rules import load_rulebook
    from raidcontrol.stock.breach import NOT_ELIGIBLE

    event_dir = _event_dir_of(file)
    extra = list(references or [])
    if event_dir is not None:
        doc, event_book, _ = read_event_toml(event_dir)
        book = (
            event_book
            if rulebook in (None, doc["rulebook"])
            else load_rulebook(rulebook, doc.get("rules", {}))
        )
        extra.insert(0, event_dir / EVENT_REFERENCES)
    else:
        book = load_rulebook(rulebook or DEFAULT_RULEBOOK)
    if not file.is_file():
        raise InputError("no such file", file=str(file))
    record, verdict = check_file(file, book, load_library(extra))
    if fmt is OutputFormat.json:
        sys.stdout.write(
            json.dumps({"file": str(file), **verdict.payload()}, indent=1, ensure_ascii=False)
            + "\n"
        )
    elif fmt is OutputFormat.csv:
        emit(BREACH_HEADER, breach_rows(verdict), fmt)
    else:
        _print_verdict(record, verdict, book.id)
    if verdict.verdict == NOT_ELIGIBLE:
        raise typer.Exit(EXIT_NOT_ELIGIBLE)


def _print_verdict(record, verdict: Verdict, rulebook_id: str) -> None:
    from rich.panel import Panel
    from rich.table import Table

    lines = [
        f"[{_style(verdict.verdict)}]{verdict.verdict.upper()}[/]",
        f"car #{record.bib} · {record.team or '—'} · {record.crew or '—'}",
        f"production reference: {record.reference} · rulebook {rulebook_id}",
    ]
    if verdict.experimental_reason:
        lines.append(
            f"experimental: {verdict.experimental_reason} — runs, not classified in Stock, no points"
        )
    if record.has_findings:
        lines.append(f"scrutineer: {record.scrutineer} {record.date}")
    else:
        lines.append("declaration only (no scrutineers' findings yet)")
    _console().print(Panel("\n".join(lines), title="Stock eligibility", expand=False))
    if verdict.breaches:
        flagged = {i for i, b in enumerate(verdict.breaches) if b.consequence == "not-eligible"}
        emit(
            BREACH_HEADER[:-1],
            [r[:-1] for r in breach_rows(verdict)],
            OutputFormat.table,
            title="Breaches",
            highlight_rows=flagged,
        )
        for b in verdict.breaches:
            _console().print(
                f"[bold]{b.rule_id}[/] {b.text} [dim]({b.limit_source})[/]", highlight=False
            )
    for remark in verdict.remarks:
        _console().print(f"[yellow]remark:[/] {remark}", highlight=False)
    if verdict.seals:
        table = Table(title="Seals", header_style="bold")
        for col in ("part", "initial", "current", "changes", "checks"):
            table.add_column(col)
        for part, s in verdict.seals.items():
            table.add_row(
                part,
                s["initial"],
                s["current"],
                str(s["changes"]),
                str(s["checks"]),
                style="red" if s["changes"] else None,
            )
        _console().print(table)


@scrutineer.command("references")
def references_cmd(
    event_dir: Annotated[
        Path | None, typer.Option("--event", help="Also the sheets of EVENT_DIR/references.")
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.table,
) -> None:
    """List the production-reference library (one sheet per admitted production model).

    Shows each sheet's key figures and how many of its figures are assumptions.
    """
    from raidcontrol.io.scrutineering import EVENT_REFERENCES, load_library

    library = load_library([event_dir / EVENT_REFERENCES] if event_dir else [])
    header = (
        "id",
        "make",
        "model",
        "variant",
        "engine",
        "displacement_cc",
        "power_kw",
        "gearbox",
        "wheelbase_mm",
        "figures",
        "assumptions",
    )
    rows = []
    for sheet in library.values():
        f = sheet.figures
        rows.append(
            [
                sheet.id,
                sheet.make,
                sheet.model,
                sheet.variant,
                f"{f['engine.code'].value} {f['engine.layout'].value} {f['engine.induction'].value}",
                f["engine.displacement_cc"].value,
                f["engine.power_kw"].value,
                f"{f['driveline.gears'].value}-speed {f['driveline.gearbox_type'].value}",
                f["dimensions.wheelbase_mm"].value,
                len(f),
                sum(1 for x in f.values() if x.is_assumption),
            ]
        )
    emit(header, rows, fmt, title="Production-reference library (Stock)")


@scrutineer.command("rules")
def rules_cmd(
    rulebook: Annotated[str, typer.Option("--rulebook", help="Rulebook id.")] = DEFAULT_RULEBOOK,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.table,
) -> None:
    """List the Stock rules: id, group, text, limits and their sources."""
    from raidcontrol.core.timefmt import format_duration
    from raidcontrol.rules import load_rulebook
    from raidcontrol.stock.rules import GROUPS, LIMIT_KEYS, stock_rules

    rules = stock_rules(load_rulebook(rulebook))
    header = ("id", "group", "text", "areas", "checks", "limits", "consequence", "source")
    rows = [
        [
            rules.principle.id,
            "principle",
            rules.principle.text,
            "",
            "",
            "",
            rules.principle.consequence,
            rules.principle.source,
        ]
    ]
    for group in GROUPS:
        for r in rules.group(group):
            limits = "; ".join(f"{k} {v:g}" for k, v in r.limits.items() if k in LIMIT_KEYS)
            if r.tolerance_pct:
                limits = "; ".join(x for x in (limits, f"tolerance {r.tolerance_pct:g} %") if x)
            rows.append(
                [
                    r.id,
                    group,
                    r.text,
                    ", ".join(r.areas),
                    ", ".join(
                        (
                            *r.flags,
                            *r.figures,
                            *r.measures,
                            *r.dates,
                            *((f"check: {r.check}",) if r.check else ()),
                        )
                    ),
                    limits,
                    r.consequence,
                    r.source,
                ]
            )
    for seal in rules.seals.values():
        penalties = ", ".join(format_duration(p) for p in seal.penalties_ms)
        rows.append(
            [seal.id, "seals", seal.text, seal.part, "", penalties, seal.consequence, seal.source]
        )
    emit(
        header,
        rows,
        fmt,
        title=f"Stock rules — {rulebook} (any change not expressly allowed is forbidden)",
    )


@scrutineer.command("report")
def report_cmd(
    event_dir: Annotated[
        Path, typer.Argument(help="The event folder (its scrutineering/<bib>.toml files are read).")
    ],
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="table, csv or json.")
    ] = OutputFormat.table,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Where to write the HTML report (default: the event folder's report file, "
            "docs/stock.md).",
        ),
    ] = None,
    record: Annotated[
        bool,
        typer.Option("--record/--no-record", help="Store the verdicts in the event's journal."),
    ] = True,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Journal database URL (default: a SQLite file in the event "
            "folder, or $RAIDCONTROL_DB).",
        ),
    ] = None,
) -> None:
    """Verdicts of every Stock entry of an event: a table, a printable HTML report, the journal.

    The HTML report (breaches highlighted) is written into the event folder and its path
    printed.  The verdicts are recorded in the journal so that classify and explain show
    them; a changed seal's time penalty is proposed to the stewards.  Re-recording
    unchanged verdicts adds nothing.
    """
    from raidcontrol.core.timefmt import format_duration
    from raidcontrol.io.scrutineering import (
        EVENT_REFERENCES,
        SCRUTINEERING_DIR,
        load_library,
        read_event_scrutineering,
    )
    from raidcontrol.io.stock_report import (
        REPORT_FILE,
        ReportItem,
        render_report,
        seal_state,
        write_report,
    )
    from raidcontrol.session import (
        EventSession,
    )  # the journal (SQLAlchemy): only this command needs it
    from raidcontrol.stock.breach import ELIGIBLE
    from raidcontrol.stock.journal import desired_records, records_to_append
    from raidcontrol.stock.rules import stock_rules

    session = EventSession.open(event_dir, db_url=db)
    ev, rb = session.event, session.rulebook
    rules = stock_rules(rb)
    items = read_event_scrutineering(event_dir, rb, {b: e.category for b, e in ev.entries.items()})
    appended = []
    if record:
        desired = desired_records([(v, f"{SCRUTINEERING_DIR}/{p.name}") for _, v, p in items])
        appended = session.record(lambda state: records_to_append(state, desired))
    library = load_library([Path(event_dir) / EVENT_REFERENCES])
    by_bib = {r.bib: (r, v, p) for r, v, p in items}
    report: list[ReportItem] = []
    for bib in sorted(b for b, e in ev.entries.items() if e.category == rules.category):
        effect = session.effects.get(bib)
        flag = effect.flag if effect is not None else ""
        if bib in by_bib:
            r, v, p = by_bib[bib]
            report.append(
                ReportItem(
                    ev.entries[bib],
                    r,
                    v,
                    library[r.reference],
                    flag,
                    f"{SCRUTINEERING_DIR}/{p.name}",
                )
            )
        else:
            report.append(ReportItem(ev.entries[bib]))
    header = (
        "bib",
        "driver",
        "team",
        "reference",
        "verdict",
        "breaches",
        "penalties",
        "seals",
        "classification",
    )
    rows = []
    for it in report:
        v = it.verdict
        seals = "; ".join(f"{k}: {seal_state(s)}" for k, s in (v.seals.items() if v else ()))
        penalties = (
            ", ".join(
                f"{format_duration(p['amount_ms'])} after stage {p['stage']} (proposed)"
                for p in v.penalties
            )
            if v
            else ""
        )
        rows.append(
            [
                it.entry.bib,
                it.entry.driver,
                it.entry.team,
                it.record.reference if it.record else "",
                it.status,
                ", ".join(dict.fromkeys(b.rule_id for b in v.breaches)) if v else "",
                penalties,
                seals,
                it.flag or (f"ranked in {rules.category}" if v else ""),
            ]
        )
    out = html or Path(event_dir) / REPORT_FILE
    write_report(
        out,
        render_report(
            report,
            event_name=ev.name,
            rulebook=rb.id,
            category=rules.category,
            principle=f"{rules.principle.id}",
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        ),
    )
    if fmt is OutputFormat.table:
        flagged = {i for i, it in enumerate(report) if it.status != ELIGIBLE}
        emit(header, rows, fmt, title=f"{ev.name} — Stock scrutineering", highlight_rows=flagged)
        _console().print(
            f"HTML report: [bold]{out}[/]  ·  journal: {len(appended)} record(s) appended"
            + ("" if record else " (--no-record)"),
            highlight=False,
        )
    else:
        emit(header, rows, fmt)


def register(app: typer.Typer) -> None:
    app.add_typer(scrutineer, name="scrutineer")
