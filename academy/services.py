"""Writes about accounts and organisations: sign-up, profile, and the mails about an account."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academy.models import Organisation, PendingSignup, User, normalise_email
from academy.ratelimit import Rate, hit
from academy.tasks import send_email


def organisation_get_or_create(*, name: str) -> Organisation | None:
    name = " ".join(name.split())
    if not name:
        return None
    existing = Organisation.objects.filter(name__iexact=name).first()
    return existing or Organisation.objects.create(name=name)


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    organisation_name: str = "",
    preferred_language: str = "fr",
    role: str = User.Role.LEARNER,
    password_hash: str = "",
) -> User:
    """Create an account; ``password_hash`` (from a confirmed sign-up) stands in for ``password``."""
    user = User(
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        organisation=organisation_get_or_create(name=organisation_name),
        preferred_language=preferred_language,
        role=role,
        is_staff=role == User.Role.ADMIN,
    )
    if password_hash:
        user.password = password_hash
    else:
        user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update_profile(
    *,
    user: User,
    first_name: str,
    last_name: str,
    preferred_language: str,
    organisation_name: str,
    time_zone: str | None = None,
) -> User:
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.preferred_language = preferred_language
    user.organisation = organisation_get_or_create(name=organisation_name)
    if time_zone is not None:
        user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "preferred_language", "organisation", "time_zone"])
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the user's preferred language (mails, and the site on a browser that chose none)."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


# --- Mails about an account --------------------------------------------------


def queue_account_mail(*, template: str, context: dict, to: str, language: str) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_email.txt`` in ``language``; send once committed."""
    with translation.override(language):
        subject = "".join(render_to_string(f"{template}_subject.txt", context).splitlines())
        body = render_to_string(f"{template}_email.txt", context)
    transaction.on_commit(lambda: send_email.delay(subject, body, [to]))


def _wait_text(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def account_mail_check(*, email: str, ip: str | None) -> None:
    """Count a request that may mail ``email``; refuse it past the per-connection or per-address limit.

    Every request counts, whether or not the address has an account, so a
    refusal tells nothing about accounts. Raises ValidationError with a
    message saying when to try again.
    """
    if ip:
        verdict = hit(f"account-mail-ip:{ip}", Rate.from_setting(settings.ACCOUNT_MAIL_RATE_PER_IP))
        if not verdict.allowed:
            raise ValidationError(
                _("Trop de demandes depuis votre connexion. Réessayez dans %(wait)s.")
                % {"wait": _wait_text(verdict.retry_after)},
                code="throttled_ip",
            )
    digest = hashlib.sha256(normalise_email(email).encode()).hexdigest()
    verdict = hit(f"account-mail-address:{digest}", Rate.from_setting(settings.ACCOUNT_MAIL_RATE_PER_ADDRESS))
    if not verdict.allowed:
        raise ValidationError(
            _("Trop de demandes pour cette adresse. Réessayez dans %(wait)s.")
            % {"wait": _wait_text(verdict.retry_after)},
            code="throttled_address",
        )


# --- Sign-up with a confirmed address ----------------------------------------


def signup_max_age() -> timedelta:
    return timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def signup_request(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    organisation_name: str,
    preferred_language: str,
    site_url: str,
) -> None:
    """Start a sign-up; the visitor sees the same outcome whether or not the address has an account.

    A new address gets a link that creates the account (a later sign-up
    replaces the request and its link). An address that already has an
    account gets a mail, in its owner's language, saying so with the ways
    to sign in; nothing about the account changes.
    """
    email = normalise_email(email)
    PendingSignup.objects.filter(created_at__lt=timezone.now() - signup_max_age()).delete()
    base = site_url.rstrip("/")
    owner = User.objects.filter(email__iexact=email).first()
    if owner is not None:
        queue_account_mail(
            template="registration/signup_existing",
            context={
                "user": owner,
                "login_url": base + reverse("login"),
                "reset_url": base + reverse("password_reset"),
            },
            to=owner.email,
            language=owner.preferred_language,
        )
        return
    token = secrets.token_urlsafe(32)
    pending = PendingSignup.objects.select_for_update().filter(email=email).first() or PendingSignup(email=email)
    pending.first_name = first_name.strip()
    pending.last_name = last_name.strip()
    pending.organisation_name = organisation_name.strip()
    pending.preferred_language = preferred_language
    pending.password = make_password(password)
    pending.token_hash = _token_hash(token)
    pending.created_at = timezone.now()
    pending.full_clean()
    pending.save()
    queue_account_mail(
        template="registration/signup_confirm",
        context={
            "first_name": pending.first_name,
            "url": base + reverse("signup_confirm", args=[token]),
            "hours": settings.SIGNUP_CONFIRMATION_HOURS,
        },
        to=email,
        language=preferred_language,
    )


def pending_signup_for(token: str) -> PendingSignup | None:
    """The sign-up a link confirms, if it is still valid."""
    return PendingSignup.objects.filter(
        token_hash=_token_hash(token), created_at__gte=timezone.now() - signup_max_age()
    ).first()


@transaction.atomic
def signup_confirm(*, token: str) -> User:
    """Create the account a valid link stands for; the link then stops working.

    Raises ValidationError when the link is unknown, used or expired, or when
    the address got an account meanwhile (the visitor holds the mailbox, so
    saying so reveals nothing).
    """
    pending = (
        PendingSignup.objects.select_for_update()
        .filter(token_hash=_token_hash(token), created_at__gte=timezone.now() - signup_max_age())
        .first()
    )
    if pending is None:
        raise ValidationError(
            _("Ce lien de confirmation n'est plus valable : il a déjà servi ou il a expiré."), code="invalid_link"
        )
    if User.objects.filter(email__iexact=pending.email).exists():
        raise ValidationError(
            _("Un compte existe déjà pour cette adresse : connectez-vous, ou réinitialisez votre mot de passe."),
            code="account_exists",
        )
    user = user_register(
        email=pending.email,
        password="",
        password_hash=pending.password,
        first_name=pending.first_name,
        last_name=pending.last_name,
        organisation_name=pending.organisation_name,
        preferred_language=pending.preferred_language,
    )
    pending.delete()
    return user
