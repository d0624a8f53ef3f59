"""The checkpoint and the folder fingerprint: faster, never different."""

from __future__ import annotations

import os

import pytest

import raidcontrol.session as session_mod
from raidcontrol.classification import classify_general
from raidcontrol.core.journal import Record
from raidcontrol.session import EventSession
from raidcontrol.store import checkpoint as cp
from tests.conftest import make_event

TIMES = """\
1,200,10:00:00,13:00:00,finished
1,201,10:01:00,13:30:00,finished
1,202,10:02:00,,dnf
"""


def _general(session: EventSession) -> list:
    return classify_general(session.event, session.rulebook, effects=session.effects)


def _open(folder, monkeypatch=None, forbid_read=False):
    if forbid_read:

        def refuse(_):
            raise AssertionError("the folder was read although unchanged")

        monkeypatch.setattr(session_mod, "read_event_folder", refuse)
    return EventSession.open(folder)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(cp, "CHECKPOINT_EVERY", 1)
    return make_event(tmp_path / "ev", times=TIMES)


def test_an_unchanged_folder_is_not_read_again(folder, monkeypatch):
    first = _open(folder)
    expected = _general(first)
    first.close()
    again = _open(folder, monkeypatch, forbid_read=True)
    assert again.appended == [] and _general(again) == expected and again.live.general() == expected
    again.close()


def test_a_touched_but_identical_file_is_not_read_again(folder, monkeypatch):
    _open(folder).close()
    times = folder / "times.csv"
    os.utime(times, ns=(times.stat().st_atime_ns, times.stat().st_mtime_ns + 5_000_000_000))
    _open(folder, monkeypatch, forbid_read=True).close()


def test_a_changed_file_of_the_same_size_is_synced(folder):
    _open(folder).close()
    times = folder / "times.csv"
    text = times.read_text().replace("13:00:00", "13:00:09")
    times.write_text(text)
    st = times.stat()
    os.utime(times, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    s = _open(folder)
    assert [r.kind for r in s.appended] == ["time"]
    assert s.live.general()[0].time_ms == 3 * 3_600_000 + 9_000
    s.close()


def test_records_of_other_commands_after_the_checkpoint_are_folded(folder, monkeypatch):
    s = _open(folder)
    s.store.append(
        [
            Record(
                "time",
                "1/200",
                {"stage": 1, "bib": 200, "status": "disqualified", "start": None, "finish": None},
                origin="stewards",
            )
        ]
    )
    s.close()
    later = _open(folder, monkeypatch, forbid_read=True)
    assert later.event.times[(1, 200)].status == "disqualified"
    assert later.live.general() == _general(later)
    later.close()


def test_a_folder_record_from_elsewhere_forces_a_resync(folder):
    s = _open(folder)
    s.store.append(
        [
            Record(
                "time",
                "1/201",
                {"stage": 1, "bib": 201, "status": "dnf", "start": "10:01:00", "finish": None},
            )
        ]
    )
    s.close()
    again = _open(folder)
    assert [r.payload["status"] for r in again.appended] == [
        "finished"
    ]  # the folder's value restored
    again.close()


def test_an_invalid_checkpoint_is_ignored(folder, monkeypatch):
    first = _open(folder)
    expected = _general(first)
    first.close()
    monkeypatch.setattr(cp, "_VERSION", "other")  # as after an upgrade that changed a pickled class
    again = _open(folder)
    assert _general(again) == expected and again.live.general() == expected
    again.close()


def test_a_corrupt_checkpoint_is_ignored(folder):
    from sqlalchemy import update

    from raidcontrol.store.schema import checkpoint

    first = _open(folder)
    expected = _general(first)
    with first.store.engine.begin() as conn:
        conn.execute(update(checkpoint).values(state=b"not a pickle"))
    first.close()
    again = _open(folder)
    assert _general(again) == expected
    again.close()


def test_a_checkpoint_whose_rulebook_files_changed_is_not_used(tmp_path, monkeypatch):
    """A rulebook of the event's own (in a subfolder: not part of the folder's fingerprint) edited
    after the checkpoint: the classification follows the files, as a full recomputation does."""
    import shutil

    from raidcontrol.rules.loader import RULEBOOK_DIR

    monkeypatch.setattr(cp, "CHECKPOINT_EVERY", 1)
    folder = make_event(tmp_path / "ev", times=TIMES, rulebook="rules/own")
    shutil.copytree(RULEBOOK_DIR / "fia-2026", folder / "rules" / "own")
    first = _open(folder)
    forfeit = next(ln for ln in _general(first) if ln.bib == 202)
    first.close()
    sporting = folder / "rules" / "own" / "sporting.toml"
    sporting.write_text(
        sporting.read_text().replace(
            'fixed_penalty = { value = "10:00:00"', 'fixed_penalty = { value = "5:00:00"'
        )
    )
    again = _open(folder, monkeypatch, forbid_read=True)  # the folder's own files did not change
    line = next(ln for ln in again.live.general() if ln.bib == 202)
    assert line.penalty_ms == forfeit.penalty_ms - 5 * 3_600_000
    assert again.live.general() == _general(again)
    again.close()


def test_a_loaded_state_goes_straight_to_the_oldest_gc_generation(folder):
    """The unpickled state is long-lived: it must not sit in the youngest generation, where the
    next collections would walk every one of its objects (and it must stay collectable)."""
    import gc

    session = _open(folder)
    fmt, blob = cp.dump_state(session.live)
    last = session.live.state.history[-1]
    session.close()
    loaded = cp.load_state(fmt, blob, last.id, last.identity)
    assert loaded is not None
    young = {id(o) for g in (0, 1) for o in gc.get_objects(generation=g)}
    assert id(loaded) not in young and id(loaded.state) not in young
    assert any(o is loaded for o in gc.get_objects(generation=2))
    assert gc.get_freeze_count() == 0  # nothing is left frozen: the state stays collectable
