"""Tables: what every query returns, and the renderers that print them.

A :class:`Table` has named, typed columns (type, unit, one-line description) and rows of
plain Python values (durations as integer milliseconds, ``None`` for "none").  Renderers
are registered by format name (``csv``, ``json``, ``table`` …) so that another adapter (the
web service's HTML, for instance) can add its own with :func:`register_renderer`.
"""

from raidcontrol.tables.render import FORMATS, Renderer, register_renderer, render, renderer
from raidcontrol.tables.table import Column, Table

__all__ = ["FORMATS", "Column", "Renderer", "Table", "register_renderer", "render", "renderer"]
