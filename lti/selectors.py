"""Reads for the LTI pages."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from lti_tool.models import LtiContext, LtiRegistration

from courses.api import Course, Step
from lti.models import Placement, ScoreSync


def pickable_courses(user) -> list[Course]:
    """What a trainer may place in their platform: published courses, and the drafts they edit."""
    steps = Step.objects.filter(kind__in=[Step.Kind.LESSON, Step.Kind.LAB]).select_related("lab", "module")
    courses = Course.objects.filter(status=Course.Status.PUBLISHED)
    if not user.is_admin:
        drafts = Course.objects.filter(owner=user) | Course.objects.filter(co_trainers=user)
        courses = courses | drafts
    return list(
        courses.distinct()
        .order_by("title")
        .prefetch_related(Prefetch("modules__steps", queryset=steps.order_by("position", "pk")))
    )


def platforms() -> QuerySet[LtiRegistration]:
    return LtiRegistration.objects.select_related("academy_profile").prefetch_related("deployments").order_by("name")


def course_contexts(course: Course) -> list[LtiContext]:
    """Platform courses (contexts) that placed this course or one of its steps and offer a roster."""
    ids = Placement.objects.filter(course=course).values("resource_link__context")
    return list(
        LtiContext.objects.filter(pk__in=ids)
        .exclude(memberships_url="")
        .select_related("deployment__registration")
        .order_by("title")
    )


def courses_with_platform_rosters(user) -> list[Course]:
    """Courses this trainer edits that a platform course placed with its roster service."""
    linked = Placement.objects.exclude(resource_link__context__memberships_url="").values("course")
    courses = Course.objects.filter(pk__in=linked)
    if not user.is_admin:
        courses = courses.filter(Q(owner=user) | Q(co_trainers=user))
    return list(courses.distinct().order_by("title"))


def recent_score_syncs(*, limit: int = 50) -> QuerySet[ScoreSync]:
    return ScoreSync.objects.select_related(
        "user", "placement__step", "placement__course", "placement__resource_link__context"
    ).order_by("-updated_at")[:limit]
