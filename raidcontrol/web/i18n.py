"""Languages of the website and bulletins: English and French (the FIA's official languages).

Labels live in ``locales/<lang>.toml``.  A visitor's language is, in order: the ``lang`` query
parameter (the switch on every page), the ``lang`` cookie it sets, the ``Accept-Language``
header, then English.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

LANGUAGES = ("en", "fr")
DEFAULT = "en"


@cache
def catalog(lang: str) -> dict[str, str]:
    """The labels of one language (English fills any label a translation lacks)."""

    def load(code: str) -> dict[str, str]:
        text = (resources.files("raidcontrol.web") / "locales" / f"{code}.toml").read_text(
            encoding="utf-8"
        )
        return tomllib.loads(text)

    labels = load(DEFAULT)
    if lang != DEFAULT:
        labels = {**labels, **load(lang)}
    return labels


def _accepted(header: str) -> list[str]:
    """Languages of an ``Accept-Language`` header, best first (q-values honoured)."""
    ranked = []
    for i, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if tag:
            ranked.append((-q, i, tag.strip().lower().split("-")[0]))
    return [tag for _, _, tag in sorted(ranked)]


def choose(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The visitor's language code."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    for tag in _accepted(accept_language or ""):
        if tag in LANGUAGES:
            return tag
    return DEFAULT


class Translator:
    """``t("gap")`` → the label; ``t("general_after", n=3)`` fills placeholders."""

    def __init__(self, lang: str):
        self.lang = lang
        self.labels = catalog(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = self.labels.get(key, key)
        return text.format(**values) if values else text
