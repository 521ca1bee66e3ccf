"""The trainer's dashboard: attempts to review, corrected grades, learners stuck or idle; in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from labs.models import Submission
from tests.factories import CourseFactory, EnrolmentFactory, StepFactory, TrainerFactory, UserFactory, complete
from tests.labs.factories import LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return LabFactory(pass_mark=60)


@pytest.fixture
def trainer(lab):
    return lab.course.owner


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def _dashboard(client):
    response = client.get(reverse("labs:trainer_dashboard"))
    assert response.status_code == 200
    return response


def _failed(lab, learner, **extra):
    return SubmissionFactory(lab=lab, learner=learner, graded=True, score=30, passed=False, **extra)


def test_a_graded_attempt_waits_for_review_with_a_link_to_it(trainer_client, lab):
    attempt = SubmissionFactory(lab=lab, graded=True)
    response = _dashboard(trainer_client)
    assert [item.pk for item in response.context["queue"].to_review] == [attempt.pk]
    assert reverse("labs:trainer_submission", args=[attempt.pk]) in response.content.decode()


def test_attempts_of_other_trainers_courses_do_not_wait_for_this_trainer(trainer_client):
    SubmissionFactory(lab=LabFactory(), graded=True)  # another trainer's course
    assert _dashboard(trainer_client).context["queue"].to_review_count == 0


def test_a_reviewed_attempt_leaves_the_queue(trainer_client, lab, trainer):
    # given an attempt waiting for review
    attempt = SubmissionFactory(lab=lab, graded=True)
    # when the trainer marks it as read
    response = trainer_client.post(reverse("labs:trainer_submission_reviewed", args=[attempt.pk]))
    # then it is recorded and it leaves the queue
    assert response["Location"] == reverse("labs:trainer_dashboard")
    attempt.refresh_from_db()
    assert attempt.reviewed_by == trainer and attempt.reviewed_at is not None
    assert _dashboard(trainer_client).context["queue"].to_review_count == 0


def test_someone_who_cannot_edit_the_course_cannot_mark_its_attempts_read(client, lab):
    attempt = SubmissionFactory(lab=lab, graded=True)
    client.force_login(TrainerFactory())
    response = client.post(reverse("labs:trainer_submission_reviewed", args=[attempt.pk]))
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.reviewed_at is None


def test_an_attempt_still_running_cannot_be_marked_read(trainer_client, lab):
    attempt = SubmissionFactory(lab=lab, state=Submission.State.GENERATING)
    response = trainer_client.post(reverse("labs:trainer_submission_reviewed", args=[attempt.pk]), follow=True)
    assert "Seule une tentative notée ou refusée" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.reviewed_at is None


def test_a_corrected_grade_is_listed_with_its_comment_and_not_waiting(trainer_client, lab, trainer):
    attempt = SubmissionFactory(
        lab=lab,
        graded=True,
        override_score=75,
        override_comment="Le mouvement de caméra est bien décrit.",
        override_by=trainer,
        override_at=timezone.now(),
    )
    response = _dashboard(trainer_client)
    queue = response.context["queue"]
    assert [item.pk for item in queue.overridden] == [attempt.pk]
    assert queue.to_review_count == 0
    assert "Le mouvement de caméra est bien décrit." in response.content.decode()


def test_a_learner_with_three_failed_attempts_and_no_pass_is_stuck(trainer_client, lab):
    learner = UserFactory(first_name="Salma", last_name="Idrissi")
    for _ in range(3):
        _failed(lab, learner)
    response = _dashboard(trainer_client)
    (row,) = response.context["queue"].stuck
    assert (row.learner_name, row.failed) == ("Salma Idrissi", 3)
    assert f"{reverse('labs:trainer_submissions', args=[lab.slug])}?q=" in response.content.decode()


def test_a_learner_who_passed_after_failing_is_not_stuck(trainer_client, lab):
    learner = UserFactory()
    for _ in range(3):
        _failed(lab, learner)
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=90, passed=True)
    assert _dashboard(trainer_client).context["queue"].stuck == []


def test_a_learner_whose_grade_was_raised_over_the_mark_is_not_stuck(trainer_client, lab, trainer):
    learner = UserFactory()
    for _ in range(2):
        _failed(lab, learner)
    _failed(lab, learner, override_score=70, override_comment="ok", override_by=trainer, override_at=timezone.now())
    assert _dashboard(trainer_client).context["queue"].stuck == []


def test_a_learner_with_no_step_completed_for_two_weeks_is_idle(trainer_client, lab):
    long_ago = timezone.now() - timedelta(days=30)
    idle = EnrolmentFactory(course=lab.course, enrolled_at=long_ago)
    active = EnrolmentFactory(course=lab.course, enrolled_at=long_ago)
    complete(active.user, StepFactory(module=lab.step.module))
    queue = _dashboard(trainer_client).context["queue"]
    assert [enrolment.pk for enrolment in queue.idle] == [idle.pk]


def test_a_learner_who_just_enrolled_or_finished_is_not_idle(trainer_client, lab):
    EnrolmentFactory(course=lab.course)  # today
    EnrolmentFactory(course=lab.course, enrolled_at=timezone.now() - timedelta(days=40), completed_at=timezone.now())
    EnrolmentFactory(
        course=lab.course, enrolled_at=timezone.now() - timedelta(days=40), status=Enrolment.Status.UNENROLLED
    )
    assert _dashboard(trainer_client).context["queue"].idle == []


def test_a_trainer_without_courses_sees_how_to_start(client):
    client.force_login(TrainerFactory())
    page = _dashboard(client).content.decode()
    assert "Aucun cours pour l'instant" in page
    assert reverse("courses:authoring_course_create") in page


def test_a_trainer_with_nothing_waiting_sees_each_empty_state(trainer_client):
    page = _dashboard(trainer_client).content.decode()
    assert "Rien ne vous attend" in page
    assert "Aucun essai à relire." in page
    assert "Aucun apprenant bloqué sur un labo." in page
    assert "Tous vos apprenants avancent." in page


def test_the_dashboard_speaks_english(trainer_client, lab):
    SubmissionFactory(lab=lab, graded=True)
    trainer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _dashboard(trainer_client).content.decode()
    assert "Attempts to review" in page
    assert "Essais à relire" not in page


def test_learners_may_not_open_the_dashboard(client):
    client.force_login(UserFactory())
    assert client.get(reverse("labs:trainer_dashboard")).status_code == 403


def _fill(lab, trainer, learners: int) -> None:
    long_ago = timezone.now() - timedelta(days=30)
    for _ in range(learners):
        learner = UserFactory()
        EnrolmentFactory(course=lab.course, user=learner, enrolled_at=long_ago)
        for _ in range(3):
            _failed(lab, learner)
        SubmissionFactory(
            lab=lab,
            learner=learner,
            graded=True,
            override_score=50,
            override_comment="Trop vague.",
            override_by=trainer,
            override_at=timezone.now(),
        )


def test_the_dashboard_query_count_does_not_grow_with_the_queue(trainer_client, lab, trainer):
    # given one learner in every list, measured
    _fill(lab, trainer, 1)
    with CaptureQueriesContext(connection) as one:
        _dashboard(trainer_client)
    # when six learners are in every list, on two labs of two courses
    other_lab = LabFactory(step__module__course=CourseFactory(owner=trainer))
    _fill(lab, trainer, 3)
    _fill(other_lab, trainer, 2)
    with CaptureQueriesContext(connection) as many:
        response = _dashboard(trainer_client)
    # then the lists grew, the number of queries did not
    queue = response.context["queue"]
    assert (len(queue.stuck), len(queue.idle), len(queue.overridden)) == (6, 6, 6)
    assert queue.to_review_count == 18
    assert len(many) == len(one)
