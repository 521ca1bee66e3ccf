"""Grade passback (AGS) into the platform's line item: once per score, recorded, retried when the platform is down."""

from __future__ import annotations

import pytest

from lti.models import ScoreSend, ScoreSync
from lti.services.passback import PlatformUnavailable, score_send, score_syncs_update
from tests.labs.factories import LabFactory, SubmissionFactory
from tests.lti.platform import LEARNER, LaunchSpec

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def launched(platform, browser):
    """A lab placed in the platform with its line item, and a learner launched into it."""
    from lti_tool.models import LtiUser

    lab = LabFactory(step__title="Teaser produit", grading="best")
    item = platform.add_lineitem(label="Teaser produit", scoreMaximum=100, resourceLinkId="rl-1")
    spec = LaunchSpec(
        user_id="learner-1", roles=[LEARNER], resource_link_id="rl-1", custom={"academy_target": f"lab:{lab.slug}"}
    )
    browser.launch(platform, spec)
    learner = LtiUser.objects.get(sub="learner-1").auth_user
    return lab, learner, item["id"]


def _send_all(ids):
    for sync_id in ids:
        score_send(sync_id=sync_id)


def test_the_grade_that_counts_reaches_the_line_item_once(platform, launched):
    lab, learner, lineitem = launched
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=72, passed=True)
    _send_all(score_syncs_update(learner=learner, lab=lab))
    score = platform.score_of(lineitem, "learner-1")
    assert score["scoreGiven"] == 72 and score["scoreMaximum"] == 100
    assert score["gradingProgress"] == "FullyGraded" and score["activityProgress"] == "Completed"
    sync = ScoreSync.objects.get()
    assert (sync.state, sync.acknowledged_score) == (ScoreSync.State.ACKNOWLEDGED, 72)
    assert list(ScoreSend.objects.values_list("score", "acknowledged")) == [(72, True)]
    # a lower attempt does not change the best grade: nothing is sent again
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=40, passed=False)
    assert score_syncs_update(learner=learner, lab=lab) == []
    _send_all([sync.pk])
    assert platform.score_posts == 1


def test_a_trainer_override_sends_the_new_grade(platform, launched):
    lab, learner, lineitem = launched
    attempt = SubmissionFactory(lab=lab, learner=learner, graded=True, score=72, passed=True)
    _send_all(score_syncs_update(learner=learner, lab=lab))
    attempt.override_score = 90
    attempt.save(update_fields=["override_score"])
    _send_all(score_syncs_update(learner=learner, lab=lab))
    assert platform.score_of(lineitem, "learner-1")["scoreGiven"] == 90
    assert platform.score_posts == 2


def test_a_platform_that_is_down_is_retried_and_recorded_then_acknowledged(platform, launched):
    lab, learner, lineitem = launched
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=65, passed=True)
    [sync_id] = score_syncs_update(learner=learner, lab=lab)
    port = platform.port
    platform.stop()
    with pytest.raises(PlatformUnavailable):
        score_send(sync_id=sync_id)
    sync = ScoreSync.objects.get()
    assert sync.state == ScoreSync.State.PENDING and sync.acknowledged_score is None and sync.last_error
    assert ScoreSend.objects.filter(acknowledged=False).count() == 1
    # the platform comes back on the same address
    platform.port = port
    platform.start()
    score_send(sync_id=sync_id)
    assert platform.score_of(lineitem, "learner-1")["scoreGiven"] == 65
    assert ScoreSync.objects.get().state == ScoreSync.State.ACKNOWLEDGED


def test_the_task_gives_up_after_its_retries_and_marks_the_sync_failed(platform, launched, settings):
    from lti.tasks import send_score

    settings.LTI_SCORE_MAX_RETRIES = 0
    lab, learner, _lineitem = launched
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=65, passed=True)
    [sync_id] = score_syncs_update(learner=learner, lab=lab)
    platform.stop()
    assert send_score.apply(args=[sync_id]).get() == "failed"
    assert ScoreSync.objects.get().state == ScoreSync.State.FAILED


def test_a_learner_launched_without_a_line_item_has_nothing_to_send(platform, browser):
    from lti_tool.models import LtiUser

    lab = LabFactory()
    spec = LaunchSpec(
        user_id="learner-2", roles=[LEARNER], resource_link_id="rl-2", custom={"academy_target": f"lab:{lab.slug}"}
    )
    browser.launch(platform, spec)
    learner = LtiUser.objects.get(sub="learner-2").auth_user
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=80)
    assert score_syncs_update(learner=learner, lab=lab) == []


def test_the_periodic_resend_picks_lost_and_failed_syncs_but_not_acknowledged_ones(platform, launched):
    from datetime import timedelta

    from django.utils import timezone

    from lti.services.passback import unacknowledged_sync_ids

    lab, learner, _lineitem = launched
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=65, passed=True)
    [sync_id] = score_syncs_update(learner=learner, lab=lab)
    now = timezone.now()
    assert unacknowledged_sync_ids(now=now) == []  # just enqueued
    assert unacknowledged_sync_ids(now=now + timedelta(minutes=11)) == [sync_id]  # its task was lost
    ScoreSync.objects.filter(pk=sync_id).update(state=ScoreSync.State.FAILED)
    assert unacknowledged_sync_ids(now=now + timedelta(minutes=11)) == []
    assert unacknowledged_sync_ids(now=now + timedelta(hours=2)) == [sync_id]
    score_send(sync_id=sync_id)
    assert unacknowledged_sync_ids(now=now + timedelta(hours=2)) == []


@pytest.fixture
def eager_celery(monkeypatch):
    """Run the send task in this process (whichever Celery app earlier tests left current)."""
    from lti.tasks import send_score

    monkeypatch.setattr(send_score, "delay", lambda sync_id: send_score.apply(args=[sync_id]))


def test_a_trainer_override_in_the_academy_reaches_the_platform_through_the_labs_hook(platform, launched, eager_celery):
    from labs.services.submissions import submission_override
    from tests.factories import TrainerFactory

    lab, learner, lineitem = launched
    attempt = SubmissionFactory(lab=lab, learner=learner, graded=True, score=55, passed=False)
    # when a trainer corrects the grade in the Academy
    submission_override(submission=attempt, trainer=TrainerFactory(), score=85, comment="Très bon cadrage.")
    # then labs announces it, lti records it and the task sends it
    assert platform.score_of(lineitem, "learner-1")["scoreGiven"] == 85
    assert ScoreSync.objects.get().acknowledged_score == 85


def test_a_failing_listener_never_breaks_grading(launched, monkeypatch):
    from labs.services.submissions import submission_override
    from tests.factories import TrainerFactory

    def broken(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("lti.services.passback.score_syncs_update", broken)
    lab, learner, _lineitem = launched
    attempt = SubmissionFactory(lab=lab, learner=learner, graded=True, score=55, passed=False)
    submission_override(submission=attempt, trainer=TrainerFactory(), score=85, comment="Très bon cadrage.")
    attempt.refresh_from_db()
    assert attempt.override_score == 85
    assert not ScoreSync.objects.exists()


def test_passback_sends_labs_grade_that_counts_not_the_highest_score(platform, launched):
    from labs.api import grade_that_counts

    lab, learner, lineitem = launched
    # a passing attempt, then a higher-scored one that fails the brief: « best » keeps the pass (labs' rule)
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=66, passed=True)
    SubmissionFactory(lab=lab, learner=learner, graded=True, score=81, passed=False)
    _send_all(score_syncs_update(learner=learner, lab=lab))
    assert platform.score_of(lineitem, "learner-1")["scoreGiven"] == grade_that_counts(learner=learner, lab=lab).score
