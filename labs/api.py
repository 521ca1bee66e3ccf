"""The labs app's public surface for the apps above it (LTI grade passback, community).

Other apps import labs only through this module (Open edX OEP-49), so the
labs' internals can change without breaking them:

- models they point at or read: Lab, Submission;
- the grade that counts: CountedGrade, grade_that_counts, and the grade_changed signal;
- lookups: lab_for_page (by slug), lab_for_step, submission_for_page, graded_attempts (a learner's graded drafts),
  attempt_numbers (« essai n° 3 », as the lab page numbers them), labs_of_course;
- private media: ranged_file_response streams an attempt's video or poster once the caller has checked access;
- policy: passed_ethics_gate (an attempt the ethics gate let through, shareable with peers).
"""

from __future__ import annotations

from django.db.models import QuerySet

from labs.media import ranged_file_response
from labs.models import Lab, Submission
from labs.presentation.attempts import attempt_numbers as _numbers
from labs.selectors import (
    CountedGrade,
    grade_that_counts,
    graded_submissions,
    lab_for_page,
    lab_for_step,
    learner_submissions,
    submission_for_page,
)
from labs.signals import grade_changed

__all__ = [
    "CountedGrade",
    "attempt_numbers",
    "Lab",
    "Submission",
    "grade_changed",
    "grade_that_counts",
    "graded_attempts",
    "lab_for_page",
    "lab_for_step",
    "labs_of_course",
    "passed_ethics_gate",
    "ranged_file_response",
    "submission_for_page",
]


def graded_attempts(*, learner, lab: Lab) -> QuerySet[Submission]:
    """The learner's graded attempts (drafts, not final renders) on ``lab``, newest first."""
    return graded_submissions(learner=learner, lab=lab)


def attempt_numbers(*, learner, lab: Lab) -> dict[int, int]:
    """{attempt id: its number}, n° 1 being the learner's oldest attempt on ``lab`` (one query)."""
    return _numbers(list(learner_submissions(learner=learner, lab=lab).only("pk", "created_at")))


def labs_of_course(course) -> QuerySet[Lab]:
    """The course's labs in outline order, each with its step."""
    return (
        Lab.objects.filter(step__module__course=course)
        .select_related("step__module")
        .order_by("step__module__position", "step__module_id", "step__position", "step_id")
    )


def passed_ethics_gate(submission: Submission) -> bool:
    """A graded attempt whose prompt the ethics gate allowed (a blocked attempt never is)."""
    if submission.state != Submission.State.GRADED:
        return False
    policy = (submission.result or {}).get("policy") or {}
    return policy.get("allowed", True) is not False
