"""Sending the labs' background work to the broker once the transaction commits.

Services decide that work is sent; labs.tasks decides how it runs. The work
is sent by its registered task name, so imports point one way (tasks call
services, services never import tasks): where the task module is loaded (a
worker, or a test) Celery uses it, eager mode included; elsewhere (the web
process) the message is sent by name.
"""

from __future__ import annotations

import logging

from django.db import transaction

from academy.celery import app
from labs.backends import get_backend
from labs.backends.base import BackendError

logger = logging.getLogger(__name__)

GRADE_TASK = "labs.tasks.grade_submission"
REGRADE_TASK = "labs.tasks.regrade_lab"


def grading_queue(backend_alias: str) -> str:
    """The queue for an attempt: a local-GPU backend's own queue, else "default"."""
    try:
        return get_backend(backend_alias).queue
    except BackendError:  # unknown alias: the task fails it with a clear message
        return "default"


def send_grading(*, submission_id: int, token: str, backend_alias: str) -> None:
    """Enqueue the grading of an attempt on commit.

    If the broker is down the attempt stays ``queued`` (saved, visible to the
    learner) and the sweeper sends it again once the broker is back.
    """
    queue = grading_queue(backend_alias)

    def send() -> None:
        try:
            app.signature(GRADE_TASK, args=[submission_id, token]).apply_async(queue=queue, retry=False)
        except Exception:
            logger.warning(
                "submission %s: broker unavailable, left queued for the sweeper", submission_id, exc_info=True
            )

    transaction.on_commit(send)


def send_regrade(*, run_id: int) -> None:
    transaction.on_commit(lambda: app.signature(REGRADE_TASK, args=[run_id]).apply_async())
