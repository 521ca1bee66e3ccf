"""Every change of an attempt's state, in one place.

An attempt (Submission) goes queued → generating → analysing → graded, or
ends blocked (the ethics gate or the provider's moderation: it counts as an
attempt), failed (our infrastructure) or cancelled (by its learner, once it
stopped moving); neither of the last two counts. The grading run claims it,
beats and reports progress, then finishes, blocks or fails it; the task's
retry policy counts retries; the sweeper requeues a run whose heartbeat went
silent or whose deadline passed.

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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from labs import notifications
from labs.backends.base import TransientBackendError
from labs.grading.policy import PolicyResult
from labs.models import Submission
from labs.services.dispatch import send_grading
from labs.services.failures import CancelledByLearner, RunLost, describe_failure
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
    submission.started_at = submission.heartbeat_at = submission.progressed_at = now
    submission.deadline_at = now + running_deadline()
    submission.save(update_fields=["state", "progress", "started_at", "heartbeat_at", "progressed_at", "deadline_at"])
    return submission


@transaction.atomic
def submission_job_started(*, submission_id: int, token: str, job_ref: str) -> None:
    """The backend accepted the job: a retry polls it instead of paying for a new one."""
    submission = _locked(submission_id, token)
    submission.job_ref = job_ref
    submission.save(update_fields=["job_ref"])


def submission_progress(*, submission_id: int, token: str, progress: int) -> bool:
    """The generation's progress (5–90 %), in one guarded UPDATE: no lock held while a video renders.

    It is a sign of life too; ``progressed_at`` moves only when the percentage does.
    """
    progress = max(5, min(int(progress), 90))
    now = timezone.now()
    return bool(
        Submission.objects.filter(pk=submission_id, task_token=token, state=State.GENERATING).update(
            progress=progress,
            heartbeat_at=now,
            progressed_at=Case(When(~Q(progress=progress), then=Value(now)), default=F("progressed_at")),
        )
    )


def submission_heartbeat(*, submission_id: int, token: str) -> bool:
    """The running task is alive (labs.services.liveness calls this every LAB_HEARTBEAT_SECONDS)."""
    return bool(
        Submission.objects.filter(pk=submission_id, task_token=token, state__in=Submission.RUNNING_STATES).update(
            heartbeat_at=timezone.now()
        )
    )


@transaction.atomic
def submission_analysing(*, submission_id: int, token: str, cost: Decimal | None) -> None:
    """The video exists: analysis and scoring start; its cost is known."""
    submission = _locked(submission_id, token)
    submission.state = State.ANALYSING
    submission.progress = 92
    submission.cost = cost
    submission.heartbeat_at = submission.progressed_at = timezone.now()
    submission.save(update_fields=["state", "progress", "cost", "heartbeat_at", "progressed_at"])


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


def _end_uncounted(submission: Submission, error: BaseException, *, state: str = State.FAILED) -> None:
    """End the attempt (failed, or cancelled) with the learner's message for ``error``; it does not count."""
    with translation.override(submission.language):
        failure = describe_failure(error)
    submission.state = state
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
    _end_uncounted(submission, error)
    return True


# --- the sweeper --------------------------------------------------------------------


class Requeue(enum.StrEnum):
    NOTHING = ""
    RESENT = "resent"  # a queued attempt whose message was lost: sent again with the same token
    REQUEUED = "requeued"  # a run that lost its worker: queued again with a new token
    FAILED = "failed"  # rescued too often: failed, without counting


def heartbeat_timeout() -> timedelta:
    return timedelta(seconds=settings.LAB_HEARTBEAT_TIMEOUT_SECONDS)


def _stuck(now: datetime) -> Q:
    """Past its deadline, or running with a silent heartbeat (its worker died)."""
    silent = Q(state__in=Submission.RUNNING_STATES, heartbeat_at__lt=now - heartbeat_timeout())
    return Q(state__in=Submission.IN_FLIGHT_STATES) & (Q(deadline_at__lt=now) | silent)


@transaction.atomic
def submission_requeue(*, submission_id: int, token: str, now: datetime) -> Requeue:
    """Rescue an attempt that is stuck: past its deadline, or its run's heartbeat gone silent.

    A queued attempt whose message was lost (the broker was down or
    restarted) is sent again with the same token: if the first message turns
    up after all, whichever runs second finds the work done. A running attempt
    whose worker died gets a new token, so any late result of the old run is
    ignored, and after MAX_ENQUEUES rescues it fails.
    """
    submission = Submission.objects.select_for_update(skip_locked=True).filter(_stuck(now), pk=submission_id).first()
    if submission is None or str(submission.task_token) != token:
        return Requeue.NOTHING
    if submission.state == State.QUEUED:
        submission.deadline_at = now + queued_deadline()
        submission.save(update_fields=["deadline_at"])
        outcome = Requeue.RESENT
    elif submission.enqueue_count >= MAX_ENQUEUES:
        _end_uncounted(submission, RunLost())
        return Requeue.FAILED
    else:
        submission.task_token = uuid.uuid4()
        submission.enqueue_count += 1
        submission.state = State.QUEUED
        submission.progress = 0
        submission.progressed_at = now
        submission.deadline_at = now + queued_deadline() + running_deadline()
        submission.save(
            update_fields=["task_token", "enqueue_count", "state", "progress", "progressed_at", "deadline_at"]
        )
        logger.info("submission %s: its run went silent or overran, requeued", submission.pk)
        outcome = Requeue.REQUEUED
    send_grading(submission_id=submission.pk, token=str(submission.task_token), backend_alias=submission.backend_alias)
    return outcome


def requeue_stuck_submissions(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The sweeper's pass: rescue every stuck attempt (see submission_requeue)."""
    now = now or timezone.now()
    stuck = list(Submission.objects.filter(_stuck(now)).values_list("pk", "task_token")[:limit])
    outcomes = [submission_requeue(submission_id=pk, token=str(token), now=now) for pk, token in stuck]
    requeued = sum(outcome in (Requeue.RESENT, Requeue.REQUEUED) for outcome in outcomes)
    failed = outcomes.count(Requeue.FAILED)
    if requeued or failed:
        logger.info("sweeper: %s re-enqueued, %s failed", requeued, failed)
    return {"requeued": requeued, "failed": failed}


# --- the learner --------------------------------------------------------------------


class NotCancellable(ValidationError):
    """The attempt cannot be cancelled now; ``messages[0]`` says why, in the learner's language."""


def cancel_after() -> timedelta:
    return timedelta(seconds=settings.LAB_CANCEL_AFTER_SECONDS)


def cancellable(submission: Submission, *, now: datetime | None = None) -> bool:
    """In flight and not moving (no new state or progress) for LAB_CANCEL_AFTER_SECONDS."""
    if submission.state not in Submission.IN_FLIGHT_STATES:
        return False
    moved = submission.progressed_at or submission.created_at
    return (now or timezone.now()) - moved >= cancel_after()


@transaction.atomic
def submission_cancel(*, submission_id: int, learner) -> Submission:
    """The learner stops their own attempt that stopped moving; it does not count as an attempt.

    Its token changes, so a run still holding it (a stuck provider, a
    worker about to be found dead) changes nothing when it wakes up.
    """
    submission = Submission.objects.select_for_update().select_related("lab").get(pk=submission_id)
    if submission.learner_id != learner.pk:
        raise PermissionDenied
    if submission.is_terminal:
        raise NotCancellable(_("Cet essai est déjà terminé : il n'y a plus rien à annuler."), code="finished")
    if not cancellable(submission):
        raise NotCancellable(
            _("Cet essai avance encore : attendez son résultat, ou annulez-le s'il reste bloqué plus de %(n)d s.")
            % {"n": settings.LAB_CANCEL_AFTER_SECONDS},
            code="progressing",
        )
    submission.task_token = uuid.uuid4()
    submission.save(update_fields=["task_token"])
    _end_uncounted(submission, CancelledByLearner(), state=State.CANCELLED)
    logger.info("submission %s: cancelled by its learner", submission.pk)
    return submission
