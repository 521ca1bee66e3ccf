"""Celery tasks of the labs: thin wrappers that take ids and call services."""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from labs.backends.base import BackendError, TransientBackendError
from labs.grading.video_analysis import VideoAnalysisError
from labs.models import RegradeRun, Submission

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
MAX_ENQUEUES = 3  # the sweeper's re-enqueues before an attempt is failed
REGRADE_PAUSE_S = 0.2  # between two regrades, so a big lab does not starve the queue


def _backoff(retries: int, retry_after: float | None) -> float:
    """Seconds before the next try: the provider's Retry-After, else exponential."""
    if retry_after:
        return min(float(retry_after), 300.0)
    return min(settings.LAB_RETRY_BACKOFF_SECONDS * 2**retries, 120.0)


@shared_task(bind=True, max_retries=MAX_RETRIES, soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT)
def grade_submission(self, submission_id: int, token: str) -> str:
    from labs.services.pipeline import run_grading
    from labs.services.submissions import submission_fail

    language = Submission.objects.filter(pk=submission_id).values_list("language", flat=True).first() or "fr"
    with override(language):
        try:
            with tempfile.TemporaryDirectory(prefix=f"submission-{submission_id}-") as workdir:
                result = run_grading(submission_id, token, workdir=Path(workdir))
        except TransientBackendError as error:
            changes = {"retries": F("retries") + 1}
            if error.code == "job_failed_retryable":
                changes["job_ref"] = ""  # that job can never succeed: start a new one
            Submission.objects.filter(pk=submission_id, task_token=token).update(**changes)
            if self.request.retries >= self.max_retries:
                logger.warning(
                    "submission %s: giving up after %s retries (%s)", submission_id, self.request.retries, error.code
                )
                submission_fail(
                    submission_id=submission_id,
                    token=token,
                    code=error.code or "transient",
                    message=_(
                        "Le service de génération reste indisponible après plusieurs essais. "
                        "Cette tentative n'est pas décomptée : relancez-la dans quelques minutes."
                    ),
                )
                return "failed"
            countdown = _backoff(self.request.retries, error.retry_after)
            logger.info("submission %s: transient %s, retry in %ss", submission_id, error.code, countdown)
            raise self.retry(countdown=countdown) from error
        except SoftTimeLimitExceeded:
            logger.warning("submission %s: time limit reached", submission_id)
            submission_fail(
                submission_id=submission_id,
                token=token,
                code="timeout",
                message=_(
                    "La génération a dépassé le temps maximum (%(minutes)d minutes). "
                    "Cette tentative n'est pas décomptée ; un prompt plus simple ou une durée plus courte peut aider."
                )
                % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60},
            )
            return "failed"
        except VideoAnalysisError as error:
            logger.warning("submission %s: video unreadable (%s: %s)", submission_id, error.code, error.detail)
            submission_fail(
                submission_id=submission_id,
                token=token,
                code=f"video_{error.code}",
                message=_(
                    "La vidéo produite n'a pas pu être analysée (%(reason)s). Cette tentative n'est pas décomptée."
                )
                % {"reason": error.message},
            )
            return "failed"
        except BackendError as error:
            logger.warning("submission %s: backend error %s", submission_id, error.code)
            submission_fail(
                submission_id=submission_id,
                token=token,
                code=error.code or "backend_error",
                message=_(
                    "Le service de génération a renvoyé une erreur : %(message)s. Cette tentative n'est pas décomptée."
                )
                % {"message": error.message or error.code},
            )
            return "failed"
        except Exception:
            logger.exception("submission %s: unexpected error while grading", submission_id)
            submission_fail(
                submission_id=submission_id,
                token=token,
                code="internal_error",
                message=_(
                    "Une erreur interne a interrompu la notation. Cette tentative n'est pas décomptée ; "
                    "l'équipe technique est prévenue."
                ),
            )
            return "failed"
    return "done" if result is not None else "skipped"


@shared_task
def sweep_stuck_submissions() -> dict[str, int]:
    """Recover attempts past their deadline.

    A *queued* attempt whose message was lost (the broker was down or
    restarted) is enqueued again with the same token: if the first message
    turns up after all, whichever runs second finds the work done. A
    *running* attempt past its deadline lost its worker: it gets a new
    token (any late result of the old run is ignored) and, after
    MAX_ENQUEUES such rescues, fails without costing an attempt.
    """
    from labs.services.submissions import enqueue_grading, queued_deadline, running_deadline, submission_fail

    now = timezone.now()
    stuck_ids = list(
        Submission.objects.filter(
            state__in=[Submission.State.QUEUED, Submission.State.GENERATING, Submission.State.ANALYSING],
            deadline_at__lt=now,
        ).values_list("pk", flat=True)[:500]
    )
    requeued = failed = 0
    for submission_id in stuck_ids:
        with transaction.atomic():
            submission = Submission.objects.select_for_update(skip_locked=True).filter(pk=submission_id).first()
            if submission is None or submission.is_terminal or submission.deadline_at >= now:
                continue
            if submission.state == Submission.State.QUEUED:
                submission.deadline_at = now + queued_deadline()
                submission.save(update_fields=["deadline_at"])
            elif submission.enqueue_count >= MAX_ENQUEUES:
                failed += submission_fail(
                    submission_id=submission.pk,
                    code="stuck",
                    message=_(
                        "La notation n'a pas pu aboutir malgré plusieurs relances. "
                        "Cette tentative n'est pas décomptée : relancez-la."
                    ),
                )
                continue
            else:
                submission.task_token = uuid.uuid4()  # a late result of the lost run is now stale
                submission.enqueue_count += 1
                submission.state = Submission.State.QUEUED
                submission.progress = 0
                submission.deadline_at = now + queued_deadline() + running_deadline()
                submission.save(update_fields=["task_token", "enqueue_count", "state", "progress", "deadline_at"])
            enqueue_grading(submission)
            requeued += 1
    if requeued or failed:
        logger.info("sweeper: %s re-enqueued, %s failed", requeued, failed)
    return {"requeued": requeued, "failed": failed}


@shared_task(soft_time_limit=3600, time_limit=3700)
def regrade_lab(run_id: int) -> int:
    from labs.services.regrade import regrade_submission

    run = RegradeRun.objects.select_related("lab").get(pk=run_id)
    if run.state == RegradeRun.State.DONE:
        return 0
    ids = list(run.lab.submissions.filter(state=Submission.State.GRADED).order_by("pk").values_list("pk", flat=True))
    RegradeRun.objects.filter(pk=run_id).update(total=len(ids), done=0, changed=0)
    for submission_id in ids:
        changed = regrade_submission(submission_id=submission_id)
        RegradeRun.objects.filter(pk=run_id).update(done=F("done") + 1, changed=F("changed") + int(changed))
        time.sleep(REGRADE_PAUSE_S)
    RegradeRun.objects.filter(pk=run_id).update(state=RegradeRun.State.DONE, finished_at=timezone.now())
    return len(ids)
