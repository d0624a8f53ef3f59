"""Hardening shared by the track and roadbook readers: XML, text, numbers and instants.

* :func:`harden` makes an expat parser refuse any document type declaration (so no entity
  can be declared, expanded or fetched: no billion laughs, no external entity), and never
  parse parameter entities.
* :func:`plain_text` refuses control characters (terminal escape codes in a name would
  reach the terminal) and over-long text in a name-like field.
* :func:`ascii_number` and :func:`ascii_int` read numbers written with ASCII digits only
  (``float`` and ``int`` also accept ``٢٠٠``, ``²``, ``1_000``, ``nan`` and ``inf``).
* :data:`MIN_INSTANT_MS` … :data:`MAX_INSTANT_MS`: the window a fix's instant must fall in
  (a year-9999 instant would be recorded, then crash every formatting of it).

Every refusal is an :class:`InputError` with the file, the line and the field.
"""

from __future__ import annotations

import re
import unicodedata
from xml.parsers import expat

from raidcontrol.core.errors import InputError

ASCII_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
ASCII_UNSIGNED = re.compile(r"[0-9]+", re.ASCII)
INT32_MAX = 2**31 - 1  # the largest bib a fleet's int32 column holds
# Fixes from before 2000 or from 2100 on are refused (assumption: no GPS-tracked rally-raid outside it;
# the readers do not know the event's dates, the event folder's own checks are narrower).
MIN_INSTANT_MS = 946_684_800_000  # 2000-01-01T00:00:00Z
MAX_INSTANT_MS = 4_102_444_800_000  # 2100-01-01T00:00:00Z
NUMBER_CHARS = 64  # longer numeric text is refused before it is converted (no 5,000-digit numbers)


def harden(parser: expat.XMLParserType, file: str) -> None:
    """Make ``parser`` refuse DTDs (hence entity declarations) with a located :class:`InputError`."""

    def doctype(name: str, *_args: object) -> None:
        raise InputError(
            f"a document type declaration (<!DOCTYPE {name}>) is not allowed: entities are refused",
            file=file,
            line=parser.CurrentLineNumber,
            field="DOCTYPE",
        )

    def entity(name: str, *_args: object) -> None:
        raise InputError(
            f"an entity declaration ({name!r}) is not allowed",
            file=file,
            line=parser.CurrentLineNumber,
            field="ENTITY",
        )

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)


def instant_in_window(t_ms: int, *, file: str, line: int | None, field: str = "time") -> int:
    """``t_ms`` (epoch ms) when it lies in [MIN_INSTANT_MS, MAX_INSTANT_MS)."""
    if not MIN_INSTANT_MS <= t_ms < MAX_INSTANT_MS:
        raise InputError(
            "the instant is outside 2000-01-01 … 2100-01-01", file=file, line=line, field=field
        )
    return t_ms


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character (Unicode category Cc) other than tab or newline."""
    return any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text)


def plain_text(text: str, *, file: str, line: int | None, field: str, max_chars: int) -> str:
    """``text`` when it is at most ``max_chars`` long and holds no control character."""
    if len(text) > max_chars:
        raise InputError(
            f"at most {max_chars} characters, not {len(text)}", file=file, line=line, field=field
        )
    if has_control(text) or "\n" in text or "\r" in text or "\t" in text:
        raise InputError(
            f"control characters are not allowed: {text!r}", file=file, line=line, field=field
        )
    return text


def ascii_number(text: str | None, *, file: str, line: int | None, field: str) -> float:
    """A finite decimal number written with ASCII characters (``12``, ``-0.5``, ``1e3``)."""
    raw = (text or "").strip()
    if len(raw) > NUMBER_CHARS or not ASCII_DECIMAL.fullmatch(raw):
        shown = raw if len(raw) <= NUMBER_CHARS else raw[:NUMBER_CHARS] + "…"
        raise InputError(f"not a number: {shown!r}", file=file, line=line, field=field)
    return float(raw)


def ascii_int(
    text: str | None, *, file: str, line: int | None, field: str, maximum: int = INT32_MAX
) -> int:
    """A non-negative integer written with ASCII digits, at most ``maximum``."""
    raw = (text or "").strip()
    if len(raw) > NUMBER_CHARS or not ASCII_UNSIGNED.fullmatch(raw):
        shown = raw if len(raw) <= NUMBER_CHARS else raw[:NUMBER_CHARS] + "…"
        raise InputError(
            f"not a whole number written in ASCII digits: {shown!r}",
            file=file,
            line=line,
            field=field,
        )
    value = int(raw)
    if value > maximum:
        raise InputError(f"at most {maximum}, not {raw}", file=file, line=line, field=field)
    return value
