"""Listens to labs (labs.signals): a changed grade that counts is recorded for passback, then sent by a task."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def grade_changed(sender, *, learner_id: int, lab_id: int, **kwargs) -> None:
    from django.contrib.auth import get_user_model

    from labs.api import Lab
    from lti.services.passback import score_syncs_update
    from lti.tasks import send_score

    lab = Lab.objects.select_related("step").filter(pk=lab_id).first()
    learner = get_user_model().objects.filter(pk=learner_id).first()
    if lab is None or learner is None:
        return
    for sync_id in score_syncs_update(learner=learner, lab=lab):
        try:
            send_score.delay(sync_id)
        except Exception:  # broker unreachable: the sync stays pending and the periodic resend picks it up
            logger.warning("score sync %s: could not enqueue, left for the periodic resend", sync_id, exc_info=True)
