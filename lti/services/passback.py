"""Assignment and Grade Services: the lab's grade that counts goes to the platforms' line items.

Labs says when a learner's grade that counts may have changed; this module
records the score each line item should hold (``ScoreSync``) and a task sends
it. A score the platform already acknowledged is never sent again; every call
is recorded (``ScoreSend``). Nothing here runs inside grading: a platform that
is down delays its own line item, never an attempt.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lti_tool.models import LtiUser
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException

from labs.api import grade_that_counts
from lti.models import Placement, ScoreSend, ScoreSync
from lti.protocol import http_session
from lti.services.deep_linking import MAX_SCORE
from lti.services.launch import SCORE_SCOPE

logger = logging.getLogger(__name__)

SENDING_PREFIX = "lti:score-sending:"
RESEND_MAX_TRIES = 30


@transaction.atomic
def score_syncs_update(*, learner, lab, now: datetime | None = None) -> list[int]:
    """Record what each of the learner's line items for ``lab`` should hold; returns the syncs to send."""
    placements = list(
        Placement.objects.filter(step=lab.step, can_publish_scores=True)
        .exclude(lineitem_url="")
        .select_related("resource_link__context__deployment")
    )
    if not placements:
        return []
    grade = grade_that_counts(learner=learner, lab=lab)  # labs' rule (best or last, overrides), never recomputed
    if grade is None or grade.score is None:
        return []
    now = now or timezone.now()
    to_send = []
    for placement in placements:
        registration_id = placement.resource_link.context.deployment.registration_id
        platform_user = LtiUser.objects.filter(registration_id=registration_id, auth_user=learner).first()
        if platform_user is None:
            continue
        if not platform_user.memberships.filter(context_id=placement.resource_link.context_id).exists():
            continue  # this learner is not in that platform course
        sync = ScoreSync.objects.select_for_update().filter(placement=placement, platform_user=platform_user).first()
        if sync is None:
            sync = ScoreSync(placement=placement, platform_user=platform_user, user=learner)
        elif sync.score == grade.score and sync.passed == grade.passed:
            if sync.state != ScoreSync.State.ACKNOWLEDGED:
                to_send.append(sync.pk)
            continue
        sync.score, sync.passed, sync.graded_at = grade.score, grade.passed, now
        sync.state = ScoreSync.State.PENDING if sync.needs_sending else ScoreSync.State.ACKNOWLEDGED
        sync.tries = 0
        sync.full_clean()
        sync.save()
        if sync.needs_sending:
            to_send.append(sync.pk)
    return to_send


class PlatformUnavailable(Exception):
    """Network error, timeout, 429 or 5xx: worth trying again later."""


def _score_service(placement: Placement) -> AssignmentsGradesService:
    registration = placement.resource_link.context.deployment.registration.to_registration()
    connector = ServiceConnector(registration, requests_session=http_session())
    return AssignmentsGradesService(connector, {"scope": [SCORE_SCOPE], "lineitem": placement.lineitem_url})


def _grade(sync: ScoreSync) -> Grade:
    return (
        Grade()
        .set_user_id(sync.platform_user.sub)
        .set_score_given(sync.score)
        .set_score_maximum(MAX_SCORE)
        .set_timestamp(sync.graded_at.isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
    )


def score_send(*, sync_id: int) -> ScoreSync | None:
    """Send a sync's score unless the platform already has it. Raises PlatformUnavailable to be retried."""
    lock = SENDING_PREFIX + str(sync_id)
    if not cache.add(lock, 1, int(settings.LTI_HTTP_TIMEOUT * 3) + 10):
        return None  # another worker is sending it; it re-checks the score when it finishes
    try:
        sync = (
            ScoreSync.objects.select_related("placement__resource_link__context__deployment__registration")
            .select_related("platform_user")
            .filter(pk=sync_id)
            .first()
        )
        if sync is None or not sync.needs_sending:
            return sync
        score = sync.score
        status_code, detail, acknowledged, retry = None, "", False, False
        try:
            response = _score_service(sync.placement).put_grade(
                _grade(sync), LineItem({"id": sync.placement.lineitem_url})
            )
            acknowledged = True
            status_code = 200
            detail = str(response.get("body") or "")[:1000]
        except LtiServiceException as error:
            status_code = getattr(getattr(error, "response", None), "status_code", None)
            detail = str(error)[:1000]
            retry = status_code is None or status_code == 429 or status_code >= 500
        except (RequestException, LtiException) as error:
            detail = str(error)[:1000]
            retry = True
        _record(sync_id=sync_id, score=score, status_code=status_code, acknowledged=acknowledged, detail=detail)
        if retry:
            raise PlatformUnavailable(detail)
        return sync
    finally:
        cache.delete(lock)


@transaction.atomic
def _record(*, sync_id: int, score: int, status_code: int | None, acknowledged: bool, detail: str) -> None:
    sync = ScoreSync.objects.select_for_update().get(pk=sync_id)
    ScoreSend.objects.create(sync=sync, score=score, status_code=status_code, acknowledged=acknowledged, detail=detail)
    sync.tries += 1
    if acknowledged:
        sync.acknowledged_score, sync.acknowledged_at, sync.last_error = score, timezone.now(), ""
    else:
        sync.last_error = detail
    if not sync.needs_sending:
        sync.state = ScoreSync.State.ACKNOWLEDGED
    elif acknowledged:
        sync.state = ScoreSync.State.PENDING  # the grade changed while we were sending
    else:
        sync.state = ScoreSync.State.FAILED if status_code and status_code < 500 and status_code != 429 else sync.state
    sync.save()


@transaction.atomic
def score_sync_give_up(*, sync_id: int, error: str) -> None:
    ScoreSync.objects.filter(pk=sync_id).exclude(state=ScoreSync.State.ACKNOWLEDGED).update(
        state=ScoreSync.State.FAILED, last_error=error[:1000], updated_at=timezone.now()
    )


def unacknowledged_sync_ids(*, now: datetime | None = None) -> list[int]:
    """Syncs to send again: pending ones whose task was lost, failed ones hourly for a day (then an admin looks)."""
    now = now or timezone.now()
    stuck = Q(state=ScoreSync.State.PENDING, updated_at__lt=now - timedelta(minutes=10))
    failed = Q(state=ScoreSync.State.FAILED, updated_at__lt=now - timedelta(hours=1), tries__lt=RESEND_MAX_TRIES)
    return list(ScoreSync.objects.filter(stuck | failed).order_by("updated_at").values_list("pk", flat=True)[:500])
