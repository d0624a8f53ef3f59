"""Shared CLI plumbing: one unwrapped error line per problem, the shared option types."""

from __future__ import annotations

from raidcontrol.cli.common import AsOf, Db, EventDir, EventOpt, Format, OutputFormat, table_of
from tests.conftest import make_event


def test_an_error_is_one_line_however_narrow_the_terminal(cli, tmp_path, monkeypatch):
    folder = make_event(tmp_path / "e", times="1,200,10:00:00,," + "lost-in-the-dunes-" * 8)
    monkeypatch.setenv("COLUMNS", "40")
    code, out, err = cli("classify", folder, "--stage", "1", "--format", "csv")
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(
        "error: times.csv:2: field 'status': unknown status 'lost-in-the-dunes-"
    ), err
    assert len(lines[0]) > 150


def test_bad_options_are_located(cli, tmp_path):
    folder = make_event(tmp_path / "e", times="1,200,10:00:00,14:00:00,finished")
    code, _, err = cli("classify", folder, "--stage", "1", "--as-of", "soon")
    assert code == 2 and "--as-of" in err and len(err.splitlines()) == 1
    code, _, err = cli("classify", folder, "--stage", "1", "--general")
    assert code == 2 and "exactly one of" in err


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


def test_the_shared_options_have_one_meaning_in_every_command():
    import typer

    from raidcontrol.cli.main import app

    seen = set()
    for path, cmd in _commands(typer.main.get_command(app)):
        for p in cmd.params:
            if p.hidden:  # former names kept for old scripts (simulate --format, --event)
                continue
            if "--format" in p.opts:
                assert p.bare_type() == OutputFormat.__name__, path  # never a file format
                seen.add("--format")
            if "--event" in p.opts:
                assert not p.is_flag and p.name == "event_dir", path  # always the event folder
                seen.add("--event")
            if "--evidence" in p.opts:
                assert p.is_flag, path  # always "print the evidence"
            if p.name == "db":
                assert p.opts == ["--db"], path
            if p.name == "as_of":
                assert p.opts == ["--as-of"], path
    assert seen == {"--format", "--event"}
    for annotated in (EventDir, EventOpt, Db, AsOf, Format):
        assert annotated.__metadata__  # typer parameter info


def test_rows_become_a_typed_table():
    t = table_of(["bib", "name", "share"], [[1, "=x", 0.5], [2, "", 1]])
    assert [c.type for c in t.columns] == ["int", "str", "float"]
    assert t.to_csv().splitlines() == ["bib,name,share", "1,'=x,0.5", "2,,1"]
    assert t.to_records()[1]["name"] is None  # JSON null, not ""
