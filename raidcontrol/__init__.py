"""raidcontrol — race control for rally-raids.

The Python API (see docs/architecture.md)::

    import raidcontrol

    with raidcontrol.open_event("out/dakar2025") as ev:
        print(ev.stage(1).to_csv())

The package is laid out as a pure core with adapters around it:

* ``core``           — domain model, journal folding, remarks, time formats (no I/O)
* ``rules``          — rulebooks as data (TOML) and their loader (the loader reads files)
* ``classification`` — special, stage and general rankings (pure functions)
* ``tracking``       — GPS compliance: waypoints and speed zones (pure kernels)
* ``stock``          — Stock-category eligibility (pure)
* ``championship``   — W2RC points and standings (pure)
* ``tables``         — the Table every query returns, and its renderers (CSV, JSON, rich)
* ``io``             — file formats and importers (event folders, official data, GPX …)
* ``store``          — the append-only journal in a SQL database (SQLAlchemy)
* ``session``, ``event`` — an open event (the application layer) and its Python API
* ``simulation``     — the stage simulator
* ``cli``            — the ``raidcontrol`` command

Nothing heavy is imported here: ``open_event`` and ``OpenEvent`` load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Column", "OpenEvent", "Table", "__version__", "open_event"]

if TYPE_CHECKING:
    from raidcontrol.event import OpenEvent, open_event
    from raidcontrol.tables import Column, Table

_LAZY = {
    "open_event": "raidcontrol.event",
    "OpenEvent": "raidcontrol.event",
    "Table": "raidcontrol.tables",
    "Column": "raidcontrol.tables",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'raidcontrol' has no attribute {name!r}")
