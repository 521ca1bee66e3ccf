"""A learner cancels their attempt that stopped moving: a button on the attempt page, and it does not count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from labs.models import Submission
from labs.selectors import lab_allowance
from labs.services.pipeline import run_grading
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

BUTTON = "Annuler cet essai"


@pytest.fixture
def lab():
    return LabFactory(max_attempts=1)


@pytest.fixture
def learner(lab):
    user = UserFactory()
    EnrolmentFactory(user=user, course=lab.course)
    return user


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def stalled(lab, learner, *, seconds: int = 45, state=Submission.State.GENERATING) -> Submission:
    """An attempt in flight whose state and progress last moved ``seconds`` ago."""
    submission = SubmissionFactory(lab=lab, learner=learner, state=state, progress=5)
    Submission.objects.filter(pk=submission.pk).update(
        created_at=timezone.now() - timedelta(seconds=seconds + 5),
        progressed_at=timezone.now() - timedelta(seconds=seconds),
    )
    return Submission.objects.get(pk=submission.pk)


def cancel_url(submission) -> str:
    return reverse("labs:submission_cancel", args=[submission.pk])


def test_the_attempt_page_offers_to_cancel_a_run_that_stopped_moving(learner_client, learner, lab):
    submission = stalled(lab, learner)

    html = learner_client.get(reverse("labs:submission", args=[submission.pk]), HTTP_HX_REQUEST="true")

    assert BUTTON in html.content.decode()
    assert f'action="{cancel_url(submission)}"' in html.content.decode()


def test_a_run_that_moves_is_not_offered_for_cancelling(learner_client, learner, lab):
    submission = stalled(lab, learner, seconds=5)

    html = learner_client.get(reverse("labs:submission", args=[submission.pk])).content.decode()

    assert BUTTON not in html


def test_cancelling_ends_the_attempt_without_counting_it_and_frees_the_lab(learner_client, learner, lab):
    # given the learner's only allowed attempt, stuck in generation
    submission = stalled(lab, learner)
    assert lab_allowance(learner=learner, lab=lab).attempts_used == 1

    # when they cancel it
    response = learner_client.post(cancel_url(submission), follow=True)

    # then it is cancelled, not counted, and they may submit again on this lab
    submission.refresh_from_db()
    assert (submission.state, submission.counts_as_attempt, submission.error_code) == (
        Submission.State.CANCELLED,
        False,
        "cancelled",
    )
    allowance = lab_allowance(learner=learner, lab=lab)
    assert (allowance.attempts_used, allowance.in_flight, allowance.exhausted) == (0, None, False)
    html = response.content.decode()
    assert "Essai annulé" in html and "Relancer avec le même prompt" in html


def test_cancelling_through_htmx_swaps_the_status_card(learner_client, learner, lab):
    submission = stalled(lab, learner, state=Submission.State.QUEUED)

    response = learner_client.post(cancel_url(submission), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="submission-status"' in html and 'data-state="cancelled"' in html
    assert "hx-trigger" not in html  # polling stops


def test_a_run_that_is_still_moving_cannot_be_cancelled(learner_client, learner, lab):
    submission = stalled(lab, learner, seconds=5)

    response = learner_client.post(cancel_url(submission), follow=True)

    submission.refresh_from_db()
    assert submission.state == Submission.State.GENERATING
    assert "Cet essai avance encore" in response.content.decode()


def test_a_finished_attempt_cannot_be_cancelled(learner_client, learner, lab):
    submission = SubmissionFactory(lab=lab, learner=learner, graded=True)

    response = learner_client.post(cancel_url(submission), HTTP_HX_REQUEST="true")

    submission.refresh_from_db()
    assert submission.state == Submission.State.GRADED
    assert "déjà terminé" in response.content.decode()


def test_only_the_learner_who_made_the_attempt_may_cancel_it(client, lab, learner):
    submission = stalled(lab, learner)
    other = UserFactory()
    EnrolmentFactory(user=other, course=lab.course)
    client.force_login(other)
    assert client.post(cancel_url(submission)).status_code == 404
    client.force_login(lab.course.owner)  # the course's trainer sees the attempt, but does not cancel it
    assert client.post(cancel_url(submission)).status_code == 404
    client.logout()
    assert reverse("login") in client.post(cancel_url(submission))["Location"]
    assert Submission.objects.get(pk=submission.pk).state == Submission.State.GENERATING


def test_cancelling_needs_a_post(learner_client, learner, lab):
    submission = stalled(lab, learner)
    assert learner_client.get(cancel_url(submission)).status_code == 405


def test_the_cancelled_run_changes_nothing_if_it_wakes_up(learner_client, learner, lab, tmp_path):
    # given a stuck run that the learner cancelled
    submission = stalled(lab, learner)
    old_token = str(submission.task_token)
    learner_client.post(cancel_url(submission))
    # when that run wakes up and tries to go on
    assert run_grading(submission.pk, old_token, workdir=tmp_path) is None
    # then the attempt stays cancelled
    assert Submission.objects.get(pk=submission.pk).state == Submission.State.CANCELLED
