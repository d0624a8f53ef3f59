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
