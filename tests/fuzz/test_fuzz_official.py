"""Fuzzing the organiser's JSON: a small frozen extract of the real Dakar 2025 data, mutated.

The extract (groups, classes, three stages of the itinerary, the first crews of stage 1's results
and their withdrawals) is taken from ``data/dakar2025_api_cache`` once.  For every input,
``convert_official`` must return or raise a located InputError; when it converts, the event folder
it wrote must be read by the event-folder reader (what one adapter writes, the other accepts).
One input in ``JOURNAL_EVERY`` runs ``raidcontrol convert-official``: exit 0, or exit 2 with
nothing written.
"""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.harness import REPO, check_cli, check_reader, fuzz_settings, journal_subset, scratch
from tests.fuzz.strategies import dumps, leaf_mutation, text_mutation

DATA = REPO / "data" / "dakar2025_api_cache"
CREWS = 12


def _extract() -> dict[str, object]:
    load = lambda name: json.loads((DATA / name).read_text(encoding="utf-8"))
    scores = load("lastScore-2025-A-1.json")[:CREWS]
    bibs = {r["team"]["bib"] for r in scores}
    withdrawals = [
        dict(w, list=[c for c in w["list"] if c["bib"] in bibs])
        for w in load("withdrawal-2025-A.json")
        if int(w["_id"].split("-")[-1]) <= 2
    ]
    stages = [s for s in load("stage-2025-A.json") if s.get("stage") in (None, 0, 1, 2)]
    return {
        "allGroups-2025.json": load("allGroups-2025.json"),
        "allClazz-2025-A.json": load("allClazz-2025-A.json"),
        "stage-2025-A.json": stages,
        "lastScore-2025-A-1.json": scores,
        "withdrawal-2025-A.json": withdrawals,
    }


EXTRACT = _extract()
TEXTS = {name: json.dumps(doc, ensure_ascii=False, indent=1) for name, doc in EXTRACT.items()}


@st.composite
def mutated_files(draw):
    """(file name, new bytes) for one file of the extract."""
    name = draw(st.sampled_from(sorted(EXTRACT)))
    if draw(st.integers(min_value=0, max_value=3)) == 0:
        return name, draw(text_mutation(TEXTS[name]))
    written = dumps(draw(leaf_mutation(EXTRACT[name])), "json")
    return name, written if written is not None else draw(text_mutation(TEXTS[name]))


def _convert_and_read(src, out):
    from raidcontrol.io.event_folder import read_event_folder
    from raidcontrol.io.official import convert_official

    convert_official(src, out)
    return read_event_folder(out)[1]


def _source(root, name, content):
    src = root / "src"
    src.mkdir()
    for other, text in TEXTS.items():
        (src / other).write_text(text, encoding="utf-8")
    (src / name).write_bytes(content)
    return src


@fuzz_settings("official_json")
@given(mutated=mutated_files())
@example(
    mutated=(
        "lastScore-2025-A-1.json",
        TEXTS["lastScore-2025-A-1.json"].replace('"bib": ', '"bib": 1' + "0" * 5000, 1).encode(),
    )
)
@example(mutated=("stage-2025-A.json", ("[" * 1000 + "]" * 1000).encode()))
@example(
    mutated=(
        "allGroups-2025.json",
        TEXTS["allGroups-2025.json"]
        .replace("M1000", "M1000 \xe9")
        .encode("latin-1", errors="replace"),
    )
)
@example(
    mutated=(
        "stage-2025-A.json",
        TEXTS["stage-2025-A.json"].replace('"length": ', '"length": NaN, "x": ', 1).encode(),
    )
)
@example(
    mutated=(
        "stage-2025-A.json",
        TEXTS["stage-2025-A.json"].replace('"startDate": "2025', '"startDate": "x2025').encode(),
    )
)
def test_fuzz_official_json(mutated):
    name, content = mutated
    with scratch() as root:
        src = _source(root, name, content)
        check_reader("official_json", lambda: _convert_and_read(src, root / "out"))
    if journal_subset(mutated):
        with scratch() as root:
            src = _source(root, name, content)
            code = check_cli("official_json", ["convert-official", src, root / "out"])
            assert code == 0 or not (root / "out").exists() or not any((root / "out").iterdir()), (
                "convert-official refused its input but wrote files"
            )
