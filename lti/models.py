"""What the tool keeps beside django-lti's registrations, deployments, users and contexts.

django-lti (``lti_tool``) stores the protocol side: platform registrations,
deployments, the tool's keys, platform users (``LtiUser``, keyed by issuer
registration and ``sub``, linked to our ``User``), contexts and resource
links. This app adds what the Academy needs on top: where a resource link
lands (a course, a lesson or a lab), which origins may frame us, and the
record of grades sent to platforms.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from lti_tool.models import LtiRegistration, LtiResourceLink, LtiUser


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class PlatformProfile(models.Model):
    """Academy-side settings of a platform registration."""

    class Product(models.TextChoices):
        MOODLE = "moodle", "Moodle"
        CANVAS = "canvas", "Canvas"
        OPEN_EDX = "openedx", "Open edX"
        OTHER = "other", _("Autre plateforme LTI 1.3")

    registration = models.OneToOneField(LtiRegistration, on_delete=models.CASCADE, related_name="academy_profile")
    product = models.CharField(_("plateforme"), max_length=16, choices=Product.choices, default=Product.OTHER)
    frame_origins = models.TextField(
        _("origines autorisées à afficher l'Academy dans un cadre"),
        blank=True,
        help_text=_(
            "Une origine par ligne (https://moodle.exemple.ma). Vide : l'origine de l'émetteur et de l'URL "
            "d'authentification."
        ),
    )

    class Meta:
        verbose_name = _("profil de plateforme")
        verbose_name_plural = _("profils de plateforme")

    def __str__(self):
        return str(self.registration)

    def origins(self) -> list[str]:
        listed = [origin_of(line.strip()) for line in self.frame_origins.splitlines() if line.strip()]
        if not listed:
            listed = [origin_of(self.registration.issuer), origin_of(self.registration.auth_url)]
        return sorted({origin for origin in listed if origin})


class Placement(models.Model):
    """Where a platform's resource link lands in the Academy, and its line item for grades."""

    resource_link = models.OneToOneField(LtiResourceLink, on_delete=models.CASCADE, related_name="academy_placement")
    course = models.ForeignKey("courses.Course", on_delete=models.CASCADE, related_name="lti_placements")
    step = models.ForeignKey(
        "courses.Step", null=True, blank=True, on_delete=models.CASCADE, related_name="lti_placements"
    )
    lineitem_url = models.URLField(_("line item"), max_length=500, blank=True)
    can_publish_scores = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("placement LTI")
        verbose_name_plural = _("placements LTI")

    def __str__(self):
        return f"{self.resource_link} → {self.step or self.course}"


class ScoreSync(models.Model):
    """The score a platform's line item should hold for one learner, and what it acknowledged."""

    class State(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        ACKNOWLEDGED = "acknowledged", _("Reçue par la plateforme")
        FAILED = "failed", _("Échec (plateforme injoignable)")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="score_syncs")
    platform_user = models.ForeignKey(LtiUser, on_delete=models.CASCADE, related_name="academy_score_syncs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_score_syncs")
    score = models.PositiveSmallIntegerField(_("note à transmettre"))
    passed = models.BooleanField(default=False)
    graded_at = models.DateTimeField(_("notée le"))
    acknowledged_score = models.PositiveSmallIntegerField(_("note reçue"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    tries = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("note transmise")
        verbose_name_plural = _("notes transmises")
        constraints = [
            models.UniqueConstraint(fields=["placement", "platform_user"], name="one_score_sync_per_line_item_user"),
        ]

    def __str__(self):
        return f"{self.user} — {self.placement}: {self.score}"

    @property
    def needs_sending(self) -> bool:
        return self.acknowledged_score != self.score


class ScoreSend(models.Model):
    """One call to a platform's score service: what was sent and what came back."""

    sync = models.ForeignKey(ScoreSync, on_delete=models.CASCADE, related_name="sends")
    score = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    acknowledged = models.BooleanField(default=False)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("envoi de note")
        verbose_name_plural = _("envois de note")

    def __str__(self):
        return f"{self.sync_id}: {self.score} ({self.status_code})"


class PlatformRegistration(LtiRegistration):
    """django-lti's platform registration under a translated name in the admin (the package has no French)."""

    class Meta:
        proxy = True
        verbose_name = _("plateforme LTI enregistrée")
        verbose_name_plural = _("plateformes LTI enregistrées")
