"""Importer of the organiser's live-timing data (the Dakar's public JSON API) → an event folder.

Reads, from one folder of saved API responses (e.g. the Dakar 2025 cache):

* ``allGroups-<year>.json`` and ``allClazz-<year>-A.json`` — groups (categories) and classes;
* ``stage-<year>-A.json`` — the itinerary (stages, special km);
* ``lastScore-<year>-A-<n>.json`` — each stage's results: start (``dss``), the special's
  ranking (``cs``), the stage ranking (``ce``), penalties (``penality``), bonuses, waypoint splits;
* ``withdrawal-<year>-A.json`` — withdrawals per stage.

What the organiser publishes and how it is turned into our files:

* a crew *finished* when its special time minus its penalties is below the special's
  maximum time; ``finish = start + special time − special penalties + credits``;
* a crew that *did not finish* gets max time + fixed penalty + other penalties; the maximum
  time is derived from those crews (they all share it) and the rulebook's fixed penalty is
  subtracted from the published penalty to leave the *other* penalties as adjustments;
* ``cs`` penalties are ``special``-scope adjustments, ``ce`` − ``cs`` penalties are
  ``stage``-scope adjustments (penalties outside the special), ``bonus`` values are credits;
* a withdrawal listed under stage *k* means the crew did not take stage *k*'s start.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date as dt_date
from datetime import timedelta
from pathlib import Path
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import MS_PER_HOUR, Instant, format_duration
from raidcontrol.io.csvfile import read_rows
from raidcontrol.io.event_folder_writer import write_csv, write_event_toml
from raidcontrol.io.fields import DurationText, Text, duration_ms
from raidcontrol.io.official_models import (
    CLASSES,
    GROUPS,
    RECORDS,
    SCORES,
    WITHDRAWALS,
    ItineraryStage,
    ScoreRow,
    Split,
)
from raidcontrol.io.validation import Collector, json_lines, validate
from raidcontrol.rules import Rulebook, load_rulebook

DAY_MS = 24 * MS_PER_HOUR
RULEBOOK = "fia-2026"
FINISH_CODE = "01ASS"
ENTRY_HEADER = [
    "bib",
    "category",
    "class",
    "driver",
    "codriver",
    "team",
    "brand",
    "model",
    "w2rc",
    "crew_others",
]


def _load(folder: Path, name: str, adapter: Any) -> Any:
    """A JSON file of the organiser's folder, validated by ``adapter``; problems located by line."""
    path = folder / name
    if not path.is_file():
        raise InputError("missing file in the organiser's data folder", file=name)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
        doc = json.loads(text)
    except UnicodeDecodeError as exc:
        raise InputError(
            "not UTF-8 text", file=name, line=data.count(b"\n", 0, exc.start) + 1
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except RecursionError:
        raise InputError("malformed JSON: nested too deep", file=name) from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"malformed JSON: {str(exc)[:120]}", file=name) from None
    return validate(adapter, doc, file=name, lines=lambda: json_lines(text))


def _year(folder: Path) -> str:
    found = sorted(folder.glob("stage-*-A.json"))
    if not found:
        raise InputError(
            "no stage-<year>-A.json (the itinerary) in the organiser's data folder",
            file=str(folder.name),
        )
    year = found[0].name.split("-")[1]
    if not (year.isascii() and year.isdigit() and len(year) == 4):
        raise InputError(f"not a year: {year!r}", file=found[0].name)
    return year


def class_code(group: str, label: str) -> str:
    """The organiser's (group, class label) → our class code: (T1, '+') → 'T1+', (T1, '1') → 'T1.1',
    (T4, 'T4') → 'T4', (T2, 'STK') → 'Stock', (T4, 'SSV1') → 'SSV1', (T4, 'NO') → 'T4.NO'."""
    if label == "+":
        return f"{group}+"
    if label == group:
        return group
    if label == "STK":
        return "Stock"
    if label.startswith("SSV"):
        return label
    return f"{group}.{label}"


def _classes(folder: Path, year: str, rulebook: Rulebook) -> dict[str, tuple[str, str]]:
    """class id → (category, class code)."""
    by_group = {v["group"]: name for name, v in rulebook.section("categories").items()}
    groups = {
        g.id: g.reference.split("-")[-1] for g in _load(folder, f"allGroups-{year}.json", GROUPS)
    }
    out = {}
    for c in _load(folder, f"allClazz-{year}-A.json", CLASSES):
        if c.group is None:
            continue  # the group records themselves
        group = groups.get(c.group.split(":")[-1], "")
        if group not in by_group:
            raise InputError(
                f"class {c.reference} belongs to unknown group {group!r}",
                file=f"allClazz-{year}-A.json",
                field="$group",
            )
        out[c.id] = (by_group[group], class_code(group, c.label))
    return out


def _itinerary(folder: Path, year: str) -> list[ItineraryStage]:
    """The stages of the itinerary (records without a ``stage`` are not stages), in order."""
    name = f"stage-{year}-A.json"
    records = _load(folder, name, RECORDS)
    stages = []
    for i, record in enumerate(records):
        if "stage" in record:
            stages.append(
                validate(
                    ItineraryStage,
                    record,
                    file=name,
                    prefix=(i,),
                    lines=lambda: json_lines((folder / name).read_text(encoding="utf-8")),
                )
            )
    return sorted(stages, key=lambda s: s.stage)


def _person(row: ScoreRow, role: str) -> str:
    for c in row.team.competitors:
        if c.role == role:
            return f"{c.firstName} {c.lastName}".strip() or c.name
    return ""


def _clock(ms: int, date: str, full: bool) -> str:
    """A clock reading ``ms`` after the stage day's local midnight: ``HH:MM:SS[.fff]``, or with
    ``full`` an ISO 8601 datetime on the stage's date with its UTC offset (for a time past midnight)."""
    if not full:
        return str(Instant(ms))
    days, rest = divmod(ms, DAY_MS)
    day = dt_date.fromisoformat(date[:10]) + timedelta(days=days)
    offset = date[19:] if len(date) > 19 else "Z"
    return f"{day.isoformat()}T{Instant(rest)}{offset}"


def read_decisions(path: Path) -> dict[tuple[int, int], list[dict]]:
    """Known decisions that the organiser's data does not show (e.g. a credit already inside a
    published time): CSV ``stage,bib,kind,amount,scope,reason,included``.  ``included`` = ``true``
    when the published time already contains it (then the raw finish is rebuilt without it)."""
    from raidcontrol.io.event_models import StageBibRow

    class DecisionRow(StageBibRow):
        kind: Text
        amount: DurationText
        scope: Text
        reason: Text
        included: Text

    out: dict[tuple[int, int], list[dict]] = {}
    errors = Collector()
    for line, raw in read_rows(
        path, ("stage", "bib", "kind", "amount", "scope", "reason", "included")
    ):
        with errors.row():
            row = validate(DecisionRow, raw, file=path.name, line=line)
            problem = next(
                (
                    (f, m)
                    for f, ok, m in (
                        (
                            "kind",
                            row.kind in ("penalty", "credit"),
                            "kind must be penalty or credit",
                        ),
                        (
                            "scope",
                            row.scope == "special",
                            "only special-scope decisions can be applied to the organiser's data",
                        ),
                        (
                            "included",
                            row.included in ("true", "false"),
                            "included must be true or false",
                        ),
                    )
                    if not ok
                ),
                None,
            )
            if problem:
                raise InputError(problem[1], file=path.name, line=line, field=problem[0])
            out.setdefault((row.stage, row.bib), []).append(
                {**raw, "amount_ms": duration_ms(row.amount), "included": row.included == "true"}
            )
    errors.raise_if_any()
    return out


@dataclass
class _Tables:
    """The event folder's rows as they are built (lists of CSV rows), and each stage's maximum time."""

    entries: dict[int, list] = field(default_factory=dict)
    times: list[list] = field(default_factory=list)
    adjustments: list[list] = field(default_factory=list)
    splits: list[list] = field(default_factory=list)
    withdrawals: list[list] = field(default_factory=list)
    max_times: dict[int, int] = field(default_factory=dict)


def _max_time(rows: list[ScoreRow], fixed: int) -> int | None:
    """The special's maximum time: shared by every crew that did not finish (time − penalty)."""
    candidates = Counter(
        r.cs[FINISH_CODE].absolute[0] - r.cs[FINISH_CODE].penality
        for r in rows
        if FINISH_CODE in r.cs
        and r.cs[FINISH_CODE].absolute
        and r.cs[FINISH_CODE].penality >= fixed
    )
    return candidates.most_common(1)[0][0] if candidates else None


def _entry(row: ScoreRow, category: str, klass: str) -> list:
    team = row.team
    others = "; ".join(
        f"{c.firstName} {c.lastName}".strip() for c in team.competitors if c.role not in ("P", "C")
    )
    return [
        team.bib,
        category,
        klass,
        _person(row, "P"),
        _person(row, "C"),
        team.vehicle,
        team.brand,
        team.model,
        str(bool(team.w2rc)).lower(),
        others,
    ]


def _result(
    t: _Tables,
    stage: int,
    row: ScoreRow,
    where: str,
    fixed: int,
    max_ms: int | None,
    date: str,
    known: list[dict],
) -> None:
    """One crew's time, adjustments and splits in one stage, from its published result."""
    cs, ce = row.cs.get(FINISH_CODE), row.ce
    if cs is None or ce is None or not cs.absolute:
        raise InputError("no finish (01ASS) result", file=where, field="cs.01ASS")
    bib, start = row.team.bib, row.dss.absolute
    cs_time, cs_pen, ce_pen, credit = cs.absolute[0], cs.penality, ce.penality, cs.bonus
    dnf = max_ms is not None and cs_pen >= fixed and cs_time - cs_pen == max_ms
    special_pen = cs_pen - fixed if dnf else cs_pen
    if special_pen < 0 or ce_pen < cs_pen:
        raise InputError(
            "penalties are inconsistent (stage penalty below special penalty)",
            file=where,
            field="ce.penality",
        )
    included = 0  # decisions the published time already holds
    for dec in known:
        if dec["included"]:
            included += dec["amount_ms"] if dec["kind"] == "penalty" else -dec["amount_ms"]
        t.adjustments.append(
            [stage, bib, dec["kind"], format_duration(dec["amount_ms"]), "special", dec["reason"]]
        )
    if dnf:
        t.times.append([stage, bib, _clock(start, date, False), "", "dnf"])
    else:
        finish = start + cs_time - cs_pen + credit - included
        if finish < 0:
            raise InputError(
                "the finish would be before the stage day", file=where, field="cs.01ASS.absolute"
            )
        full = finish >= DAY_MS
        t.times.append(
            [stage, bib, _clock(start, date, full), _clock(finish, date, full), "finished"]
        )
    _published_adjustments(t, stage, bib, special_pen, ce_pen - cs_pen, credit, dnf)
    for code, split in sorted(row.cs.items()):
        if code != FINISH_CODE and split.absolute:
            t.splits.append(
                [stage, bib, code, format_duration(split.absolute[0]), _position(split)]
            )


def _position(split: Split) -> int | str:
    return split.position[0] if split.position else ""


def _published_adjustments(
    t: _Tables, stage: int, bib: int, special_pen: int, outside_pen: int, credit: int, dnf: bool
) -> None:
    if special_pen:
        reason = "penalties published by the organiser in the special" + (
            " (other than the fixed penalty for not finishing: missed waypoints …)" if dnf else ""
        )
        t.adjustments.append(
            [stage, bib, "penalty", format_duration(special_pen), "special", reason]
        )
    if outside_pen > 0:
        t.adjustments.append(
            [
                stage,
                bib,
                "penalty",
                format_duration(outside_pen),
                "stage",
                "penalty published by the organiser outside the special",
            ]
        )
    if credit:
        t.adjustments.append(
            [
                stage,
                bib,
                "credit",
                format_duration(credit),
                "special",
                "credit published by the organiser",
            ]
        )


def _check_day(where: str, row: ScoreRow, limit_ms: int) -> None:
    """Clock readings within the rulebook's window around the stage day (no date overflow later)."""
    finish = row.cs.get(FINISH_CODE)
    total = row.dss.absolute + (finish.absolute[0] if finish and finish.absolute else 0)
    if total > limit_ms:
        raise InputError(
            f"start + special time ({total} ms) is beyond the window of {limit_ms // DAY_MS} days "
            "after the stage day (rulebook inputs.margin_days)",
            file=where,
            field="dss.absolute",
        )


def _scores(
    src: Path,
    year: str,
    t: _Tables,
    classes: dict,
    fixed: int,
    dates: dict[int, str],
    known: dict,
    limit_ms: int,
) -> None:
    """Every stage's results (``lastScore-<year>-A-<n>.json``) into ``t``."""
    score_files = sorted(
        (p for p in src.glob(f"lastScore-{year}-A-*.json") if p.stem.split("-")[-1].isdigit()),
        key=lambda p: int(p.stem.split("-")[-1]),
    )
    if not score_files:
        raise InputError(
            f"no lastScore-{year}-A-<stage>.json in the organiser's data folder", file=str(src.name)
        )
    for path in score_files:
        stage = int(path.stem.split("-")[-1])
        rows = _load(src, path.name, SCORES)
        max_ms = _max_time(rows, fixed)
        if max_ms is not None:
            t.max_times[stage] = max_ms
        for i, row in enumerate(rows):
            where = f"{path.name} (record {i + 1}, bib {row.team.bib})"
            if row.team.clazz not in classes:
                raise InputError(
                    f"unknown class id {row.team.clazz}", file=where, field="team.clazz"
                )
            _check_day(where, row, limit_ms)
            t.entries[row.team.bib] = _entry(row, *classes[row.team.clazz])
            _result(
                t,
                stage,
                row,
                where,
                fixed,
                max_ms,
                dates.get(stage, ""),
                known.get((stage, row.team.bib), []),
            )


def _withdrawals(src: Path, year: str, t: _Tables) -> None:
    """A withdrawal listed under stage *k*: the crew did not take stage *k*'s start."""
    recorded = {(row[0], row[1]) for row in t.times}
    name = f"withdrawal-{year}-A.json"
    if not (src / name).is_file():  # withdrawals are optional, but read strictly when present
        return
    for lst in _load(src, name, WITHDRAWALS):
        stage = int(lst.id.split("-")[-1])
        for w in lst.crews:
            if w.bib in t.entries and (stage, w.bib) not in recorded:
                t.withdrawals.append([stage, w.bib, "", "", "withdrawn"])
    t.times += sorted(t.withdrawals)


def _stages(
    itinerary: list[ItineraryStage], t: _Tables, rulebook: Rulebook
) -> tuple[list[dict], dict[int, str]]:
    """``[[stage]]`` tables of event.toml and a comment per stage saying where its maximum time comes from."""
    known_max = t.max_times[min(t.max_times)] if t.max_times else 11 * MS_PER_HOUR
    stages, comments = [], {}
    counts_prologue = rulebook.value("prologue.counts_for_general")
    for s in itinerary:
        n = s.stage
        special_km = sum(sec.length for sec in s.sectors if sec.type == "SPE")
        name = next((lang.text for lang in s.stageLangs if lang.locale == "en"), f"Stage {n}")
        if n not in t.max_times:
            comments[n] = (
                "max_time: assumption — not in the organiser's data for this stage "
                "(no results imported); the first imported stage's maximum time is used"
            )
        else:
            comments[n] = "max_time: derived from the crews that did not finish (all share it)"
        stages.append(
            {
                "number": n,
                "name": ("Prologue " if n == 0 else "") + name,
                "special_km": float(special_km),
                "max_time": format_duration(t.max_times.get(n, known_max)),
                "counts_for_general": bool(counts_prologue) if n == 0 else s.generalDisplay,
                "final": n in t.max_times
                or any(r[0] == n for r in t.times if r[4] in ("finished", "dnf")),
                **({"power_stage": True} if any(sec.powerStage for sec in s.sectors) else {}),
            }
        )
    return stages, comments


def _write_folder(
    out: Path, year: str, t: _Tables, stages: list[dict], comments: dict[int, str]
) -> None:
    """The event folder, each file written to a temporary name and renamed (never a torn file)."""
    out.mkdir(parents=True, exist_ok=True)
    write_event_toml(
        out / "event.toml",
        f"Dakar {year}",
        RULEBOOK,
        stages,
        rules={
            "stock": {"scrutineering": False}
        },  # official results: Stock cars were ranked already
        header_comment=f"Converted by `raidcontrol convert-official` from the organiser's live-timing data "
        f"(Dakar {year}, cars and trucks).",
        stage_comments=comments,
    )
    write_csv(out / "entries.csv", ENTRY_HEADER, sorted(t.entries.values()))
    write_csv(
        out / "times.csv",
        ["stage", "bib", "start", "finish", "status"],
        sorted(t.times, key=lambda r: (r[0], r[1])),
    )
    write_csv(
        out / "adjustments.csv",
        ["stage", "bib", "kind", "amount", "scope", "reason"],
        sorted(t.adjustments, key=lambda a: (a[0], a[1], a[4])),
    )
    write_csv(
        out / "splits.csv", ["stage", "bib", "waypoint", "elapsed", "position"], sorted(t.splits)
    )


def convert_official(src: str | Path, out: str | Path, decisions: str | Path | None = None) -> dict:
    """Convert the organiser's data in ``src`` into an event folder ``out``; returns counts.

    ``decisions``: an optional CSV of known decisions the data does not show (see :func:`read_decisions`).
    Everything is read and validated before the first file is written.
    """
    src, out = Path(src), Path(out)
    known = read_decisions(Path(decisions)) if decisions else {}
    if not src.is_dir():
        raise InputError("no such folder", file=str(src))
    year = _year(src)
    rulebook = load_rulebook(RULEBOOK)
    fixed = rulebook.duration_ms("forfeit.fixed_penalty")
    limit_ms = (int(rulebook.value("inputs.margin_days")) + 1) * DAY_MS
    classes = _classes(src, year, rulebook)
    itinerary = _itinerary(src, year)
    t = _Tables()
    _scores(
        src,
        year,
        t,
        classes,
        fixed,
        {s.stage: s.startDate or s.date for s in itinerary},
        known,
        limit_ms,
    )
    _withdrawals(src, year, t)
    stages, comments = _stages(itinerary, t, rulebook)
    _write_folder(out, year, t, stages, comments)
    return {
        "entries": len(t.entries),
        "times": len(t.times),
        "adjustments": len(t.adjustments),
        "stages": len(stages),
        "withdrawals": len(t.withdrawals),
        "splits": len(t.splits),
    }
