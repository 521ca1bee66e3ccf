import pytest
from django.urls import reverse

from courses.models import Course
from tests.factories import CourseFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses():
    camera = TagFactory(name="Caméra", slug="camera")
    return {
        "prompt": CourseFactory(title="Écrire un prompt vidéo", level=Course.Level.BEGINNER, language="fr"),
        "camera": CourseFactory(title="Mouvements", level=Course.Level.ADVANCED, language="fr", tags=[camera]),
        "english": CourseFactory(title="Prompting video models", level=Course.Level.BEGINNER, language="en"),
        "draft": CourseFactory(title="Brouillon prompt", draft=True),
    }


def _titles(response) -> set[str]:
    return {c.title for c in response.context["courses"]}


def test_catalogue_lists_published_courses_only(client, courses):
    response = client.get(reverse("courses:catalogue"))
    assert _titles(response) == {"Écrire un prompt vidéo", "Mouvements", "Prompting video models"}


def test_search_matches_title_or_tag(client, courses):
    assert _titles(client.get(reverse("courses:catalogue"), {"q": "prompt"})) == {
        "Écrire un prompt vidéo",
        "Prompting video models",
    }
    assert _titles(client.get(reverse("courses:catalogue"), {"q": "caméra"})) == {"Mouvements"}


def test_filters_by_level_and_language(client, courses):
    response = client.get(reverse("courses:catalogue"), {"level": "beginner", "language": "en"})
    assert _titles(response) == {"Prompting video models"}


def test_invalid_filter_value_shows_an_error_in_place_not_a_500(client, courses):
    response = client.get(reverse("courses:catalogue"), {"level": "expert"})
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert len(_titles(response)) == 3


def test_htmx_request_gets_only_the_results_partial(client, courses):
    response = client.get(reverse("courses:catalogue"), {"q": "Mouvements"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "Mouvements" in html


def test_htmx_history_restore_gets_the_full_page(client, courses):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in client.get(reverse("courses:catalogue"), headers=headers).content.decode()


def test_filter_form_works_without_javascript(client, courses):
    page = client.get(reverse("courses:catalogue")).content.decode()
    assert f'method="get" action="{reverse("courses:catalogue")}"' in page
    assert 'hx-push-url="true"' in page


def test_the_catalogue_is_paginated_and_keeps_the_filters(client):
    from courses.views.learner import CATALOGUE_PAGE_SIZE
    from tests.factories import CourseFactory

    CourseFactory.create_batch(CATALOGUE_PAGE_SIZE + 3, level="beginner")
    first = client.get("/cours/catalogue/?level=beginner")
    second = client.get("/cours/catalogue/?level=beginner&page=2")
    assert first.content.decode().count('<article class="card">') == CATALOGUE_PAGE_SIZE
    assert "level=beginner&amp;page=2" in first.content.decode()
    assert second.content.decode().count('<article class="card">') == 3
