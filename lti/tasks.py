"""Celery tasks of the LTI tool: thin wrappers that take ids and call services."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_score(self, sync_id: int) -> str:
    """Send one line item's score; network errors, 429 and 5xx are retried with backoff."""
    from lti.services.passback import PlatformUnavailable, score_send, score_sync_give_up

    try:
        sync = score_send(sync_id=sync_id)
    except PlatformUnavailable as error:
        if self.request.retries >= settings.LTI_SCORE_MAX_RETRIES:
            logger.warning("score sync %s: giving up after %s tries", sync_id, self.request.retries + 1)
            score_sync_give_up(sync_id=sync_id, error=str(error))
            return "failed"
        countdown = min(settings.LTI_SCORE_RETRY_BACKOFF_SECONDS * 2**self.request.retries, 3600)
        raise self.retry(countdown=countdown) from error
    if sync is not None and sync.needs_sending:
        transaction.on_commit(lambda: send_score.delay(sync_id))  # the grade changed while we sent
        return "resend"
    return "done"


@shared_task
def resend_unacknowledged_scores() -> int:
    from lti.services.passback import unacknowledged_sync_ids

    ids = unacknowledged_sync_ids()
    for sync_id in ids:
        send_score.delay(sync_id)
    return len(ids)


@shared_task
def rotate_keys() -> bool:
    from lti.services.keys import keys_rotate

    return keys_rotate() is not None
