import pytest
from django.urls import resolve, reverse

from courses import step_providers
from courses.models import Step
from courses.selectors.learning import (
    COMPLETED,
    LOCKED,
    OPEN,
    UNAVAILABLE,
    course_outline_for,
    course_progress_percent,
    first_incomplete_step,
    flatten,
)
from courses.services.learning import enrol
from tests.factories import UserFactory, build_course, complete

pytestmark = pytest.mark.django_db


def _steps(course):
    return list(Step.objects.filter(module__course=course).order_by("module__position", "position"))


def test_outline_groups_steps_by_module_in_order():
    course = build_course(modules=2, steps_per_module=3)
    outline = course_outline_for(UserFactory(), course)
    assert [m.module.title for m in outline] == ["Module 1", "Module 2"]
    assert [s.step.title for s in outline[1].steps] == ["Étape 2.1", "Étape 2.2", "Étape 2.3"]
    assert [s.number for s in flatten(outline)] == [1, 2, 3, 4, 5, 6]


def test_sequential_course_opens_only_the_step_after_the_last_completed_across_modules():
    # given a sequential course where the whole first module is done
    learner = UserFactory()
    course = build_course(modules=2, steps_per_module=2, sequential=True)
    steps = _steps(course)
    complete(learner, steps[0])
    complete(learner, steps[1])
    # when
    states = [s.state for s in flatten(course_outline_for(learner, course))]
    # then the first step of module 2 is open, the next one locked
    assert states == [COMPLETED, COMPLETED, OPEN, LOCKED]


def test_non_sequential_course_opens_every_step():
    course = build_course(modules=2, steps_per_module=2, sequential=False)
    states = {s.state for s in flatten(course_outline_for(UserFactory(), course))}
    assert states == {OPEN}


def test_locked_step_says_which_step_to_finish_first():
    course = build_course(modules=1, steps_per_module=2, sequential=True)
    locked = flatten(course_outline_for(UserFactory(), course))[1]
    assert locked.state == LOCKED
    assert "Étape 1.1" in str(locked.locked_reason)


def test_lab_step_without_provider_is_unavailable_not_an_error(monkeypatch):
    monkeypatch.setattr(step_providers, "_providers", {})
    course = build_course(modules=1, steps_per_module=1, kinds=[Step.Kind.LAB])
    state = flatten(course_outline_for(UserFactory(), course))[0]
    assert state.state == UNAVAILABLE
    assert state.url is None


class _FakeLabProvider:
    def url_for(self, step):
        return f"/labs/etape/{step.pk}/"

    def authoring_url_for(self, step):
        return f"/labs/formateur/{step.pk}/"


def test_lab_step_links_to_the_provider_url_and_the_step_url_redirects_there(client, monkeypatch):
    monkeypatch.setattr(step_providers, "_providers", {"lab": _FakeLabProvider()})
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=1, kinds=[Step.Kind.LAB])
    enrol(user=learner, course=course)
    step = _steps(course)[0]
    client.force_login(learner)

    assert flatten(course_outline_for(learner, course))[0].url == f"/labs/etape/{step.pk}/"
    response = client.get(reverse("courses:step", args=[course.slug, step.pk]))
    assert response["Location"] == f"/labs/etape/{step.pk}/"


def test_locked_step_opened_by_url_gets_a_friendly_403(client):
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=2, sequential=True)
    enrol(user=learner, course=course)
    client.force_login(learner)

    response = client.get(reverse("courses:step", args=[course.slug, _steps(course)[1].pk]))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Étape verrouillée" in page
    assert "Étape 1.1" in page


def test_resume_points_at_first_open_incomplete_step_and_percent_counts_required_steps():
    learner = UserFactory()
    course = build_course(modules=2, steps_per_module=2)
    steps = _steps(course)
    steps[3].required = False
    steps[3].save()
    complete(learner, steps[0])

    assert first_incomplete_step(learner, course).step == steps[1]
    assert course_progress_percent(learner, course) == 33  # 1 of 3 required


def test_course_page_shows_outline_trainers_duration_and_prerequisites(client):
    course = build_course(modules=1, steps_per_module=2, prerequisites="Savoir *écrire* un prompt", duration_hours=3)
    page = client.get(course.get_absolute_url()).content.decode()
    assert "Étape 1.2" in page
    assert course.owner.get_full_name() in page
    assert "3 heures" in page
    assert "<em>écrire</em>" in page


def test_course_page_links_the_published_translation(client):
    original = build_course(modules=1, steps_per_module=1, language="fr")
    english = build_course(modules=1, steps_per_module=1, language="en", translation_of=original, title="AI video")
    page = client.get(original.get_absolute_url()).content.decode()
    assert "Également disponible en anglais" in page
    assert english.get_absolute_url() in page


def test_not_enrolled_learner_sees_outline_without_step_links(client):
    course = build_course(modules=1, steps_per_module=1)
    client.force_login(UserFactory())
    page = client.get(course.get_absolute_url()).content.decode()
    assert reverse("courses:step", args=[course.slug, _steps(course)[0].pk]) not in page


def test_not_enrolled_learner_opening_a_step_is_sent_to_the_course_page(client):
    course = build_course(modules=1, steps_per_module=1)
    client.force_login(UserFactory())
    response = client.get(reverse("courses:step", args=[course.slug, _steps(course)[0].pk]))
    assert response.status_code == 302
    assert response["Location"] == course.get_absolute_url()


def test_draft_course_is_404_for_learners_and_visible_to_its_owner(client):
    course = build_course(modules=1, steps_per_module=1, draft=True)
    client.force_login(UserFactory())
    assert client.get(course.get_absolute_url()).status_code == 404
    client.force_login(course.owner)
    assert client.get(course.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("segment", ["catalogue", "mes-cours", "formateur"])
def test_fixed_segments_are_never_read_as_course_slugs(segment):
    assert resolve(f"/cours/{segment}/").url_name != "detail"


def test_outline_url_leads_to_the_course_programme(client):
    course = build_course(modules=1, steps_per_module=1)
    response = client.get(reverse("courses:outline", args=[course.slug]))
    assert response["Location"] == f"{course.get_absolute_url()}#programme"


def test_step_urls_are_those_reverse_gives_even_when_the_slug_holds_digits():
    from django.urls import reverse

    from courses.selectors.learning import step_learner_url
    from tests.factories import StepFactory

    step = StepFactory(module__course__slug="cours-987654321-video")
    assert step_learner_url(step, step.module.course.slug) == reverse(
        "courses:step", args=[step.module.course.slug, step.pk]
    )
