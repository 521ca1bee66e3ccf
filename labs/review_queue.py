"""Reads for the trainer's dashboard: what waits for them across the courses they teach.

- attempts to review: graded (or refused) draft attempts of the last
  ``REVIEW_WINDOW_DAYS`` that no trainer has marked as read or corrected;
- grades a trainer corrected lately;
- learners stuck on a lab: ``STUCK_FAILED_ATTEMPTS`` graded attempts or more, none passed;
- learners who completed no step of a course for ``IDLE_DAYS`` days.

A fixed number of queries, whatever the number of courses, labs and learners.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from courses.api import editable_courses, idle_enrolments
from labs.models import Lab, Submission

REVIEW_WINDOW_DAYS = 30
STUCK_FAILED_ATTEMPTS = 3
IDLE_DAYS = 14
LIST_LIMIT = 20


@dataclass(frozen=True)
class StuckLearner:
    learner_name: str
    learner_email: str
    lab_title: str
    lab_slug: str
    failed: int
    best_score: int | None
    last_attempt_at: datetime.datetime


@dataclass(frozen=True)
class ReviewQueue:
    has_courses: bool
    to_review: list[Submission]
    to_review_count: int
    overridden: list[Submission]
    stuck: list[StuckLearner]
    idle: list  # courses Enrolment rows, each with ``last_progress_at``

    @property
    def is_empty(self) -> bool:
        return not (self.to_review_count or self.overridden or self.stuck or self.idle)


def _passed() -> Q:
    return Q(override_score__isnull=True, passed=True) | Q(override_score__gte=F("lab__pass_mark"))


def review_queue(trainer, *, now: datetime.datetime | None = None) -> ReviewQueue:
    """Everything waiting for ``trainer`` in the courses they may edit (all courses for an admin)."""
    now = now or timezone.now()
    courses = editable_courses(trainer)
    has_courses = courses.exists()
    if not has_courses:
        return ReviewQueue(False, [], 0, [], [], [])
    labs = Lab.objects.filter(step__module__course__in=courses)
    drafts = Submission.objects.filter(lab__in=labs, tier=Submission.Tier.DRAFT).exclude(learner=trainer)
    window = now - datetime.timedelta(days=REVIEW_WINDOW_DAYS)

    waiting = drafts.filter(
        state__in=[Submission.State.GRADED, Submission.State.BLOCKED],
        reviewed_at__isnull=True,
        override_score__isnull=True,
        created_at__gte=window,
    )
    to_review_count = waiting.count()
    to_review = list(
        waiting.select_related("lab__step", "learner")
        .defer("result", "lab__brief")
        .order_by("created_at", "pk")[:LIST_LIMIT]
        if to_review_count
        else []
    )
    overridden = list(
        drafts.filter(override_at__gte=window)
        .select_related("lab__step", "learner", "override_by")
        .defer("result", "lab__brief")
        .order_by("-override_at", "-pk")[:LIST_LIMIT]
    )
    stuck_rows = (
        drafts.values(
            "learner_id",
            "lab_id",
            "learner__first_name",
            "learner__last_name",
            "learner__email",
            "lab__slug",
            "lab__step__title",
        )
        .annotate(
            failed=Count("pk", filter=Q(state=Submission.State.GRADED) & ~_passed()),
            passed_count=Count("pk", filter=Q(state=Submission.State.GRADED) & _passed()),
            best_score=Max("score", filter=Q(state=Submission.State.GRADED)),
            last_attempt_at=Max("created_at"),
        )
        .filter(failed__gte=STUCK_FAILED_ATTEMPTS, passed_count=0, learner__is_active=True)
        .order_by("-failed", "-last_attempt_at")[:LIST_LIMIT]
    )
    stuck = [
        StuckLearner(
            learner_name=f"{row['learner__first_name']} {row['learner__last_name']}".strip() or row["learner__email"],
            learner_email=row["learner__email"],
            lab_title=row["lab__step__title"],
            lab_slug=row["lab__slug"],
            failed=row["failed"],
            best_score=row["best_score"],
            last_attempt_at=row["last_attempt_at"],
        )
        for row in stuck_rows
    ]
    idle = list(idle_enrolments(courses, since=now - datetime.timedelta(days=IDLE_DAYS))[:LIST_LIMIT])
    return ReviewQueue(True, to_review, to_review_count, overridden, stuck, idle)
