"""Reads of notifications: a user's list, their switches, mails still to send."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from academy.notifications.kinds import NotificationKind, kinds_for
from academy.notifications.models import Notification, NotificationPreference


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The notifications shown in the site to ``user``, newest first."""
    return Notification.objects.filter(recipient=user, in_site=True).order_by("-created_at", "-pk")


def preference_for(user: Any, kind: NotificationKind) -> tuple[bool, bool]:
    """(in the site, by mail) for one kind: the user's choice, else the kind's defaults."""
    row = NotificationPreference.objects.filter(user=user, kind=kind.key).values_list("in_site", "by_mail").first()
    return (row[0], row[1]) if row else (kind.in_site, kind.by_mail)


@dataclass(frozen=True)
class Switch:
    kind: NotificationKind
    in_site: bool
    by_mail: bool


def switches_for(user: Any) -> list[Switch]:
    """Every kind the user may receive, with its current setting (one query)."""
    saved = {row.kind: row for row in NotificationPreference.objects.filter(user=user)}
    switches = []
    for kind in kinds_for(user):
        row = saved.get(kind.key)
        switches.append(
            Switch(
                kind=kind,
                in_site=row.in_site if row else kind.in_site,
                by_mail=row.by_mail if row else kind.by_mail,
            )
        )
    return switches


def unsent_mails(*, older_than: datetime.datetime, newer_than: datetime.datetime) -> list[int]:
    return list(
        Notification.objects.filter(
            mail_wanted=True, mailed_at__isnull=True, created_at__lt=older_than, created_at__gt=newer_than
        ).values_list("pk", flat=True)[:500]
    )
