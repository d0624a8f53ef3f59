"""Countback says so, with the deciding counts; people spelled two ways are flagged, not split silently."""

from __future__ import annotations

from raidcontrol.championship.model import Person
from raidcontrol.championship.people import likely_duplicates, same_person_likely
from raidcontrol.championship.standings import standings
from raidcontrol.championship.titles import RoundEntry


def rnd(**results) -> dict:
    return {k: (Person(k, k.capitalize()), RoundEntry(p, pl)) for k, (p, pl) in results.items()}


def test_a_place_decided_on_countback_names_the_deciding_counts():
    lines = standings(
        [
            rnd(ann=(30, 1), bob=(25, 2), cyd=(10, 3)),
            rnd(ann=(25, 2), bob=(30, 1), cyd=(10, 3)),
            rnd(ann=(20, 1), bob=(20, 2)),
        ]
    )
    assert [(ln.name, ln.points, ln.countback) for ln in lines] == [
        ("Ann", 75, "ahead of Bob on countback: 2 wins to 1"),
        ("Bob", 75, "behind Ann on countback: 1 win to 2"),
        ("Cyd", 20, ""),
    ]


def test_countback_beyond_the_wins_and_a_tie_that_survives():
    lines = standings(
        [
            rnd(ann=(20, 2), bob=(20, 2)),
            rnd(ann=(20, 2), bob=(20, 3)),
            rnd(ann=(10, 1), bob=(10, 1)),
        ]
    )
    assert lines[0].countback == "ahead of Bob on countback: 2 2nd places to 1"
    tied = standings([rnd(ann=(20, 2), bob=(20, 2))])
    assert [ln.position for ln in tied] == [1, 1]
    assert (
        tied[0].countback == "tied with Bob after countback"
        and tied[1].countback == "tied with Ann after countback"
    )


def test_points_decide_without_a_note():
    assert [ln.countback for ln in standings([rnd(ann=(30, 1), bob=(25, 2))])] == ["", ""]


def test_likely_duplicates_same_surname_and_initial():
    assert same_person_likely("N. Al-Attiyah", "Nasser Al-Attiyah")
    assert same_person_likely("L. Hartmann", "HARTMANN Lena")
    assert not same_person_likely("Lena Hartmann", "Paul Hartmann")  # another initial
    assert not same_person_likely(
        "Nasser Al-Attiyah", "AL ATTIYAH Nasser"
    )  # the same normalised name: one person
    assert not same_person_likely("Ann Smith", "Anna Jones")  # no surname in common
    people = [
        Person("name:hartmann l", "L. Hartmann"),
        Person("name:hartmann lena", "Lena Hartmann"),
        Person("lena-h", "Lena Hartmann-Id"),
    ]
    assert likely_duplicates(people) == [(people[0], people[1])]  # an id is never a spelling guess
