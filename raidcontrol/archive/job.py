"""``archive check`` end to end, without the terminal: partitions → Dask → findings, diff, effect, files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from raidcontrol.archive import output
from raidcontrol.archive.diff import crew_deltas, diff_findings
from raidcontrol.archive.layout import Archive
from raidcontrol.archive.rules import rule_sets
from raidcontrol.archive.run import JobResult, run_check
from raidcontrol.archive.summary import SUMMARY_HEADER, summary_rows
from raidcontrol.archive.task import PartitionResult
from raidcontrol.core.errors import InputError

WHAT_IF_FILES = (
    "findings-what-if",
    "summary-what-if.csv",
    "diff.parquet",
    "diff.csv",
    "crews.csv",
    "classification.csv",
    "standings.csv",
    "notes.txt",
)


@dataclass
class Outcome:
    """Everything a check produced (the what-if parts are empty without overrides)."""

    job: JobResult
    summary: list[list]
    what_if: dict = field(default_factory=dict)
    diff: pa.Table | None = None
    summary_what_if: list[list] = field(default_factory=list)
    classification: list[list] = field(default_factory=list)
    standings: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _categories(season_file) -> dict[int, dict[int, str]]:
    from raidcontrol.io.event_folder import read_event_folder

    out = {}
    for rnd, folder in season_file.folders.items():
        _, records = read_event_folder(folder)
        out[rnd] = {
            r.payload["bib"]: r.payload["category"]
            for r in records
            if r.kind == "entry" and r.payload
        }
    return out


def _by_round(table: pa.Table) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for row in table.to_pylist():
        out.setdefault(row["round"], []).append(row)
    return out


def _effect(outcome: Outcome, season_file, rounds: list[int], db_url: str | None) -> None:
    """The what-if's effect on each round's classification and on the standings."""
    from raidcontrol.archive.effect import (
        SeasonContext,
        classification_changes,
        round_notes,
        sides,
        standings_changes,
    )
    from raidcontrol.championship.rules import championship_rules
    from raidcontrol.rounds import open_rounds

    numbers = [n for n in rounds if n in season_file.folders]
    last = max(numbers, default=0)
    every = sorted(
        n for n in season_file.folders if n <= last
    )  # the standings count every round run
    opened = open_rounds(season_file, every, db_url=db_url)
    before, after, skipped = sides(
        opened, _by_round(outcome.job.findings[0]), _by_round(outcome.job.findings[1]), set(numbers)
    )
    for a, b in zip(before, after):
        if a.round.number in numbers:
            outcome.classification += classification_changes(a.round.number, a, b)
    ctx = SeasonContext(
        season_file.season, championship_rules(season_file.rulebook()), season_file.identities, last
    )
    outcome.standings = standings_changes(ctx, before, after)
    outcome.notes += round_notes(season_file.season, set(rounds), set(numbers))
    outcome.notes += [
        f"round {n}: {k} finding(s) of stages or bibs the event does not have could not count"
        for n, k in sorted(skipped.items())
        if k
    ]
    if last:
        outcome.notes.append(
            f"standings after round {last} ({season_file.season.rounds[last - 1].name})"
        )


def check_season(
    season_file,
    archive: Archive,
    rounds: list[int] | None,
    what_if: dict,
    client,
    on_result: Callable[[PartitionResult], None] | None = None,
    db_url: str | None = None,
    scheduler: str = "",
) -> Outcome:
    """Check the archive's partitions of ``rounds`` (all: None) under the rules in force and, with
    ``what_if``, under the overrides too; compare and work out the effect."""
    partitions = archive.partitions(rounds)
    if not partitions:
        raise InputError(
            "no fixes in the archive"
            + (f" for rounds {rounds}" if rounds else "")
            + ": add stages with 'raidcontrol archive add' or 'raidcontrol archive simulate'",
            file=str(archive.root),
        )
    present = sorted({p.round for p in partitions})
    sets = rule_sets({n: archive.rules_in_force(n) for n in present}, what_if)
    job = run_check(client, archive, partitions, sets, on_result, scheduler)
    cats = _categories(season_file)
    outcome = Outcome(job, summary_rows(job.findings[0], season_file.season, cats), what_if)
    if what_if:
        outcome.diff = diff_findings(job.findings[0], job.findings[1])
        outcome.summary_what_if = summary_rows(job.findings[1], season_file.season, cats)
        _effect(outcome, season_file, present, db_url)
    return outcome


def write_outcome(outcome: Outcome, out: Path) -> None:
    """Every file of ``archive check`` into ``out`` (see :mod:`raidcontrol.archive.output`)."""
    from raidcontrol.archive.effect import CLASSIFICATION_HEADER, STANDINGS_HEADER

    out.mkdir(parents=True, exist_ok=True)
    job = outcome.job
    output.write_findings(job.findings[0], out / "findings")
    output.write_csv(out / "summary.csv", SUMMARY_HEADER, outcome.summary)
    output.write_csv(
        out / "failures.csv", ("partition", "error"), [(e.label, e.error) for e in job.errors]
    )
    output.write_json(
        out / "job.json",
        {
            "scheduler": job.scheduler,
            "workers": job.workers,
            "partitions": len(job.partitions),
            "failed": len(job.errors),
            "fixes": job.fixes,
            "seconds": round(job.seconds, 3),
            "overrides": outcome.what_if,
            "findings": job.findings[0].num_rows,
        },
    )
    if outcome.diff is None:
        output.remove_stale(out, WHAT_IF_FILES)  # a previous what-if's files would mislead
        return
    output.write_findings(job.findings[1], out / "findings-what-if")
    output.write_csv(out / "summary-what-if.csv", SUMMARY_HEADER, outcome.summary_what_if)
    output.write_table(outcome.diff, out / "diff")
    output.write_csv(
        out / "crews.csv",
        ("round", "stage", "bib", "delta_ms", "dnf"),
        [(d.round, d.stage, d.bib, d.penalty_ms, d.dnf) for d in crew_deltas(outcome.diff)],
    )
    output.write_csv(out / "classification.csv", CLASSIFICATION_HEADER, outcome.classification)
    output.write_csv(out / "standings.csv", STANDINGS_HEADER, outcome.standings)
    (out / "notes.txt").write_text("".join(f"{n}\n" for n in outcome.notes), encoding="utf-8")
