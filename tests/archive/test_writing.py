"""The archive's layout and writer: bib-range partitions, delivery order kept, a stage replaced whole."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from raidcontrol.archive.layout import create_archive, open_archive
from raidcontrol.archive.task import read_partition
from raidcontrol.archive.writing import StageWriter, add_stage
from raidcontrol.core.errors import InputError
from raidcontrol.tracking.model import Fleet

T0 = 1_767_600_000_000


def _fleet(bibs, per_crew=5, shuffle_first=False) -> Fleet:
    bib = np.repeat(np.asarray(bibs, np.int32), per_crew)
    t = np.tile(T0 + np.arange(per_crew, dtype=np.int64) * 1000, len(bibs))
    if shuffle_first:
        t[[0, 1]] = t[[1, 0]]  # the first crew's first two fixes arrive swapped
    lat = 24.0 + np.arange(bib.size) * 1e-4
    speed = np.where(np.arange(bib.size) % 2 == 0, 50.0, np.nan).astype(np.float32)
    return Fleet.from_columns(bib, t, lat, lat + 20.0, speed)


def test_fixes_go_to_their_bib_range_in_delivery_order(tmp_path):
    archive = create_archive(tmp_path / "a", "S", "fia-2026", bibs_per_partition=100)
    fleet = _fleet([7, 99, 100, 250], shuffle_first=True)
    assert add_stage(archive, 2, 3, fleet, b"<gpx/>") == len(fleet)
    parts = archive.partitions()
    assert [(p.round, p.stage, p.bib_lo, p.bib_hi) for p in parts] == [
        (2, 3, 0, 99),
        (2, 3, 100, 199),
        (2, 3, 200, 299),
    ]
    first = pq.read_table(parts[0].path / "part-0.parquet")
    assert first["bib"].to_pylist() == [7] * 5 + [99] * 5
    assert first["t_ms"].to_pylist()[:2] == [T0 + 1000, T0]  # as delivered
    assert first["speed"].null_count == 5  # NaN → null
    back = read_partition(parts[0].path)  # the task sorts and counts
    assert back.t_ms[:2].tolist() == [T0, T0 + 1000] and back.reordered.tolist()[0] > 0
    assert archive.roadbook_path(2, 3).read_bytes() == b"<gpx/>"
    assert open_archive(archive.root).bibs_per_partition == 100


def test_adding_a_stage_again_replaces_it_whole(tmp_path):
    archive = create_archive(tmp_path / "a", "S", "fia-2026", bibs_per_partition=10)
    add_stage(archive, 1, 1, _fleet([1, 2, 15]), b"<gpx/>")
    add_stage(archive, 1, 1, _fleet([3]), b"<gpx/>")
    parts = archive.partitions()
    assert [(p.bib_lo, p.bib_hi) for p in parts] == [(0, 9)]
    assert set(pq.read_table(parts[0].path)["bib"].to_pylist()) == {3}


def test_a_failed_write_leaves_the_stage_as_it_was(tmp_path):
    archive = create_archive(tmp_path / "a", "S", "fia-2026", bibs_per_partition=10)
    add_stage(archive, 1, 1, _fleet([1]), b"<gpx/>")
    with pytest.raises(RuntimeError), StageWriter(archive, 1, 1) as writer:
        writer.write(_fleet([5]))
        raise RuntimeError("disk full")
    assert set(pq.read_table(archive.partitions()[0].path)["bib"].to_pylist()) == {1}
    assert not list(archive.fixes_dir.glob(".tmp-*"))


def test_an_archive_of_another_rulebook_or_layout_is_refused(tmp_path):
    archive = create_archive(tmp_path / "a", "S", "fia-2026")
    with pytest.raises(InputError, match="rulebook"):
        create_archive(archive.root, "S", "fim-2026")
    (archive.root / "archive.toml").write_text("layout = 99\nbibs_per_partition = 10\n")
    with pytest.raises(InputError, match="layout"):
        open_archive(archive.root)
    with pytest.raises(InputError, match="no tracking archive"):
        open_archive(tmp_path / "nowhere")


def test_a_partition_of_several_files_is_read_as_one(tmp_path):
    archive = create_archive(tmp_path / "a", "S", "fia-2026", bibs_per_partition=100)
    add_stage(archive, 1, 1, _fleet([4, 9]), b"<gpx/>")
    folder = archive.partitions()[0].path
    pq.write_table(
        pq.read_table(folder / "part-0.parquet").slice(5), folder / "part-1.parquet"
    )  # bib 9 again
    pq.write_table(
        pq.read_table(folder / "part-0.parquet").slice(0, 5), folder / "part-0.parquet"
    )  # bib 4 only
    fleet = read_partition(folder)
    assert fleet.bibs.tolist() == [4, 9] and len(fleet) == 10
