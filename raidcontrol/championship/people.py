"""The same person (or manufacturer) across rounds, however an event spells the name (pure).

Resolution, in order:

1. a stable id from the entry (``driver_id`` / ``codriver_id`` columns of the entry) is
   the person's key;
2. otherwise the name is *normalised* — accents removed, case folded, every character that
   is not a letter or digit treated as a space, the words sorted (so ``AL-ATTIYAH Nasser``,
   ``Nasser Al Attiyah`` and ``nasser al-attiyah`` are one person) — and looked up in the
   season's alias table (``[[person]]`` with ``id``, ``name``, ``aliases``);
3. a name found nowhere is its own person, keyed by its normalised form.

Initials are not expanded (``N. Al-Attiyah`` is not ``Nasser Al-Attiyah``): list such
spellings as aliases.  :func:`likely_duplicates` finds such pairs (the same surname — a shared
word — and the same initial, spelled differently) so that the command can warn instead of
silently splitting a person into two.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from raidcontrol.championship.model import Person
from raidcontrol.core.errors import InputError

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_name(name: str) -> str:
    """The comparison form of a name: no accents, lower case, words sorted, single spaces."""
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("ß", "ss").replace("ø", "o").replace("đ", "d").replace("ł", "l")
    return " ".join(sorted(w for w in _NOT_ALNUM.split(plain) if w))


@dataclass(frozen=True)
class Alias:
    """One row of the alias table: a stable id, the display name, other spellings."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass
class Identities:
    """Person and manufacturer look-up built from the season's alias tables."""

    people: list[Alias] = field(default_factory=list)
    manufacturers: list[Alias] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._people = self._index(self.people, "person")
        self._makers = self._index(self.manufacturers, "manufacturer")
        self._person_names = {a.id: a.name for a in self.people}
        self._maker_names = {a.id: a.name for a in self.manufacturers}

    @staticmethod
    def _index(table: list[Alias], what: str) -> dict[str, str]:
        index: dict[str, str] = {}
        for alias in table:
            for spelling in (alias.name, *alias.aliases):
                norm = normalise_name(spelling)
                if not norm:
                    raise InputError(f"{what} {alias.id!r}: an empty name or alias", field=what)
                if index.get(norm, alias.id) != alias.id:
                    raise InputError(
                        f"{what} spelling {spelling!r} is listed for both {index[norm]!r} and "
                        f"{alias.id!r}",
                        field=what,
                    )
                index[norm] = alias.id
        return index

    def person(self, name: str, person_id: str = "") -> Person:
        """The person behind a spelled name (and an optional stable id)."""
        person_id = person_id.strip()
        if person_id:
            return Person(person_id, self._person_names.get(person_id, name.strip()))
        norm = normalise_name(name)
        if norm in self._people:
            key = self._people[norm]
            return Person(key, self._person_names[key])
        return Person(f"name:{norm}", name.strip())

    def manufacturer(self, name: str) -> Person | None:
        """The manufacturer behind a spelled name; ``None`` for an empty name (not nominated)."""
        norm = normalise_name(name)
        if not norm:
            return None
        if norm in self._makers:
            key = self._makers[norm]
            return Person(key, self._maker_names[key])
        return Person(f"name:{norm}", name.strip())


def _words(name: str) -> list[str]:
    return normalise_name(name).split()


def same_person_likely(a: str, b: str) -> bool:
    """Whether two different spellings probably name one person: they share a word of two letters
    or more (the surname) and, of the words they do not share, one on each side starts with the
    same letter (the initial): ``N. Al-Attiyah`` and ``Nasser Al-Attiyah``, ``L. Hartmann`` and
    ``Lena Hartmann``."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb or sorted(wa) == sorted(wb):
        return False
    shared = {w for w in wa if len(w) > 1} & {w for w in wb if len(w) > 1}
    rest_a, rest_b = [w for w in wa if w not in shared], [w for w in wb if w not in shared]
    return (
        bool(shared)
        and bool(rest_a)
        and bool(rest_b)
        and bool({w[0] for w in rest_a} & {w[0] for w in rest_b})
    )


def likely_duplicates(people: list[Person]) -> list[tuple[Person, Person]]:
    """Pairs of competitors keyed by their spelled name (no id, no alias) that are probably one person."""
    named = [p for p in people if p.key.startswith("name:")]
    return [
        (a, b)
        for i, a in enumerate(named)
        for b in named[i + 1 :]
        if same_person_likely(a.name, b.name)
    ]
