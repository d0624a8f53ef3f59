"""Where a season's tracking archive keeps everything (paths and the manifest; no heavy imports).

::

    ARCHIVE/
      archive.toml                                  season, rulebook, bibs per partition, layout version
      rounds/round=R/rules.json                     the rulebook in force for round R (id + overrides)
      rounds/round=R/stage=S/roadbook.gpx           stage S's roadbook (OpenRally GPX, as given)
      fixes/round=R/stage=S/bibs=LO-HI/part-0.parquet   the fixes of bibs LO…HI in round R, stage S

``fixes/`` is a Hive-partitioned Parquet dataset (keys ``round``, ``stage``, ``bibs``); each
file holds the columns ``bib`` (int32), ``t_ms`` (int64, epoch ms UTC), ``lat``, ``lon``
(float64, WGS84 degrees) and ``speed`` (float32 km/h, null: no device speed), grouped by bib,
each crew's fixes in the order the trackers delivered them.  A partition is one task of
``archive check``: its size is bounded by the bib range (``bibs_per_partition``).

The default archive of ``SEASON.toml`` is ``.raidcontrol/archive/`` beside it (next to the
events' journals; git ignores it).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from raidcontrol.core.errors import InputError

LAYOUT_VERSION = 1
MANIFEST = "archive.toml"
DEFAULT_BIBS_PER_PARTITION = 100  # a Dakar-scale stage (~800 bibs) gives about 8 tasks per stage
DEFAULT_DIR = Path(".raidcontrol") / "archive"
_PART = re.compile(r"^round=(\d+)/stage=(\d+)/bibs=(\d+)-(\d+)$")


@dataclass(frozen=True)
class Partition:
    """One (round, stage, bib range) partition of the fixes: the unit of work of a check."""

    round: int
    stage: int
    bib_lo: int
    bib_hi: int
    path: Path

    @property
    def label(self) -> str:
        return f"round={self.round}/stage={self.stage}/bibs={self.bib_lo}-{self.bib_hi}"


@dataclass(frozen=True)
class Archive:
    """An archive folder and its manifest."""

    root: Path
    season: str
    rulebook_id: str
    bibs_per_partition: int

    @property
    def fixes_dir(self) -> Path:
        return self.root / "fixes"

    def round_dir(self, rnd: int) -> Path:
        return self.root / "rounds" / f"round={rnd}"

    def rules_path(self, rnd: int) -> Path:
        return self.round_dir(rnd) / "rules.json"

    def roadbook_path(self, rnd: int, stage: int) -> Path:
        return self.round_dir(rnd) / f"stage={stage}" / "roadbook.gpx"

    def stage_dir(self, rnd: int, stage: int) -> Path:
        return self.fixes_dir / f"round={rnd}" / f"stage={stage}"

    def bib_range(self, bib: int) -> tuple[int, int]:
        """The range ``(lo, hi)`` of the partition that holds ``bib``."""
        lo = (bib // self.bibs_per_partition) * self.bibs_per_partition
        return lo, lo + self.bibs_per_partition - 1

    def partition_dir(self, rnd: int, stage: int, lo: int, hi: int) -> Path:
        return self.stage_dir(rnd, stage) / f"bibs={lo}-{hi}"

    def rules_in_force(self, rnd: int) -> dict:
        """``{"rulebook": id, "overrides": {…}, "source": …}`` of round ``rnd``."""
        path = self.rules_path(rnd)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"round {rnd} has no rules in the archive", file=str(path)) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"malformed JSON: {exc}", file=str(path)) from None

    def partitions(self, rounds: list[int] | None = None) -> list[Partition]:
        """Every partition on disk (of ``rounds`` when given), in (round, stage, bibs) order."""
        out: list[Partition] = []
        if not self.fixes_dir.is_dir():
            return out
        for d in self.fixes_dir.glob("round=*/stage=*/bibs=*"):
            m = _PART.match(d.relative_to(self.fixes_dir).as_posix())
            if m is None or not d.is_dir():
                continue
            rnd, stage, lo, hi = map(int, m.groups())
            if rounds is None or rnd in rounds:
                out.append(Partition(rnd, stage, lo, hi, d))
        return sorted(out, key=lambda p: (p.round, p.stage, p.bib_lo))


def default_archive_dir(season_toml: Path) -> Path:
    return season_toml.parent / DEFAULT_DIR


def open_archive(root: Path) -> Archive:
    """Read an archive's manifest (``archive.toml``)."""
    path = root / MANIFEST
    if not path.is_file():
        raise InputError(
            "no tracking archive here (no archive.toml): add stages with 'raidcontrol archive add' "
            "or 'raidcontrol archive simulate'",
            file=str(root),
        )
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed TOML: {exc}", file=str(path)) from None
    if doc.get("layout") != LAYOUT_VERSION:
        raise InputError(
            f"archive layout {doc.get('layout')!r} is not {LAYOUT_VERSION}",
            file=str(path),
            field="layout",
        )
    width = doc.get("bibs_per_partition")
    if not isinstance(width, int) or isinstance(width, bool) or width < 1:
        raise InputError(
            "bibs_per_partition must be a whole number ≥ 1",
            file=str(path),
            field="bibs_per_partition",
        )
    return Archive(root, str(doc.get("season", "")), str(doc.get("rulebook", "")), width)


def create_archive(
    root: Path, season: str, rulebook_id: str, bibs_per_partition: int = DEFAULT_BIBS_PER_PARTITION
) -> Archive:
    """Open the archive at ``root``, creating its manifest when there is none."""
    if (root / MANIFEST).is_file():
        archive = open_archive(root)
        if archive.rulebook_id != rulebook_id:
            raise InputError(
                f"the archive holds a season under rulebook {archive.rulebook_id!r}, not {rulebook_id!r}",
                file=str(root / MANIFEST),
                field="rulebook",
            )
        return archive
    if bibs_per_partition < 1:
        raise InputError("bibs per partition must be ≥ 1", field="--bibs-per-partition")
    root.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text(
        "# A season's tracking archive (raidcontrol archive; see docs/archive.md).\n"
        f"layout = {LAYOUT_VERSION}\nseason = {json.dumps(season)}\nrulebook = {json.dumps(rulebook_id)}\n"
        f"bibs_per_partition = {bibs_per_partition}\n",
        encoding="utf-8",
    )
    return open_archive(root)
