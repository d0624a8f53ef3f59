"""Live tracking against the running service at 10× real time (issue 14): a small simulated stage
is replayed by ``track replay``'s function, POSTed to a real ``raidcontrol serve`` on loopback, while
a subscriber on ``/api/v1/stream`` notes when each change arrives.  Every infringement the simulator
injected must be proposed, each within 5 s of stage time of the moment it became provable.

The moment a finding becomes provable is computed here from its definition, without the live
engine: for each fix time T of the crew, the batch check (``check_fleet``) on the crew's fixes up to
T, and the provability rule (``tracking/live/provable.py``) on that report — the first T whose
provable view holds the finding.  An arrival on the stream is converted to stage time with the
replay's clock: ``t0 + (arrival − start) × speed``."""

from __future__ import annotations

import threading
import time
import uuid

import numpy as np

from tests.service.conftest import EventReader, Server, token
from tests.service.live_sim import injected, write_live_event

SPEED = 10.0  # the issue: 10× real time
STEP_S = 0.1  # wall seconds per batch: one second of stage time at 10×
LATENCY_MS = 5_000  # the issue: proposed within 5 s (stage time) of becoming provable
SETTLE_S = 2.0  # wall time allowed after the replay for the last changes to arrive


def provable_moments(roadbook, fleet, rulebook, wanted: set[tuple[int, str]]) -> dict:
    """(bib, code) → the first fix time (epoch ms) at which the finding is provable."""
    from raidcontrol.tracking.check import check_fleet
    from raidcontrol.tracking.live.params import LiveParams
    from raidcontrol.tracking.live.provable import (
        NO_PROGRESS,
        Thresholds,
        last_two,
        progress_m,
        provable_view,
    )
    from raidcontrol.tracking.live.route_km import RouteKm
    from raidcontrol.tracking.model import Fleet
    from raidcontrol.tracking.rules import TrackingRules

    rules = TrackingRules.from_rulebook(rulebook)
    route = RouteKm.of(roadbook)
    th = Thresholds.of(roadbook, route, LiveParams.from_rulebook(rulebook).provable_margin_m)
    found: dict[tuple[int, str], int] = {}
    for bib in sorted({b for b, _ in wanted}):
        sel = np.flatnonzero(fleet.bib == bib)
        order = sel[np.argsort(fleet.t_ms[sel], kind="stable")]
        _, first = np.unique(fleet.t_ms[order], return_index=True)  # one fix per instant
        order = order[first]
        for n in range(1, order.shape[0] + 1):
            idx = order[:n]
            crew = check_fleet(
                roadbook,
                Fleet.from_columns(
                    fleet.bib[idx],
                    fleet.t_ms[idx],
                    fleet.lat[idx],
                    fleet.lon[idx],
                    fleet.speed_kmh[idx],
                ),
                rules,
            ).crews[bib]
            picked = last_two(fleet.t_ms[idx], {s.t_ms for s in crew.spikes})
            progress = (
                float(
                    progress_m(route, fleet.lat[idx][picked][None], fleet.lon[idx][picked][None])[0]
                )
                if len(picked) == 2
                else NO_PROGRESS
            )
            view = provable_view(crew, th, progress, False, rules.min_share)
            for f in (*view.missed, *view.speeding):
                found.setdefault((bib, f.code), int(fleet.t_ms[idx[-1]]))
            if all((bib, c) in found for b, c in wanted if b == bib):
                break
    return found


def test_every_injected_infringement_is_proposed_within_5_s_of_becoming_provable_at_10x(
    tmp_path,
):
    from raidcontrol.cli.track_follow import _post_to, replay
    from raidcontrol.io.tracks import read_fleet
    from raidcontrol.rules import load_rulebook
    from raidcontrol.service.folder_sync import read_folder
    from raidcontrol.store import JournalStore

    event = tmp_path / "sim"
    roadbook, truth = write_live_event(event, f"latency-{uuid.uuid4().hex[:8]}")
    wanted = injected(roadbook, truth)
    assert any(c.startswith("missed") for _, c in wanted)
    assert any(c.startswith("speeding") for _, c in wanted)
    fleet = read_fleet(event / "tracks" / "stage-1.csv")
    moments = provable_moments(roadbook, fleet, load_rulebook(truth.rulebook), wanted)
    assert set(moments) >= wanted  # every crew finished: each is provable on the special

    db_url = f"sqlite:///{tmp_path / 'journal.sqlite'}"
    server = Server(event, db_url, tmp_path / "server.log").start()
    try:
        import os

        os.environ["RAIDCONTROL_TOKEN"] = token(db_url, "tracking")
        try:
            send = _post_to(server.url, 1)
        finally:
            del os.environ["RAIDCONTROL_TOKEN"]
        stream = EventReader(server.url)
        clock: dict[str, float] = {}
        failed: list[BaseException] = []

        def run() -> None:
            try:
                replay(fleet, send, SPEED, STEP_S, lambda w, t: clock.update(wall0=w, t0=t))
            except BaseException as exc:  # reported below
                failed.append(exc)

        player = threading.Thread(target=run, daemon=True)
        player.start()
        player.join(timeout=200)
        assert not player.is_alive() and not failed, failed
        time.sleep(SETTLE_S)
        event_key = read_folder(event)[0]
        store = JournalStore(db_url, event_key=event_key)
        try:
            proposals = [r for r in store.records(["penalty-proposed"]) if r.author == "tracking"]
        finally:
            store.close()
    finally:
        server.stop()

    first_id: dict[tuple[int, str], int] = {}
    for r in sorted(proposals, key=lambda r: r.id):
        if r.payload is not None:
            first_id.setdefault((r.payload["bib"], r.payload["code"]), r.id)
    assert wanted <= set(first_id), f"not proposed: {wanted - set(first_id)}"
    lags = {}
    for key in sorted(wanted):
        rid = first_id[key]
        hit = next(
            (e for e in stream.events if e["data"]["first"] <= rid <= e["data"]["position"]), None
        )
        assert hit is not None, f"{key}: proposal {rid} never pushed on the stream"
        arrived_ms = clock["t0"] + (hit["received"] - clock["wall0"]) * SPEED * 1000
        lag = arrived_ms - moments[key]
        assert lag >= -STEP_S * SPEED * 1000, (key, lag)  # not before the fixes were sent
        lags[key] = round(lag)
    print("stage-time lag from provable to pushed (ms):", lags)
    late = {k: v for k, v in lags.items() if v > LATENCY_MS}
    assert not late, f"proposed later than {LATENCY_MS} ms (stage time) after provable: {lags}"
