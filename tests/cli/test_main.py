"""Every command and command group answers --help."""

from __future__ import annotations

import typer

from raidcontrol.cli.main import app


def _paths(t: typer.Typer, prefix=()):
    for info in t.registered_commands:
        yield prefix + (info.name or info.callback.__name__,)
    for group in t.registered_groups:
        yield prefix + (group.name,)
        yield from _paths(group.typer_instance, prefix + (group.name,))


def test_every_command_has_help(cli):
    paths = list(_paths(app))
    assert ("classify",) in paths and ("explain",) in paths and ("convert-official",) in paths
    code, out, _ = cli("--help")
    assert code == 0 and "classify" in out
    for path in paths:
        code, out, err = cli(*path, "--help")
        assert code == 0, (path, err)
        assert "Usage" in out and len(out.strip().splitlines()) > 3, path


def test_each_module_registers_the_commands_the_entry_point_maps_to_it():
    """``raidcontrol CMD …`` loads only the module ``COMMANDS`` names for CMD: the map must match."""
    from raidcontrol.cli.main import COMMANDS, build_app

    for module, names in COMMANDS.items():
        built = build_app((module,))
        found = [c.name for c in built.registered_commands] + [
            g.name for g in built.registered_groups
        ]
        assert sorted(found) == sorted(names), module
    assert sorted(_paths(app)) == sorted(
        p for module in COMMANDS for p in _paths(build_app((module,)))
    )


def test_a_named_command_runs_through_its_module_alone(capsys, monkeypatch):
    """The entry point's one-module app runs the command as the whole app does."""
    import sys

    from raidcontrol.cli import main as entry

    for args in (["simulate", "--help"], ["track", "check", "--help"], ["warmup", "--help"]):
        one = entry.app_for(args)
        assert [g.name for g in one.registered_groups] + [
            c.name for c in one.registered_commands
        ] == list(entry.COMMANDS[entry.MODULE_OF[args[0]]])
        monkeypatch.setattr(sys, "argv", ["raidcontrol", *args])
        try:
            entry.main()
        except SystemExit as exc:
            assert exc.code == 0, args
        assert f"raidcontrol {' '.join(args[:-1])} [OPTIONS]" in capsys.readouterr().out
