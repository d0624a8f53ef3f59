"""What a scrutineering verdict does to the classification (pure).

:func:`ranking_effects` turns the verdicts in force (journal payloads of kind
``scrutineering``, keyed by bib) into one :class:`RankingEffect` per entry that the
classification must treat specially.  What happens is rulebook data:
``stock.consequences.not_eligible`` and ``stock.consequences.experimental`` are
``exclude-from-category`` (the entry still runs and keeps its place in the overall
classification, but is left out of the Stock ranking and scores no Stock points) or
``flag-only`` (ranked, flagged in every list).
"""
from __future__ import annotations

from dataclasses import dataclass

from raidcontrol.rules.rulebook import Rulebook
from raidcontrol.stock.breach import EXPERIMENTAL, NOT_ELIGIBLE
from raidcontrol.stock.rules import stock_rules


@dataclass(frozen=True)
class RankingEffect:
    """How one entry is handled: the category rankings it is left out of, and the flag
    shown next to it in every list (``experimental``, ``not eligible: R-STD-02, R-MAN-01``)."""

    excluded_categories: frozenset[str]
    flag: str


def ranking_effects(verdicts: dict[int, dict], rulebook: Rulebook) -> dict[int, RankingEffect]:
    """Effects of the verdicts (``{bib: payload}``); entries without effect are left out."""
    rules = stock_rules(rulebook)
    out: dict[int, RankingEffect] = {}
    for bib, payload in verdicts.items():
        verdict = payload.get("verdict")
        if verdict == EXPERIMENTAL:
            flag, consequence = "experimental", rules.on_experimental
        elif verdict == NOT_ELIGIBLE:
            ids = sorted({b["rule_id"] for b in payload.get("breaches", []) if b.get("consequence") == "not-eligible"})
            flag, consequence = f"not eligible: {', '.join(ids)}" if ids else "not eligible", rules.on_not_eligible
        else:
            continue
        excluded = frozenset({rules.category}) if consequence == "exclude-from-category" else frozenset()
        out[int(bib)] = RankingEffect(excluded, flag)
    return out
