"""Shared helpers of the Stock tests: the example files, the shipped library and rules."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import tomli_w
from typer.testing import CliRunner

from raidcontrol.cli.main import app
from raidcontrol.io.scrutineering import load_library
from raidcontrol.rules import load_rulebook
from raidcontrol.stock import assess, record_from_dict, stock_rules

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "examples" / "stock" / "cases"
EVENT = REPO / "examples" / "stock" / "event"
RULEBOOK = load_rulebook("fia-2026")
RULES = stock_rules(RULEBOOK)
LIBRARY = load_library()
runner = CliRunner()


def case(name: str) -> dict:
    """A parsed example case (``examples/stock/cases/<name>.toml``), safe to modify."""
    return copy.deepcopy(tomllib.loads((CASES / f"{name}.toml").read_text(encoding="utf-8")))


def verdict_of(data: dict, rules=RULES):
    record = record_from_dict(data)
    return assess(record, LIBRARY[record.reference], rules, "fia-2026")


def write_toml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def invoke(*args):
    """The typer app through typer's CliRunner (exceptions are kept in ``result.exception``)."""
    return runner.invoke(app, [str(a) for a in args])
