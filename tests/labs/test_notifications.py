"""What labs notifies: an attempt graded while its learner was away, a corrected grade, attempts to review."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from academy.notifications.models import Notification
from labs.models import Submission
from labs.services import transitions
from labs.services.pipeline import GradedVideo
from labs.services.submissions import submission_override
from tests.factories import EnrolmentFactory, TrainerFactory, UserFactory
from tests.labs.factories import LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def _graded_video(tmp_path: Path, score: int = 80) -> GradedVideo:
    for name in ("video.mp4", "poster.jpg", "sheet.jpg"):
        (tmp_path / name).write_bytes(b"x")
    return GradedVideo(
        result={"score": score, "passed": score >= 60, "criteria": []},
        video=tmp_path / "video.mp4",
        poster=tmp_path / "poster.jpg",
        contact_sheet=tmp_path / "sheet.jpg",
        job_ref="job",
        cost=None,
        generation_seconds=1.0,
        grading_seconds=1.0,
    )


@pytest.fixture
def lab(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return LabFactory(step__title="Le teaser du flacon")


def _finish(submission: Submission, tmp_path: Path, score: int = 80) -> Submission:
    return transitions.submission_finish(
        submission_id=submission.pk, token=str(submission.task_token), graded=_graded_video(tmp_path, score)
    )


def _running(lab, learner) -> Submission:
    EnrolmentFactory(user=learner, course=lab.course)
    return SubmissionFactory(lab=lab, learner=learner, state=Submission.State.ANALYSING)


def test_an_attempt_graded_while_its_learner_is_away_is_notified(lab, tmp_path):
    learner = UserFactory()
    submission = _running(lab, learner)
    _finish(submission, tmp_path, score=45)
    (notification,) = Notification.objects.filter(recipient=learner)  # 45/100: no certificate
    assert notification.kind == "labs.attempt_graded"
    assert notification.url == submission.get_absolute_url()
    assert notification.title() == "Essai n° 1 noté : 45/100 — Le teaser du flacon"
    assert "Pas encore réussi : le seuil du labo est 60/100." in notification.body()


def test_a_learner_watching_the_attempt_page_gets_no_notification(client, lab, tmp_path):
    # given a learner whose attempt page is polling
    learner = UserFactory()
    submission = _running(lab, learner)
    client.force_login(learner)
    assert client.get(submission.get_absolute_url(), HTTP_HX_REQUEST="true").status_code == 200
    # when the worker grades it
    _finish(submission, tmp_path)
    # then they saw it live: nothing to notify
    assert not Notification.objects.filter(recipient=learner, kind="labs.attempt_graded").exists()


def test_the_courses_trainers_are_told_of_new_attempts_to_review_in_one_notification_per_lab(lab, tmp_path):
    # given the course's owner and a co-trainer
    owner = lab.course.owner
    co_trainer = TrainerFactory()
    lab.course.co_trainers.add(co_trainer)
    # when two learners' attempts are graded
    for name in ("Amina", "Karim"):
        _finish(_running(lab, UserFactory(first_name=name, last_name="Tazi")), tmp_path)
    # then each trainer has one notification that counts both, pointing at the lab's attempts
    for trainer in (owner, co_trainer):
        (notification,) = Notification.objects.filter(recipient=trainer, kind="labs.attempt_to_review")
        assert notification.count == 2
        assert notification.title() == "2 nouveaux essais à relire : Le teaser du flacon"
        assert notification.body() == "Le dernier : Karim Tazi, 80/100."
        assert notification.url == reverse("labs:trainer_submissions", args=[lab.slug])


def test_a_corrected_grade_is_notified_with_the_trainers_comment(lab, tmp_path):
    learner = UserFactory()
    submission = _finish(_running(lab, learner), tmp_path, score=50)
    Notification.objects.all().delete()
    trainer = lab.course.owner
    trainer.first_name, trainer.last_name = "Salma", "El Idrissi"
    trainer.save()
    submission_override(submission=submission, trainer=trainer, score=75, comment="Le cadrage est juste, bravo.")
    (notification,) = Notification.objects.filter(recipient=learner, kind="labs.grade_overridden")
    assert (
        notification.title() == "Salma El Idrissi a corrigé la note de votre essai n° 1 : 75/100 — Le teaser du flacon"
    )
    assert notification.body() == "Son commentaire : Le cadrage est juste, bravo."
