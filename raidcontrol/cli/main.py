"""The ``raidcontrol`` command: one typer app; each command group lives in its own module
and registers itself with ``register(app)``."""
from __future__ import annotations

import importlib
import importlib.util
import sys

import typer

from raidcontrol.cli.common import run_guarded

app = typer.Typer(
    name="raidcontrol",
    help="Race control for rally-raids: results, penalties with evidence, Stock eligibility, W2RC standings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules, in the order their commands appear in --help.
COMMAND_MODULES = ("event_cmds", "track", "simulate", "scrutineer", "standings", "bulletin")

for _name in COMMAND_MODULES:
    _mod = f"raidcontrol.cli.{_name}"
    if importlib.util.find_spec(_mod) is not None:  # a command group not yet built is simply absent
        importlib.import_module(_mod).register(app)


def main() -> None:
    sys.exit(run_guarded(app))


if __name__ == "__main__":
    main()
