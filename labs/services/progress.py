"""Pushes a learner's lab result into the course outline (courses never imports labs)."""

from __future__ import annotations

from courses.api import step_complete
from labs.models import Lab
from labs.selectors import grade_that_counts
from labs.signals import announce_grade_changed


def lab_progress_sync(*, learner, lab: Lab) -> None:
    """Complete the lab's step (towards the certificate) once the grade that counts passes; tell listeners."""
    announce_grade_changed(learner_id=learner.pk, lab_id=lab.pk)
    grade = grade_that_counts(learner=learner, lab=lab)
    if grade is not None and grade.passed:
        step_complete(user=learner, step=lab.step, score=grade.score)
