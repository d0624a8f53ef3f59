"""The ``raidcontrol`` command: one typer app; each command group lives in its own module
and registers itself with ``register(app)``.

Start-up stays light (``raidcontrol --help`` ≤ 0.15 s, benchmarks/bench_startup.py): a command
module imports only typer and :mod:`raidcontrol.cli.common` at its top; everything heavy (the
store, the kernels, pyarrow, matplotlib, rich) is imported inside the command that uses it.
Options shared by several commands are the types of :mod:`raidcontrol.cli.common`.

A run that names its command (``raidcontrol track check …``) imports and registers only the
module of that command (:data:`COMMANDS`); ``--help``, no command or an unknown one get the
whole app.  ``app`` (all commands, what the tests drive) is built on first use.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import TYPE_CHECKING

from raidcontrol.cli import head_start  # imports no numpy: the setting below comes first

if TYPE_CHECKING:
    import typer

# raidcontrol does no linear algebra, but numpy's OpenBLAS starts a thread per core on import that
# spins for some 0.1 s of CPU before it sleeps, beside a command's own work (docs/performance.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Command modules, in the order their commands appear in --help, with the top-level commands and
# command groups each registers (tests/cli/test_main.py checks these against ``register``).
COMMANDS = {
    "event_cmds": ("convert-official", "classify", "explain", "demo"),
    "track": ("track", "penalties"),
    "simulate": ("simulate",),
    "scrutineer": ("scrutineer",),
    "standings": ("standings",),
    "serve": ("serve",),
    "users": ("users",),
    "export": ("export",),
    "bulletin": ("bulletin",),
    "archive": ("archive",),
    "warmup": ("warmup",),
}
COMMAND_MODULES = tuple(COMMANDS)
MODULE_OF = {command: module for module, names in COMMANDS.items() for command in names}


def build_app(modules: tuple[str, ...] = COMMAND_MODULES) -> typer.Typer:
    """A typer app holding the commands of ``modules``."""
    import typer

    built = typer.Typer(
        name="raidcontrol",
        help="Race control for rally-raids: results, penalties with evidence, Stock eligibility, "
        "W2RC standings.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help: rich is not loaded to print --help (start-up time)
    )
    if len(modules) < len(COMMAND_MODULES):

        @built.callback()
        def _group() -> None:  # a group even with one command (typer would run it as the app)
            pass

    for name in modules:
        commands, groups = _registered(name)
        built.registered_commands += commands
        built.registered_groups += groups
    return built


_REGISTERED: dict[str, tuple[list, list]] = {}


def _registered(module: str) -> tuple[list, list]:
    """The commands and groups ``module`` registers, registered once (its sub-apps are module-level:
    a second ``register`` would add their commands twice)."""
    if module not in _REGISTERED:
        import typer

        scratch = typer.Typer()
        importlib.import_module(f"raidcontrol.cli.{module}").register(scratch)
        _REGISTERED[module] = (scratch.registered_commands, scratch.registered_groups)
    return _REGISTERED[module]


def app_for(args: list[str]) -> typer.Typer:
    """The app a command line needs: only its command's module when the first argument names one."""
    module = MODULE_OF.get(args[0]) if args else None
    if module is None:
        return __getattr__("app")
    return build_app((module,))


def __getattr__(name: str) -> typer.Typer:
    """``app``: every command, built (once) on first use."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    built = globals()["app"] = build_app()
    return built


def main() -> None:
    # a Parquet fleet to check starts being read now, before typer is even imported
    head_start.start(sys.argv[1:])
    from raidcontrol.cli.common import run_guarded

    code = run_guarded(app_for(sys.argv[1:]))
    # The process ends here.  Python's last act would be a full garbage collection over every
    # object still alive — numba's compiler alone leaves some 300,000, a quarter of a second after
    # a ``track check`` has printed its answer.  Frozen objects are skipped (the OS frees them);
    # files and databases are closed by the commands themselves, atexit handlers still run.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    main()
