"""Reading a season (``season.toml``) and opening its rounds' events (an adapter: file I/O).

``season.toml``::

    name = "W2RC 2026"
    rulebook = "fia-2026"

    [[round]]
    name = "Dakar"            # unique; the round's column in the standings
    type = "marathon"         # marathon | rally
    event = "dakar-2026"      # the event folder, relative to season.toml; omit: not yet run
    stages = 13               # optional: point-scoring stages planned (for a round not yet run)

    [rules.championship.stage_points]   # optional: override championship values for the season
    kept_on_retirement = false

    [[person]]                # optional alias table: one person, however the events spell it
    id = "nasser-al-attiyah"
    name = "Nasser Al-Attiyah"
    aliases = ["N. Al-Attiyah"]

    [[manufacturer]]          # optional, the same for manufacturers
    id = "toyota"
    name = "Toyota Gazoo Racing"
    aliases = ["TGR"]

Rounds are opened (once each, through the event API) by :func:`raidcontrol.rounds.open_rounds`.
Everything is validated before any event is opened: an unknown event folder, a round (or an
event folder) listed twice, an event whose rulebook is not the season's are located
:class:`~raidcontrol.core.errors.InputError` (exit code 2 in the CLI).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from raidcontrol.championship.model import ROUND_TYPES, Round, Season
from raidcontrol.championship.people import Alias, Identities
from raidcontrol.core.errors import InputError
from raidcontrol.core.journal import Record
from raidcontrol.core.model import Event, Stage
from raidcontrol.io.event_folder import read_event_folder, read_toml
from raidcontrol.io.season_models import parse_season
from raidcontrol.io.validation import locate, toml_lines
from raidcontrol.rules import Rulebook, load_rulebook

SEASON_KEYS = {"name", "rulebook", "round", "person", "manufacturer", "rules"}
ROUND_KEYS = {"name", "type", "event", "stages"}
ALIAS_KEYS = {"id", "name", "aliases"}


@dataclass(frozen=True)
class SeasonFile:
    """A season read from disk: the season, its alias tables and where its rounds' folders are."""

    path: Path
    season: Season
    identities: Identities
    folders: dict[int, Path] = field(default_factory=dict)  # round number → event folder
    rules: dict = field(default_factory=dict)  # the [rules] overrides of season.toml

    def rulebook(self) -> Rulebook:
        """The season's rulebook with its ``[rules]`` overrides (source ``season override``)."""
        return load_rulebook(self.season.rulebook_id, self.rules, override_source="season override")


def _table_line(text: str, table: str, index: int, key: str | None = None) -> int | None:
    """Line of the ``index``-th ``[[table]]`` header (or of ``key`` inside it), 1-based."""
    return locate(toml_lines(text), (table, index) if key is None else (table, index, key))


def _aliases(doc: dict, table: str, text: str, file: str) -> list[Alias]:
    out = []
    for i, raw in enumerate(doc.get(table, [])):
        where = {"file": file, "line": _table_line(text, table, i)}
        if not isinstance(raw, dict) or set(raw) - ALIAS_KEYS:
            raise InputError(
                f"[[{table}]] takes only {', '.join(sorted(ALIAS_KEYS))}", field=table, **where
            )
        if not all(isinstance(raw.get(k), str) and raw[k].strip() for k in ("id", "name")):
            raise InputError(f"[[{table}]] needs a non-empty id and name", field=table, **where)
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise InputError("aliases must be a list of names", field=f"{table}.aliases", **where)
        out.append(Alias(raw["id"].strip(), raw["name"].strip(), tuple(aliases)))
    return out


def _round(raw: Any, number: int, text: str, base: Path, file: str) -> tuple[Round, Path | None]:
    def fail(message: str, key: str | None = None) -> InputError:
        return InputError(
            f"round {number}: {message}",
            file=file,
            line=_table_line(text, "round", number - 1, key),
            field=key or "round",
        )

    if not isinstance(raw, dict):
        raise fail("must be a [[round]] table")
    if set(raw) - ROUND_KEYS:
        raise fail(
            f"unknown keys {', '.join(sorted(set(raw) - ROUND_KEYS))} (known: {', '.join(sorted(ROUND_KEYS))})"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("needs a name", "name")
    if raw.get("type") not in ROUND_TYPES:
        raise fail(f"type must be one of {', '.join(ROUND_TYPES)}, not {raw.get('type')!r}", "type")
    stages = raw.get("stages")
    if stages is not None and (
        not isinstance(stages, int) or isinstance(stages, bool) or stages < 0
    ):
        raise fail("stages must be a whole number of stages", "stages")
    event = raw.get("event")
    folder = None
    if event is not None:
        if not isinstance(event, str) or not event.strip():
            raise fail(
                "event must be the path of an event folder (omit it for a round not yet run)",
                "event",
            )
        folder = (base / event).resolve()
        if not (folder / "event.toml").is_file():
            raise fail(f"unknown event folder {event!r} (no event.toml there)", "event")
    return Round(number, name.strip(), raw["type"], event, stages), folder


def read_season(path: str | Path) -> SeasonFile:
    """Read and validate ``season.toml`` (not the events' contents: see :func:`open_rounds`)."""
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError("no such season file", file=file)
    text, doc = parse_season(
        path, file
    )  # shape, types and [rules] overrides (pydantic; all problems at once)
    if set(doc) - SEASON_KEYS:
        raise InputError(
            f"unknown keys {', '.join(sorted(set(doc) - SEASON_KEYS))} "
            f"(known: {', '.join(sorted(SEASON_KEYS))})",
            file=file,
        )
    name, rulebook_id = doc.get("name"), doc.get("rulebook")
    if not isinstance(name, str) or not name.strip():
        raise InputError("the season needs a name", file=file, field="name")
    if not isinstance(rulebook_id, str):
        raise InputError(
            "the season needs a rulebook id (e.g. fia-2026)", file=file, field="rulebook"
        )
    rules = doc.get("rules", {})
    if not isinstance(rules, dict):
        raise InputError("[rules] must be a table of rulebook overrides", file=file, field="rules")
    load_rulebook(rulebook_id)  # an unknown rulebook is an InputError naming the known ones
    raw_rounds = doc.get("round")
    if not isinstance(raw_rounds, list) or not raw_rounds:
        raise InputError("the season needs at least one [[round]]", file=file, field="round")
    rounds, folders = [], {}
    seen_names: dict[str, int] = {}
    seen_folders: dict[Path, int] = {}
    for number, raw in enumerate(raw_rounds, start=1):
        rnd, folder = _round(raw, number, text, path.parent, file)
        line = _table_line(text, "round", number - 1)
        if rnd.name.casefold() in seen_names:
            raise InputError(
                f"round {number}: round {rnd.name!r} is listed twice (also round "
                f"{seen_names[rnd.name.casefold()]})",
                file=file,
                line=line,
                field="name",
            )
        if folder is not None and folder in seen_folders:
            raise InputError(
                f"round {number}: event folder {rnd.event_dir!r} is listed twice (also round "
                f"{seen_folders[folder]})",
                file=file,
                line=line,
                field="event",
            )
        seen_names[rnd.name.casefold()] = number
        if folder is not None:
            seen_folders[folder] = number
            folders[number] = folder
        rounds.append(rnd)
    try:
        identities = Identities(
            _aliases(doc, "person", text, file), _aliases(doc, "manufacturer", text, file)
        )
    except (
        InputError
    ) as exc:  # a spelling that normalises to nothing, or one listed twice: locate its table
        raise exc.at(file=file, line=_table_line(text, exc.field or "person", 0)) from None
    return SeasonFile(
        path, Season(name.strip(), rulebook_id, tuple(rounds)), identities, folders, rules
    )


@dataclass
class OpenRound:
    """A round whose event was opened: the event and rulebook in force, verdicts by bib."""

    round: Round
    event: Event
    rulebook: Rulebook
    verdicts: dict[int, str]
    effects: dict[int, Any]


def check_events(season_file: SeasonFile, numbers: list[int]) -> dict[int, list[Record]]:
    """Validate the rounds' event folders and their rulebooks before anything is written; returns
    each round's folder records (read once: :func:`raidcontrol.rounds.open_rounds` syncs them)."""
    season = season_file.season
    out: dict[int, list[Record]] = {}
    for number in numbers:
        folder = season_file.folders[number]
        event_toml = folder / "event.toml"
        rulebook_id = read_toml(event_toml, str(event_toml))[1].get(
            "rulebook"
        )  # located errors, never a crash
        if rulebook_id != season.rulebook_id:
            rnd = season.rounds[number - 1]
            raise InputError(
                f"round {number} ({rnd.name}): the event's rulebook {rulebook_id!r} is not the "
                f"season's {season.rulebook_id!r}",
                file=str(event_toml),
                field="rulebook",
            )
        try:
            out[number] = read_event_folder(folder)[1]
        except InputError as exc:
            raise exc.at(file=str(folder)) from None
    return out


def itineraries(season_file: SeasonFile, numbers: list[int]) -> dict[int, tuple[Stage, ...]]:
    """Round number → the stages of its event folder (as ``event.toml`` lists them: km, flags), for
    the rounds of ``numbers`` that have a folder; read without opening any journal."""
    from raidcontrol.io.event_folder import read_event_toml

    out = {}
    for number in numbers:
        folder = season_file.folders.get(number)
        if folder is None:
            continue
        try:
            _, _, records = read_event_toml(folder)
        except InputError as exc:
            raise exc.at(file=str(folder / "event.toml")) from None
        out[number] = tuple(
            Stage(
                p["number"],
                p["name"],
                p["special_km"],
                p["max_time_ms"],
                p["counts_for_general"],
                p.get("final", False),
                p.get("power_stage", False),
            )
            for p in (r.payload for r in records if r.kind == "stage")
        )
    return out
