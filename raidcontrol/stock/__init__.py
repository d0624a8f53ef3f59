"""The Stock category: production-reference sheets, Stock rules, scrutineering records,
eligibility verdicts, seals and their effect on the classification.

Everything here is pure (data in, data out); files are read by
:mod:`raidcontrol.io.scrutineering` and the HTML report is written by
:mod:`raidcontrol.io.stock_report`.
"""

from raidcontrol.stock.breach import (
    ELIGIBLE,
    ELIGIBLE_WITH_REMARKS,
    EXPERIMENTAL,
    NOT_ELIGIBLE,
    VERDICTS,
    Breach,
    Verdict,
)
from raidcontrol.stock.effects import RankingEffect, ranking_effects
from raidcontrol.stock.record import ScrutineeringRecord, record_from_dict
from raidcontrol.stock.rules import StockRules, stock_rules
from raidcontrol.stock.sheet import ProductionReference, sheet_from_dict
from raidcontrol.stock.verdict import assess

__all__ = [
    "ELIGIBLE",
    "ELIGIBLE_WITH_REMARKS",
    "EXPERIMENTAL",
    "NOT_ELIGIBLE",
    "VERDICTS",
    "Breach",
    "ProductionReference",
    "RankingEffect",
    "ScrutineeringRecord",
    "StockRules",
    "Verdict",
    "assess",
    "ranking_effects",
    "record_from_dict",
    "sheet_from_dict",
    "stock_rules",
]
