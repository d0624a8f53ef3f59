"""Hypothesis strategies shared by the fuzzers: hostile values and structure-aware mutations.

Each fuzzer starts from a valid input and mutates it the way the probe of issue 11 did: a value
replaced by a hostile one (wrong type, huge, non-finite, control characters, non-ASCII digits,
out-of-range instants, deep nesting), a line dropped or duplicated, bytes flipped, the file
re-encoded as Latin-1.  The seeds that ever crashed are listed in :data:`CRASHERS` and replayed
as explicit ``@example`` cases by every fuzzer.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from typing import Any

from hypothesis import strategies as st

# Values that crashed a reader once (issue 11 §3), or sit on a boundary a reader must get right.
CRASHERS: list[Any] = [
    "٢٠٠",
    "²",
    "\x1b[31mred\x1b[0m",
    "\x00",
    "a\x07b",
    "9999-12-31T23:00:00-12:00",
    "0001-01-01T00:00:00+14:00",
    "-10:00:00",
    "ten hours",
    "none",
    "no",
    "nan",
    "inf",
    "",
    " ",
    "0",
    "-0",
    "99999999999",
    "1" * 5000,
    "e" * 500,
    "../../etc",
    "/etc/passwd",
    "$\\frac{1}$",
    "=cmd|' /C calc'!A0",
    "2_0.46",
    "1e309",
    "10:00:00",
    "0:00:00",
    "24:00:00",
    "23:59:60",
    "2025-01-05T10:00:00Z",
    "2025-01-05",
    "T1+",
    "Ultimate",
    "dnf",
    "finished",
    "credit",
    36000,
    -1,
    0,
    2**63,
    -(2**63) - 1,
    10**400,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -0.0,
    True,
    False,
    [],
    [1, 2],
    {},
    {"a": 1},
    date(2025, 1, 1),
    datetime(2025, 1, 5, 10, 0),
    time(10, 0),
]

_texts = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    st.sampled_from([c for c in CRASHERS if isinstance(c, str)]),
)
_scalars = st.one_of(
    _texts,
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(CRASHERS),
)


# Values a valid file could hold: mixing them in keeps many inputs valid, so the cross-field rules,
# the journal and the databases see accepted inputs too (not only refusals).
plausible_values = st.sampled_from(
    [
        "10:00:00",
        "14:30:00.5",
        "23:59:59.999",
        "0:05:00",
        "33:00:00",
        "200",
        "201",
        "202",
        "500",
        "1",
        "2",
        "0",
        "finished",
        "dnf",
        "withdrawn",
        "penalty",
        "credit",
        "special",
        "stage",
        "T1+",
        "T1.1",
        "Stock",
        "Ultimate",
        "Ann Driver",
        "Équipe Dakar",
        "2025-01-05T10:00:00Z",
        "2025-01-06T01:00:00+03:00",
        "01207",
        "",
        1,
        2,
        0,
        300.5,
        True,
        False,
        "fia-2026",
        "fim-2026",
    ]
)


def nested(depth: int) -> Any:
    """A value nested ``depth`` deep (lists and tables alternating)."""
    value: Any = 1
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


hostile_values = st.one_of(
    _scalars,
    st.lists(_scalars, max_size=4),
    st.dictionaries(st.text(max_size=6), _scalars, max_size=3),
    st.integers(min_value=10, max_value=150).map(nested),
)


def toml_safe(value: Any) -> Any:
    """``value`` as something tomli_w can write (None dropped, keys as text)."""
    if isinstance(value, dict):
        return {str(k): toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [toml_safe(v) for v in value if v is not None]
    return value


def _depth(node: Any) -> int:
    deepest, stack = 0, [(node, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend(
            (c, depth + 1)
            for c in (
                item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            )
        )
    return deepest


MAX_SERIALISED_DEPTH = 200  # deeper documents are written as text (a serialiser's RecursionError
#                             depends on the stack, which would make hypothesis's generation flaky)


def dumps(doc: Any, fmt: str) -> bytes | None:
    """``doc`` as TOML or JSON bytes, or None when it cannot be written that way (deterministically)."""
    import json

    import tomli_w

    if _depth(doc) > MAX_SERIALISED_DEPTH:
        return None
    try:
        if fmt == "toml":
            return tomli_w.dumps(toml_safe(doc)).encode()
        return json.dumps(doc, ensure_ascii=False, default=str).encode()
    except (TypeError, ValueError):
        return None


@st.composite
def text_mutation(draw: st.DrawFn, text: str) -> bytes:
    """The file's text with one textual mutation, as bytes (some mutations are not UTF-8)."""
    lines = text.splitlines(keepends=True)
    kind = draw(
        st.sampled_from(
            ["drop", "duplicate", "insert", "replace-token", "latin-1", "flip", "truncate"]
        )
    )
    last = max(len(lines) - 1, 0)
    # hypothesis shrinks towards 0 (a header line); most mutations go to the lines after it
    i = draw(
        st.one_of(
            st.integers(min_value=min(1, last), max_value=last),
            st.integers(min_value=0, max_value=last),
        )
    )
    token = draw(
        st.one_of(
            _texts,
            st.sampled_from(
                [
                    "[",
                    "]",
                    "{",
                    '"',
                    "'",
                    ",",
                    "=",
                    "\n",
                    "[[stage]]",
                    "[rules]",
                    "=" * 3,
                    "\r\n",
                    "\ufeff",
                ]
            ),
        )
    )
    if kind == "drop" and lines:
        return "".join(lines[:i] + lines[i + 1 :]).encode()
    if kind == "duplicate" and lines:
        return "".join(lines[: i + 1] + lines[i:]).encode()
    if kind == "insert":
        return "".join(lines[:i] + [token + "\n"] + lines[i:]).encode()
    if kind == "replace-token" and lines:
        line = lines[i]
        j = draw(st.integers(min_value=0, max_value=len(line)))
        k = draw(st.integers(min_value=j, max_value=len(line)))
        return "".join(lines[:i] + [line[:j] + token + line[k:]] + lines[i + 1 :]).encode()
    if kind == "latin-1":
        return text.replace("e", "é", 1).encode("latin-1", errors="replace")
    data = text.encode()
    if kind == "flip" and data:
        pos = draw(st.integers(min_value=0, max_value=len(data) - 1))
        return (
            data[:pos]
            + bytes([data[pos] ^ draw(st.integers(min_value=1, max_value=255))])
            + data[pos + 1 :]
        )
    return data[: draw(st.integers(min_value=0, max_value=len(data)))]


@st.composite
def leaf_mutation(draw: st.DrawFn, doc: Any, max_changes: int = 3) -> Any:
    """A deep copy of a TOML/JSON document with 1..max_changes leaves (or tables) replaced by hostile values."""
    import copy

    out = copy.deepcopy(doc)
    for _ in range(draw(st.integers(min_value=1, max_value=max_changes))):
        node, key = _pick(draw, out)
        if node is None:
            break
        value = draw(st.one_of(hostile_values, plausible_values))
        if draw(st.integers(min_value=0, max_value=3)) == 0 and isinstance(node, dict):
            node[draw(st.sampled_from([*map(str, node), "extra", "value", "source"]))] = value
        else:
            node[key] = value
    return out


def _pick(draw: st.DrawFn, doc: Any) -> tuple[Any, Any]:
    """A random (container, key) inside ``doc``, walking down from the top."""
    node, parent, key = doc, None, None
    for _ in range(8):
        children = (
            list(node.items())
            if isinstance(node, dict)
            else list(enumerate(node))
            if isinstance(node, list)
            else []
        )
        if not children or (parent is not None and draw(st.booleans())):
            break
        parent = node
        key, node = draw(st.sampled_from(children))
    return parent, key


@st.composite
def csv_mutation(draw: st.DrawFn, header: list[str], rows: list[list[str]]) -> str:
    """A CSV body with some cells replaced by hostile text, a row made short or long, or the header changed."""
    import csv
    import io

    rows = [list(r) for r in rows]
    header = list(header)
    for _ in range(draw(st.integers(min_value=1, max_value=2))):
        kind = draw(st.sampled_from(["cell"] * 8 + ["short", "long", "header"]))
        r = draw(st.integers(min_value=0, max_value=len(rows) - 1))
        c = draw(st.integers(min_value=0, max_value=len(header) - 1))
        if kind == "cell" and c < len(rows[r]):
            rows[r][c] = str(draw(st.one_of(hostile_values, plausible_values)))[:6000]
        elif kind == "short" and rows[r]:
            rows[r] = rows[r][:-1]
        elif kind == "long":
            rows[r] = rows[r] + [str(draw(_texts))]
        elif kind == "header":
            header[c] = str(draw(_texts))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()
