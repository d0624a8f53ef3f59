"""What an eligibility check finds: breaches, and the verdict that sums them up."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ELIGIBLE = "eligible"
ELIGIBLE_WITH_REMARKS = "eligible-with-remarks"
NOT_ELIGIBLE = "not-eligible"
EXPERIMENTAL = "experimental"
VERDICTS = (ELIGIBLE, ELIGIBLE_WITH_REMARKS, NOT_ELIGIBLE, EXPERIMENTAL)


@dataclass(frozen=True)
class Breach:
    """One rule broken.

    rule_id, text: the rule (``R-ALW-05``, its wording); subject: the field path or
    modification area concerned; measured: the value found (declared or measured, see
    ``basis``); allowed: what the rule allows, as text (``≤ 550``); unit: of both values;
    limit_source: the citation or assumption behind the limit; consequence:
    ``not-eligible``, ``remark`` or ``penalty``; penalty_ms and stage: the time penalty
    and the stage it applies to (seal changes).
    """

    rule_id: str
    text: str
    subject: str
    measured: Any
    allowed: str
    unit: str = ""
    basis: str = "declared"
    limit_source: str = ""
    consequence: str = "not-eligible"
    penalty_ms: int = 0
    stage: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Verdict:
    """The eligibility verdict of one Stock entry.

    verdict: one of :data:`VERDICTS`; breaches: every rule broken (all of them, also for
    an experimental car); remarks: scrutineers' remarks and remark-level breaches;
    seals: per sealed part, the initial and current seal numbers and the number of
    changes; penalties: the time penalties (ms) with their stage and reason.
    """

    bib: int
    reference: str
    verdict: str
    breaches: tuple[Breach, ...] = ()
    remarks: tuple[str, ...] = ()
    seals: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False)
    experimental_reason: str = ""
    rulebook: str = ""

    @property
    def penalties(self) -> list[dict[str, Any]]:
        return [
            {
                "stage": b.stage,
                "amount_ms": b.penalty_ms,
                "rule_id": b.rule_id,
                "reason": f"{b.rule_id}: {b.subject} seal changed ({b.measured}, was {b.allowed})",
            }
            for b in self.breaches
            if b.consequence == "penalty" and b.penalty_ms
        ]

    @property
    def eligible(self) -> bool:
        return self.verdict in (ELIGIBLE, ELIGIBLE_WITH_REMARKS)

    def payload(self) -> dict[str, Any]:
        """The JSON-able journal payload (``Record(kind="scrutineering", key=str(bib))``)."""
        return {
            "bib": self.bib,
            "reference": self.reference,
            "verdict": self.verdict,
            "breaches": [b.as_dict() for b in self.breaches],
            "remarks": list(self.remarks),
            "seals": self.seals,
            "penalties": self.penalties,
            "experimental_reason": self.experimental_reason,
            "rulebook": self.rulebook,
        }
