"""The Stock rules, read from the ``stock`` section of a rulebook (``stock.toml``).

Rules come in four groups, each a table of rules keyed by a short name:

* ``as_produced`` — what must stay as the production car (bodyshell, engine, gearbox,
  suspension mounting points …): ``figures`` are compared with the reference sheet,
  ``flags`` must be true, and a declared modification in one of its ``areas`` is a breach;
* ``mandatory`` — what must be fitted (restrictor, roll cage, seats, harnesses …):
  ``flags`` must be true (or a declared modification in its ``areas``: the team declaring the
  mandatory kit it fitted), ``measures`` within the limits;
* ``allowed`` — what may change (dampers, brakes, fuel tank, tyres, track …): a declared
  modification in its ``areas`` is allowed, its ``measures`` must stay within the limits;
* ``limits`` — checks on the car as a whole (minimum weight).

Limits (all sourced values): ``max``, ``min``, ``max_over_reference`` and
``min_over_reference`` (difference to the sheet figure named in ``reference``, by
default the same path as the measure), ``tolerance_pct`` for compared figures.  A limit
can be set per production model in ``stock.bop.<reference id>.<rule key>``.
Any modification in an area that no rule names breaks ``stock.principle``.

Special checks (``check``): ``production-volume`` (the sheet's ``production.units`` at least
``min``, or a ``production.homologation``), ``per-turbocharger`` (``equipment.restrictor_count``
equals the sheet's ``engine.turbochargers``), ``expiry`` (each date of ``dates`` not before
the scrutineering date).  ``when_missing = "remark"`` makes a value the rule needs but the
record lacks a remark (``missing_text``), so that nothing passes silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from raidcontrol.core.errors import InputError
from raidcontrol.core.timefmt import TimeFormatError, parse_duration
from raidcontrol.rules.rulebook import Rulebook
from raidcontrol.stock.record import CAR_FIELDS, SEALED_PARTS
from raidcontrol.stock.sheet import FIGURE_FIELDS

GROUPS = ("as_produced", "mandatory", "allowed", "limits")
LIMIT_KEYS = ("max", "min", "max_over_reference", "min_over_reference")
CONSEQUENCES = ("not-eligible", "remark", "penalty")
CHECKS = (
    "",
    "production-volume",
    "per-turbocharger",
    "expiry",
)  # special checks beyond flags, figures, measures
WHEN_MISSING = (
    "",
    "remark",
)  # what a value the rule needs but the record lacks gives: nothing, or a remark
RANKING_CONSEQUENCES = ("exclude-from-category", "flag-only")


@dataclass(frozen=True)
class StockRule:
    """One rule: ``group`` and ``key`` (``allowed``/``fuel_tank``), ``id`` (``R-ALW-05``),
    its ``text`` and ``source``, what it checks, and the ``consequence`` of a breach."""

    group: str
    key: str
    id: str
    text: str
    source: str
    areas: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()
    limits: dict[str, float] = field(default_factory=dict, hash=False)
    tolerance_pct: float = 0.0
    consequence: str = "not-eligible"
    check: str = ""
    dates: tuple[str, ...] = ()
    when_missing: str = ""
    missing_text: str = ""

    def limits_for(self, rules: StockRules, reference_id: str) -> dict[str, float]:
        """This rule's limits with the production model's balance-of-performance values laid over."""
        return {**self.limits, **rules.bop.get(reference_id, {}).get(self.key, {})}


@dataclass(frozen=True)
class SealRule:
    """A sealed part: changing its seal is a breach with ``consequence``; ``penalties_ms``
    is the time penalty of the 1st, 2nd … change (the last repeats)."""

    part: str
    id: str
    text: str
    source: str
    consequence: str
    penalties_ms: tuple[int, ...]

    def penalty_ms(self, nth_change: int) -> int:
        if not self.penalties_ms:
            return 0
        return self.penalties_ms[min(nth_change, len(self.penalties_ms)) - 1]


@dataclass(frozen=True)
class StockRules:
    category: str
    principle: StockRule
    rules: tuple[StockRule, ...]
    seals: dict[str, SealRule] = field(hash=False)
    on_not_eligible: str = "exclude-from-category"
    on_experimental: str = "exclude-from-category"
    bop: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict, hash=False)
    sources: dict[str, str] = field(default_factory=dict, hash=False)
    scrutineering: bool = (
        True  # the event uses Stock scrutineering: an entry without a verdict is not ranked
    )

    def limit_source(self, rule: StockRule, reference_id: str, limit: str) -> str:
        """Where a limit comes from (the BoP entry of the model if it sets it)."""
        bop = f"stock.bop.{reference_id}.{rule.key}.{limit}"
        return self.sources.get(bop) or self.sources.get(
            f"stock.{rule.group}.{rule.key}.{limit}", ""
        )

    def group(self, name: str) -> list[StockRule]:
        return [r for r in self.rules if r.group == name]


def stock_rules(rb: Rulebook) -> StockRules:
    """Read and check the ``stock`` section; a defect names the rulebook path."""
    if not rb.has("stock"):
        raise InputError(f"rulebook {rb.id!r} has no Stock rules (stock.toml)", field="stock")
    tree = rb.section("stock")
    rules: list[StockRule] = []
    for group in GROUPS:
        for key, raw in tree.get(group, {}).items():
            rules.append(_rule(group, key, raw, f"stock.{group}.{key}"))
    ids = [r.id for r in rules]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InputError(f"rule ids used twice: {', '.join(dupes)}", field="stock")
    seals = {
        part: _seal(part, tree.get("seals", {}).get(part), f"stock.seals.{part}")
        for part in SEALED_PARTS
    }
    cons = tree.get("consequences", {})
    return StockRules(
        category=_text(tree, "category", "stock.category"),
        principle=_rule("principle", "principle", tree.get("principle"), "stock.principle"),
        rules=tuple(rules),
        seals=seals,
        on_not_eligible=_choice(
            cons, "not_eligible", RANKING_CONSEQUENCES, "stock.consequences.not_eligible"
        ),
        on_experimental=_choice(
            cons, "experimental", RANKING_CONSEQUENCES, "stock.consequences.experimental"
        ),
        bop=_bop(tree.get("bop", {})),
        scrutineering=_flag(tree, "scrutineering", "stock.scrutineering"),
        sources={path: sv.source for path, sv in rb.sourced_leaves() if path.startswith("stock.")},
    )


def _rule(group: str, key: str, raw: Any, path: str) -> StockRule:
    if not isinstance(raw, dict):
        raise InputError("expected a rule table (id, text, source …)", field=path)
    for name in ("id", "text", "source"):
        _text(raw, name, f"{path}.{name}")
    flags = _paths(raw, "flags", path, CAR_FIELDS)
    figures = _paths(raw, "figures", path, FIGURE_FIELDS)
    measures = _paths(raw, "measures", path, CAR_FIELDS)
    reference = _paths(raw, "reference", path, FIGURE_FIELDS) or tuple(
        m for m in measures if m in FIGURE_FIELDS
    )
    limits = {k: _number(raw[k], f"{path}.{k}") for k in LIMIT_KEYS if k in raw}
    if any(k.endswith("_over_reference") for k in limits) and len(reference) != len(measures):
        raise InputError(
            "a limit over the reference needs one reference figure per measure",
            field=f"{path}.reference",
        )
    when_missing = _choice(raw, "when_missing", WHEN_MISSING, f"{path}.when_missing", default="")
    return StockRule(
        group=group,
        key=key,
        id=raw["id"],
        text=raw["text"],
        source=raw["source"],
        areas=tuple(raw.get("areas", ())),
        flags=flags,
        figures=figures,
        measures=measures,
        reference=reference,
        limits=limits,
        tolerance_pct=_number(raw.get("tolerance_pct", 0), f"{path}.tolerance_pct"),
        consequence=_choice(
            raw, "consequence", CONSEQUENCES, f"{path}.consequence", default="not-eligible"
        ),
        check=_choice(raw, "check", CHECKS, f"{path}.check", default=""),
        dates=_paths(raw, "dates", path, CAR_FIELDS),
        when_missing=when_missing,
        missing_text=_text(raw, "missing_text", f"{path}.missing_text") if when_missing else "",
    )


def _seal(part: str, raw: Any, path: str) -> SealRule:
    if not isinstance(raw, dict):
        raise InputError("missing the seal rule of this part", field=path)
    penalties = raw.get("penalties", [])
    try:
        ms = tuple(parse_duration(str(p)) for p in penalties)
    except TimeFormatError as exc:
        raise InputError(str(exc), field=f"{path}.penalties") from None
    return SealRule(
        part,
        _text(raw, "id", f"{path}.id"),
        _text(raw, "text", f"{path}.text"),
        _text(raw, "source", f"{path}.source"),
        _choice(raw, "consequence", CONSEQUENCES, f"{path}.consequence"),
        ms,
    )


def _bop(raw: dict[str, Any]) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for ref, by_rule in raw.items():
        for key, limits in by_rule.items():
            for name, value in limits.items():
                where = f"stock.bop.{ref}.{key}.{name}"
                if name not in LIMIT_KEYS:
                    raise InputError(f"unknown limit (known: {', '.join(LIMIT_KEYS)})", field=where)
                out.setdefault(ref, {}).setdefault(key, {})[name] = _number(value, where)
    return out


def _paths(raw: dict[str, Any], name: str, path: str, known: dict[str, Any]) -> tuple[str, ...]:
    values = raw.get(name, [])
    bad = [v for v in values if v not in known]
    if bad:
        raise InputError(
            f"unknown field path(s) {', '.join(map(repr, bad))}", field=f"{path}.{name}"
        )
    return tuple(values)


def _text(raw: dict[str, Any], name: str, path: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError("expected a non-empty text", field=path)
    return value


def _flag(raw: dict[str, Any], name: str, path: str) -> bool:
    value = raw.get(name, True)
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}", field=path)
    return value


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"expected a number, got {value!r}", field=path)
    return value


def _choice(
    raw: dict[str, Any], name: str, allowed: tuple[str, ...], path: str, default: str | None = None
) -> str:
    value = raw.get(name, default)
    if value not in allowed:
        raise InputError(f"expected one of {', '.join(allowed)}, got {value!r}", field=path)
    return str(value)
