"""Seals on engine and gearbox: set at initial scrutineering, read again at later checks.

A seal number that differs from the one read at the check before means the part was
opened or replaced: a breach of the part's seal rule, with the rulebook's consequence
(by default a time penalty on the stage after which it was found, growing with each
change, as for an engine change).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from raidcontrol.stock.breach import Breach
from raidcontrol.stock.record import SEALED_PARTS, SealCheck
from raidcontrol.stock.rules import SealRule


def seal_breaches(checks: tuple[SealCheck, ...], rules: dict[str, SealRule]) -> list[Breach]:
    """One breach per changed seal, in check order."""
    out: list[Breach] = []
    changes = dict.fromkeys(SEALED_PARTS, 0)
    for before, after in pairwise(checks):
        for part in SEALED_PARTS:
            old, new = before.seals[part], after.seals[part]
            if old == new:
                continue
            changes[part] += 1
            rule = rules[part]
            penalty = rule.penalty_ms(changes[part]) if rule.consequence == "penalty" else 0
            out.append(
                Breach(
                    rule_id=rule.id,
                    text=rule.text,
                    subject=part,
                    measured=new,
                    allowed=old,
                    basis=f"measured {after.label}",
                    limit_source=rule.source,
                    consequence=rule.consequence,
                    penalty_ms=penalty,
                    stage=after.after_stage,
                )
            )
    return out


def seal_summary(checks: tuple[SealCheck, ...]) -> dict[str, dict[str, Any]]:
    """Per part: the initial seal, the current one, how many times it changed."""
    if not checks:
        return {}
    return {
        part: {
            "initial": checks[0].seals[part],
            "current": checks[-1].seals[part],
            "changes": sum(1 for a, b in pairwise(checks) if a.seals[part] != b.seals[part]),
            "checks": len(checks),
        }
        for part in SEALED_PARTS
    }
