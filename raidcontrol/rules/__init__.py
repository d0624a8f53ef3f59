"""Rulebooks as data.

A rulebook is a folder of TOML files under ``rules/rulebooks/<id>/`` (one file per
subject: ``sporting.toml``, ``tracking.toml``, ``stock.toml``, ``championship.toml`` …),
merged into one tree.  Every number is written as a *sourced value*::

    fixed_penalty = { value = "10:00:00", source = "FIA CCR … ; reported by …" }

where ``source`` is a citation or starts with the word ``assumption``.  An event
overrides any value from the ``[rules]`` table of its ``event.toml``.
"""

from raidcontrol.rules.loader import available_rulebooks, load_rulebook
from raidcontrol.rules.rulebook import Rulebook, SourcedValue

__all__ = ["Rulebook", "SourcedValue", "available_rulebooks", "load_rulebook"]
