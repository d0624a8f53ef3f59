"""atomic_write: the whole new file or the old one, never a torn file, no temporary left behind."""
from __future__ import annotations

import pytest

from raidcontrol.io.atomic import atomic_write


def test_writes_the_whole_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "out.csv"
    with atomic_write(target, "w", newline="") as fh:
        fh.write("a,b\n1,2\n")
        assert not target.exists()          # not visible under its name before the rename
    assert target.read_text() == "a,b\n1,2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_error_keeps_the_old_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_write(target, "wb") as fh:
            fh.write(b"half of the new")
            raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_only_whole_file_modes(tmp_path):
    with pytest.raises(ValueError):
        with atomic_write(tmp_path / "x", "a"):
            pass
