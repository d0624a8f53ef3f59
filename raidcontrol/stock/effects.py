"""What Stock scrutineering does to the classification (pure).

:func:`ranking_effects` turns the verdicts in force (journal payloads of kind
``scrutineering``, keyed by bib) into one :class:`RankingEffect` per Stock entry.  What
happens is rulebook data: ``stock.consequences.not_eligible`` and
``stock.consequences.experimental`` are ``exclude-from-category`` (the entry still runs and
keeps its place in the overall classification, but is left out of the Stock ranking and
scores no Stock points) or ``flag-only`` (ranked, flagged in every list).

A Stock entry with no verdict yet is *not scrutineered*: flagged, and left out of the Stock
ranking until a verdict exists — unless the event does not use Stock scrutineering
(``stock.scrutineering = false`` in the event's ``[rules]``, e.g. an event imported from the
organiser's official results).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from raidcontrol.core.journal import JournalState
from raidcontrol.core.model import Event
from raidcontrol.core.remark import Remark
from raidcontrol.rules.rulebook import Rulebook
from raidcontrol.stock.breach import EXPERIMENTAL, NOT_ELIGIBLE
from raidcontrol.stock.rules import StockRules, stock_rules

NOT_SCRUTINEERED = "not-scrutineered"
EXCLUDE = "exclude-from-category"


@dataclass(frozen=True)
class RankingEffect:
    """How one Stock entry is handled, as data for every list (table, CSV, JSON).

    excluded_categories: the category rankings it is left out of; flag: the text shown next
    to it (``experimental``, ``not eligible: R-STD-02, R-MAN-01``, ``not scrutineered``; empty
    for an eligible car); verdict: ``eligible``, ``eligible-with-remarks``, ``not-eligible``,
    ``experimental`` or ``not-scrutineered``; rule_ids: the rules broken (every consequence),
    sorted; remarks: the verdict's remarks (scrutineers' remarks and remark-level breaches).
    """

    excluded_categories: frozenset[str]
    flag: str
    verdict: str = ""
    rule_ids: tuple[str, ...] = ()
    remarks: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The effect as JSON-able data: stock_verdict, stock_flag, stock_rules, stock_remarks, stock_ranked."""
        return {
            "stock_verdict": self.verdict,
            "stock_flag": self.flag,
            "stock_rules": list(self.rule_ids),
            "stock_remarks": list(self.remarks),
            "stock_ranked": not self.excluded_categories,
        }


def _effect(payload: Mapping[str, Any], rules: StockRules) -> RankingEffect:
    verdict = str(payload.get("verdict", ""))
    breaches = payload.get("breaches", [])
    ids = tuple(sorted({str(b["rule_id"]) for b in breaches if "rule_id" in b}))
    remarks = tuple(str(r) for r in payload.get("remarks", []))
    flag, consequence = "", ""
    if verdict == EXPERIMENTAL:
        flag, consequence = "experimental", rules.on_experimental
    elif verdict == NOT_ELIGIBLE:
        failing = sorted({b["rule_id"] for b in breaches if b.get("consequence") == "not-eligible"})
        flag = f"not eligible: {', '.join(failing)}" if failing else "not eligible"
        consequence = rules.on_not_eligible
    excluded = frozenset({rules.category}) if consequence == EXCLUDE else frozenset()
    return RankingEffect(excluded, flag, verdict, ids, remarks)


def ranking_effects(
    verdicts: Mapping[int, Mapping[str, Any]],
    rulebook: Rulebook,
    entries: Mapping[int, str] | None = None,
) -> dict[int, RankingEffect]:
    """Effects of the verdicts (``{bib: payload}``), one per bib with a verdict; with ``entries``
    (bib → category), also a *not scrutineered* effect for each Stock entry without one."""
    if not verdicts and not entries:
        return {}
    rules = stock_rules(rulebook)
    out = {int(bib): _effect(payload, rules) for bib, payload in verdicts.items()}
    if entries is not None and rules.scrutineering:
        for bib, category in entries.items():
            if category == rules.category and int(bib) not in out:
                out[int(bib)] = RankingEffect(
                    frozenset({rules.category}), "not scrutineered", NOT_SCRUTINEERED
                )
    return out


def effects_in_force(
    state: JournalState, rulebook: Rulebook | None, event: Event | None = None
) -> dict[int, RankingEffect]:
    """What Stock scrutineering does to each entry, by bib: one effect per verdict in force, and
    with ``event``, a *not scrutineered* effect for a Stock entry without a verdict."""
    verdicts = {
        int(r.key): r.payload
        for r in state.of_kind("scrutineering")
        if str(r.key).isdigit() and r.payload
    }
    if rulebook is None or (not verdicts and not rulebook.has("stock")):
        return {}
    entries = {bib: e.category for bib, e in event.entries.items()} if event is not None else None
    return ranking_effects(verdicts, rulebook, entries)


def remarks_from(effects: Mapping[int, RankingEffect]) -> dict[int, Remark]:
    """The core remarks the classification honours, from the Stock effects by bib (the verdict
    in force as ``eligibility``; none for an entry not scrutineered)."""
    return {
        bib: Remark(
            effect.excluded_categories,
            effect.flag,
            "" if effect.verdict == NOT_SCRUTINEERED else effect.verdict,
        )
        for bib, effect in sorted(effects.items())
    }


def remarks_in_force(
    state: JournalState, rulebook: Rulebook | None, event: Event | None = None
) -> dict[int, Remark]:
    """The scrutineering verdicts in force as remarks by bib (what the rulebook makes them do); with
    ``event``, a Stock entry without a verdict is remarked *not scrutineered*."""
    return remarks_from(effects_in_force(state, rulebook, event))
