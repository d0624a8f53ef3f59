"""Remarks on an entry that every classification must honour (pure data).

A scrutineering verdict is folded into the event as a :class:`Remark`, as a steward's
decision on a proposed penalty is folded into its adjustments: the classification reads
``Event.remarks`` itself, so no caller can forget them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class RankingRemark(Protocol):
    """What a ranking needs of a remark: the categories whose ranking leaves the entry out,
    and the flag shown beside it in every list (empty: no flag)."""

    @property
    def excluded_categories(self) -> frozenset[str]: ...

    @property
    def flag(self) -> str: ...


@dataclass(frozen=True)
class Remark:
    """An entry's standing beyond its times.

    excluded_categories: the category rankings it is left out of (it keeps its overall place).
    flag: the remark printed beside it (``experimental``, ``not eligible: R-STD-02``), or ``""``.
    eligibility: the scrutineering verdict in force (``eligible``, ``eligible-with-remarks``,
        ``not-eligible``, ``experimental``), or ``""`` when the entry has none.
    """

    excluded_categories: frozenset[str] = frozenset()
    flag: str = ""
    eligibility: str = ""
