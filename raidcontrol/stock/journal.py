"""Scrutineering verdicts as journal records (pure: verdicts + state → records to append).

Each verdict is ``Record(kind="scrutineering", key=str(bib))`` whose payload is
:meth:`~raidcontrol.stock.breach.Verdict.payload`; a time penalty from a changed seal
is proposed to the stewards as ``Record(kind="penalty-proposed")`` (it counts once a
steward confirms it, like every proposed penalty).  An unchanged verdict or proposal
adds nothing; a verdict or proposal that is no longer found is withdrawn (a tombstone).
"""

from __future__ import annotations

from raidcontrol.core.journal import JournalState, Record, changes
from raidcontrol.stock.breach import Verdict

KIND = "scrutineering"
PROPOSAL_KIND = "penalty-proposed"
AUTHOR = ORIGIN = "scrutineering"
PENALTY_SCOPE = "stage"


def desired_records(verdicts: list[tuple[Verdict, str]]) -> list[Record]:
    """The records that should be in force for ``(verdict, source file)`` pairs."""
    out: list[Record] = []
    for verdict, source in verdicts:
        out.append(Record(KIND, str(verdict.bib), verdict.payload(), AUTHOR, source, ORIGIN))
        counts: dict[str, int] = {}
        for b in verdict.breaches:
            if b.consequence != "penalty" or not b.penalty_ms or b.stage is None:
                continue
            counts[b.subject] = counts.get(b.subject, 0) + 1
            key = f"{KIND}/{verdict.bib}/{b.subject}/{counts[b.subject]}"
            payload = {
                "stage": b.stage,
                "bib": verdict.bib,
                "amount_ms": b.penalty_ms,
                "scope": PENALTY_SCOPE,
                "reason": f"{b.rule_id}: {b.subject} seal changed ({b.allowed} → {b.measured})",
                "evidence": {
                    "rule_id": b.rule_id,
                    "part": b.subject,
                    "seal_before": b.allowed,
                    "seal_after": b.measured,
                    "check": b.basis,
                    "source": source,
                },
            }
            out.append(Record(PROPOSAL_KIND, key, payload, AUTHOR, source, ORIGIN))
    return out


def records_to_append(state: JournalState, desired: list[Record]) -> list[Record]:
    """New or changed records (superseding the one in force), and tombstones for the
    verdicts and proposals of scrutineering that are no longer desired (``desired`` is
    the whole event: a removed file withdraws its verdict)."""
    return changes(
        state,
        desired,
        (KIND, PROPOSAL_KIND),
        origin=ORIGIN,
        removed_reason="no longer in the scrutineering files",
    )
