"""The ``raidcontrol`` command: one typer app; each command group lives in its own module
and registers itself with ``register(app)``.

Start-up stays light (``raidcontrol --help`` ≤ 0.15 s, benchmarks/bench_startup.py): a command
module imports only typer and :mod:`raidcontrol.cli.common` at its top; everything heavy (the
store, the kernels, pyarrow, matplotlib, rich) is imported inside the command that uses it.
Options shared by several commands are the types of :mod:`raidcontrol.cli.common`.
"""

from __future__ import annotations

import importlib
import sys

import typer

from raidcontrol.cli.common import run_guarded

app = typer.Typer(
    name="raidcontrol",
    help="Race control for rally-raids: results, penalties with evidence, Stock eligibility, W2RC standings.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich is not loaded to print --help (start-up time)
)

# Command modules, in the order their commands appear in --help.
COMMAND_MODULES = (
    "event_cmds",
    "track",
    "simulate",
    "scrutineer",
    "standings",
    "serve",
    "users",
    "export",
    "bulletin",
    "archive",
    "warmup",
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"raidcontrol.cli.{_name}").register(app)


def main() -> None:
    sys.exit(run_guarded(app))


if __name__ == "__main__":
    main()
