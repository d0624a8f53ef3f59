"""From pydantic's ``ValidationError`` to located :class:`~raidcontrol.core.errors.InputError`.

Every reader validates its input with a pydantic model and hands the error to this one adapter,
which names the file, the line and the field of each problem.  One line-finder serves the three
text formats:

* TOML: :func:`toml_lines` indexes the line of every table header and key by its path
  (``("stage", 0, "max_time")`` is ``max_time`` in the first ``[[stage]]``);
* JSON: :func:`json_lines` indexes the line where every value starts, by the same kind of path;
* CSV: a row's line is known to the reader (``csvfile.read_rows``); the path is the column.

:class:`Collector` gathers up to :data:`MAX_ERRORS` problems of a file and raises them at once as
an :class:`~raidcontrol.core.errors.InputErrors` (sqlglot-style error collection), so an
organiser fixes a whole file in one pass.  Typical use::

    lines = toml_lines(text)
    model = validate(EventFile, doc, file="event.toml", lines=lines)      # raises InputErrors

    errors = Collector()
    for line, row in read_rows(path, COLUMNS):
        with errors.row():                                                  # collect and go on
            TimeRow.model_validate(row) ...
    errors.raise_if_any()
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from raidcontrol.core.errors import InputError, InputErrors

MAX_ERRORS = 20
Loc = tuple[str | int, ...]
Lines = Mapping[Loc, int]
M = TypeVar("M", bound=BaseModel)

_HEADER = re.compile(r"^\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_ARRAY_HEADER = re.compile(r"^\[\[\s*([^\[\]]+?)\s*\]\]\s*(?:#.*)?$")
_BARE_OR_QUOTED = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_KEY = re.compile(rf"^({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=")
_PART = re.compile(_BARE_OR_QUOTED)


def _key_path(text: str) -> tuple[str, ...]:
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in _PART.findall(text))


def toml_lines(text: str) -> dict[Loc, int]:
    """Line (1-based) of every table header and key of a TOML text, by path.

    The n-th ``[[name]]`` table (from 0, as pydantic counts) is ``("name", n)``; keys inside it
    follow.  Lines inside multi-line strings are skipped.  Best effort: a path that is not found
    is located at its nearest enclosing table by :func:`locate`.
    """
    out: dict[Loc, int] = {}
    prefix: Loc = ()
    counts: dict[tuple[str, ...], int] = {}
    in_string = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = ""
            continue
        if not line or line.startswith("#"):
            continue
        if m := _ARRAY_HEADER.match(line):
            name = _key_path(m.group(1))
            counts[name] = counts.get(name, -1) + 1
            prefix = (*name, counts[name])
            out.setdefault(prefix, number)
        elif m := _HEADER.match(line):
            prefix = _key_path(m.group(1))
            out.setdefault(prefix, number)
        elif m := _KEY.match(line):
            out.setdefault((*prefix, *_key_path(m.group(1))), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
    return out


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+|\n')


def json_lines(text: str) -> dict[Loc, int]:
    """Line (1-based) where every value of a JSON text starts, by path (``(3, "team", "bib")``).

    A linear scan of the tokens; call it only once a problem has been found (organiser files
    can be large).  Malformed JSON yields a partial index (the parser reports those itself).
    """
    out: dict[Loc, int] = {}
    stack: list[list[Any]] = []  # per open container: [path, is_object, current key or index, expecting_key]
    line = 1
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group(0)
        if tok == "\n":
            line += 1
            continue
        top = stack[-1] if stack else None
        if tok in ",:":
            if tok == "," and top is not None:
                if top[1]:
                    top[3] = True
                else:
                    top[2] += 1
            continue
        if top is not None and top[1] and top[3] and tok.startswith('"'):
            top[2], top[3] = json.loads(tok), False
            continue
        if tok in "]}":
            if stack:
                stack.pop()
            continue
        path: Loc = (*top[0], top[2]) if top is not None else ()
        out.setdefault(path, line)
        if tok == "{":
            stack.append([path, True, None, True])
        elif tok == "[":
            stack.append([path, False, 0, False])
    return out


def locate(lines: Lines | None, loc: Sequence[str | int]) -> int | None:
    """The line of ``loc``, or of its nearest enclosing table/value that is in ``lines``."""
    if not lines:
        return None
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def field_name(loc: Sequence[str | int]) -> tuple[str, str]:
    """``(field, context)`` of a pydantic location: the dotted keys after the last list index,
    and a prefix naming the list item (``("max_time", "stage #2: ")``)."""
    parts = [p for p in loc if not (isinstance(p, str) and (p.startswith("function-") or "[" in p))]
    last = max((i for i, p in enumerate(parts) if isinstance(p, int)), default=-1)
    keys = [str(p) for p in parts[last + 1:]]
    context = ""
    if last >= 0:
        owner = next((str(p) for p in reversed(parts[:last]) if isinstance(p, str)), "item")
        context = f"{owner} #{parts[last] + 1}: "  # type: ignore[operator]
    return ".".join(keys) or (str(parts[0]) if parts else ""), context


def errors_of(exc: ValidationError, *, file: str | None, lines: Lines | None = None, line: int | None = None,
              prefix: Loc = ()) -> list[InputError]:
    """One located :class:`InputError` per problem of a pydantic ``ValidationError``.

    ``lines``: the file's line index (TOML/JSON); ``line``: the row's line (CSV) or a fallback;
    ``prefix``: where the validated object sits in the file (e.g. ``("rules",)``).
    """
    out = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        loc = (*prefix, *err["loc"])
        field, context = field_name(loc)
        where = locate(lines, loc)
        message = err["msg"].removeprefix("Value error, ")
        out.append(InputError(f"{context}{message}", file=file, line=where if where is not None else line,
                              field=field or None))
    return out


def validate(model: type[M], data: Any, *, file: str | None, lines: Lines | None = None, line: int | None = None,
             prefix: Loc = (), context: dict | None = None) -> M:
    """``model.model_validate(data)``; every problem (up to :data:`MAX_ERRORS`) raised as one
    :class:`InputErrors`."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise InputErrors(errors_of(exc, file=file, lines=lines, line=line, prefix=prefix)[:MAX_ERRORS]) from None


class Collector:
    """Collects located errors of a file (or a folder) and raises them together.

    ``add`` raises as soon as :data:`MAX_ERRORS` are held (there is no point reading on);
    :meth:`raise_if_any` raises what was collected.
    """

    def __init__(self, limit: int = MAX_ERRORS):
        self.limit = limit
        self.errors: list[InputError] = []

    def add(self, error: InputError) -> None:
        self.errors.extend(error.errors if isinstance(error, InputErrors) else [error])
        if len(self.errors) >= self.limit:
            self.raise_if_any()

    @contextmanager
    def row(self) -> Iterator[None]:
        """Run a block; an :class:`InputError` it raises is collected instead of propagated."""
        try:
            yield
        except InputError as exc:
            self.add(exc)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputErrors(self.errors[:self.limit])

    def __bool__(self) -> bool:
        return bool(self.errors)
