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

from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from raidcontrol.core.errors import InputError
from raidcontrol.io.hardening import ascii_number, harden, plain_text
from raidcontrol.tracking.model import WAYPOINT_TYPES, Roadbook, SpeedZone, Waypoint
from raidcontrol.tracking.rules import TrackingRules

OPENRALLY_NS_MARK = "openrally.org/xmlschemas/gpxextensions"
GPX_NS_MARK = "topografix.com/gpx"
METRES_PER_YARD = 0.9144  # international yard (unit conversion, not a rule)
KM_PER_MILE = 1.609344  # international statute mile
STATUTE_UNITS = ("statute", "statue")  # the schema's enumeration spells it "statue"
# Input limits (not regulations): a stage's roadbook has a few hundred waypoints of a few
# elements each, a few hundred kilobytes; anything far larger is refused before it is parsed.
MAX_ROADBOOK_BYTES = 8 * 1024 * 1024
MAX_ROADBOOK_ELEMENTS = 200_000
MAX_NAME_CHARS = 64  # a waypoint's or a zone's name (a code such as "WP12" or "Village")


@dataclass
class _Node:
    """A parsed element: namespace URI, local name, attributes, text, children, line."""

    ns: str
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    text: str = ""
    parts: list[str] = field(
        default_factory=list
    )  # text pieces while parsing (joined once: linear time)

    def find(self, tag: str, ns_mark: str | None = None) -> _Node | None:
        for child in self.children:
            if child.tag == tag and (ns_mark is None or ns_mark in child.ns.lower()):
                return child
        return None


def _parse_tree(data: bytes, file: str) -> _Node:
    """Parse XML into light nodes that remember their line (the roadbook is small: its size
    and element count are capped; DTDs and entities are refused)."""
    if len(data) > MAX_ROADBOOK_BYTES:
        raise InputError(
            f"a roadbook of {len(data):,} bytes is too large (at most {MAX_ROADBOOK_BYTES:,})",
            file=file,
            field="gpx",
        )
    parser = expat.ParserCreate(namespace_separator=" ")
    harden(parser, file)
    root = _Node("", "#document", {}, 0)
    stack = [root]
    count = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_ROADBOOK_ELEMENTS:
            raise InputError(
                f"more than {MAX_ROADBOOK_ELEMENTS:,} elements: not a stage's roadbook",
                file=file,
                line=parser.CurrentLineNumber,
                field="gpx",
            )
        ns, _, local = name.rpartition(" ")
        node = _Node(
            ns, local, {k.rpartition(" ")[2]: v for k, v in attrs.items()}, parser.CurrentLineNumber
        )
        stack[-1].children.append(node)
        stack.append(node)

    def end(_name: str) -> None:
        node = stack.pop()
        node.text, node.parts = "".join(node.parts), []

    def chars(text: str) -> None:
        if len(stack) > 1:
            stack[-1].parts.append(text)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise InputError(
            f"not well-formed XML: {expat.ErrorString(exc.code)} (column {exc.offset + 1})",
            file=file,
            line=exc.lineno,
        ) from None
    if not root.children:
        raise InputError("empty XML document", file=file, line=1)
    return root.children[0]


def _is_openrally(node: _Node) -> bool:
    return OPENRALLY_NS_MARK in node.ns.lower() or node.ns == ""


def _number(text: str | None, *, file: str, line: int, what: str, positive: bool = False) -> float:
    value = ascii_number(text, file=file, line=line, field=what)
    if (positive and value <= 0) or value < 0 or value == float("inf"):
        raise InputError(
            f"must be a {'positive' if positive else 'non-negative'} finite number, not {text!r}",
            file=file,
            line=line,
            field=what,
        )
    return value


def _coordinate(node: _Node, name: str, limit: float, file: str) -> float:
    raw = node.attrs.get(name)
    if raw is None:
        raise InputError(f"<wpt> without {name}", file=file, line=node.line, field=name)
    value = ascii_number(raw, file=file, line=node.line, field=name)
    if abs(value) > limit:
        raise InputError(
            f"{name} must be within ±{limit:g} degrees, not {raw!r}",
            file=file,
            line=node.line,
            field=name,
        )
    return value


def _name(node: _Node, default: str, file: str) -> str:
    """A waypoint's or zone's ``name`` attribute (plain text, at most MAX_NAME_CHARS), else ``default``."""
    raw = node.attrs.get("name")
    if not raw:
        return default
    return plain_text(
        raw, file=file, line=node.line, field=f"{node.tag}.name", max_chars=MAX_NAME_CHARS
    )


def read_roadbook(path: str | Path, rules: TrackingRules) -> Roadbook:
    """Read an OpenRally GPX roadbook; radii the file does not give come from ``rules``."""
    path = Path(path)
    file = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_ROADBOOK_BYTES:
            raise InputError(
                f"a roadbook of {size:,} bytes is too large (at most {MAX_ROADBOOK_BYTES:,})",
                file=file,
                field="gpx",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the roadbook: {exc.strerror}", file=file) from None
    return parse_roadbook(data, rules, file=file)


def parse_roadbook(data: bytes, rules: TrackingRules, *, file: str = "roadbook.gpx") -> Roadbook:
    """Parse OpenRally GPX bytes (see the module docstring)."""
    gpx = _parse_tree(data, file)
    if gpx.tag != "gpx":
        raise InputError(
            f"the root element is <{gpx.tag}>, not <gpx>", file=file, line=gpx.line, field="gpx"
        )
    builder = _Builder(rules, file, _statute(gpx, file))
    for wpt in (c for c in gpx.children if c.tag == "wpt"):
        builder.add_wpt(wpt)
    return builder.roadbook(gpx.line)


def _statute(gpx: _Node, file: str) -> bool:
    """True when the metadata's OpenRally ``<units>`` say statute (yards, miles, mph)."""
    meta = gpx.find("metadata")
    ext = meta.find("extensions") if meta else None
    units = ext.find("units") if ext else None
    if units is None:
        return False
    unit_text = units.text.strip().lower()
    if unit_text not in ("metric",) + STATUTE_UNITS:
        shown = plain_text(
            units.text.strip()[:MAX_NAME_CHARS],
            file=file,
            line=units.line,
            field="units",
            max_chars=MAX_NAME_CHARS,
        )
        raise InputError(
            f"units must be metric or statute, not {shown!r}",
            file=file,
            line=units.line,
            field="units",
        )
    return unit_text in STATUTE_UNITS


class _Builder:
    """The roadbook's parts, collected ``<wpt>`` by ``<wpt>`` in file order."""

    def __init__(self, rules: TrackingRules, file: str, statute: bool):
        self.rules, self.file = rules, file
        self.radius_factor = METRES_PER_YARD if statute else 1.0
        self.km_factor = self.speed_factor = KM_PER_MILE if statute else 1.0
        self.waypoints: list[Waypoint] = []
        self.zones: list[SpeedZone] = []
        self.dss: Waypoint | None = None
        self.ass: Waypoint | None = None
        self.neutralisations: list[tuple[Waypoint, Waypoint]] = []
        self.controls: list[Waypoint] = []
        self.open_zone: tuple[Waypoint, float] | None = None
        self.index = 0
        # the <wpt> being read
        self.lat = self.lon = 0.0
        self.km: float | None = None
        self.speed_node: _Node | None = None

    def add_wpt(self, wpt: _Node) -> None:
        """Read one ``<wpt>``: its position, distance and speed, then each OpenRally item in it."""
        file = self.file
        self.lat = _coordinate(wpt, "lat", 90.0, file)
        self.lon = _coordinate(wpt, "lon", 180.0, file)
        extensions = wpt.find("extensions")
        items = [c for c in extensions.children if _is_openrally(c)] if extensions else []
        dist = next((c for c in items if c.tag == "distance"), None)
        self.km = (
            None
            if dist is None
            else _number(dist.text, file=file, line=dist.line, what="distance") * self.km_factor
        )
        self.speed_node = next((c for c in items if c.tag == "speed"), None)
        for node in items:
            self.add_item(node, node.tag.lower())

    def add_item(self, node: _Node, tag: str) -> None:
        """Read one OpenRally item of the current ``<wpt>`` (unknown items are ignored)."""
        if tag.upper() in WAYPOINT_TYPES:
            self.add_waypoint(node, tag.upper())
        elif tag == "dz":
            self.open_dz(node)
        elif tag == "fz":
            self.close_dz(node)
        elif tag in ("dss", "ass"):
            self.add_start_or_finish(node, tag)
        elif tag == "neutralization":
            self.add_neutralisation(node)
        elif tag in ("timecontrol", "checkpoint"):
            self.add_control(node, tag)

    def add_waypoint(self, node: _Node, wtype: str) -> None:
        """A validation waypoint (WPV … WPP) with the rulebook's radii unless the file sets them."""
        open_default, clear_default = self.rules.radii[wtype]
        self.waypoints.append(
            self.make(
                node,
                wtype,
                _name(node, f"WP{len(self.waypoints) + 1}", self.file),
                self.radius(node, "clear", clear_default),
                self.radius(node, "open", open_default),
            )
        )

    def add_start_or_finish(self, node: _Node, tag: str) -> None:
        """The special's start (``dss``) or finish (``ass``)."""
        wp = self.make(
            node,
            tag.upper(),
            _name(node, tag.upper(), self.file),
            self.radius(node, "clear", self.rules.zone_detect_m),
            None,
        )
        if tag == "dss":
            self.dss = wp
        else:
            self.ass = wp

    def add_neutralisation(self, node: _Node) -> None:
        """A neutralisation: its length in seconds is the item's text (none: 0)."""
        seconds = _number(
            node.text.strip() or "0", file=self.file, line=node.line, what="neutralization"
        )
        wp = self.make(
            node,
            "NEUTRALIZATION",
            _name(node, f"N{len(self.neutralisations) + 1}", self.file),
            self.rules.zone_detect_m,
            None,
            duration_ms=round(seconds * 1000),
        )
        self.neutralisations.append((wp, wp))

    def add_control(self, node: _Node, tag: str) -> None:
        """A time control (``timecontrol``, its ``allowed`` minutes) or a checkpoint."""
        allowed = node.attrs.get("allowed")
        allowed_ms = None
        if allowed is not None:
            minutes = _number(allowed, file=self.file, line=node.line, what="timecontrol.allowed")
            allowed_ms = round(minutes * 60_000)
        wtype = "TC" if tag == "timecontrol" else "CP"
        self.controls.append(
            self.make(
                node,
                wtype,
                _name(node, f"{wtype}{len(self.controls) + 1}", self.file),
                self.rules.zone_detect_m,
                None,
                allowed_ms=allowed_ms,
            )
        )

    def open_dz(self, node: _Node) -> None:
        file = self.file
        if self.open_zone is not None:
            start = self.open_zone[0]
            raise InputError(
                f"a DZ inside the zone opened by {start.name!r} (line {start.line})",
                file=file,
                line=node.line,
                field="dz",
            )
        if self.speed_node is None:
            raise InputError(
                "a DZ without <speed> in its <wpt>", file=file, line=node.line, field="speed"
            )
        limit = (
            _number(
                self.speed_node.text,
                file=file,
                line=self.speed_node.line,
                what="speed",
                positive=True,
            )
            * self.speed_factor
        )
        name = _name(node, f"DZ{len(self.zones) + 1}", file)
        self.open_zone = (
            self.make(node, "DZ", name, self.radius(node, "clear", self.rules.zone_detect_m), None),
            limit,
        )

    def close_dz(self, node: _Node) -> None:
        if self.open_zone is None:
            raise InputError(
                "an FZ without a DZ before it", file=self.file, line=node.line, field="fz"
            )
        start, limit = self.open_zone
        end = self.make(
            node,
            "FZ",
            _name(node, f"FZ{len(self.zones) + 1}", self.file),
            self.radius(node, "clear", self.rules.zone_detect_m),
            None,
        )
        self.zones.append(SpeedZone(name=start.name, limit_kmh=limit, start=start, end=end))
        self.open_zone = None

    def radius(self, node: _Node, attr: str, default: float) -> float:
        raw = node.attrs.get(attr)
        if raw is None:
            return default
        return (
            _number(raw, file=self.file, line=node.line, what=f"{node.tag}.{attr}", positive=True)
            * self.radius_factor
        )

    def make(
        self, node: _Node, wtype: str, name: str, clear: float, open_: float | None, **extra
    ) -> Waypoint:
        wp = Waypoint(
            name=name,
            type=wtype,
            lat=self.lat,
            lon=self.lon,
            clear_m=clear,
            open_m=open_,
            index=self.index,
            km=self.km,
            line=node.line,
            **extra,
        )
        self.index += 1
        return wp

    def roadbook(self, gpx_line: int) -> Roadbook:
        """The roadbook read, once every ``<wpt>`` is in (a zone left open or no waypoint is an error)."""
        if self.open_zone is not None:
            start = self.open_zone[0]
            raise InputError(
                f"the zone {start.name!r} has no FZ", file=self.file, line=start.line, field="fz"
            )
        if not self.waypoints:
            raise InputError(
                "the roadbook has no waypoints (no wpv/wpm/wps/wpe/wpn/wpc/wpp element in any <wpt>)",
                file=self.file,
                line=gpx_line,
                field="wpt",
            )
        return Roadbook(
            waypoints=tuple(self.waypoints),
            zones=tuple(self.zones),
            dss=self.dss,
            ass=self.ass,
            neutralisations=tuple(self.neutralisations),
            time_controls=tuple(self.controls),
            source=self.file,
        )
