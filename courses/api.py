"""The courses app's public surface (in the spirit of Open edX OEP-49).

Apps that build on courses (labs, funding, lti, community) import courses only through this
module, so the app's internals can change without breaking them:

- the models other apps point at or name in type hints: Course, Step;
- permissions: can_view_course, can_edit_course, is_enrolled;
- a step a learner may not open yet (locked, and why): locked_step_state;
- writes: step_complete (a lab passed), enrol (a funded participant), enrol_from_platform (an LTI launch or roster);
- steps whose content lives in another app: StepProvider, register_step_provider;
- sections other apps add to a step's page: StepSection, register_step_section_provider, step_sections;
- people: enrolled_user_ids (a course's active learners), courses_followed, editable_courses,
  idle_enrolments (learners who completed no step for a while);
- lookups: step_for_authoring, lesson_steps, courses_by_title, course_trainers, seconds_on_course_by_day;
- trainer-written Markdown: MarkdownField and MarkdownFormMixin for forms, render_markdown for pages;
- content cached per content version: cached_content, watch_content (models whose writes bump the
  version), bump_content_version (after a bulk update, which sends no signal).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import QuerySet

from courses.content_cache import bump_content_version
from courses.content_cache import cached as cached_content
from courses.content_cache import watch as watch_content
from courses.forms.authoring import MarkdownField, MarkdownFormMixin
from courses.markdown import render_markdown
from courses.models import Course, DailyActivity, Enrolment, Step
from courses.permissions import can_edit_course, can_view_course, is_enrolled
from courses.selectors.authoring import editable_courses, idle_enrolments
from courses.selectors.learning import StepState, course_outline_for, step_state_in
from courses.services.learning import enrol, enrol_from_platform, step_complete
from courses.step_providers import StepProvider
from courses.step_providers import register as register_step_provider
from courses.step_sections import StepSection, StepSectionProvider
from courses.step_sections import register as register_step_section_provider
from courses.step_sections import sections_for as step_sections

__all__ = [
    "bump_content_version",
    "cached_content",
    "watch_content",
    "Course",
    "MarkdownField",
    "MarkdownFormMixin",
    "Step",
    "StepProvider",
    "StepSection",
    "StepSectionProvider",
    "StepState",
    "can_edit_course",
    "can_view_course",
    "course_trainers",
    "courses_by_title",
    "courses_followed",
    "editable_courses",
    "idle_enrolments",
    "enrolled_user_ids",
    "enrol",
    "enrol_from_platform",
    "is_enrolled",
    "lesson_steps",
    "locked_step_state",
    "register_step_provider",
    "register_step_section_provider",
    "render_markdown",
    "seconds_on_course_by_day",
    "step_complete",
    "step_for_authoring",
    "step_sections",
]


def locked_step_state(user, course: Course, step_id: int) -> StepState | None:
    """The user's state of a step of ``course`` if it is locked (with why, and the previous step), else None.

    Only a sequential course locks steps: for any other, nothing is read.
    """
    if not course.sequential:
        return None
    state = step_state_in(course_outline_for(user, course), step_id)
    return state if state is not None and state.locked else None


def step_for_authoring(step_id: int, *, kind: str) -> Step | None:
    """A step of that kind with its module and course, for the page where a trainer edits its content."""
    return Step.objects.select_related("module__course").filter(pk=step_id, kind=kind).first()


def lesson_steps(course: Course) -> QuerySet[Step]:
    """The lesson steps of ``course``, in outline order (modules, then steps)."""
    return (
        Step.objects.filter(module__course=course, kind=Step.Kind.LESSON)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )


def course_trainers(course: Course) -> list:
    """The people who teach ``course``: its owner, then its co-trainers (active accounts)."""
    people = [course.owner, *course.co_trainers.order_by("pk")]
    return [person for person in dict.fromkeys(people) if person.is_active]


def courses_by_title() -> QuerySet[Course]:
    return Course.objects.order_by("title")


def seconds_on_course_by_day(
    *, course: Course, user_ids: Iterable[int], days: Iterable[datetime.date]
) -> dict[tuple[int, datetime.date], int]:
    """Seconds each user spent on the course's pages, per day: {(user id, day): seconds}."""
    rows = DailyActivity.objects.filter(course=course, user__in=list(user_ids), day__in=list(days)).values_list(
        "user_id", "day", "seconds"
    )
    return {(user_id, day): seconds for user_id, day, seconds in rows}


def enrolled_user_ids(course: Course) -> QuerySet:
    """Ids of the course's active learners, as a subquery (``user__in=enrolled_user_ids(course)``)."""
    return Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE).values("user_id")


def courses_followed(user) -> QuerySet[Course]:
    """Published courses ``user`` is actively enrolled in, by title."""
    if not user.is_authenticated:
        return Course.objects.none()
    enrolled = Enrolment.objects.filter(user=user, status=Enrolment.Status.ACTIVE).values("course_id")
    return Course.objects.filter(pk__in=enrolled, status=Course.Status.PUBLISHED).order_by("title")
