"""Deadline reminders: mails to the admins before an action's filing deadline."""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding import selectors
from funding.formats import short_date
from funding.models import DeadlineReminder, FundingSettings, TrainingAction

logger = logging.getLogger(__name__)


def _reminder_text(action: TrainingAction, deadline: selectors.Deadline) -> tuple[str, str]:
    company = action.company.legal_name if action.company else _("inter-entreprises")
    if deadline.days_left >= 0:
        subject = _("Dossier OFPPT à déposer avant le %(date)s : %(title)s") % {
            "date": short_date(deadline.date),
            "title": action.title,
        }
        lead = _("Il reste %(days)s jour(s) pour déposer le dossier de remboursement de cette action.") % {
            "days": deadline.days_left
        }
    else:
        subject = _("Dossier OFPPT en retard : %(title)s") % {"title": action.title}
        lead = _("L'échéance de dépôt du dossier de remboursement est dépassée depuis %(days)s jour(s).") % {
            "days": -deadline.days_left
        }
    body = "\n".join(
        [
            lead,
            "",
            _("Action : %(title)s") % {"title": action.title},
            _("Entreprise : %(company)s") % {"company": company},
            _("Dates : du %(start)s au %(end)s")
            % {"start": short_date(action.start_date), "end": short_date(action.end_date)},
            _("Échéance de dépôt : %(date)s") % {"date": short_date(deadline.date)},
        ]
    )
    return subject, body


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """Email the configured reminders for actions not yet filed; each offset is sent once.

    When several offsets were crossed since the last run (the task did not run,
    or the action was created late), one email covers them all. The reminder
    row and the email share a transaction, so a failed send is retried the next day.
    """
    settings = FundingSettings.load()
    today = today or timezone.localdate()
    offsets = sorted({int(days) for days in settings.reminder_days or []})
    recipients = selectors.reminder_recipients(settings)
    if not offsets or not recipients:
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
                subject, body = _reminder_text(action, deadline)
                send_mail(subject, body, None, recipients)
        except IntegrityError:
            continue  # another run recorded it first
        sent += 1
        logger.info("funding reminder sent action=%s offsets=%s", action.pk, due)
    return sent
