import pytest
from django.urls import reverse

from courses.models import Step
from courses.services.learning import enrol, step_complete
from tests.factories import UserFactory, build_course

pytestmark = pytest.mark.django_db


def test_dashboard_shows_progress_and_resume_link_to_first_incomplete_step(client):
    learner = UserFactory()
    course = build_course(modules=2, steps_per_module=2, title="Cours A")
    enrol(user=learner, course=course)
    steps = list(Step.objects.filter(module__course=course).order_by("module__position", "position"))
    step_complete(user=learner, step=steps[0])
    client.force_login(learner)

    page = client.get(reverse("courses:dashboard")).content.decode()

    assert 'max="100" value="25"' in page
    assert reverse("courses:step", args=[course.slug, steps[1].pk]) in page
    assert "Reprendre" in page


def test_dashboard_links_the_certificate_of_a_finished_course(client):
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=1)
    enrol(user=learner, course=course)
    step_complete(user=learner, step=Step.objects.get(module__course=course))
    client.force_login(learner)

    page = client.get(reverse("courses:dashboard")).content.decode()

    code = learner.certificates.get().code
    assert reverse("courses:certificate_pdf", args=[code]) in page
    assert reverse("courses:certificate_verify", args=[code]) in page


def test_dashboard_lists_only_active_enrolments_of_the_user(client):
    learner, other = UserFactory(), UserFactory()
    mine = build_course(modules=1, steps_per_module=1, title="Le mien")
    theirs = build_course(modules=1, steps_per_module=1, title="Le leur")
    enrol(user=learner, course=mine)
    enrol(user=other, course=theirs)
    client.force_login(learner)

    titles = [entry.course.title for entry in client.get(reverse("courses:dashboard")).context["entries"]]

    assert titles == ["Le mien"]


@pytest.mark.parametrize("name", ["courses:dashboard"])
def test_anonymous_visitor_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_visitor_opening_a_step_is_sent_to_login(client):
    course = build_course(modules=1, steps_per_module=1)
    step = Step.objects.get(module__course=course)
    response = client.get(reverse("courses:step", args=[course.slug, step.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
