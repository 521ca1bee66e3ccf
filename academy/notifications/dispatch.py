"""Sending notification mails to the worker once the transaction commits (by task name: services never import tasks)."""

from __future__ import annotations

import logging

from django.db import transaction

from academy.celery import app

logger = logging.getLogger(__name__)

MAIL_TASK = "academy.notifications.tasks.send_notification_mail"


def send_mail_later(notification_id: int) -> None:
    """Enqueue the mail on commit; if the broker is down, the periodic resend picks it up later."""

    def send() -> None:
        try:
            app.signature(MAIL_TASK, args=[notification_id]).apply_async(retry=False)
        except Exception:
            logger.warning(
                "notification %s: broker unavailable, mail left for the resend", notification_id, exc_info=True
            )

    transaction.on_commit(send)
