"""A learner's personal data: what the platform holds about them (export) and erasing it.

academy never imports courses, labs or funding (imports point one way), yet the
export and the erasure must cover their models. So each app registers, in its
``AppConfig.ready()``, an exporter (``user -> JSON-able data``) and an eraser
(``user -> None``) for its own rows; this module runs them and handles the
account itself.

Erasure anonymises the account row instead of deleting it: some rows must
outlive the learning data (the funding dossier's Participant, which the law
requires the training provider to keep, and audit fields such as "graded by"),
and they point at the user. The anonymised row holds nothing that identifies
anyone: a placeholder e-mail, no name, no organisation, no usable password,
inactive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("academy.personal_data")

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

ERASED_NAME = "Compte supprimé"
EXPORT_FORMAT_VERSION = 1

_exporters: dict[str, Exporter] = {}
_erasers: dict[str, Eraser] = {}


def register_exporter(name: str, exporter: Exporter) -> None:
    """Add ``exporter(user)`` to the export under ``name`` (registering a name again replaces it)."""
    _exporters[name] = exporter


def register_eraser(name: str, eraser: Eraser) -> None:
    """Run ``eraser(user)`` when the user's account is erased (inside the erasure's transaction)."""
    _erasers[name] = eraser


def registered_exporters() -> list[str]:
    return sorted(_exporters)


def registered_erasers() -> list[str]:
    return sorted(_erasers)


def account_data(user) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "organisation": user.organisation.name if user.organisation_id else None,
        "preferred_language": user.preferred_language,
        "time_zone": user.time_zone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def export_user_data(user) -> dict[str, Any]:
    """Everything the platform holds about ``user``, one section per app, ready for JSON."""
    data: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "account": account_data(user),
    }
    for name in sorted(_exporters):
        data[name] = _exporters[name](user)
    return data


def erased_email(user) -> str:
    return f"deleted-{user.pk}@invalid"


def _forget_login_records(email: str) -> None:
    """Login attempts and access logs kept by axes carry the e-mail address and IP addresses."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=email).delete()


@transaction.atomic
def erase_account(*, user) -> None:
    """Erase ``user``'s learning data (each app's eraser) and anonymise the account row.

    Idempotent: erasing an already erased account changes nothing more. Files
    are removed by the erasers only once the transaction commits.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    email = user.email
    for name in sorted(_erasers):
        _erasers[name](user)
    _forget_login_records(email)
    user.email = erased_email(user)
    user.first_name = ERASED_NAME
    user.last_name = ""
    user.organisation = None
    user.is_active = False
    user.set_unusable_password()
    user.save()
    # The id alone: the log says an erasure happened, never whose.
    logger.info("account erased user_id=%s sections=%s", user.pk, ",".join(sorted(_erasers)))
