"""raidcontrol — race control for rally-raids.

The package is laid out as a pure core with adapters around it:

* ``core``           — domain model, journal folding, time formats (no I/O)
* ``rules``          — rulebooks as data (TOML) and their loader
* ``classification`` — special, stage and general rankings (pure functions)
* ``tracking``       — GPS compliance: waypoints and speed zones (pure kernels)
* ``stock``          — Stock-category eligibility (pure)
* ``championship``   — W2RC points and standings (pure)
* ``io``             — file formats and importers (event folders, official data, GPX …)
* ``store``          — the append-only journal in a SQL database (SQLAlchemy)
* ``cli``            — the ``raidcontrol`` command
"""

__version__ = "0.1.0"
