"""Roadbook import: OpenRally GPX (the community standard for rally-raid routes).

An OpenRally roadbook is a GPX 1.1 file whose ``<wpt>`` elements carry OpenRally
extension elements (namespace ``http://www.openrally.org/xmlschemas/GpxExtensions/…``,
both the ``v1.0.0`` and the ``v1.0-Cross-Country-DRAFT`` URIs are read):

* waypoints ``wpv wpm wps wpe wpn wpc wpp`` with optional ``name``, ``open`` and ``clear``
  (radii; metres, or yards under ``<units>statute</units>``) — the rulebook's radius for
  the type when the file gives none;
* speed zones: a ``dz`` with a ``speed`` (km/h, or mph under statute units) in the same
  ``<wpt>``, closed by the next ``fz``;
* ``dss`` / ``ass`` (start and finish of the special), ``neutralization`` (seconds),
  ``timecontrol`` (``allowed`` minutes), ``checkpoint``, and ``distance`` (roadbook km).

Names: a waypoint's ``name`` attribute, else ``WP<n>`` (n = 1-based position among the
waypoints, in file order); a zone's DZ ``name`` attribute, else ``DZ<n>``.

Bad input raises :class:`InputError` with the file, the line and the field.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from raidcontrol.core.errors import InputError
from raidcontrol.tracking.model import WAYPOINT_TYPES, Roadbook, SpeedZone, Waypoint
from raidcontrol.tracking.rules import TrackingRules

OPENRALLY_NS_MARK = "openrally.org/xmlschemas/gpxextensions"
GPX_NS_MARK = "topografix.com/gpx"
METRES_PER_YARD = 0.9144            # international yard (unit conversion, not a rule)
KM_PER_MILE = 1.609344              # international statute mile
STATUTE_UNITS = ("statute", "statue")   # the schema's enumeration spells it "statue"


@dataclass
class _Node:
    """A parsed element: namespace URI, local name, attributes, text, children, line."""

    ns: str
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["_Node"] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str, ns_mark: str | None = None) -> "_Node | None":
        for child in self.children:
            if child.tag == tag and (ns_mark is None or ns_mark in child.ns.lower()):
                return child
        return None


def _parse_tree(data: bytes, file: str) -> _Node:
    """Parse XML into light nodes that remember their line (the roadbook is small)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    root = _Node("", "#document", {}, 0)
    stack = [root]

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        node = _Node(ns, local, {k.rpartition(" ")[2]: v for k, v in attrs.items()}, parser.CurrentLineNumber)
        stack[-1].children.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if len(stack) > 1:
            stack[-1].text += text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError(f"not well-formed XML: {expat.ErrorString(exc.code)} (column {exc.offset + 1})",
                         file=file, line=exc.lineno) from None
    if not root.children:
        raise InputError("empty XML document", file=file, line=1)
    return root.children[0]


def _is_openrally(node: _Node) -> bool:
    return OPENRALLY_NS_MARK in node.ns.lower() or node.ns == ""


def _number(text: str | None, *, file: str, line: int, what: str, positive: bool = False) -> float:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        raise InputError(f"not a number: {text!r}", file=file, line=line, field=what) from None
    if not math.isfinite(value) or (positive and value <= 0) or value < 0:
        raise InputError(f"must be a {'positive' if positive else 'non-negative'} finite number, not {text!r}",
                         file=file, line=line, field=what)
    return value


def _coordinate(node: _Node, name: str, limit: float, file: str) -> float:
    raw = node.attrs.get(name)
    if raw is None:
        raise InputError(f"<wpt> without {name}", file=file, line=node.line, field=name)
    try:
        value = float(raw)
    except ValueError:
        raise InputError(f"not a number: {raw!r}", file=file, line=node.line, field=name) from None
    if not math.isfinite(value) or abs(value) > limit:
        raise InputError(f"{name} must be within ±{limit:g} degrees, not {raw!r}", file=file, line=node.line, field=name)
    return value


def read_roadbook(path: str | Path, rules: TrackingRules) -> Roadbook:
    """Read an OpenRally GPX roadbook; radii the file does not give come from ``rules``."""
    path = Path(path)
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the roadbook: {exc.strerror}", file=file) from None
    return parse_roadbook(data, rules, file=file)


def parse_roadbook(data: bytes, rules: TrackingRules, *, file: str = "roadbook.gpx") -> Roadbook:
    """Parse OpenRally GPX bytes (see the module docstring)."""
    gpx = _parse_tree(data, file)
    if gpx.tag != "gpx":
        raise InputError(f"the root element is <{gpx.tag}>, not <gpx>", file=file, line=gpx.line, field="gpx")
    statute = False
    meta = gpx.find("metadata")
    ext = meta.find("extensions") if meta else None
    units = ext.find("units") if ext else None
    if units is not None:
        unit_text = units.text.strip().lower()
        if unit_text not in ("metric",) + STATUTE_UNITS:
            raise InputError(f"units must be metric or statute, not {units.text.strip()!r}", file=file,
                             line=units.line, field="units")
        statute = unit_text in STATUTE_UNITS
    radius_factor = METRES_PER_YARD if statute else 1.0
    speed_factor = KM_PER_MILE if statute else 1.0

    waypoints: list[Waypoint] = []
    zones: list[SpeedZone] = []
    dss = ass = None
    neutralisations: list[tuple[Waypoint, Waypoint]] = []
    controls: list[Waypoint] = []
    open_zone: tuple[Waypoint, float] | None = None
    index = 0
    for wpt in (c for c in gpx.children if c.tag == "wpt"):
        lat = _coordinate(wpt, "lat", 90.0, file)
        lon = _coordinate(wpt, "lon", 180.0, file)
        extensions = wpt.find("extensions")
        items = [c for c in extensions.children if _is_openrally(c)] if extensions else []
        km = None
        dist = next((c for c in items if c.tag == "distance"), None)
        if dist is not None:
            km = _number(dist.text.strip(), file=file, line=dist.line, what="distance") * (KM_PER_MILE if statute else 1.0)
        speed_node = next((c for c in items if c.tag == "speed"), None)

        def radius(node: _Node, attr: str, default: float) -> float:
            raw = node.attrs.get(attr)
            if raw is None:
                return default
            return _number(raw, file=file, line=node.line, what=f"{node.tag}.{attr}", positive=True) * radius_factor

        def make(node: _Node, wtype: str, name: str, clear: float, open_: float | None, **extra) -> Waypoint:
            nonlocal index
            wp = Waypoint(name=name, type=wtype, lat=lat, lon=lon, clear_m=clear, open_m=open_, index=index,
                          km=km, line=node.line, **extra)
            index += 1
            return wp

        for node in items:
            tag = node.tag.lower()
            if tag.upper() in WAYPOINT_TYPES:
                wtype = tag.upper()
                open_default, clear_default = rules.radii[wtype]
                name = node.attrs.get("name") or f"WP{len(waypoints) + 1}"
                waypoints.append(make(node, wtype, name, radius(node, "clear", clear_default),
                                      radius(node, "open", open_default)))
            elif tag == "dz":
                if open_zone is not None:
                    raise InputError(f"a DZ inside the zone opened by {open_zone[0].name!r} (line {open_zone[0].line})",
                                     file=file, line=node.line, field="dz")
                if speed_node is None:
                    raise InputError("a DZ without <speed> in its <wpt>", file=file, line=node.line, field="speed")
                limit = _number(speed_node.text.strip(), file=file, line=speed_node.line, what="speed",
                                positive=True) * speed_factor
                name = node.attrs.get("name") or f"DZ{len(zones) + 1}"
                open_zone = (make(node, "DZ", name, radius(node, "clear", rules.zone_detect_m), None), limit)
            elif tag == "fz":
                if open_zone is None:
                    raise InputError("an FZ without a DZ before it", file=file, line=node.line, field="fz")
                start, limit = open_zone
                end = make(node, "FZ", node.attrs.get("name") or f"FZ{len(zones) + 1}",
                           radius(node, "clear", rules.zone_detect_m), None)
                zones.append(SpeedZone(name=start.name, limit_kmh=limit, start=start, end=end))
                open_zone = None
            elif tag in ("dss", "ass"):
                wp = make(node, tag.upper(), node.attrs.get("name") or tag.upper(),
                          radius(node, "clear", rules.zone_detect_m), None)
                if tag == "dss":
                    dss = wp
                else:
                    ass = wp
            elif tag == "neutralization":
                seconds = _number(node.text.strip() or "0", file=file, line=node.line, what="neutralization")
                wp = make(node, "NEUTRALIZATION", node.attrs.get("name") or f"N{len(neutralisations) + 1}",
                          rules.zone_detect_m, None, duration_ms=int(round(seconds * 1000)))
                neutralisations.append((wp, wp))
            elif tag in ("timecontrol", "checkpoint"):
                allowed = node.attrs.get("allowed")
                allowed_ms = None
                if allowed is not None:
                    allowed_ms = int(round(_number(allowed, file=file, line=node.line, what="timecontrol.allowed") * 60_000))
                wtype = "TC" if tag == "timecontrol" else "CP"
                controls.append(make(node, wtype, node.attrs.get("name") or f"{wtype}{len(controls) + 1}",
                                     rules.zone_detect_m, None, allowed_ms=allowed_ms))
    if open_zone is not None:
        raise InputError(f"the zone {open_zone[0].name!r} has no FZ", file=file, line=open_zone[0].line, field="fz")
    if not waypoints:
        raise InputError("the roadbook has no waypoints (no wpv/wpm/wps/wpe/wpn/wpc/wpp element in any <wpt>)",
                         file=file, line=gpx.line, field="wpt")
    return Roadbook(waypoints=tuple(waypoints), zones=tuple(zones), dss=dss, ass=ass,
                    neutralisations=tuple(neutralisations), time_controls=tuple(controls), source=file)
