"""Where an event folder keeps a stage's tracking files: ``roadbooks/stage-N.gpx`` and exactly one
``tracks/stage-N.parquet|.csv|.gpx`` (a light module: no reader is imported)."""

from __future__ import annotations

from pathlib import Path

from raidcontrol.core.errors import InputError

# The track file formats, by file suffix (docs/tracking.md).
TRACK_SUFFIXES = (".parquet", ".csv", ".gpx")


def roadbook_path(event_dir: Path, stage: int) -> Path:
    return event_dir / "roadbooks" / f"stage-{stage}.gpx"


def track_paths(event_dir: Path, stage: int) -> list[Path]:
    """The stage's track files present in the folder (one expected)."""
    candidates = [event_dir / "tracks" / f"stage-{stage}{suffix}" for suffix in TRACK_SUFFIXES]
    return [p for p in candidates if p.is_file()]


def stage_files(event_dir: Path, stage: int) -> tuple[Path, Path]:
    """The stage's roadbook and its one track file; ``InputError`` naming what is missing."""
    roadbook = roadbook_path(event_dir, stage)
    if not roadbook.is_file():
        raise InputError(
            f"no roadbook for stage {stage}: expected roadbooks/stage-{stage}.gpx",
            file=str(roadbook),
            field="--stage",
        )
    found = track_paths(event_dir, stage)
    if len(found) != 1:
        what = (
            "no tracks"
            if not found
            else "several track files (" + ", ".join(p.name for p in found) + ")"
        )
        raise InputError(
            f"{what} for stage {stage}: expected one of tracks/stage-{stage}.parquet|.csv|.gpx",
            file=str(event_dir / "tracks"),
            field="--stage",
        )
    return roadbook, found[0]


def find_stage_files(event_dir: Path, stage: int) -> tuple[Path, Path] | None:
    """The stage's roadbook and track file, or None when the folder does not have exactly them."""
    try:
        return stage_files(event_dir, stage)
    except InputError:
        return None
