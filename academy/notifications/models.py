from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.notifications.kinds import get_kind, unknown_title


class Notification(models.Model):
    """Something that happened for one person: shown in the site (unless switched off) and mailed (if on)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("destinataire")
    )
    kind = models.CharField(_("type"), max_length=80)
    data = models.JSONField(_("données"), default=dict, blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    # Unread notifications with the same key are one (a count grows); "" = never merged.
    key = models.CharField(max_length=200, blank=True)
    in_site = models.BooleanField(_("dans le site"), default=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    mail_wanted = models.BooleanField(default=False)
    mailed_at = models.DateTimeField(_("envoyée par e-mail le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "in_site", "-created_at"], name="notification_list")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"],
                condition=Q(read_at__isnull=True) & ~Q(key=""),
                name="one_unread_notification_per_key",
            )
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    @property
    def count(self) -> int:
        return int(self.data.get("count", 1))

    def title(self) -> str:
        """The notification's line, in the active language."""
        kind = get_kind(self.kind)
        return kind.title(self.data) if kind else unknown_title(self.data)

    def body(self) -> str:
        kind = get_kind(self.kind)
        return kind.body(self.data) if kind else ""


class NotificationPreference(models.Model):
    """A user's choice for one kind; without a row, the kind's defaults apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=80)
    in_site = models.BooleanField(_("dans le site"), default=True)
    by_mail = models.BooleanField(_("par e-mail"), default=True)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind}"
