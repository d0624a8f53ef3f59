"""The simulator's profile: its physical and statistical assumptions, as sourced data.

The figures live in ``profile.toml`` beside this module (sourced values, like a
rulebook's).  :func:`load_profile` reads them once; the simulator itself is pure and
takes the loaded :class:`SimProfile`.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from raidcontrol.rules.rulebook import Rulebook

PROFILE_FILE = "profile.toml"


class SimProfile(Rulebook):
    """A tree of sourced values read like a rulebook (``profile.value("gps.white_sigma_m")``)."""

    def pair(self, path: str) -> tuple[float, float]:
        """A ``[low, high]`` range."""
        low, high = self.value(path)
        return float(low), float(high)

    def floats(self, path: str) -> list[float]:
        return [float(v) for v in self.value(path)]


@lru_cache(maxsize=1)
def _default_tree() -> dict:
    text = (resources.files("raidcontrol.simulation") / PROFILE_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def load_profile(overrides: dict | None = None) -> SimProfile:
    """The packaged profile, with ``overrides`` (bare values or sourced values) laid over it."""
    base = SimProfile("simulation", _default_tree())
    if not overrides:
        return base
    merged = base.with_overrides(overrides, "simulation override")
    return SimProfile("simulation", merged.tree)
