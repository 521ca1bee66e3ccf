"""What courses tells people: a certificate earned. The kind is registered in CoursesConfig.ready."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academy.notifications.api import NotificationKind, notify, register_kind
from courses.models import Certificate

CERTIFICATE_EARNED = "courses.certificate_earned"


def _title(data) -> str:
    return _("Attestation obtenue : %(course)s") % data


def _body(data) -> str:
    return _("Bravo ! Votre attestation de réussite est prête : téléchargez-la depuis « Mes cours ».")


def register_kinds() -> None:
    register_kind(
        NotificationKind(
            key=CERTIFICATE_EARNED,
            label=gettext_lazy("J'obtiens l'attestation d'un cours"),
            title=_title,
            body=_body,
        )
    )


def certificate_earned(certificate: Certificate) -> None:
    notify(
        recipient=certificate.user,
        kind=CERTIFICATE_EARNED,
        data={"course": certificate.course_title},
        url=reverse("courses:dashboard"),
    )
