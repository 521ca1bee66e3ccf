"""academy.templatetags.i18n_remembered: {% translate "literal" %} remembered per language, nothing else changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.template import Context, Engine, engines
from django.utils import translation
from django.utils.autoreload import file_changed
from django.utils.translation.trans_real import DjangoTranslation

from academy.templatetags.i18n_remembered import RememberedTranslateNode

# Messages of the site's catalogue (locale/en): French source, English translation.
MESSAGE, ENGLISH = "Tentatives utilisées", "Attempts used"


def _render(source: str, context: dict | None = None, language: str = "fr") -> str:
    with translation.override(language):
        return engines["django"].from_string("{% load i18n %}" + source).render(context or {})


def test_load_i18n_gives_the_remembered_tag_and_keeps_djangos_others():
    template = engines["django"].from_string('{% load i18n %}{% translate "Tentatives utilisées" %}')
    assert isinstance(template.template.nodelist[-1], RememberedTranslateNode)
    source = '{% get_current_language as code %}{{ code }} {{ "fr"|language_name_local }} {% blocktranslate %}x{% endblocktranslate %}'
    assert _render(source, language="en") == "en français x"


def test_a_literal_follows_the_active_language_each_time():
    template = engines["django"].from_string('{% load i18n %}{% translate "Tentatives utilisées" %}')
    outputs = []
    for language in ("fr", "en", "fr", "en"):
        with translation.override(language):
            outputs.append(template.render({}))
    assert outputs == [MESSAGE, ENGLISH, MESSAGE, ENGLISH]


def test_the_catalogue_is_asked_once_per_language(monkeypatch):
    template = engines["django"].from_string('{% load i18n %}{% translate "Tentatives utilisées" %}')
    asked = []
    original = DjangoTranslation.gettext
    monkeypatch.setattr(DjangoTranslation, "gettext", lambda self, m: asked.append(m) or original(self, m))
    for _ in range(3):
        with translation.override("en"):
            assert template.render({}) == ENGLISH
    assert asked == [MESSAGE]


@pytest.mark.parametrize(
    ("source", "context"),
    [
        ('{% translate "Tentatives utilisées" %}', {}),
        ('{% translate "a < b" %} {% autoescape off %}{% translate "a < b" %}{% endautoescape %}', {}),
        ('{% translate "50 %" %} {% translate "50 %%" %}', {}),
        ("{% translate message %}", {"message": MESSAGE}),
        ("{% translate message %}", {"message": "<b>Date</b>"}),
        ('{% translate "Tentatives utilisées"|upper %}', {}),
        ('{% translate "Tentatives utilisées" as label %}[{{ label }}]', {}),
        ('{% translate "Tentatives utilisées" noop %}', {}),
        ('{% translate "mai" context "mois" %}', {}),
    ],
)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_output_is_djangos_twice_over(source, context, language):
    stock = Engine(libraries={"i18n": "django.templatetags.i18n"}).from_string("{% load i18n %}" + source)
    with translation.override(language):
        expected = stock.render(Context(context))
    assert _render(source, context, language) == expected
    assert _render(source, context, language) == expected


def test_a_changed_catalogue_is_read_again():
    template = engines["django"].from_string('{% load i18n %}{% translate "Tentatives utilisées" %}')
    node = template.template.nodelist[-1]
    with translation.override("en"):
        template.render({})
        node.outputs[next(iter(node.outputs))] = "stale"
        assert template.render({}) == "stale"
    # what development's autoreloader sends when makemessages/compilemessages rewrote a catalogue
    file_changed.send(sender=None, file_path=Path("locale/en/LC_MESSAGES/django.mo"))
    with translation.override("en"):
        assert template.render({}) == ENGLISH
