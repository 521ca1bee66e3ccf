"""How a course reads: its length in hours, its module headings, its tags, the trainer's preview."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from courses.formatting import hours_label, module_heading
from courses.services.authoring import tag_for_name
from tests.factories import CourseFactory, ModuleFactory

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("hours", "french", "english"),
    [
        (Decimal("1.0"), "1 heure", "1 hour"),
        (Decimal("7.0"), "7 heures", "7 hours"),
        (Decimal("1.5"), "1,5 heures", "1.5 hours"),
    ],
)
def test_hours_read_as_words_with_their_plural(hours, french, english):
    with translation.override("fr"):
        assert hours_label(hours) == french
    with translation.override("en"):
        assert hours_label(hours) == english


@pytest.mark.parametrize(
    ("title", "heading"),
    [
        ("Intro", "Module 1 · Intro"),
        ("Module 1 — Intro", "Module 1 — Intro"),
        ("module 1", "module 1"),
        ("1. Les bases", "1. Les bases"),
        ("Module 12 : la suite", "Module 1 · Module 12 : la suite"),
        ("1984 vu par l'IA", "Module 1 · 1984 vu par l'IA"),
    ],
)
def test_a_module_the_trainer_numbered_keeps_its_title_alone(title, heading):
    with translation.override("fr"):
        assert module_heading(1, title) == heading


@pytest.mark.django_db
def test_an_english_tag_is_not_the_french_tag_with_the_same_slug():
    french = tag_for_name("vidéo")

    english = tag_for_name("video")

    assert english.pk != french.pk and english.name == "video"
    assert tag_for_name("Vidéo").pk == french.pk


@pytest.mark.django_db
def test_the_course_page_shows_a_numbered_module_once(client):
    course = CourseFactory()
    ModuleFactory(course=course, title="Module 1 — Cadrer", position=1)

    html = client.get(course.get_absolute_url()).content.decode()

    assert "Module 1 — Cadrer" in html and "Module 1 · Module 1" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("draft", [True, False])
def test_the_trainer_preview_explains_enrolment_instead_of_an_empty_or_live_card(client, draft):
    # given
    course = CourseFactory(draft=draft)
    client.force_login(course.owner)

    # when
    html = client.get(reverse("courses:authoring_preview", args=[course.slug])).content.decode()

    # then: never an empty card, never a real enrolment button in a preview
    assert '<div class="card stack">\n      \n    </div>' not in html
    assert reverse("courses:enrol", args=[course.slug]) not in html
    assert "S’inscrire à ce cours" in html or "S'inscrire à ce cours" in html


@pytest.mark.django_db
def test_a_draft_course_page_has_no_empty_card(client):
    course = CourseFactory(draft=True)
    client.force_login(course.owner)

    html = client.get(course.get_absolute_url()).content.decode()

    assert html.count('class="card stack"') == 1
