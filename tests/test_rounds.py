"""A season's rounds: each round's folder read once, each event opened once."""

from __future__ import annotations

from raidcontrol.io.season import read_season
from tests.championship.test_w2rc_season_cli import build_season


def test_each_round_is_read_and_opened_once(tmp_path, monkeypatch):
    import raidcontrol.event
    import raidcontrol.io.season
    import raidcontrol.session
    from raidcontrol.rounds import open_rounds

    reads, opens = [], []
    real_read, real_open = raidcontrol.io.season.read_event_folder, raidcontrol.event.open_event

    def counting_read(folder):
        reads.append(folder)
        return real_read(folder)

    def counting_open(path, *args, **kw):
        opens.append(path)
        return real_open(path, *args, **kw)

    monkeypatch.setattr(raidcontrol.io.season, "read_event_folder", counting_read)
    monkeypatch.setattr(raidcontrol.session, "read_event_folder", counting_read)
    monkeypatch.setattr(raidcontrol.event, "open_event", counting_open)
    monkeypatch.setattr("raidcontrol.rounds.open_event", counting_open)
    season = read_season(build_season(tmp_path))
    opened = open_rounds(season, [1, 2])
    assert [o.round.number for o in opened] == [1, 2]
    assert (
        sorted(map(str, reads))
        == sorted(map(str, opens))
        == sorted(str(season.folders[n]) for n in (1, 2))
    )
    assert all(o.event.entries and o.rulebook.id == "fia-2026" for o in opened)
