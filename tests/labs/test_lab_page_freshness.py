"""The lab page never shows a lab or rubric older than the trainer's last edit.

The learner's lab page reads the lab and its criteria from the content cache (labs.selectors.
lab_for_learner_page). Each test views the page first, so the cache holds it, then edits as a
trainer does (labs.services.authoring) and views it again.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from labs.services import authoring
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import CriterionFactory, LabFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return LabFactory()


@pytest.fixture
def learner_client(client, lab):
    user = UserFactory()
    EnrolmentFactory(user=user, course=lab.course)
    client.force_login(user)
    return client


def _page(client, lab) -> str:
    response = client.get(reverse("labs:lab", args=[lab.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_edited_brief_shows_on_the_lab_page(learner_client, lab):
    assert "flacon de parfum" in _page(learner_client, lab)

    authoring.lab_update(lab=lab, brief="Filmez une **théière en argent** qui fume.")

    html = _page(learner_client, lab)
    assert "théière en argent" in html
    assert "flacon de parfum" not in html


def test_a_criterion_added_to_the_rubric_shows_on_the_lab_page(learner_client, lab):
    CriterionFactory(lab=lab, label="Le sujet", position=0)
    assert "La lumière dorée" not in _page(learner_client, lab)

    authoring.criterion_add(lab=lab, kind="must_mention", label="La lumière dorée", terms=["doré"], weight=10)

    assert "La lumière dorée" in _page(learner_client, lab)


def test_criteria_moved_show_in_their_new_order(learner_client, lab):
    first = CriterionFactory(lab=lab, kind="must_mention", label="Premier critère", terms=["a"], position=0)
    CriterionFactory(lab=lab, kind="must_mention", label="Second critère", terms=["b"], position=1)
    html = _page(learner_client, lab)
    assert html.index("Premier critère") < html.index("Second critère")

    authoring.criterion_move(criterion=first, direction="down")

    html = _page(learner_client, lab)
    assert html.index("Second critère") < html.index("Premier critère")


def test_a_renamed_course_shows_on_the_lab_page(learner_client, lab):
    from courses.services.authoring import course_update

    old_title = lab.course.title
    assert old_title in _page(learner_client, lab)

    course_update(course=lab.course, title="Un titre tout neuf")

    html = _page(learner_client, lab)
    assert "Un titre tout neuf" in html
