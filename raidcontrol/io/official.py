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
from datetime import date as dt_date, timedelta
from pathlib import Path

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import MS_PER_HOUR, Instant, TimeFormatError, format_duration, parse_duration
from raidcontrol.io.csvfile import read_rows
from raidcontrol.io.event_folder_writer import write_csv, write_event_toml
from raidcontrol.rules import Rulebook, load_rulebook

DAY_MS = 24 * MS_PER_HOUR
RULEBOOK = "fia-2026"
FINISH_CODE = "01ASS"


def _load(folder: Path, name: str):
    path = folder / name
    if not path.is_file():
        raise InputError("missing file in the organiser's data folder", file=name)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg}", file=name, line=exc.lineno) from None


def _year(folder: Path) -> str:
    found = sorted(folder.glob("stage-*-A.json"))
    if not found:
        raise InputError("no stage-<year>-A.json (the itinerary) in the organiser's data folder", file=str(folder.name))
    return found[0].name.split("-")[1]


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
    groups = {g["_id"]: g["reference"].split("-")[-1] for g in _load(folder, f"allGroups-{year}.json")}
    out = {}
    for c in _load(folder, f"allClazz-{year}-A.json"):
        if "$group" not in c:
            continue  # the group records themselves
        group = groups.get(c["$group"].split(":")[-1])
        if group not in by_group:
            raise InputError(f"class {c['reference']} belongs to unknown group {group!r}", file=f"allClazz-{year}-A.json",
                             field="$group")
        out[c["_id"]] = (by_group[group], class_code(group, c["label"]))
    return out


def _person(team: dict, role: str) -> str:
    for c in team.get("competitors", []):
        if c.get("role") == role:
            return f"{c.get('firstName', '')} {c.get('lastName', '')}".strip() or c.get("name", "")
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
    out: dict[tuple[int, int], list[dict]] = {}
    for line, row in read_rows(path, ("stage", "bib", "kind", "amount", "scope", "reason", "included")):
        where = dict(file=path.name, line=line)
        try:
            stage, bib = int(row["stage"]), int(row["bib"])
        except ValueError:
            raise InputError("stage and bib must be whole numbers", field="stage", **where) from None
        if row["kind"] not in ("penalty", "credit"):
            raise InputError("kind must be penalty or credit", field="kind", **where)
        if row["scope"] != "special":
            raise InputError("only special-scope decisions can be applied to the organiser's data", field="scope", **where)
        if row["included"] not in ("true", "false"):
            raise InputError("included must be true or false", field="included", **where)
        try:
            amount = parse_duration(row["amount"])
        except TimeFormatError as exc:
            raise InputError(str(exc), field="amount", **where) from None
        out.setdefault((stage, bib), []).append({**row, "amount_ms": amount, "included": row["included"] == "true"})
    return out


def convert_official(src: str | Path, out: str | Path, decisions: str | Path | None = None) -> dict:
    """Convert the organiser's data in ``src`` into an event folder ``out``; returns counts.

    ``decisions``: an optional CSV of known decisions the data does not show (see :func:`read_decisions`).
    """
    src, out = Path(src), Path(out)
    known = read_decisions(Path(decisions)) if decisions else {}
    if not src.is_dir():
        raise InputError("no such folder", file=str(src))
    year = _year(src)
    rulebook = load_rulebook(RULEBOOK)
    fixed = rulebook.duration_ms("forfeit.fixed_penalty")
    classes = _classes(src, year, rulebook)
    itinerary = sorted((s for s in _load(src, f"stage-{year}-A.json") if "stage" in s), key=lambda s: s["stage"])
    score_files = sorted(src.glob(f"lastScore-{year}-A-*.json"), key=lambda p: int(p.stem.split("-")[-1]))
    if not score_files:
        raise InputError(f"no lastScore-{year}-A-<stage>.json in the organiser's data folder", file=str(src.name))

    entries: dict[int, list] = {}
    times, adjustments, splits = [], [], []
    max_times: dict[int, int] = {}
    dates = {s["stage"]: s.get("startDate", s.get("date", "")) for s in itinerary}
    for path in score_files:
        stage = int(path.stem.split("-")[-1])
        rows = _load(src, path.name)
        # The special's maximum time: shared by every crew that did not finish (time − penalty).
        candidates = Counter(r["cs"][FINISH_CODE]["absolute"][0] - r["cs"][FINISH_CODE].get("penality", 0)
                             for r in rows if r["cs"].get(FINISH_CODE, {}).get("penality", 0) >= fixed)
        max_ms = candidates.most_common(1)[0][0] if candidates else None
        if max_ms is not None:
            max_times[stage] = max_ms
        for i, r in enumerate(rows):
            team = r["team"]
            bib = team["bib"]
            where = f"{path.name} (record {i + 1}, bib {bib})"
            if team["clazz"] not in classes:
                raise InputError(f"unknown class id {team['clazz']}", file=where, field="team.clazz")
            category, klass = classes[team["clazz"]]
            others = "; ".join(f"{c.get('firstName', '')} {c.get('lastName', '')}".strip()
                               for c in team.get("competitors", []) if c.get("role") not in ("P", "C"))
            entries[bib] = [bib, category, klass, _person(team, "P"), _person(team, "C"), team.get("vehicle", ""),
                            team.get("brand", ""), team.get("model", ""), str(bool(team.get("w2rc"))).lower(), others]
            cs, ce = r["cs"].get(FINISH_CODE), r.get("ce")
            if cs is None or ce is None:
                raise InputError("no finish (01ASS) result", file=where, field="cs.01ASS")
            start = r["dss"]["absolute"]
            cs_time, cs_pen = cs["absolute"][0], cs.get("penality", 0)
            ce_pen = ce.get("penality", 0)
            credit = cs.get("bonus", 0) or 0
            dnf = max_ms is not None and cs_pen >= fixed and cs_time - cs_pen == max_ms
            special_pen = cs_pen - fixed if dnf else cs_pen
            if special_pen < 0 or ce_pen < cs_pen:
                raise InputError("penalties are inconsistent (stage penalty below special penalty)", file=where,
                                 field="ce.penality")
            date = dates.get(stage, "")
            included = 0                      # decisions the published time already holds
            for dec in known.get((stage, bib), []):
                if dec["included"]:
                    included += dec["amount_ms"] if dec["kind"] == "penalty" else -dec["amount_ms"]
                adjustments.append([stage, bib, dec["kind"], format_duration(dec["amount_ms"]), "special", dec["reason"]])
            if dnf:
                times.append([stage, bib, _clock(start, date, False), "", "dnf"])
            else:
                finish = start + cs_time - cs_pen + credit - included
                full = finish >= DAY_MS
                times.append([stage, bib, _clock(start, date, full), _clock(finish, date, full), "finished"])
            if special_pen:
                reason = "penalties published by the organiser in the special" + (
                    " (other than the fixed penalty for not finishing: missed waypoints …)" if dnf else "")
                adjustments.append([stage, bib, "penalty", format_duration(special_pen), "special", reason])
            if ce_pen > cs_pen:
                adjustments.append([stage, bib, "penalty", format_duration(ce_pen - cs_pen), "stage",
                                    "penalty published by the organiser outside the special"])
            if credit:
                adjustments.append([stage, bib, "credit", format_duration(credit), "special",
                                    "credit published by the organiser"])
            for code, split in sorted(r["cs"].items()):
                if code != FINISH_CODE and isinstance(split, dict) and split.get("absolute"):
                    splits.append([stage, bib, code, format_duration(split["absolute"][0]), split["position"][0]])

    withdrawals = []
    recorded = {(t[0], t[1]) for t in times}
    withdrawal_file = f"withdrawal-{year}-A.json"
    if (src / withdrawal_file).is_file():          # withdrawals are optional, but read strictly when present
        for lst in _load(src, withdrawal_file):
            stage = int(lst["_id"].split("-")[-1])
            for w in lst["list"]:
                if w["bib"] in entries and (stage, w["bib"]) not in recorded:
                    withdrawals.append([stage, w["bib"], "", "", "withdrawn"])
    times += sorted(withdrawals)

    known_max = max_times[min(max_times)] if max_times else 11 * MS_PER_HOUR
    stages, comments = [], {}
    counts_prologue = rulebook.value("prologue.counts_for_general")
    for s in itinerary:
        n = s["stage"]
        special_km = sum(sec.get("length", 0) for sec in s.get("sectors", []) if sec.get("type") == "SPE")
        name = next((lang["text"] for lang in s.get("stageLangs", []) if lang.get("locale") == "en"), f"Stage {n}")
        max_ms = max_times.get(n, known_max)
        if n not in max_times:
            comments[n] = ("max_time: assumption — not in the organiser's data for this stage "
                           "(no results imported); the first imported stage's maximum time is used")
        else:
            comments[n] = "max_time: derived from the crews that did not finish (all share it)"
        stages.append({"number": n, "name": ("Prologue " if n == 0 else "") + name, "special_km": float(special_km),
                       "max_time": format_duration(max_ms),
                       "counts_for_general": bool(counts_prologue) if n == 0 else bool(s.get("generalDisplay", True)),
                       "final": n in max_times or any(t[0] == n for t in times if t[4] in ("finished", "dnf")),
                       **({"power_stage": True} if any(sec.get("powerStage") for sec in s.get("sectors", [])) else {})})

    out.mkdir(parents=True, exist_ok=True)
    write_event_toml(out / "event.toml", f"Dakar {year}", RULEBOOK, stages,
                     rules={"stock": {"scrutineering": False}},  # official results: Stock cars were ranked already
                     header_comment=f"Converted by `raidcontrol convert-official` from the organiser's live-timing data "
                                    f"(Dakar {year}, cars and trucks).", stage_comments=comments)
    write_csv(out / "entries.csv", ["bib", "category", "class", "driver", "codriver", "team", "brand", "model", "w2rc",
                                    "crew_others"], sorted(entries.values()))
    write_csv(out / "times.csv", ["stage", "bib", "start", "finish", "status"], sorted(times, key=lambda t: (t[0], t[1])))
    write_csv(out / "adjustments.csv", ["stage", "bib", "kind", "amount", "scope", "reason"],
              sorted(adjustments, key=lambda a: (a[0], a[1], a[4])))
    write_csv(out / "splits.csv", ["stage", "bib", "waypoint", "elapsed", "position"], sorted(splits))
    return {"entries": len(entries), "times": len(times), "adjustments": len(adjustments), "stages": len(stages),
            "withdrawals": len(withdrawals), "splits": len(splits)}
