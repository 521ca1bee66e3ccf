"""Celery tasks of the community: each takes ids and calls one service; running one twice changes nothing."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task
def reassign_overdue_reviews() -> int:
    """Beat: hand every review past its deadline to another peer (one task per assignment), then retry
    the labs whose shared attempts still lack reviewers."""
    from community.selectors import labs_with_waiting_requests, overdue_assignment_ids

    ids = overdue_assignment_ids()
    for assignment_id in ids:
        reassign_review.delay(assignment_id)
    for lab_id in labs_with_waiting_requests():
        fill_review_requests.delay(lab_id)
    return len(ids)


@shared_task
def reassign_review(assignment_id: int) -> bool:
    """Close one overdue assignment and assign a replacement; False when it was not (or no longer) overdue."""
    from community.services.reviews import assignment_expire

    return assignment_expire(assignment_id=assignment_id)


@shared_task
def fill_review_requests(lab_id: int) -> int:
    from community.services.reviews import fill_requests
    from labs.api import Lab

    lab = Lab.objects.select_related("step__module__course").filter(pk=lab_id).first()
    if lab is None:
        return 0
    return len(fill_requests(lab=lab))
