"""Every change of an attempt's state, in one place.

An attempt (Submission) goes queued → generating → analysing → graded, or
ends blocked (the ethics gate or the provider's moderation: it counts as an
attempt) or failed (our infrastructure: it does not count). The grading run
claims it, reports progress, then finishes, blocks or fails it; the task's
retry policy counts retries; the sweeper requeues a lost run.

Each transition locks the row (``select_for_update``) or updates it in one
guarded statement, leaves a finished attempt alone, and checks the run's task
token: an attempt gets a new token when it is requeued, so a late or
duplicated run of an older enqueue changes nothing. A run's transitions raise
:class:`StaleTask` in that case; the others return whether they acted.
"""

from __future__ import annotations

import enum
import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from labs import notifications
from labs.backends.base import TransientBackendError
from labs.grading.policy import PolicyResult
from labs.models import Submission
from labs.services.dispatch import send_grading
from labs.services.failures import RunLost, describe_failure
from labs.services.progress import lab_progress_sync

if TYPE_CHECKING:
    from labs.services.pipeline import GradedVideo

logger = logging.getLogger(__name__)

MAX_ENQUEUES = 3  # the sweeper's rescues of a lost run before the attempt is failed

State = Submission.State


class StaleTask(Exception):
    """The attempt moved on without this run (finished, or requeued with a new token)."""


def queued_deadline() -> timedelta:
    return timedelta(seconds=settings.LAB_QUEUED_DEADLINE_SECONDS)


def running_deadline() -> timedelta:
    # A run may take the task's hard time limit; past it, the sweeper steps in.
    return timedelta(seconds=settings.LAB_RUNNING_DEADLINE_SECONDS)


def _locked(submission_id: int, token: str) -> Submission:
    """The attempt, locked, if this run still owns it; else StaleTask."""
    submission = Submission.objects.select_for_update().select_related("lab__step", "learner").get(pk=submission_id)
    if submission.is_terminal or str(submission.task_token) != token:
        raise StaleTask
    return submission


# --- the grading run ----------------------------------------------------------------


@transaction.atomic
def submission_claim(*, submission_id: int, token: str) -> Submission:
    """The run takes the attempt: it is generating from now on, with the running deadline."""
    submission = _locked(submission_id, token)
    now = timezone.now()
    submission.state = State.GENERATING
    submission.progress = 5
    submission.started_at = now
    submission.deadline_at = now + running_deadline()
    submission.save(update_fields=["state", "progress", "started_at", "deadline_at"])
    return submission


@transaction.atomic
def submission_job_started(*, submission_id: int, token: str, job_ref: str) -> None:
    """The backend accepted the job: a retry polls it instead of paying for a new one."""
    submission = _locked(submission_id, token)
    submission.job_ref = job_ref
    submission.save(update_fields=["job_ref"])


def submission_progress(*, submission_id: int, token: str, progress: int) -> bool:
    """The generation's progress (5–90 %), in one guarded UPDATE: no lock held while a video renders."""
    return bool(
        Submission.objects.filter(pk=submission_id, task_token=token, state=State.GENERATING).update(
            progress=max(5, min(int(progress), 90))
        )
    )


@transaction.atomic
def submission_analysing(*, submission_id: int, token: str, cost: Decimal | None) -> None:
    """The video exists: analysis and scoring start; its cost is known."""
    submission = _locked(submission_id, token)
    submission.state = State.ANALYSING
    submission.progress = 92
    submission.cost = cost
    submission.save(update_fields=["state", "progress", "cost"])


def mark_blocked(submission: Submission, policy: PolicyResult) -> None:
    """Set the fields of a blocked attempt (a new one refused at submit, or a run refused by moderation)."""
    submission.state = State.BLOCKED
    submission.counts_as_attempt = True
    submission.progress = 100
    submission.passed = False
    submission.score = 0
    submission.finished_at = timezone.now()
    submission.result = {
        "version": 1,
        "score": 0,
        "max_score": 100,
        "passed": False,
        "criteria": [],
        "policy": policy.to_dict(),
    }
    submission.error_code = "policy"


@transaction.atomic
def submission_block(*, submission_id: int, token: str, policy: PolicyResult) -> Submission:
    """Moderation refused the prompt during the run: blocked, and it counts as an attempt."""
    submission = _locked(submission_id, token)
    mark_blocked(submission, policy)
    submission.save()
    return submission


@transaction.atomic
def submission_finish(*, submission_id: int, token: str, graded: GradedVideo) -> Submission:
    """Store the video, its images and the grade; the step completes when the attempt that counts passed."""
    submission = _locked(submission_id, token)
    for field_name, path in (
        ("video", graded.video),
        ("poster", graded.poster),
        ("contact_sheet", graded.contact_sheet),
    ):
        with path.open("rb") as handle:
            getattr(submission, field_name).save(f"{submission_id}-{path.name}", File(handle), save=False)
    submission.state = State.GRADED
    submission.progress = 100
    submission.result = graded.result
    submission.score = graded.result["score"]
    submission.passed = graded.result["passed"]
    submission.cost = graded.cost
    submission.generation_seconds = graded.generation_seconds
    submission.grading_seconds = graded.grading_seconds
    submission.finished_at = timezone.now()
    submission.error_code = submission.error_message = ""
    submission.save()
    lab_progress_sync(learner=submission.learner, lab=submission.lab)
    notifications.attempt_graded(submission)
    logger.info("submission %s graded: %s/100", submission_id, submission.score)
    return submission


def submission_retry(*, submission_id: int, token: str, error: TransientBackendError) -> bool:
    """Count a transient failure before the task retries; False when the run no longer owns the attempt."""
    changes: dict = {"retries": F("retries") + 1}
    if error.code == "job_failed_retryable":
        changes["job_ref"] = ""  # that job can never succeed: the retry starts a new one
    return bool(
        Submission.objects.filter(pk=submission_id, task_token=token)
        .exclude(state__in=Submission.TERMINAL_STATES)
        .update(**changes)
    )


def _apply_failure(submission: Submission, error: BaseException) -> None:
    with translation.override(submission.language):
        failure = describe_failure(error)
    submission.state = State.FAILED
    submission.counts_as_attempt = False
    submission.error_code = failure.code[:50]
    submission.error_message = failure.message
    submission.finished_at = timezone.now()
    submission.save(update_fields=["state", "counts_as_attempt", "error_code", "error_message", "finished_at"])


@transaction.atomic
def submission_fail(*, submission_id: int, token: str, error: BaseException) -> bool:
    """End the attempt as failed, with the learner's message for ``error``; it does not count as an attempt."""
    try:
        submission = _locked(submission_id, token)
    except StaleTask:
        return False
    _apply_failure(submission, error)
    return True


# --- the sweeper --------------------------------------------------------------------


class Requeue(enum.StrEnum):
    NOTHING = ""
    RESENT = "resent"  # a queued attempt whose message was lost: sent again with the same token
    REQUEUED = "requeued"  # a run that lost its worker: queued again with a new token
    FAILED = "failed"  # rescued too often: failed, without counting


@transaction.atomic
def submission_requeue(*, submission_id: int, token: str, now: datetime) -> Requeue:
    """Rescue an attempt past its deadline.

    A queued attempt whose message was lost (the broker was down or
    restarted) is sent again with the same token: if the first message turns
    up after all, whichever runs second finds the work done. A running attempt
    past its deadline lost its worker: it gets a new token, so any late result
    of the old run is ignored, and after MAX_ENQUEUES rescues it fails.
    """
    submission = Submission.objects.select_for_update(skip_locked=True).filter(pk=submission_id).first()
    if (
        submission is None
        or submission.is_terminal
        or str(submission.task_token) != token
        or submission.deadline_at is None
        or submission.deadline_at >= now
    ):
        return Requeue.NOTHING
    if submission.state == State.QUEUED:
        submission.deadline_at = now + queued_deadline()
        submission.save(update_fields=["deadline_at"])
        outcome = Requeue.RESENT
    elif submission.enqueue_count >= MAX_ENQUEUES:
        _apply_failure(submission, RunLost())
        return Requeue.FAILED
    else:
        submission.task_token = uuid.uuid4()
        submission.enqueue_count += 1
        submission.state = State.QUEUED
        submission.progress = 0
        submission.deadline_at = now + queued_deadline() + running_deadline()
        submission.save(update_fields=["task_token", "enqueue_count", "state", "progress", "deadline_at"])
        outcome = Requeue.REQUEUED
    send_grading(submission_id=submission.pk, token=str(submission.task_token), backend_alias=submission.backend_alias)
    return outcome


def requeue_stuck_submissions(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The sweeper's pass: rescue every attempt past its deadline (see submission_requeue)."""
    now = now or timezone.now()
    stuck = list(
        Submission.objects.filter(state__in=Submission.IN_FLIGHT_STATES, deadline_at__lt=now).values_list(
            "pk", "task_token"
        )[:limit]
    )
    outcomes = [submission_requeue(submission_id=pk, token=str(token), now=now) for pk, token in stuck]
    requeued = sum(outcome in (Requeue.RESENT, Requeue.REQUEUED) for outcome in outcomes)
    failed = outcomes.count(Requeue.FAILED)
    if requeued or failed:
        logger.info("sweeper: %s re-enqueued, %s failed", requeued, failed)
    return {"requeued": requeued, "failed": failed}
