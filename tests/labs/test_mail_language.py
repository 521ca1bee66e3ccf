"""Mails go out in the recipient's language, whatever language the person who caused them browses in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from academy.celery import app
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery():
    import academy.notifications.tasks  # noqa: F401 (registers the task that services send by name)

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.mark.parametrize(
    ("browser", "recipient", "expected"),
    [
        ("en", "fr", "a corrigé la note de votre essai"),
        ("fr", "en", "corrected the grade of your attempt"),
    ],
)
def test_a_corrected_grade_is_mailed_in_the_learners_language_not_the_trainers(
    client, django_capture_on_commit_callbacks, eager_celery, browser, recipient, expected
):
    # given a learner reading in one language and their trainer browsing in the other
    lab = LabFactory()
    trainer = lab.course.owner
    trainer.first_name = "Karim"
    trainer.save()
    learner = UserFactory(preferred_language=recipient)
    EnrolmentFactory(user=learner, course=lab.course)
    attempt = SubmissionFactory(lab=lab, learner=learner, graded=True, score=40, passed=False)
    client.force_login(trainer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = browser
    # when the trainer corrects the grade
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("labs:trainer_submission_override", args=[attempt.pk]), {"score": 75, "comment": "Bien vu."}
        )
    assert response.status_code == 302
    # then the learner's mail is in the learner's language
    subjects = [m.subject for m in mail.outbox if m.to == [learner.email]]
    assert any(expected in subject for subject in subjects), subjects
