"""``warm_kernels`` compiles every kernel of the check ahead of the first ``track check``."""

from __future__ import annotations

import importlib

from raidcontrol.tracking.warm import warm_kernels

# the kernels called from Python (the others are compiled into these)
ENTRY_POINTS = {
    "kernel": ["check_crews"],
    "order": ["count_descents", "sort_crews_in_place", "gather_sorted"],
    "grid": ["_cell_table"],
    "closest": ["closest_approaches"],
    "flagged": ["_scan"],
    "zone_evidence": ["_zone_columns"],
}


def test_warm_kernels_finds_the_synthetic_infringements_and_compiles_every_entry_point():
    assert warm_kernels() == 4  # each crew misses the far waypoint and speeds in the zone
    for module_name, names in ENTRY_POINTS.items():
        module = importlib.import_module(f"raidcontrol.tracking.{module_name}")
        for name in names:
            assert getattr(module, name).signatures, f"{module_name}.{name} was not compiled"
