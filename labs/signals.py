"""What labs announces to the apps above it (LTI grade passback), which labs never imports."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once the change is committed: a learner's grade that counts on a lab may have changed (an attempt
# was graded, overridden or regraded). Arguments: ``learner_id``, ``lab_id``. Read the grade with
# labs' public function; a receiver's failure never reaches grading.
grade_changed = Signal()


def announce_grade_changed(*, learner_id: int, lab_id: int) -> None:
    def send() -> None:
        for receiver, outcome in grade_changed.send_robust(sender=None, learner_id=learner_id, lab_id=lab_id):
            if isinstance(outcome, Exception):
                logger.error("grade_changed receiver %r failed", receiver, exc_info=outcome)

    transaction.on_commit(send)
