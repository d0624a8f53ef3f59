"""season.toml parsing: shape, types and [rules] overrides refused with file, line and field."""

from __future__ import annotations

import pytest

from raidcontrol.core.errors import InputError, InputErrors
from raidcontrol.io.season import read_season

SEASON = 'name = "W2RC"\nrulebook = "fia-2026"\n\n[[round]]\nname = "Dakar"\ntype = "marathon"\nstages = 12\n'


def _error(tmp_path, text: str | bytes) -> InputError:
    path = tmp_path / "season.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(InputError) as info:
        read_season(path)
    return info.value


def test_kept_on_retirement_no_is_not_read_as_true(tmp_path):
    err = _error(
        tmp_path, SEASON + '\n[rules.championship.stage_points]\nkept_on_retirement = "no"\n'
    )
    assert err.line == 10 and err.field == "rules.championship.stage_points.kept_on_retirement"
    assert "true or false" in err.message


def test_a_valid_override_is_kept(tmp_path):
    path = tmp_path / "season.toml"
    path.write_text(SEASON + "\n[rules.championship.stage_points]\nkept_on_retirement = false\n")
    season = read_season(path)
    assert season.rulebook().value("championship.stage_points.kept_on_retirement") is False


@pytest.mark.parametrize(
    "text, line, field",
    [
        (SEASON.replace("stages = 12", 'stages = "12"'), 7, "stages"),
        (SEASON.replace("stages = 12", "stages = -1"), 7, "stages"),
        (SEASON.replace('"Dakar"', '"Da\\u001bkar"'), 5, "name"),
        (SEASON + '\n[[person]]\nid = 1\nname = "x"\n', 10, "id"),
        (SEASON + "\n[rules]\nchampionship = 1\n", 10, "rules.championship"),
        (SEASON.replace("stages = 12", "stages = 1" + "0" * 5000), None, None),
        (SEASON + "deep = " + "[" * 1000 + "]" * 1000 + "\n", None, None),
    ],
)
def test_bad_season_values_are_located(tmp_path, text, line, field):
    err = _error(tmp_path, text)
    assert err.line == line and err.field == field, err.located()


def test_latin1_bytes_and_several_problems(tmp_path):
    assert (
        "not UTF-8"
        in _error(tmp_path, SEASON.replace("W2RC", "Saison été").encode("latin-1")).message
    )
    err = _error(tmp_path, SEASON.replace("stages = 12", 'stages = "x"').replace('"marathon"', "1"))
    assert isinstance(err, InputErrors) and {e.field for e in err.errors} == {"stages", "type"}
