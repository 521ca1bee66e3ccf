"""Deadline reminders: administrators are notified before an action's filing deadline."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from funding import notifications, selectors
from funding.models import DeadlineReminder, FundingSettings

logger = logging.getLogger(__name__)


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """Notify the administrators of the reminders due for actions not yet filed; each offset is sent once.

    Each administrator gets it in the site and by mail as their notification
    switches say, in their language; the funding settings' reminder address,
    when set (a shared mailbox), gets the mail too. When several offsets were
    crossed since the last run (the task did not run, or the action was
    created late), one reminder covers them all. The reminder row and the
    notifications share a transaction, so a failure is retried the next day.
    """
    settings = FundingSettings.load()
    today = today or timezone.localdate()
    offsets = sorted({int(days) for days in settings.reminder_days or []})
    admins = selectors.reminder_admins()
    if not offsets or not (admins or settings.reminder_email):
        return 0
    sent = 0
    for action in selectors.actions_awaiting_filing():
        deadline = selectors.action_deadline(action, settings=settings, today=today)
        crossed = [days for days in offsets if deadline.days_left <= days]
        if not crossed:
            continue
        already = set(action.reminders.values_list("days_before", flat=True))
        due = [days for days in crossed if days not in already]
        if not due:
            continue
        try:
            with transaction.atomic():
                DeadlineReminder.objects.bulk_create(
                    [DeadlineReminder(action=action, days_before=days) for days in due]
                )
                for admin in admins:
                    notifications.deadline_approaching(admin=admin, action=action, deadline=deadline)
                if settings.reminder_email:
                    data = notifications.deadline_data(action, deadline)
                    with translation.override(django_settings.LANGUAGE_CODE):
                        subject = notifications.deadline_title(data)
                        body = notifications.deadline_body(data)
                    send_mail(subject, body, None, [settings.reminder_email])
        except IntegrityError:
            continue  # another run recorded it first
        sent += 1
        logger.info("funding reminder sent action=%s offsets=%s", action.pk, due)
    return sent
