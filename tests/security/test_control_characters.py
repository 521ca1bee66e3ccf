"""Invisible control characters are refused in every text people type, with a clear message.

C0 controls except tab, line feed and carriage return, DEL and C1 controls:
in profile names, course titles, lesson bodies and the other text fields, on
the site's pages, in the Django admin and in the services behind them.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from academy.validators import RejectControlCharactersFormMixin, RejectControlCharactersModel
from courses.models import Course, Lesson
from courses.services.authoring import course_update, lesson_update
from tests.form_pages import admin_errors, admin_form_data, form_data
from tests.security.conftest import World

REFUSED = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"]
MESSAGE = "caractère de contrôle invisible (U+{:04X})"


def _message(char: str) -> str:
    return MESSAGE.format(ord(char))


@pytest.mark.parametrize("char", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_profile_names_refuse_control_characters_and_keep_what_was_typed(world: World, char: str):
    client = world.client("learner")
    data = form_data(client, reverse("profile"), containing="first_name")
    data.update(first_name=f"Lei{char}la", last_name="Apprenante", organisation_name="Atlas")
    response = client.post(reverse("profile"), data)
    page = response.content.decode()
    assert _message(char) in page
    assert 'value="Atlas"' in page  # the rest of what was typed is still in the form
    world.learner.refresh_from_db()
    assert world.learner.first_name == "Leila"


@pytest.mark.parametrize("char", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_course_titles_refuse_control_characters(world: World, char: str):
    client = world.client("trainer")
    url = reverse("courses:authoring_course_edit", args=[world.course.slug])
    data = form_data(client, url, containing="title")
    data["title"] = f"Cours{char} sécurité"
    response = client.post(url, data)
    assert response.status_code == 400
    assert _message(char) in response.content.decode()
    assert Course.objects.get(pk=world.course.pk).title == "Cours sécurité"


@pytest.mark.parametrize("char", REFUSED, ids=lambda c: f"U+{ord(c):04X}")
def test_lesson_bodies_refuse_control_characters(world: World, char: str):
    client = world.client("trainer")
    url = reverse("courses:authoring_lesson_edit", args=[world.lesson_step.pk])
    data = form_data(client, url, containing="body")
    data["body"] = f"# Titre\n\nDu texte{char} en couleur."
    response = client.post(url, data)
    assert response.status_code == 400
    assert _message(char) in response.content.decode()
    assert char not in Lesson.objects.get(step=world.lesson_step).body


def test_tabs_line_breaks_and_carriage_returns_stay_allowed(world: World):
    client = world.client("trainer")
    url = reverse("courses:authoring_lesson_edit", args=[world.lesson_step.pk])
    data = form_data(client, url, containing="body")
    data["body"] = "# Titre\r\n\r\n\tUn paragraphe.\r\nUne ligne."
    response = client.post(url, data)
    assert response.status_code == 302
    assert "\tUn paragraphe." in Lesson.objects.get(step=world.lesson_step).body


def test_the_django_admin_refuses_them_too(world: World):
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])
    client = world.client("admin")
    url = reverse("admin:courses_course_change", args=[world.course.pk])
    data = admin_form_data(client, url)
    data["title"] = "Cours\x07 admin"
    response = client.post(url, data)
    assert response.status_code == 200 and _message("\x07") in admin_errors(response)
    assert Course.objects.get(pk=world.course.pk).title == "Cours sécurité"


def test_services_refuse_them_whatever_called_them(world: World):
    with pytest.raises(ValidationError) as refused:
        course_update(course=world.course, title="Cours\x1b[31m")
    assert "title" in refused.value.message_dict
    lesson = Lesson.objects.get(step=world.lesson_step)
    with pytest.raises(ValidationError):
        lesson_update(lesson=lesson, body="Texte\x85")


# --- every form and every model with text follows the rule --------------------------------------

APPS = ("academy", "courses", "labs", "funding", "community")
ROOT = Path(__file__).resolve().parents[2]


def _our_form_classes() -> list[type]:
    classes = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or not ("forms" in path.parts or path.stem.startswith(("forms", "views"))):
                continue
            module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    classes.append(cls)
    return classes


def test_every_form_with_text_fields_refuses_control_characters():
    missing = []
    for cls in _our_form_classes():
        has_text = any(isinstance(f, forms.CharField) for f in cls.base_fields.values())
        if has_text and not issubclass(cls, RejectControlCharactersFormMixin):
            missing.append(f"{cls.__module__}.{cls.__name__}")
    assert missing == []


def test_every_model_with_text_columns_refuses_control_characters():
    missing = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            has_text = any(isinstance(f, (models.CharField, models.TextField)) for f in model._meta.concrete_fields)
            if has_text and not issubclass(model, RejectControlCharactersModel):
                missing.append(model.__name__)
    assert missing == []


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("anonymous", lambda w: reverse("courses:catalogue")),
        ("admin", lambda w: reverse("funding:company_list")),
        ("admin", lambda w: reverse("funding:action_list")),
        ("admin", lambda w: reverse("funding:participant_add", args=[w.action.pk])),
        ("admin", lambda w: reverse("funding:dashboard")),
        ("trainer", lambda w: reverse("labs:trainer_submissions", args=[w.lab.slug])),
    ],
    ids=["catalogue", "companies", "actions", "participant search", "funding dashboard", "lab submissions"],
)
def test_a_search_with_a_control_character_is_answered_not_a_500(world: World, role: str, url):
    response = world.client(role, raise_request_exception=False).get(url(world), {"q": "Atlas\x07"})
    assert response.status_code in (200, 400)
