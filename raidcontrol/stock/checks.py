"""The Stock rules' special checks (pure): homologation / production volume, one restrictor per
turbocharger, expiry dates of the safety equipment, and values a rule needs that are missing.

Each returns the :class:`~raidcontrol.stock.breach.Breach` list of one rule; see
:mod:`raidcontrol.stock.rules` for the rule fields they read.
"""

from __future__ import annotations

from raidcontrol.stock.breach import Breach
from raidcontrol.stock.record import ScrutineeringRecord
from raidcontrol.stock.rules import StockRule
from raidcontrol.stock.schema import as_date
from raidcontrol.stock.sheet import ProductionReference

REMARK = "remark"
MISSING = "missing"  # the ``measured`` of a breach for a value the record or the sheet lacks
UNITS, HOMOLOGATION, TURBOS = "production.units", "production.homologation", "engine.turbochargers"
RESTRICTOR, RESTRICTOR_COUNT = "equipment.restrictor", "equipment.restrictor_count"


def missing(rule: StockRule, subject: str, basis: str = "declared") -> Breach:
    """A remark: the record (or the sheet) lacks a value the rule needs."""
    return Breach(
        rule.id,
        rule.text,
        subject,
        MISSING,
        rule.missing_text,
        basis=basis,
        limit_source=rule.source,
        consequence=REMARK,
    )


def production_volume(rule: StockRule, sheet: ProductionReference) -> list[Breach]:
    """The model is homologated, or built in at least ``min`` units (sheet figures)."""
    if sheet.has(HOMOLOGATION):
        return []
    if not sheet.has(UNITS):
        return (
            [missing(rule, f"sheet {sheet.id}: {UNITS}", basis="sheet")]
            if rule.when_missing
            else []
        )
    units = sheet.figure(UNITS).value
    least = rule.limits.get("min", 0)
    if units >= least:
        return []
    return [
        Breach(
            rule.id,
            rule.text,
            UNITS,
            units,
            f"≥ {least:g} units or a homologation",
            basis="sheet",
            limit_source=rule.source,
            consequence=rule.consequence,
        )
    ]


def per_turbocharger(
    rule: StockRule, record: ScrutineeringRecord, sheet: ProductionReference
) -> list[Breach]:
    """As many restrictors as the production engine has turbochargers (a single one otherwise)."""
    if record.value(RESTRICTOR)[0] is not True:
        return []  # no restrictor at all is the mandatory restrictor rule's breach
    turbos = sheet.figure(TURBOS).value if sheet.has(TURBOS) else None
    if turbos is None:
        return (
            [missing(rule, f"sheet {sheet.id}: {TURBOS}", basis="sheet")]
            if rule.when_missing
            else []
        )
    count, basis = record.value(RESTRICTOR_COUNT)
    if count is None:
        return [missing(rule, RESTRICTOR_COUNT)] if rule.when_missing else []
    wanted = max(turbos, 1)
    if count == wanted:
        return []
    return [
        Breach(
            rule.id,
            rule.text,
            RESTRICTOR_COUNT,
            count,
            f"= {wanted} (one per turbocharger: {turbos})",
            basis=basis,
            limit_source=f"{rule.source}; sheet {sheet.id}: {sheet.figure(TURBOS).source}",
            consequence=rule.consequence,
        )
    ]


def expiry(rule: StockRule, record: ScrutineeringRecord) -> list[Breach]:
    """Each safety label's end of validity is not before the scrutineering date (``findings.date``)."""
    checked_on = as_date(record.date) if record.date else None
    out = []
    for path in rule.dates:
        value, basis = record.value(path)
        if value is None:
            if rule.when_missing:
                out.append(missing(rule, path))
            continue
        if checked_on is None:
            if rule.when_missing:
                out.append(
                    Breach(
                        rule.id,
                        rule.text,
                        path,
                        value.isoformat(),
                        "no scrutineering date to check against (findings.date)",
                        basis=basis,
                        limit_source=rule.source,
                        consequence=REMARK,
                    )
                )
            continue
        if value < checked_on:
            out.append(
                Breach(
                    rule.id,
                    rule.text,
                    path,
                    value.isoformat(),
                    f"≥ {checked_on.isoformat()} (the scrutineering date)",
                    basis=basis,
                    limit_source=rule.source,
                    consequence=rule.consequence,
                )
            )
    return out


def special(
    rule: StockRule, record: ScrutineeringRecord, sheet: ProductionReference
) -> list[Breach]:
    """The breaches of a rule's special ``check`` (none for a rule without one)."""
    if rule.check == "production-volume":
        return production_volume(rule, sheet)
    if rule.check == "per-turbocharger":
        return per_turbocharger(rule, record, sheet)
    if rule.check == "expiry":
        return expiry(rule, record)
    return []
