"""The organiser's JSON read through models: a bad value is located (file, JSON line, record, field)
and nothing is written; the real data converts to the same files as before (see test_official_real_data)."""

from __future__ import annotations

import json
import shutil

import pytest

from raidcontrol.core.errors import InputError
from raidcontrol.io.official import convert_official
from tests.conftest import DAKAR_DATA

SCORES = "lastScore-2025-A-1.json"


def _source(tmp_path, name, mutate, indent=None):
    src = tmp_path / "src"
    shutil.copytree(DAKAR_DATA, src)
    doc = json.loads((src / name).read_text(encoding="utf-8"))
    mutate(doc)
    (src / name).write_text(json.dumps(doc, indent=indent), encoding="utf-8")
    return src


@pytest.mark.parametrize(
    "mutate, field, words",
    [
        (lambda d: d[3]["team"].__setitem__("bib", "204"), "team.bib", "valid integer"),
        (lambda d: d[3]["team"].__setitem__("bib", -1), "team.bib", "greater than or equal to 0"),
        (lambda d: d[3]["dss"].__setitem__("absolute", 1.5), "dss.absolute", "valid integer"),
        (
            lambda d: d[3]["team"]["competitors"][0].__setitem__("lastName", "X\x1b[2J"),
            "lastName",
            "control character",
        ),
        (
            lambda d: d[3]["cs"]["01ASS"].__setitem__("absolute", [-5]),
            "cs.01ASS.absolute",
            "greater than or equal to 0",
        ),
    ],
)
def test_a_bad_value_is_located_and_nothing_is_written(tmp_path, mutate, field, words):
    src = _source(tmp_path, SCORES, mutate, indent=1)
    with pytest.raises(InputError) as info:
        convert_official(src, tmp_path / "out")
    err = info.value
    assert err.file == SCORES and err.field == field and words in err.message, err.located()
    assert err.line is not None and err.line > 1 and "record #4" in err.message
    assert not (tmp_path / "out").exists()


def test_a_start_far_beyond_the_stage_day_is_refused(tmp_path):
    src = _source(tmp_path, SCORES, lambda d: d[0]["dss"].__setitem__("absolute", 10**15))
    with pytest.raises(InputError) as info:
        convert_official(src, tmp_path / "out")
    assert info.value.field == "dss.absolute" and "window" in info.value.message


def test_a_stage_date_that_is_not_a_datetime_is_refused(tmp_path):
    def mutate(doc):
        next(s for s in doc if s.get("stage") == 1)["startDate"] = "soon"

    src = _source(tmp_path, "stage-2025-A.json", mutate)
    with pytest.raises(InputError) as info:
        convert_official(src, tmp_path / "out")
    assert info.value.field == "startDate" and "ISO 8601" in info.value.message


def test_malformed_and_hostile_json_is_an_input_error(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(DAKAR_DATA, src)
    for text in (
        "[" * 100_000,
        "[1" + "0" * 5000 + "]",
        '{"a": NaN',
        b"\xff\xfe".decode("latin-1"),
    ):
        (src / SCORES).write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as info:
            convert_official(src, tmp_path / "out")
        assert info.value.file == SCORES
