"""Proposed penalties count only once confirmed; explain shows their evidence."""

from __future__ import annotations

import csv
import io

from raidcontrol.core.journal import Record
from raidcontrol.session import EventSession
from tests.conftest import make_event


def _times(cli, folder):
    code, out, err = cli("classify", folder, "--stage", "1", "--format", "csv")
    assert code == 0, err
    return {r["bib"]: (r["time"], r["penalty"]) for r in csv.DictReader(io.StringIO(out))}


def test_only_confirmed_proposals_count_and_explain_shows_evidence(cli, tmp_path):
    ev = make_event(
        tmp_path / "e",
        times="""
        1,200,10:00:00,14:00:00,finished
        1,201,10:00:00,14:01:00,finished
    """,
    )
    session = EventSession.open(ev)
    proposal, other = session.record(
        [
            Record(
                "penalty-proposed",
                "1/200/speeding-DZ1",
                {
                    "stage": 1,
                    "bib": 200,
                    "amount_ms": 120_000,
                    "scope": "special",
                    "reason": "speeding in zone DZ1: 77 km/h in a 50 km/h zone",
                    "evidence": {
                        "zone": "DZ1",
                        "max_speed_kmh": 77.0,
                        "picture": "evidence/stage-1/200-DZ1.png",
                    },
                },
                author="tracking",
                origin="tracking",
            ),
            Record(
                "penalty-proposed",
                "1/201/WP3-missed",
                {
                    "stage": 1,
                    "bib": 201,
                    "amount_ms": 900_000,
                    "scope": "special",
                    "reason": "missed WPM WP3",
                    "evidence": {},
                },
                author="tracking",
                origin="tracking",
            ),
        ]
    )
    assert _times(cli, ev) == {
        "200": ("4:00:00", "0:00:00"),
        "201": ("4:01:00", "0:00:00"),
    }  # proposed: nothing counts
    session.record(
        [
            Record(
                "penalty-decision",
                str(proposal.id),
                {"decision": "confirmed", "reason": "", "proposal": proposal.id},
                author="Clerk of the Course",
                origin="stewards",
            ),
            Record(
                "penalty-decision",
                str(other.id),
                {"decision": "dismissed", "reason": "GPS fault", "proposal": other.id},
                author="Stewards",
                origin="stewards",
            ),
        ]
    )
    assert _times(cli, ev) == {"200": ("4:02:00", "0:02:00"), "201": ("4:01:00", "0:00:00")}
    code, out, _ = cli("explain", ev, "--bib", "200", "--stage", "1")
    text = " ".join(out.split())
    assert (
        code == 0
        and "speeding in zone DZ1" in text
        and "200-DZ1.png" in text
        and "77.0" not in text
    )
    code, out, _ = cli("explain", ev, "--bib", "200", "--stage", "1", "--evidence")
    assert '"max_speed_kmh": 77.0' in out
    # A decision taken back on appeal: a later decision record supersedes it.
    session.record(
        [
            Record(
                "penalty-decision",
                str(proposal.id),
                {"decision": "dismissed", "reason": "appeal upheld", "proposal": proposal.id},
                author="Stewards",
                origin="stewards",
            )
        ]
    )
    assert _times(cli, ev)["200"] == ("4:00:00", "0:00:00")


def test_a_confirmed_did_not_finish_finding_makes_a_forfeit(cli, tmp_path):
    ev = make_event(
        tmp_path / "e",
        times="""
        1,200,10:00:00,14:00:00,finished
        1,201,10:00:00,14:01:00,finished
    """,
    )
    session = EventSession.open(ev)
    (share,) = session.record(
        [
            Record(
                "penalty-proposed",
                "1/200/share",
                {
                    "stage": 1,
                    "bib": 200,
                    "code": "share",
                    "amount_ms": 0,
                    "scope": "special",
                    "status": "did-not-finish",
                    "reason": "validated 4 of 8 waypoints (50%): under the minimum share, did not finish",
                    "evidence": {},
                },
                author="tracking",
                origin="tracking",
            )
        ]
    )
    assert _times(cli, ev)["200"] == ("4:00:00", "0:00:00")
    session.record(
        [
            Record(
                "penalty-decision",
                str(share.id),
                {"decision": "confirmed", "reason": "", "proposal": share.id},
                author="Clerk",
                origin="stewards",
            )
        ]
    )
    assert _times(cli, ev)["200"] == ("20:00:00", "10:00:00")  # max 10 h + fixed 10 h
    _code, out, _ = cli("explain", ev, "--bib", "200", "--stage", "1")
    assert "validated 4 of 8 waypoints" in " ".join(out.split())
