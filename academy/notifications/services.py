"""Writes of notifications: notify someone, read, switch kinds on and off, and mail them."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from academy.notifications.dispatch import send_mail_later
from academy.notifications.kinds import NotificationKind, get_kind
from academy.notifications.models import Notification, NotificationPreference
from academy.notifications.selectors import preference_for

logger = logging.getLogger(__name__)

# The attempt page polls every 2–5 s: someone who polled this recently is looking at it.
PRESENCE_SECONDS = 15


# --- presence: "while the user was away" ------------------------------------------


def _presence_key(user_id: int, topic: str) -> str:
    return f"notifications:present:{user_id}:{topic}"


def mark_present(*, user_id: int, topic: str) -> None:
    """The user is looking at ``topic`` (a page that updates live); a notification about it would be noise."""
    cache.set(_presence_key(user_id, topic), 1, PRESENCE_SECONDS)


def is_present(*, user_id: int, topic: str) -> bool:
    return bool(cache.get(_presence_key(user_id, topic)))


# --- notify -------------------------------------------------------------------------


def _kind(key: str) -> NotificationKind:
    kind = get_kind(key)
    if kind is None:
        raise ValueError(f"unknown notification kind {key!r}: register it in the app's ready()")
    return kind


@transaction.atomic
def notify(
    *, recipient: Any, kind: str, data: Mapping[str, Any] | None = None, url: str = "", key: str = ""
) -> Notification | None:
    """Tell ``recipient`` about something, in the site and by mail, as their switches for ``kind`` say.

    ``data`` (JSON) is what the kind's ``title``/``body`` need to write the text
    later, in the reader's language; ``url`` is the site path the notification
    opens. With a ``key``, unread notifications of that kind and key are one:
    a new one updates it (its ``data["count"]`` grows) and sends no second
    mail — use it for "3 new attempts to review on lab X". Returns None when
    the user switched the kind off entirely. The mail leaves from a worker
    once the caller's transaction has committed.
    """
    spec = _kind(kind)
    if not recipient.is_active:
        return None
    in_site, by_mail = preference_for(recipient, spec)
    if not (in_site or by_mail):
        return None
    payload = dict(data or {})
    now = timezone.now()
    if key and in_site:
        existing = (
            Notification.objects.select_for_update()
            .filter(recipient=recipient, kind=kind, key=key, read_at__isnull=True, in_site=True)
            .first()
        )
        if existing is not None:
            payload["count"] = existing.count + 1
            existing.data, existing.url, existing.created_at = payload, url, now
            existing.save(update_fields=["data", "url", "created_at"])
            return existing
    payload.setdefault("count", 1)
    notification = Notification(
        recipient=recipient,
        kind=kind,
        data=payload,
        url=url,
        key=key if in_site else "",
        in_site=in_site,
        created_at=now,
        # Mail only: nothing to read in the site, and nothing to merge into.
        read_at=None if in_site else now,
        mail_wanted=by_mail,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        # Another process created the unread one with this key a moment ago: merge into it.
        return notify(recipient=recipient, kind=kind, data=data, url=url, key=key)
    if in_site:
        get_user_model().objects.filter(pk=recipient.pk).update(unread_notifications=F("unread_notifications") + 1)
    if by_mail:
        send_mail_later(notification.pk)
    return notification


# --- reading ------------------------------------------------------------------------


def _recount(user: Any) -> int:
    unread = Notification.objects.filter(recipient=user, in_site=True, read_at__isnull=True).count()
    get_user_model().objects.filter(pk=user.pk).update(unread_notifications=unread)
    user.unread_notifications = unread
    return unread


@transaction.atomic
def notification_read(*, user: Any, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (reading it twice changes nothing)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        _recount(user)
    return notification


@transaction.atomic
def notifications_read_all(*, user: Any) -> int:
    """Mark all the user's notifications read; returns how many were unread."""
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    _recount(user)
    return count


@transaction.atomic
def preferences_save(*, user: Any, choices: Mapping[str, tuple[bool, bool]]) -> None:
    """Save the user's switches: ``{kind: (in_site, by_mail)}``; kinds not given keep their setting."""
    for kind, (in_site, by_mail) in choices.items():
        _kind(kind)
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"in_site": bool(in_site), "by_mail": bool(by_mail)}
        )


# --- mail ---------------------------------------------------------------------------


def absolute_url(path: str) -> str:
    """A site path as a link a mail can carry (``SITE_URL`` + path)."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def render_mail(notification: Notification) -> tuple[str, str]:
    """Subject and body, in the recipient's language and time zone."""
    user = notification.recipient
    with translation.override(user.preferred_language), timezone.override(user.time_zone):
        title = notification.title()
        context = {
            "user": user,
            "title": title,
            "body": notification.body(),
            "link": absolute_url(notification.url) if notification.url else "",
            "settings_link": absolute_url(reverse("profile") + "#notifications"),
        }
        body = render_to_string("notifications/mail.txt", context)
    # One line, but French non-breaking spaces (« 2027 : », « ; ») stay where they are.
    return re.sub(r"[^\S\u00a0\u202f]+", " ", title).strip(), body


@transaction.atomic
def notification_mail_send(*, notification_id: int) -> bool:
    """Mail one notification; False when it is gone, not wanted by mail or already sent (a redelivered task)."""
    notification = (
        Notification.objects.select_for_update().select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or not notification.mail_wanted or notification.mailed_at is not None:
        return False
    if not notification.recipient.is_active or not notification.recipient.email:
        return False
    subject, body = render_mail(notification)
    send_mail(subject, body, None, [notification.recipient.email])
    notification.mailed_at = timezone.now()
    notification.save(update_fields=["mailed_at"])
    logger.info("notification %s mailed (%s)", notification.pk, notification.kind)
    return True
