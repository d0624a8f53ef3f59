from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raidcontrol.core.journal import Record, changes, fold
from raidcontrol.store import JournalStore

T0 = datetime(2025, 1, 4, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now

    def tick(self, minutes=1):
        self.now += timedelta(minutes=minutes)


def test_append_only_supersede_and_as_of(tmp_path):
    clock = Clock()
    store = JournalStore(f"sqlite:///{tmp_path / 'j.sqlite'}", clock=clock)
    first = [
        Record("time", "1/200", {"finish": "14:00:00"}),
        Record("time", "1/201", {"finish": "14:05:00"}),
    ]
    store.append(changes(store.state(), first))
    clock.tick()
    corrected = [Record("time", "1/200", {"finish": "14:00:30"})]  # 1/201 removed from the folder
    written = store.append(changes(store.state(), corrected))
    assert [(r.key, r.payload) for r in written] == [
        ("1/200", {"finish": "14:00:30"}),
        ("1/201", None),
    ]
    assert written[0].supersedes is not None
    assert len(store.records()) == 4  # nothing updated in place
    now = store.state()
    assert (
        now.get("time", "1/200").payload == {"finish": "14:00:30"}
        and now.get("time", "1/201") is None
    )
    before = store.state(as_of=T0)
    assert before.get("time", "1/200").payload == {"finish": "14:00:00"}
    assert before.get("time", "1/201") is not None
    # The same desired state again appends nothing.
    assert changes(store.state(), corrected) == []


def test_a_failed_batch_writes_nothing(tmp_path):
    store = JournalStore(f"sqlite:///{tmp_path / 'j.sqlite'}")
    bad = [Record("time", "1/200", {"a": 1}), Record("time", "1/201", {"a": object()})]  # not JSON
    with pytest.raises(TypeError):
        store.append(bad)
    assert store.records() == []


records = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), st.one_of(st.none(), st.integers(0, 3))),
    max_size=30,
)


@given(records)
def test_fold_keeps_the_latest_record_per_key(items):
    recs = [
        Record("time", key, None if v is None else {"v": v}, id=i + 1)
        for i, (key, v) in enumerate(items)
    ]
    state = fold(recs)
    for key in "abc":
        last = [v for k, v in items if k == key]
        expected = last[-1] if last else None
        got = state.get("time", key)
        assert (got.payload["v"] if got else None) == expected
