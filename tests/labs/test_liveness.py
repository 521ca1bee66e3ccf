"""A running attempt's heartbeat: a dead run is requeued within a minute, a live one is left alone."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from academy.celery import app
from labs.backends.simulator import SimulatorBackend
from labs.models import Submission
from labs.services import transitions
from labs.services.liveness import heartbeat
from labs.services.submissions import submit_attempt
from labs.tasks import grade_submission
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import LabFactory, SubmissionFactory

PROMPT = "Gros plan sur un flacon de parfum ambré posé sur une table en marbre, travelling avant lent, lumière dorée."


def _running(**fields) -> Submission:
    submission = SubmissionFactory(**fields)
    return transitions.submission_claim(submission_id=submission.pk, token=str(submission.task_token))


@pytest.mark.django_db
def test_a_run_whose_heartbeat_went_silent_is_requeued_well_before_its_deadline():
    # given a run claimed at T0 whose worker died at once (no beat after the claim); its deadline is far away
    claimed = _running()
    t0 = claimed.heartbeat_at
    assert claimed.deadline_at - t0 > timedelta(minutes=10)
    timeout = django_settings.LAB_HEARTBEAT_TIMEOUT_SECONDS

    # when the sweeper passes just before, then just after the heartbeat timeout
    before = transitions.requeue_stuck_submissions(now=t0 + timedelta(seconds=timeout - 1))
    after = transitions.requeue_stuck_submissions(now=t0 + timedelta(seconds=timeout + 1))

    # then it is left alone, then requeued with a new token
    assert before == {"requeued": 0, "failed": 0}
    assert after == {"requeued": 1, "failed": 0}
    requeued = Submission.objects.get(pk=claimed.pk)
    assert (requeued.state, requeued.enqueue_count) == (Submission.State.QUEUED, 1)
    assert requeued.task_token != claimed.task_token


def test_the_sweeper_runs_often_enough_to_requeue_a_dead_run_within_a_minute():
    # the worst case: the run dies right after a beat, and the sweeper has just passed
    worst_case = django_settings.LAB_HEARTBEAT_TIMEOUT_SECONDS + django_settings.LAB_SWEEP_SECONDS
    assert worst_case <= 60
    assert app.conf.beat_schedule["sweep-stuck-submissions"]["schedule"] == django_settings.LAB_SWEEP_SECONDS
    # and a live run beats well within the timeout
    assert django_settings.LAB_HEARTBEAT_SECONDS * 2 < django_settings.LAB_HEARTBEAT_TIMEOUT_SECONDS


@pytest.mark.django_db
def test_a_run_that_keeps_beating_is_left_alone():
    claimed = _running()
    t0 = claimed.heartbeat_at
    Submission.objects.filter(pk=claimed.pk).update(heartbeat_at=t0 + timedelta(seconds=25))

    outcome = transitions.requeue_stuck_submissions(now=t0 + timedelta(seconds=50))

    assert outcome == {"requeued": 0, "failed": 0}
    assert Submission.objects.get(pk=claimed.pk).state == Submission.State.GENERATING


@pytest.mark.django_db
def test_a_queued_attempt_is_not_judged_by_a_heartbeat_it_does_not_have():
    submission = SubmissionFactory(deadline_at=timezone.now() + timedelta(minutes=2), heartbeat_at=None)
    outcome = transitions.requeue_stuck_submissions(now=timezone.now() + timedelta(minutes=1))
    assert outcome == {"requeued": 0, "failed": 0}
    assert Submission.objects.get(pk=submission.pk).state == Submission.State.QUEUED


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_writes_while_the_block_runs_and_stops_after():
    claimed = _running()
    first = claimed.heartbeat_at

    with heartbeat(submission_id=claimed.pk, token=str(claimed.task_token), interval=0.05):
        time.sleep(0.4)
    during = Submission.objects.get(pk=claimed.pk).heartbeat_at
    time.sleep(0.2)
    after = Submission.objects.get(pk=claimed.pk).heartbeat_at

    assert during > first
    assert after == during  # no beat once the run is over


@pytest.mark.django_db(transaction=True)
def test_a_beat_with_a_stale_token_writes_nothing():
    claimed = _running()
    with heartbeat(submission_id=claimed.pk, token=str(uuid.uuid4()), interval=0.05):
        time.sleep(0.3)
    assert Submission.objects.get(pk=claimed.pk).heartbeat_at == claimed.heartbeat_at


class SlowStartBackend(SimulatorBackend):
    """Renders inside ``start`` for a while (like a local model) and notes the heartbeat it saw meanwhile."""

    seen: list = []

    def start(self, request):
        time.sleep(0.5)
        type(self).seen.append(Submission.objects.values_list("started_at", "heartbeat_at").get())
        return super().start(request)


@pytest.mark.django_db(transaction=True)
def test_the_grading_task_beats_during_a_long_backend_call(settings, tmp_path):
    # given a backend that spends half a second inside one call, and a fast heartbeat
    settings.MEDIA_ROOT = tmp_path
    settings.LAB_HEARTBEAT_SECONDS = 0.05
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
        "slow": {"BACKEND": "tests.labs.test_liveness.SlowStartBackend", "OPTIONS": {}},
    }
    SlowStartBackend.seen = []
    lab = LabFactory(backend_alias="slow")
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=lab.course)
    submission = submit_attempt(learner=learner, lab=lab, prompt=PROMPT, client_token=uuid.uuid4().hex)
    # when the task grades it
    grade_submission.apply(args=[submission.pk, str(submission.task_token)])
    # then the heartbeat moved on while the backend was busy, and the attempt was graded
    [(started_at, heartbeat_at)] = SlowStartBackend.seen
    assert heartbeat_at - started_at >= timedelta(seconds=0.2)
    assert Submission.objects.get(pk=submission.pk).state == Submission.State.GRADED
