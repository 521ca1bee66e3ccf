"""The grade that counts (labs.selectors.counted_grade): one rule for the pages, the analytics and course progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import StepProgress
from labs.analytics import lab_analytics
from labs.api import grade_that_counts
from labs.models import Lab, Submission
from labs.selectors import counted_grade, lab_analytics_rows
from labs.services.progress import lab_progress_sync
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import CriterionFactory, LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now() - timedelta(days=1)


def attempt(lab, minutes: int, *, score: int, passed: bool, state=Submission.State.GRADED, override=None) -> Submission:
    return Submission(
        lab=lab,
        state=state,
        score=score,
        passed=passed,
        override_score=override,
        created_at=T0 + timedelta(minutes=minutes),
    )


@pytest.mark.parametrize(
    ("grading", "expected"),
    [(Lab.Grading.BEST, (90, True)), (Lab.Grading.LAST, (40, False))],
)
def test_best_takes_the_highest_score_and_last_the_latest_attempt(grading, expected):
    lab = Lab(pass_mark=60, grading=grading)
    attempts = [attempt(lab, 0, score=70, passed=True), attempt(lab, 5, score=90, passed=True)]
    attempts.append(attempt(lab, 10, score=40, passed=False))
    grade = counted_grade(attempts, lab=lab)
    assert (grade.score, grade.passed) == expected


def test_in_best_mode_a_pass_outranks_a_higher_score_that_does_not_pass():
    # given a pass at 65, then 90 points that do not pass (the ethics criterion failed at grading)
    lab = Lab(pass_mark=60, grading=Lab.Grading.BEST)
    attempts = [attempt(lab, 0, score=65, passed=True), attempt(lab, 5, score=90, passed=False)]
    grade = counted_grade(attempts, lab=lab)
    assert (grade.attempt, grade.score, grade.passed) == (attempts[0], 65, True)


def test_an_override_replaces_the_graders_score_and_pass():
    lab = Lab(pass_mark=60, grading=Lab.Grading.LAST)
    grade = counted_grade([attempt(lab, 0, score=40, passed=False, override=75)], lab=lab)
    assert (grade.score, grade.passed) == (75, True)


def test_only_graded_attempts_count():
    lab = Lab(pass_mark=60)
    attempts = [
        attempt(lab, 0, score=0, passed=False, state=Submission.State.BLOCKED),
        attempt(lab, 5, score=None, passed=False, state=Submission.State.FAILED),
    ]
    assert counted_grade(attempts, lab=lab) is None


def test_analytics_the_lab_page_the_attempt_page_and_progress_agree_on_a_best_mode_lab(client):
    # given a best-mode lab with a hidden criterion, and a learner who passed with 65 points,
    # then scored 90 on an attempt that failed the ethics criterion at grading
    lab = LabFactory(grading=Lab.Grading.BEST, pass_mark=60)
    CriterionFactory(lab=lab, hidden=True, label="Critère secret")
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=lab.course)
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=65, passed=True, created_at=T0)
    later = SubmissionFactory(lab=lab, learner=learner, graded=True, score=90, passed=False)
    Submission.objects.filter(pk=later.pk).update(created_at=T0 + timedelta(hours=1))

    # when each reader asks for the grade that counts
    grade = grade_that_counts(learner=learner, lab=lab)
    stats = lab_analytics(lab_analytics_rows(lab), lab=lab)
    lab_progress_sync(learner=learner, lab=lab)
    client.force_login(learner)
    lab_page = client.get(reverse("labs:lab", args=[lab.slug])).content.decode()
    attempt_page = client.get(reverse("labs:submission", args=[later.pk])).content.decode()

    # then all of them see one grade: 65, passed
    assert (grade.score, grade.passed) == (65, True)
    assert (stats.learners, stats.learners_passed) == (1, 1)
    assert '<strong>65/100</strong> <span class="badge badge-ok">' in lab_page
    assert "Voir le prompt de référence" in attempt_page  # revealed: the learner has passed the lab
    progress = StepProgress.objects.get(user=learner, step=lab.step)
    assert (progress.completed_at is not None, progress.score) == (True, 65)
