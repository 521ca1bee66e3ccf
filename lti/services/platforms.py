"""Registering partner platforms (Moodle, Canvas, Open edX…) and their deployments."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from lti_tool.models import LtiDeployment, LtiRegistration

from lti.models import PlatformProfile

REGISTRATION_FIELDS = ("name", "issuer", "client_id", "auth_url", "token_url", "keyset_url", "audience", "is_active")


def parse_deployment_ids(text: str) -> list[str]:
    seen: list[str] = []
    for raw in text.replace(",", "\n").splitlines():
        value = raw.strip()
        if value and value not in seen:
            seen.append(value)
    return seen


@transaction.atomic
def platform_save(
    *,
    registration: LtiRegistration | None = None,
    deployment_ids: Sequence[str],
    product: str = PlatformProfile.Product.OTHER,
    frame_origins: str = "",
    **fields,
) -> LtiRegistration:
    """Create or update a registration; the listed deployments are active, the others are switched off."""
    registration = registration or LtiRegistration()
    for name in REGISTRATION_FIELDS:
        if name in fields:
            setattr(registration, name, fields[name])
    registration.full_clean()
    registration.save()

    profile, _created = PlatformProfile.objects.get_or_create(registration=registration)
    profile.product, profile.frame_origins = product, frame_origins
    profile.full_clean()
    profile.save()

    wanted = set(deployment_ids)
    for deployment_id in wanted:
        LtiDeployment.objects.update_or_create(
            registration=registration, deployment_id=deployment_id, defaults={"is_active": True}
        )
    registration.deployments.exclude(deployment_id__in=wanted).update(is_active=False)
    return registration
