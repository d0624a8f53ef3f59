"""Fuzzing scrutineering records: a compliant ``scrutineering/<bib>.toml`` mutated.

``check_file`` (read the record, check it against its production reference, give the verdict) must
return or raise a located InputError.  One input in ``JOURNAL_EVERY`` runs ``raidcontrol scrutineer
check FILE`` (exit 0 eligible, 1 not eligible, 2 refused with file/line/field, never anything else).
"""

from __future__ import annotations

import tomllib

from hypothesis import example, given
from hypothesis import strategies as st

from tests.fuzz.harness import REPO, check_cli, check_reader, fuzz_settings, journal_subset, scratch
from tests.fuzz.strategies import dumps, leaf_mutation, text_mutation

BASE = (REPO / "examples" / "stock" / "cases" / "compliant-d7x-r.toml").read_text(encoding="utf-8")


@st.composite
def mutated_record(draw):
    if draw(st.booleans()):
        return draw(text_mutation(BASE))
    written = dumps(draw(leaf_mutation(tomllib.loads(BASE))), "toml")
    return written if written is not None else draw(text_mutation(BASE))


_CONTEXT: dict = {}


def _check(path):
    from raidcontrol.io.scrutineering import check_file, load_library
    from raidcontrol.rules import load_rulebook

    if not _CONTEXT:
        _CONTEXT.update(rulebook=load_rulebook("fia-2026"), library=load_library())
    return check_file(path, _CONTEXT["rulebook"], _CONTEXT["library"])  # the record and its verdict


@fuzz_settings("scrutineering")
@given(content=mutated_record())
@example(content=BASE.replace("bib = 601", "bib = 6" + "0" * 5000).encode())
@example(content=BASE.replace("Dunes Works", "Dunes \xe9").encode("latin-1"))
@example(content=(BASE + "deep = " + "[" * 1000 + "]" * 1000 + "\n").encode())
@example(content=BASE.replace("displacement_cc = 4395", "displacement_cc = nan").encode())
@example(content=BASE.replace("Dunes Works", "Dunes\\u001b[31m").encode())
def test_fuzz_scrutineering(content):
    with scratch() as root:
        path = root / "601.toml"
        path.write_bytes(content)
        check_reader("scrutineering", lambda: _check(path))
        if journal_subset(content):
            check_cli(
                "scrutineering", ["scrutineer", "check", path, "--format", "json"], ok_codes=(0, 1)
            )
