"""The attempt's transitions (labs.services.transitions): each one checks the run's token and leaves finished attempts alone."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from labs.backends.base import BackendError, TransientBackendError
from labs.grading.policy import PolicyResult
from labs.models import Submission
from labs.services import transitions
from labs.services.failures import RetriesExhausted, RunLost, describe_failure
from labs.services.pipeline import GradedVideo, run_grading
from labs.services.submissions import submit_attempt
from labs.services.transitions import Requeue, StaleTask
from tests.labs.factories import LabFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

MODERATED = PolicyResult(moderation_categories=("provider",))


def _graded_video(tmp_path: Path) -> GradedVideo:
    for name in ("video.mp4", "poster.jpg", "sheet.jpg"):
        (tmp_path / name).write_bytes(b"x")
    return GradedVideo(
        result={"score": 80, "passed": True, "criteria": []},
        video=tmp_path / "video.mp4",
        poster=tmp_path / "poster.jpg",
        contact_sheet=tmp_path / "sheet.jpg",
        job_ref="job",
        cost=None,
        generation_seconds=1.0,
        grading_seconds=1.0,
    )


RUN_TRANSITIONS = {
    "claim": lambda s, token, tmp: transitions.submission_claim(submission_id=s.pk, token=token),
    "job_started": lambda s, token, tmp: transitions.submission_job_started(
        submission_id=s.pk, token=token, job_ref="job-9"
    ),
    "analysing": lambda s, token, tmp: transitions.submission_analysing(
        submission_id=s.pk, token=token, cost=Decimal("1")
    ),
    "block": lambda s, token, tmp: transitions.submission_block(submission_id=s.pk, token=token, policy=MODERATED),
    "finish": lambda s, token, tmp: transitions.submission_finish(
        submission_id=s.pk, token=token, graded=_graded_video(tmp)
    ),
}


def _snapshot(submission: Submission) -> tuple:
    submission.refresh_from_db()
    return (
        submission.state,
        submission.progress,
        submission.job_ref,
        submission.cost,
        submission.score,
        submission.retries,
        submission.counts_as_attempt,
        submission.error_code,
    )


@pytest.mark.parametrize("name", list(RUN_TRANSITIONS))
def test_a_run_transition_with_a_stale_token_raises_and_changes_nothing(name, tmp_path, settings):
    # given an attempt in generation, requeued since (its token changed)
    settings.MEDIA_ROOT = tmp_path / "media"
    submission = SubmissionFactory(state=Submission.State.GENERATING, progress=40)
    before = _snapshot(submission)
    # when the old run tries to move it
    with pytest.raises(StaleTask):
        RUN_TRANSITIONS[name](submission, str(uuid.uuid4()), tmp_path)
    # then the attempt is untouched
    assert _snapshot(submission) == before


@pytest.mark.parametrize("name", list(RUN_TRANSITIONS))
def test_a_run_transition_leaves_a_finished_attempt_alone(name, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    submission = SubmissionFactory(graded=True)
    before = _snapshot(submission)
    with pytest.raises(StaleTask):
        RUN_TRANSITIONS[name](submission, str(submission.task_token), tmp_path)
    assert _snapshot(submission) == before


def test_the_guarded_transitions_report_a_stale_token_instead_of_acting():
    submission = SubmissionFactory(state=Submission.State.GENERATING, progress=40)
    stale = str(uuid.uuid4())
    before = _snapshot(submission)
    assert transitions.submission_progress(submission_id=submission.pk, token=stale, progress=70) is False
    assert (
        transitions.submission_retry(submission_id=submission.pk, token=stale, error=TransientBackendError()) is False
    )
    assert transitions.submission_fail(submission_id=submission.pk, token=stale, error=BackendError("x")) is False
    requeue = transitions.submission_requeue(submission_id=submission.pk, token=stale, now=timezone.now())
    assert requeue == Requeue.NOTHING
    assert _snapshot(submission) == before


def test_the_run_transitions_move_the_attempt_forward_with_the_right_token(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    submission = SubmissionFactory()
    token = str(submission.task_token)
    claimed = transitions.submission_claim(submission_id=submission.pk, token=token)
    assert (claimed.state, claimed.progress) == (Submission.State.GENERATING, 5)
    assert claimed.deadline_at > timezone.now()
    transitions.submission_job_started(submission_id=submission.pk, token=token, job_ref="job-1")
    assert transitions.submission_progress(submission_id=submission.pk, token=token, progress=250) is True
    submission.refresh_from_db()
    assert (submission.job_ref, submission.progress) == ("job-1", 90)  # progress is capped until the analysis
    transitions.submission_analysing(submission_id=submission.pk, token=token, cost=Decimal("0.5"))
    finished = transitions.submission_finish(submission_id=submission.pk, token=token, graded=_graded_video(tmp_path))
    assert (finished.state, finished.score, finished.passed, finished.cost) == (
        Submission.State.GRADED,
        80,
        True,
        None,
    )
    assert finished.video.name.endswith("video.mp4")


def test_a_transient_error_is_counted_and_a_failed_job_is_forgotten():
    submission = SubmissionFactory(state=Submission.State.GENERATING, job_ref="job-1")
    token = str(submission.task_token)
    assert transitions.submission_retry(
        submission_id=submission.pk, token=token, error=TransientBackendError(code="server_error")
    )
    submission.refresh_from_db()
    assert (submission.retries, submission.job_ref) == (1, "job-1")
    transitions.submission_retry(
        submission_id=submission.pk, token=token, error=TransientBackendError(code="job_failed_retryable")
    )
    submission.refresh_from_db()
    assert (submission.retries, submission.job_ref) == (2, "")


def test_a_superseded_run_refused_by_moderation_does_not_block_the_requeued_attempt(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    # given an attempt whose first run was requeued (new token) while the provider's moderation refuses it
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
        "moderated": {"BACKEND": "tests.labs.test_pipeline.ModeratedBackend", "OPTIONS": {}},
    }
    lab = LabFactory(backend_alias="moderated")
    learner = SubmissionFactory.build().learner
    learner.save()
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit_attempt(learner=learner, lab=lab, prompt="Un flacon de parfum ambré sur une table.")
    old_token = str(submission.task_token)
    Submission.objects.filter(pk=submission.pk).update(task_token=uuid.uuid4())
    # when the old run gets its answer from the provider
    assert run_grading(submission.pk, old_token, workdir=tmp_path) is None
    # then the attempt stays queued for its new run: the stale run blocked nothing
    submission.refresh_from_db()
    assert (submission.state, submission.result) == (Submission.State.QUEUED, {})


def test_the_sweeper_fails_a_run_lost_too_often_with_the_stuck_message():
    submission = SubmissionFactory(
        state=Submission.State.ANALYSING,
        enqueue_count=transitions.MAX_ENQUEUES,
        deadline_at=timezone.now() - timedelta(seconds=1),
    )
    outcome = transitions.submission_requeue(
        submission_id=submission.pk, token=str(submission.task_token), now=timezone.now()
    )
    submission.refresh_from_db()
    assert outcome == Requeue.FAILED
    assert (submission.state, submission.error_code, submission.counts_as_attempt) == (
        Submission.State.FAILED,
        "stuck",
        False,
    )


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (RetriesExhausted(TransientBackendError(code="rate_limited")), "rate_limited"),
        (BackendError("invalid key", code="auth"), "auth"),
        (RunLost(), "stuck"),
        (ValueError("boom"), "internal_error"),
    ],
)
def test_every_failure_has_a_code_and_says_the_attempt_is_not_counted(error, code):
    failure = describe_failure(error)
    assert failure.code == code
    assert "n'est pas décomptée" in failure.message


def test_the_failure_message_is_written_in_the_learners_language():
    # given an English learner's attempt in generation
    submission = SubmissionFactory(state=Submission.State.GENERATING, language="en")
    # when the backend fails for good
    transitions.submission_fail(
        submission_id=submission.pk, token=str(submission.task_token), error=BackendError("bad key", code="auth")
    )
    # then the stored message is the English one, whatever the active language
    submission.refresh_from_db()
    assert submission.error_message == "The generation service returned an error: bad key. This attempt is not counted."
