"""Every model the Django admin lists has one translated name, singular and plural, in French and English."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib import admin
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


OUR_APPS = {"academy", "courses", "labs", "funding", "community", "lti", "provenance"}


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def our_models():
    return [model for model in registered_models() if model._meta.app_label in OUR_APPS]


def translated_msgids() -> set[str]:
    return {entry.msgid for entry in polib.pofile(str(CATALOGUE)) if entry.msgstr and "fuzzy" not in entry.flags}


@pytest.mark.parametrize("attribute", ["verbose_name", "verbose_name_plural"])
def test_every_admin_model_name_is_a_french_string_with_an_english_translation(attribute):
    # given
    translated = translated_msgids()

    # when
    with translation.override("fr"):
        names = {model._meta.label: str(getattr(model._meta, attribute)) for model in our_models()}

    # then
    untranslated = {label: name for label, name in names.items() if name not in translated}
    assert untranslated == {}


@pytest.mark.parametrize("attribute", ["verbose_name", "verbose_name_plural"])
def test_third_party_admin_models_read_differently_in_french_and_english(attribute):
    """Auth and axes bring their own catalogues: their French names must not be the English ones."""
    others = [model for model in registered_models() if model._meta.app_label not in OUR_APPS]

    def names(language):
        with translation.override(language):
            return [str(getattr(model._meta, attribute)) for model in others]

    assert [fr for fr, en in zip(names("fr"), names("en"), strict=True) if fr == en] == []


def _core_words(name: str) -> str:
    """« Pièces du dossier » and « Pièces de dossier » are one name to a reader."""
    return " ".join(w for w in re.split(r"[\s'’]+", name.casefold()) if w not in {"de", "du", "des", "d", "of", "the"})


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_two_admin_models_share_a_name(language):
    with translation.override(language):
        names = Counter(_core_words(str(model._meta.verbose_name_plural)) for model in registered_models())

    assert [name for name, count in names.items() if count > 1] == []


def test_the_french_admin_index_shows_no_english_model_name(admin_client):
    # given: the admin in French, as its users run it
    admin_client.post("/langue/", {"language": "fr"})

    # when
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    # then
    assert "Deadline reminders" not in html
    assert "Rappels d’échéance" in html or "Rappels d&#x27;échéance" in html
