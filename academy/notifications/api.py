"""The public surface of notifications for the apps above academy (labs, courses, funding, community)."""

from academy.notifications.kinds import NotificationKind, register_kind
from academy.notifications.services import is_present, mark_present, notify

__all__ = ["NotificationKind", "is_present", "mark_present", "notify", "register_kind"]
