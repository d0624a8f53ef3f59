"""Fuzzing rulebook overrides: ``[rules]`` of event.toml with rulebook values replaced.

Structure-aware: an override targets a real rulebook path (a sourced value or a table of
``fia-2026``/``fim-2026``) and gives it a hostile value, a value of another kind, a boundary value
of the same kind, or a sourced table.  The event reader must accept it or refuse it located; an
accepted rulebook must then be usable by every consumer (timing, tracking, Stock, championship):
each returns or raises a located InputError, never another exception.
"""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from raidcontrol.rules import load_rulebook
from tests.conftest import make_event
from tests.fuzz.harness import (
    check_cli,
    check_reader,
    db_urls,
    fuzz_settings,
    journal_subset,
    scratch,
)
from tests.fuzz.strategies import dumps, hostile_values

BOOKS = {rid: load_rulebook(rid) for rid in ("fia-2026", "fim-2026")}
PATHS = {rid: [p for p, _ in book.sourced_leaves()] for rid, book in BOOKS.items()}
TIMES = "1,200,10:00:00,14:00:00,finished\n1,201,10:01:00,,dnf\n"


def _same_kind(value):
    """Values of the same kind as a rulebook value, on and around its boundaries."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.one_of(
            st.integers(min_value=-2, max_value=1000),
            st.integers(min_value=-(2**64), max_value=2**64),
        )
    if isinstance(value, float):
        return st.one_of(st.floats(min_value=-1, max_value=1e4), st.floats())
    if isinstance(value, str) and ":" in value:
        return st.sampled_from(
            ["0:00:00", "-0:00:01", "999999:59:59", "1:00:00", "10:00:00.5", "1:60:00"]
        )
    if isinstance(value, list):
        return st.lists(_same_kind(value[0]) if value else hostile_values, max_size=4)
    if isinstance(value, dict):
        return st.fixed_dictionaries({k: _same_kind(v) for k, v in list(value.items())[:3]})
    return st.one_of(st.text(max_size=20), st.just(value))


@st.composite
def overrides(draw):
    rid = draw(st.sampled_from(sorted(BOOKS)))
    rules: dict = {}
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(PATHS[rid])).split(".")
        cut = draw(st.one_of(st.just(len(path)), st.integers(min_value=1, max_value=len(path))))
        current = BOOKS[rid].value(".".join(path[:cut]))
        choice = draw(st.sampled_from(["same", "same", "hostile", "sourced"]))
        value = draw(_same_kind(current)) if choice == "same" else draw(hostile_values)
        if choice == "sourced":
            value = {
                "value": draw(_same_kind(current)),
                "source": draw(st.sampled_from(["event regulations", ""])),
            }
        node = rules
        for part in path[: cut - 1]:
            node = node.setdefault(part, {}) if isinstance(node.get(part, {}), dict) else node
        node[path[cut - 1]] = value
    return rid, rules


def _consumers(folder):
    """Read the event, then hand its rulebook to every consumer."""
    from raidcontrol.championship.rules import championship_rules
    from raidcontrol.io.event_folder import read_event_toml
    from raidcontrol.stock.rules import stock_rules
    from raidcontrol.tracking.rules import TrackingRules

    _, rulebook, records = read_event_toml(folder)
    rulebook.duration_ms("forfeit.fixed_penalty")
    TrackingRules.from_rulebook(rulebook)
    if rulebook.has("stock"):
        stock_rules(rulebook)
    if rulebook.has("championship"):
        championship_rules(rulebook)
    return records


@fuzz_settings("rulebook_overrides")
@given(case=overrides())
@example(case=("fia-2026", {"forfeit": {"fixed_penalty": "ten hours"}}))
@example(case=("fia-2026", {"forfeit": {"fixed_penalty": 36000}}))
@example(case=("fia-2026", {"forfeit": "none"}))
@example(case=("fia-2026", {"forfeit": {"fixed_penalty": "-10:00:00"}}))
@example(case=("fia-2026", {"categories": 1}))
@example(case=("fia-2026", {"championship": {"stage_points": {"kept_on_retirement": "no"}}}))
@example(case=("fim-2026", {"prologue": {"counts_for_general": float("nan")}}))
@example(case=("fia-2026", {"inputs": {"max_text_length": 0}}))  # found by this fuzzer
@example(
    case=("fia-2026", {"stock": {"as_produced": {"architecture": {"id": ""}}}})
)  # found by this fuzzer
def test_fuzz_rulebook_overrides(case):
    rid, rules = case
    written = dumps({"rules": rules}, "toml")
    if written is None:
        return
    text = written.decode()
    with scratch() as root:
        folder = make_event(root / f"e-{root.name}", times=TIMES, rulebook=rid, rules=text)
        check_reader("rulebook_overrides", lambda: _consumers(folder))
    if journal_subset(case):
        for url in db_urls():
            with scratch() as root:
                folder = make_event(root / f"e-{root.name}", times=TIMES, rulebook=rid)
                check_cli("rulebook_overrides", ["classify", folder, "--general"], db_url=url)
                make_event(folder, times=TIMES, rulebook=rid, rules=text)
                check_cli(
                    "rulebook_overrides",
                    ["classify", folder, "--general"],
                    journal=folder,
                    db_url=url,
                )
