"""The eligibility verdict of a Stock car (pure: record + sheet + rules → verdict).

* **not eligible** — at least one breach whose consequence is ``not-eligible``;
* **experimental** — the team entered the car as experimental, or the scrutineers
  decided so: it runs, is not classified in Stock and scores no points (breaches are
  still listed);
* **eligible with remarks** — no disqualifying breach, but remarks (the scrutineers'
  own, or breaches whose consequence is a remark or a time penalty, such as a seal change);
* **eligible** — nothing to say.
"""

from __future__ import annotations

import difflib
from typing import Any

from raidcontrol.stock.breach import (
    ELIGIBLE,
    ELIGIBLE_WITH_REMARKS,
    EXPERIMENTAL,
    NOT_ELIGIBLE,
    Breach,
    Verdict,
)
from raidcontrol.stock.checks import MISSING, missing, special
from raidcontrol.stock.record import CAR_FIELDS, ScrutineeringRecord
from raidcontrol.stock.rules import StockRule, StockRules
from raidcontrol.stock.seals import seal_breaches, seal_summary
from raidcontrol.stock.sheet import ProductionReference

PERCENT = 100


def assess(
    record: ScrutineeringRecord,
    sheet: ProductionReference,
    rules: StockRules,
    rulebook_id: str = "",
) -> Verdict:
    """Check one car against its production sheet and the Stock rules."""
    breaches: list[Breach] = []
    for rule in rules.group("as_produced"):
        breaches += _flag_breaches(rule, record, "as produced")
        breaches += _figure_breaches(rule, record, sheet, rules)
        breaches += _area_breaches(rule, record)
        breaches += special(rule, record, sheet)
    for rule in rules.group("mandatory"):
        declared = any(
            m.area in rule.areas for m in record.modifications
        )  # the team declared the kit it fitted
        absent = [] if declared else _flag_breaches(rule, record, "fitted")
        breaches += absent
        if not absent:
            breaches += _limit_breaches(rule, record, sheet, rules) + special(rule, record, sheet)
    for rule in (*rules.group("allowed"), *rules.group("limits")):
        breaches += _limit_breaches(rule, record, sheet, rules) + special(rule, record, sheet)
    named = sorted({a for r in rules.rules for a in r.areas})
    breaches += [
        Breach(
            rules.principle.id,
            rules.principle.text,
            f"modification: {m.area}",
            m.description,
            _not_allowed(m.area, named),
            limit_source=rules.principle.source,
            consequence=rules.principle.consequence,
        )
        for m in record.modifications
        if m.area not in named
    ]
    breaches += seal_breaches(record.seal_checks, rules.seals)

    remarks = list(record.remarks)
    remarks += [
        f"{b.rule_id} ({b.subject}): {b.allowed}"
        if b.measured == MISSING
        else f"{b.rule_id} ({b.subject}): {b.measured} — allowed {b.allowed}"
        for b in breaches
        if b.consequence == "remark"
    ]
    remarks += [
        f"{b.rule_id}: {b.subject} seal changed after stage {b.stage}"
        for b in breaches
        if b.consequence == "penalty"
    ]
    reason = ""
    if record.experimental:
        verdict, reason = (
            EXPERIMENTAL,
            record.experimental_reason or "entered as experimental by the team",
        )
    elif record.decision == "experimental":
        verdict, reason = EXPERIMENTAL, "decided by the scrutineers"
    elif any(b.consequence == "not-eligible" for b in breaches):
        verdict = NOT_ELIGIBLE
    elif remarks:
        verdict = ELIGIBLE_WITH_REMARKS
    else:
        verdict = ELIGIBLE
    return Verdict(
        record.bib,
        record.reference,
        verdict,
        tuple(breaches),
        tuple(remarks),
        seal_summary(record.seal_checks),
        reason,
        rulebook_id,
    )


def _not_allowed(area: str, named: list[str]) -> str:
    """What the principle allows in an area no rule names, with the nearest rulebook area
    (a misspelt area is then easy to see)."""
    near = difflib.get_close_matches(area.lower(), named, n=1, cutoff=0.75)
    return "no modification in this area" + (f" (a rulebook area is {near[0]!r})" if near else "")


def _unit(path: str) -> str:
    field = CAR_FIELDS.get(path)
    return field.unit if field else ""


def _flag_breaches(rule: StockRule, record: ScrutineeringRecord, expected: str) -> list[Breach]:
    out = []
    for path in rule.flags:
        value, basis = record.value(path)
        if value is not True:
            out.append(
                Breach(
                    rule.id,
                    rule.text,
                    path,
                    "no",
                    expected,
                    basis=basis,
                    limit_source=rule.source,
                    consequence=rule.consequence,
                )
            )
    return out


def _figure_breaches(
    rule: StockRule, record: ScrutineeringRecord, sheet: ProductionReference, rules: StockRules
) -> list[Breach]:
    """Figures as produced.  The tolerance is for measuring error only: a declared figure must be the
    sheet's; a measured one within the tolerance but above the sheet's is a remark that shows it."""
    out = []
    for path in rule.figures:
        value, basis = record.value(path)
        if not sheet.has(path):
            continue
        if value is None:
            if rule.when_missing:
                out.append(missing(rule, path))
            continue
        figure = sheet.figure(path)
        source = f"sheet {sheet.id}: {figure.source}"
        if isinstance(figure.value, str):
            if _norm(value) != _norm(figure.value):
                out.append(
                    Breach(
                        rule.id,
                        rule.text,
                        path,
                        value,
                        f"{figure.value} (production)",
                        _unit(path),
                        basis,
                        limit_source=source,
                        consequence=rule.consequence,
                    )
                )
            continue
        tol = abs(figure.value) * rule.tolerance_pct / PERCENT if basis == "measured" else 0
        if abs(value - figure.value) > tol:
            allowed = (
                f"{figure.value} ± {_num(tol)} (production ± {_num(rule.tolerance_pct)} %)"
                if tol
                else f"{figure.value} (production)"
            )
            out.append(
                Breach(
                    rule.id,
                    rule.text,
                    path,
                    value,
                    allowed,
                    _unit(path),
                    basis,
                    limit_source=source,
                    consequence=rule.consequence,
                )
            )
        elif value > figure.value:
            over = (value - figure.value) / figure.value * PERCENT
            out.append(
                Breach(
                    rule.id,
                    rule.text,
                    path,
                    value,
                    f"{figure.value} (production; {over:+.2f} %, within "
                    f"the {_num(rule.tolerance_pct)} % measuring tolerance)",
                    _unit(path),
                    basis,
                    limit_source=source,
                    consequence="remark",
                )
            )
    return out


def _area_breaches(rule: StockRule, record: ScrutineeringRecord) -> list[Breach]:
    return [
        Breach(
            rule.id,
            rule.text,
            f"modification: {m.area}",
            m.description,
            "as produced",
            limit_source=rule.source,
            consequence=rule.consequence,
        )
        for m in record.modifications
        if m.area in rule.areas
    ]


def _limit_breaches(
    rule: StockRule, record: ScrutineeringRecord, sheet: ProductionReference, rules: StockRules
) -> list[Breach]:
    limits = rule.limits_for(rules, sheet.id)
    out = []
    for i, path in enumerate(rule.measures):
        value, basis = record.value(path)
        if value is None:
            if rule.when_missing:
                out.append(missing(rule, path))
            continue
        base = (
            sheet.figure(rule.reference[i]).value
            if rule.reference and sheet.has(rule.reference[i])
            else None
        )
        for name, limit in limits.items():
            ok, allowed = _within(name, value, limit, base)
            if not ok:
                out.append(
                    Breach(
                        rule.id,
                        rule.text,
                        path,
                        value,
                        allowed,
                        _unit(path),
                        basis,
                        rules.limit_source(rule, sheet.id, name),
                        rule.consequence,
                    )
                )
    return out


def _within(name: str, value: float, limit: float, base: Any) -> tuple[bool, str]:
    if name == "max":
        return value <= limit, f"≤ {_num(limit)}"
    if name == "min":
        return value >= limit, f"≥ {_num(limit)}"
    if base is None:
        return True, ""
    if name == "max_over_reference":
        return (
            value - base <= limit,
            f"≤ {_num(base + limit)} (production {_num(base)} + {_num(limit)})",
        )
    sign = "+" if limit >= 0 else "−"
    return (
        value - base >= limit,
        f"≥ {_num(base + limit)} (production {_num(base)} {sign} {_num(abs(limit))})",
    )


def _norm(text: Any) -> str:
    return " ".join(str(text).lower().replace("_", "-").split())


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)
