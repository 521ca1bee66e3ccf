"""Notifications in a user's data export and erasure (registered in NotificationsConfig.ready)."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from academy.notifications.models import Notification, NotificationPreference


def export_notifications(user) -> dict[str, Any]:
    with translation.override(user.preferred_language):
        notifications = [
            {
                "title": n.title(),
                "detail": n.body(),
                "kind": n.kind,
                "created_at": n.created_at,
                "read_at": n.read_at,
                "mailed_at": n.mailed_at,
            }
            for n in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ]
    preferences = {
        p.kind: {"in_site": p.in_site, "by_mail": p.by_mail} for p in NotificationPreference.objects.filter(user=user)
    }
    return {"notifications": notifications, "preferences": preferences}


def erase_notifications(user) -> None:
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    user.unread_notifications = 0  # the erasure saves this row afterwards
    type(user).objects.filter(pk=user.pk).update(unread_notifications=0)
