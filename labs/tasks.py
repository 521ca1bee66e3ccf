"""Celery tasks of the labs: each takes ids, calls one service, and decides whether to retry."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from labs.backends.base import TransientBackendError
from labs.services.failures import RetriesExhausted
from labs.services.pipeline import grade_attempt
from labs.services.regrade import regrade_run
from labs.services.transitions import requeue_stuck_submissions, submission_fail

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
REGRADE_PAUSE_S = 0.2  # between two regrades, so a big lab does not starve the queue


def _backoff(retries: int, retry_after: float | None) -> float:
    """Seconds before the next try: the provider's Retry-After, else exponential."""
    if retry_after:
        return min(float(retry_after), 300.0)
    return min(settings.LAB_RETRY_BACKOFF_SECONDS * 2**retries, 120.0)


@shared_task(bind=True, max_retries=MAX_RETRIES, soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT)
def grade_submission(self, submission_id: int, token: str) -> str:
    try:
        return grade_attempt(submission_id=submission_id, token=token)
    except TransientBackendError as error:
        if self.request.retries >= self.max_retries:
            logger.warning(
                "submission %s: giving up after %s retries (%s)", submission_id, self.request.retries, error.code
            )
            submission_fail(submission_id=submission_id, token=token, error=RetriesExhausted(error))
            return "failed"
        countdown = _backoff(self.request.retries, error.retry_after)
        logger.info("submission %s: transient %s, retry in %ss", submission_id, error.code, countdown)
        raise self.retry(countdown=countdown) from error


@shared_task
def sweep_stuck_submissions() -> dict[str, int]:
    """Recover attempts past their deadline (labs.services.transitions.submission_requeue)."""
    return requeue_stuck_submissions()


@shared_task(soft_time_limit=3600, time_limit=3700)
def regrade_lab(run_id: int) -> int:
    return regrade_run(run_id=run_id, pause=REGRADE_PAUSE_S)
