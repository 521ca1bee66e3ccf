"""What a validated launch does in the Academy: who the person is, what they may do, where they land."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from lti_tool.models import LtiLaunch, LtiRegistration, LtiResourceLink, LtiUser
from lti_tool.utils import sync_data_from_launch

from academy.services import user_set_language
from courses.api import Course, Step, enrol_from_platform
from lti.models import Placement, PlatformProfile

User = get_user_model()

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
TEACHING_ROLES = ("Instructor", "ContentDeveloper", "Administrator")
TARGET_CLAIM = "academy_target"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
TICKET_PREFIX = "lti:ticket:"
TICKET_SECONDS = 120


class LaunchRefused(Exception):
    """The launch was valid but leads nowhere we can take the person; ``message`` is for them."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Target:
    course: Course
    step: Step | None

    @property
    def url(self) -> str:
        if self.step is None:
            return self.course.get_absolute_url()
        lab = getattr(self.step, "lab", None)
        return lab.get_absolute_url() if lab is not None else self.step.get_absolute_url()

    def as_claim(self) -> str:
        if self.step is None:
            return f"course:{self.course.slug}"
        lab = getattr(self.step, "lab", None)
        return f"lab:{lab.slug}" if lab is not None else f"step:{self.step.pk}"


def teaches(roles: list[str]) -> bool:
    """Instructor, ContentDeveloper or Administrator in the context (or as an institution role)."""
    for role in roles or []:
        name = role.rsplit("#", 1)[-1] if "#" in role else role.rsplit("/", 1)[-1]
        if role.startswith(MEMBERSHIP) and "#Instructor#" in role:  # sub-roles such as TeachingAssistant
            return True
        if name in TEACHING_ROLES:
            return True
    return False


def resolve_target(value: str | None) -> Target | None:
    """``lab:<slug>``, ``step:<id>`` or ``course:<slug>`` (the custom parameter deep linking writes)."""
    kind, _sep, key = (value or "").partition(":")
    if kind == "lab":
        step = Step.objects.select_related("module__course", "lab").filter(lab__slug=key).first()
        return Target(course=step.module.course, step=step) if step else None
    if kind == "step" and key.isdigit():
        step = Step.objects.select_related("module__course").filter(pk=int(key)).first()
        return Target(course=step.module.course, step=step) if step else None
    if kind == "course":
        course = Course.objects.filter(slug=key).first()
        return Target(course=course, step=None) if course else None
    return None


def platform_language(launch: LtiLaunch) -> str | None:
    presentation = launch.launch_presentation_claim or {}
    locale = (presentation.get("locale") or "").lower().replace("_", "-")
    language = locale.split("-", 1)[0]
    return language if language in ("fr", "en") else None


def _placeholder_email(registration: LtiRegistration, sub: str) -> str:
    # Platform e-mails are never used to find an account: each platform user gets their own.
    digest = hashlib.sha256(f"{registration.pk}|{sub}".encode()).hexdigest()[:24]
    return f"lti-{registration.pk}-{digest}@lti.invalid"


@transaction.atomic
def platform_user_account(*, platform_user: LtiUser, language: str | None = None):
    """The Academy account of a platform user (matched by issuer registration and ``sub``), created once."""
    platform_user = LtiUser.objects.select_for_update().get(pk=platform_user.pk)
    user = platform_user.auth_user
    if user is None:
        user = User(
            email=_placeholder_email(platform_user.registration, platform_user.sub),
            first_name=(platform_user.given_name or platform_user.name)[:150],
            last_name=platform_user.family_name[:150],
            role=User.Role.LEARNER,
            preferred_language=language or "fr",
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        platform_user.auth_user = user
        platform_user.save(update_fields=["auth_user", "datetime_modified"])
    return user


@transaction.atomic
def grant_course_role(*, user, course: Course, teaching: bool) -> None:
    """Instructors become trainers of this course only; an LMS administrator gets no more than that."""
    if teaching:
        if user.role == User.Role.LEARNER:
            user.role = User.Role.TRAINER
            user.save(update_fields=["role"])
        if course.owner_id != user.pk:
            course.co_trainers.add(user)
    else:
        try:
            enrol_from_platform(user=user, course=course)
        except ValidationError as error:
            raise LaunchRefused(
                _("Le contenu lié n'est pas encore publié dans l'Academy. Prévenez votre formateur ou formatrice."),
                code="not_published",
            ) from error


@transaction.atomic
def placement_save(*, resource_link: LtiResourceLink, target: Target, launch: LtiLaunch) -> Placement:
    ags = launch.ags_claim or {}
    placement, _created = Placement.objects.update_or_create(
        resource_link=resource_link,
        defaults={
            "course": target.course,
            "step": target.step,
            "lineitem_url": ags.get("lineitem", "")[:500],
            "can_publish_scores": SCORE_SCOPE in (ags.get("scope") or []),
        },
    )
    return placement


@dataclass(frozen=True)
class LaunchOutcome:
    user: object
    next_url: str
    teaching: bool


@transaction.atomic
def launch_accept(*, launch: LtiLaunch) -> LaunchOutcome:
    """Record a validated resource-link or deep-linking launch and say where the person goes."""
    sync_data_from_launch(launch)
    language = platform_language(launch)
    user = platform_user_account(platform_user=launch.user, language=language)
    if language:
        user_set_language(user=user, language=language)
    teaching = teaches(launch.roles_claim)

    if launch.is_deep_link_launch:
        if not teaching:
            raise LaunchRefused(
                _("Seuls les formateurs et formatrices de ce cours peuvent ajouter un contenu de l'Academy."),
                code="not_teaching",
            )
        if user.role == User.Role.LEARNER:
            user.role = User.Role.TRAINER
            user.save(update_fields=["role"])
        return LaunchOutcome(user=user, next_url="", teaching=True)

    resource_link = launch.resource_link
    target = resolve_target(launch.get_custom_claim(TARGET_CLAIM))
    if target is None:
        existing = Placement.objects.filter(resource_link=resource_link).select_related("course", "step").first()
        target = Target(course=existing.course, step=existing.step) if existing else None
    if target is None:
        raise LaunchRefused(
            _(
                "Ce lien ne mène à aucun contenu de l'Academy. Votre formateur ou formatrice doit le choisir avec "
                "« Ajouter un contenu » (liens profonds) dans votre plateforme."
            ),
            code="no_target",
        )
    grant_course_role(user=user, course=target.course, teaching=teaching)
    placement_save(resource_link=resource_link, target=target, launch=launch)
    return LaunchOutcome(user=user, next_url=target.url, teaching=teaching)


def frame_origins(registration: LtiRegistration) -> list[str]:
    profile = PlatformProfile.objects.filter(registration=registration).select_related("registration").first()
    return profile.origins() if profile else PlatformProfile(registration=registration).origins()


# --- the session handover: no cookie needed until the person is on our pages ---


def ticket_issue(*, user, next_url: str, origins: list[str], launch_id: str, registration_uuid: str) -> str:
    """A single-use, two-minute ticket that opens the person's session (in the frame or a new tab)."""
    token = secrets.token_urlsafe(32)
    cache.set(
        TICKET_PREFIX + token,
        {
            "user_id": user.pk,
            "next": next_url,
            "origins": origins,
            "launch_id": launch_id,
            "registration": registration_uuid,
        },
        TICKET_SECONDS,
    )
    return token


def ticket_redeem(token: str) -> dict | None:
    data = cache.get(TICKET_PREFIX + token)
    if data is None or not cache.delete(TICKET_PREFIX + token):
        return None
    return data
