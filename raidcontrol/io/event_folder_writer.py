"""Writing an event folder (used by importers and the simulator)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import tomli_w

from raidcontrol.io.atomic import atomic_write


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """A CSV file, written to a temporary name and renamed (a kill never leaves a torn file)."""
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def event_toml_text(
    name: str,
    rulebook: str,
    stages: list[dict],
    rules: dict | None = None,
    header_comment: str = "",
    stage_comments: dict[int, str] | None = None,
) -> str:
    """The text of an ``event.toml`` with one ``[[stage]]`` table per stage; comments say where values come from."""
    stage_comments = stage_comments or {}
    out = []
    if header_comment:
        out += [f"# {line}" if line else "#" for line in header_comment.splitlines()]
    out.append(tomli_w.dumps({"name": name, "rulebook": rulebook}).rstrip())
    for st in stages:
        out.append("")
        if st["number"] in stage_comments:
            out.append(f"# {stage_comments[st['number']]}")
        out.append("[[stage]]")
        out.append(tomli_w.dumps(st).rstrip())
    if rules:
        out.append("")
        out.append(tomli_w.dumps({"rules": rules}).rstrip())
    return "\n".join(out) + "\n"


def write_event_toml(
    path: Path,
    name: str,
    rulebook: str,
    stages: list[dict],
    rules: dict | None = None,
    header_comment: str = "",
    stage_comments: dict[int, str] | None = None,
) -> None:
    """``event.toml`` (see :func:`event_toml_text`), written to a temporary name and renamed."""
    text = event_toml_text(name, rulebook, stages, rules, header_comment, stage_comments)
    with atomic_write(path, "w") as fh:
        fh.write(text)
