"""The layers of docs/architecture.md: imports only go downwards."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "raidcontrol"
APPLICATION = ("raidcontrol.session", "raidcontrol.event", "raidcontrol.rounds", "raidcontrol.cli")
ADAPTERS = ("raidcontrol.io", "raidcontrol.store")
PURE = ("core", "classification", "championship", "stock", "tables")


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def _files(*parts: str):
    for part in parts:
        yield from sorted((PACKAGE / part).rglob("*.py"))


@pytest.mark.parametrize(
    "path", list(_files("io", "store")), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_adapters_do_not_import_the_application_layer(path):
    assert not {m for m in imports_of(path) if m.startswith(APPLICATION)}


@pytest.mark.parametrize(
    "path", list(_files(*PURE)), ids=lambda p: p.relative_to(PACKAGE).as_posix()
)
def test_the_pure_core_imports_no_adapter_and_no_application(path):
    bad = {m for m in imports_of(path) if m.startswith(APPLICATION + ADAPTERS)}
    assert not bad, bad
