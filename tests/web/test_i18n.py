"""The visitor's language: switch, cookie, Accept-Language, English by default."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from raidcontrol.web import i18n


def test_switch_beats_cookie_beats_header():
    assert i18n.choose("fr", "en", "en") == "fr"
    assert i18n.choose(None, "fr", "en-GB") == "fr"
    assert i18n.choose(None, None, "fr-FR,fr;q=0.9,en;q=0.8") == "fr"
    assert i18n.choose(None, None, "de-DE, en;q=0.5, fr;q=0.7") == "fr"
    assert i18n.choose("xx", "yy", "de") == "en"


def test_every_label_is_translated():
    en, fr = i18n.catalog("en"), i18n.catalog("fr")
    assert set(
        i18n.tomllib.loads(
            (i18n.resources.files("raidcontrol.web") / "locales" / "fr.toml").read_text(
                encoding="utf-8"
            )
        )
    ) == set(en)
    assert fr["general"] == "Classement général"
    assert i18n.Translator("fr")("general_after", n=3) == "Classement général après l’étape 3"


@given(st.text(max_size=60))
def test_any_header_gives_a_known_language(header):
    assert i18n.choose(None, None, header) in i18n.LANGUAGES
