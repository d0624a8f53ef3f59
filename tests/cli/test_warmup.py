"""``raidcontrol warmup`` also writes raidcontrol's bytecode, even where Python would not
(an editable install, ``PYTHONDONTWRITEBYTECODE``), so that no command compiles its modules."""

from __future__ import annotations

import importlib.util
import sys

from raidcontrol.cli.warmup import compile_bytecode


def test_bytecode_is_written_even_when_python_would_not(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    modules = [package / "__init__.py", package / "sub" / "mod.py"]
    for module in modules:
        module.write_text("VALUE = 1\n")
    assert compile_bytecode(package)
    for module in modules:
        assert importlib.util.cache_from_source(str(module)) in {
            str(p) for p in package.rglob("*.pyc")
        }


def test_a_module_that_does_not_compile_is_reported(tmp_path):
    (tmp_path / "bad.py").write_text("def broken(:\n")
    assert not compile_bytecode(tmp_path)
