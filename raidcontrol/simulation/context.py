"""What every simulated crew of a stage shares (its own module so that the crew and its
faults both depend on it, and not on each other)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from raidcontrol.simulation.layout import Layout
from raidcontrol.simulation.profile import SimProfile
from raidcontrol.simulation.route import Route
from raidcontrol.tracking.rules import TrackingRules


@dataclass(frozen=True)
class StageContext:
    """What every crew of a stage shares: the route, the layout, the rules, the profile, and
    per category (rows) the path speed cap at each route node (m/s) before pace and zones."""

    route: Route
    layout: Layout
    rules: TrackingRules
    profile: SimProfile
    base_cap: np.ndarray
    fixes: int
    fix_interval_ms: int
