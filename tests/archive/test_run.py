"""``archive check`` on a 2-worker local cluster of processes: parity with ``track check`` stage by
stage, an empty diff without overrides, a worker killed mid-run, a widened speed tolerance."""

from __future__ import annotations

import json
import os
import signal

import pyarrow.compute as pc
from typer.testing import CliRunner

from raidcontrol.archive.diff import diff_findings
from raidcontrol.archive.findings import findings_table, sort_findings
from raidcontrol.archive.layout import default_archive_dir, open_archive
from raidcontrol.archive.rules import rule_sets
from raidcontrol.archive.run import run_check
from raidcontrol.cli.main import app
from raidcontrol.core.timefmt import format_duration
from raidcontrol.io.openrally import read_roadbook
from raidcontrol.io.tracks import read_fleet
from raidcontrol.rules import load_rulebook
from raidcontrol.tracking.check import check_fleet
from raidcontrol.tracking.rules import TrackingRules
from tests.archive.conftest import BIBS_PER_PARTITION, CREWS, ROUNDS, STAGES, stage_files

TOLERANCE = 10.0  # km/h: between the simulator's +5 and +15 km/h excesses


def _archive(season):
    return open_archive(default_archive_dir(season))


def _run(client, season, what_if=None, on_result=None):
    archive = _archive(season)
    present = sorted({p.round for p in archive.partitions()})
    sets = rule_sets({n: archive.rules_in_force(n) for n in present}, what_if or {})
    return run_check(client, archive, archive.partitions(), sets, on_result, "processes")


def _stage(table, rnd, stage):
    return table.filter(pc.and_(pc.equal(table["round"], rnd), pc.equal(table["stage"], stage)))


def _from_json(crew: dict) -> dict:
    """What ``track check --format json`` says of a crew, in the findings' terms."""
    return {
        "missed": sorted((m["name"], m["penalty"]) for m in crew["missed"]),
        "speeding": sorted((s["zone"], s["excess_kmh"], s["penalty"]) for s in crew["speeding"]),
        "dnf": crew["did_not_finish"],
        "outages": len(crew["gaps"]),
        "spikes": len(crew["spikes"]),
    }


def _from_rows(rows: list[dict]) -> dict:
    by = {
        k: [r for r in rows if r["kind"] == k]
        for k in ("missed-waypoint", "speeding", "outage", "spike")
    }
    return {
        "missed": sorted(
            (r["name"], format_duration(r["penalty_ms"])) for r in by["missed-waypoint"]
        ),
        "speeding": sorted(
            (r["name"], round(r["excess_kmh"], 1), format_duration(r["penalty_ms"]))
            for r in by["speeding"]
        ),
        "dnf": any(r["kind"] == "did-not-finish" for r in rows),
        "outages": len(by["outage"]),
        "spikes": len(by["spike"]),
    }


def test_parity_with_track_check_stage_by_stage_and_an_empty_diff(sim_season, process_client):
    job = _run(process_client, sim_season)
    assert job.workers == 2 and not job.errors
    ranges = len(
        {bib // BIBS_PER_PARTITION for bib in range(1, CREWS + 1)}
    )  # bibs 1…40: 0-19, 20-39, 40-59
    assert len(job.partitions) == ROUNDS * STAGES * ranges
    findings = job.findings[0]
    rules = TrackingRules.from_rulebook(load_rulebook("fia-2026"))
    root = sim_season.parent
    for rnd in range(1, ROUNDS + 1):
        for stage in range(1, STAGES + 1):
            roadbook, tracks = stage_files(root, rnd, stage)
            res = CliRunner().invoke(
                app, ["track", "check", str(roadbook), str(tracks), "--format", "json"]
            )
            assert res.exit_code == 0, res.output
            crews = json.loads(res.output)["crews"]
            assert len(crews) == CREWS
            rows = _stage(findings, rnd, stage).to_pylist()
            for bib, crew in crews.items():
                assert _from_rows([r for r in rows if r["bib"] == int(bib)]) == _from_json(crew), (
                    rnd,
                    stage,
                    bib,
                )
            # and row for row, every value, the findings of the same kernel run in-process
            report = check_fleet(
                read_roadbook(roadbook, rules), read_fleet(tracks, sort_by_time=True), rules
            )
            assert _stage(findings, rnd, stage).equals(
                sort_findings(findings_table(rnd, stage, report))
            )
    kinds = set(findings["kind"].to_pylist())
    assert {"missed-waypoint", "speeding", "spike"} <= kinds  # the season has something to find
    assert diff_findings(findings, findings).num_rows == 0


def test_a_worker_killed_mid_run_changes_nothing(sim_season, process_client):
    reference = _run(process_client, sim_season).findings[0]
    pids = process_client.run(os.getpid)
    killed = []

    def kill_a_busy_worker(_result):
        if killed:
            return
        busy = [w for w, keys in process_client.processing().items() if keys and w in pids]
        if busy:
            os.kill(pids[busy[0]], signal.SIGKILL)
            killed.append(busy[0])

    job = _run(process_client, sim_season, on_result=kill_a_busy_worker)
    assert killed, "no worker was busy to be killed"
    assert not job.errors
    assert job.findings[0].equals(reference)


def test_a_wider_speed_tolerance_removes_exactly_the_findings_within_it(sim_season, process_client):
    job = _run(process_client, sim_season, {"tracking": {"speeding": {"tolerance_kmh": TOLERANCE}}})
    before, after = job.findings
    diff = diff_findings(before, after).to_pylist()
    speeding = [r for r in before.to_pylist() if r["kind"] == "speeding"]
    within = {
        (r["round"], r["stage"], r["bib"], r["code"])
        for r in speeding
        if r["excess_kmh"] <= TOLERANCE
    }
    assert within and len(within) < len(speeding)  # some go, some stay
    assert {(r["round"], r["stage"], r["bib"], r["code"]) for r in diff} == within
    assert all(r["change"] == "disappears" and r["delta_ms"] < 0 for r in diff)
    kept = before.num_rows - len(within)
    assert after.num_rows == kept


def test_rounds_without_an_event_folder_say_what_cannot_be_computed(sim_season, process_client):
    from raidcontrol.archive.job import check_season
    from raidcontrol.io.season import read_season

    season_file = read_season(sim_season)
    outcome = check_season(
        season_file,
        _archive(sim_season),
        [2],
        {"tracking": {"speeding": {"tolerance_kmh": 40}}},
        process_client,
    )
    assert set(outcome.job.findings[0]["round"].to_pylist()) == {2}
    assert outcome.diff.num_rows > 0 and outcome.classification == [] and outcome.standings == []
    assert outcome.notes == [
        "round 2 (Bravo): no event folder, so no classification or points to compare"
    ]
    assert {row[2] for row in outcome.summary} == {"?"}  # no entries: no category
