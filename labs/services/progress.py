"""Pushes a learner's lab result into the course outline (courses never imports labs)."""

from __future__ import annotations

from courses.services.learning import step_complete
from labs.models import Lab
from labs.selectors import counted_attempt


def lab_progress_sync(*, learner, lab: Lab) -> None:
    """Complete the lab's step once the attempt that counts has passed."""
    attempt = counted_attempt(learner=learner, lab=lab)
    if attempt is not None and attempt.final_passed:
        step_complete(user=learner, step=lab.step, score=attempt.final_score)
