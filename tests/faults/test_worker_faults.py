"""Fault tests on the real stack: PostgreSQL, Redis, Celery worker processes, the simulator.

Nothing is lost and nothing is counted twice when workers or their pool
processes die (on Redis and on the demo's file-system broker), Redis
restarts or a task is delivered again.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import time
import uuid

import pytest

from courses.models import StepProgress
from labs.models import Submission
from labs.services.submissions import submit_attempt
from labs.tasks import sweep_stuck_submissions
from tests.factories import UserFactory
from tests.faults.conftest import make_lab, wait_for_terminal
from tests.faults.stack import wait_until

pytestmark = [pytest.mark.services, pytest.mark.slow]

PROMPT = "Gros plan sur une tasse de thé à la menthe fumante posée sur un plateau en cuivre, travelling avant lent, lumière douce."


def _submit_many(lab, count: int) -> list[int]:
    learners = UserFactory.create_batch(count)
    return [
        submit_attempt(learner=learner, lab=lab, prompt=f"{PROMPT} Variante {index}.", client_token=uuid.uuid4().hex).pk
        for index, learner in enumerate(learners)
    ]


def _graded(ids) -> int:
    return Submission.objects.filter(pk__in=ids, state=Submission.State.GRADED).count()


def _assert_each_graded_once(lab, ids) -> None:
    submissions = list(Submission.objects.filter(pk__in=ids))
    assert all(s.video.name and s.poster.name and s.result.get("score") == s.score for s in submissions)
    assert all(s.counts_as_attempt for s in submissions)
    assert Submission.objects.filter(lab=lab).count() == len(ids)
    passed = sum(1 for s in submissions if s.passed)
    assert StepProgress.objects.filter(step=lab.step, completed_at__isnull=False).count() == passed


@pytest.mark.parametrize("stack", ["redis", "filesystem"], indirect=True)
def test_killing_the_pool_processes_twice_loses_and_duplicates_nothing(stack):
    # given 60 submissions in flight and a worker processing them
    lab = make_lab()
    worker = stack.worker(concurrency=2)
    worker.start()
    ids = _submit_many(lab, 60)

    # when its two pool processes (not the worker itself) are killed with SIGKILL, twice
    for round_number in (1, 2):
        wait_until(lambda n=round_number: _graded(ids) >= 15 * n, timeout=240, message=f"{15 * round_number} graded")
        killed = worker.kill_pool_processes()
        assert len(killed) == 2
        # then the worker forks replacements
        wait_until(
            lambda before=set(killed): len(set(worker.pool_processes()) - before) == 2,
            timeout=30,
            message="replacement pool processes",
        )

    # and the replacements work: every submission ends graded, once, without the sweeper's help
    states = wait_for_terminal(ids, timeout=600, sweep_every=10_000)
    assert states == {"graded": 60}
    _assert_each_graded_once(lab, ids)


@pytest.mark.parametrize("stack", ["redis", "filesystem"], indirect=True)
def test_three_sigkills_of_the_worker_lose_and_duplicate_nothing(stack):
    # given 200 submissions in flight and a worker processing them
    lab = make_lab()
    worker = stack.worker(concurrency=2)
    worker.start()
    ids = _submit_many(lab, 200)

    # when the worker is killed with SIGKILL three times and restarted each time
    for round_number in range(1, 4):
        wait_until(lambda n=round_number: _graded(ids) >= 25 * n, timeout=240, message=f"{25 * round_number} graded")
        worker.kill()
        time.sleep(1)
        worker.start()

    # then every submission ends graded, with exactly one result
    states = wait_for_terminal(ids, timeout=900)
    assert states == {"graded": 200}
    # and no attempt was counted twice: one submission and at most one completion per learner
    assert len(set(Submission.objects.filter(pk__in=ids).values_list("learner_id", flat=True))) == 200
    _assert_each_graded_once(lab, ids)


@pytest.mark.parametrize("stack", ["filesystem"], indirect=True)
def test_the_demo_runner_starts_a_killed_worker_again_and_every_attempt_is_graded(stack):
    from demo.run import ROOT, Supervisor

    # given the demo runner supervising a worker on the demo's file-system broker, with attempts in flight
    command = [sys.executable, "-m", "celery", "-A", "academy", "worker", "--pool", "prefork", "--concurrency", "2"]
    command += ["--loglevel", "INFO", "--without-gossip", "--without-mingle", "--queues", "default"]
    console = io.StringIO()
    supervisor = Supervisor({"Celery worker": command}, cwd=ROOT, env=stack.environment, out=console, backoff=(1.0,))
    supervisor.start()
    try:
        lab = make_lab()
        ids = _submit_many(lab, 20)

        def graded_while_supervised(count: int) -> bool:
            supervisor.check()
            return _graded(ids) >= count

        wait_until(lambda: graded_while_supervised(5), timeout=240, message="5 graded")
        # when the worker itself is killed
        killed = supervisor.pid("Celery worker")
        os.kill(killed, signal.SIGKILL)

        def restarted() -> bool:
            supervisor.check()
            return supervisor.pid("Celery worker") not in (None, killed)

        # then the runner says so and starts it again
        wait_until(restarted, timeout=30, message="the worker to be started again")
        assert "Celery worker stopped (killed by SIGKILL): starting it again in 1 s" in console.getvalue()
        # and every attempt ends graded, once (the sweeper rescues what the dead worker had taken)
        states = wait_for_terminal(ids, timeout=600, sweep_every=5)
    finally:
        supervisor.stop(timeout=20)
    assert states == {"graded": 20}
    _assert_each_graded_once(lab, ids)


def test_a_run_whose_worker_died_is_requeued_seconds_after_its_heartbeat_went_silent(stack, settings):
    # given a beat every second, a run taken for dead after 4 s of silence, and a far deadline
    liveness = {
        "LAB_HEARTBEAT_SECONDS": "1",
        "LAB_HEARTBEAT_TIMEOUT_SECONDS": "4",
        "LAB_RUNNING_DEADLINE_SECONDS": "900",
    }
    stack.environment.update(liveness)
    settings.LAB_HEARTBEAT_TIMEOUT_SECONDS, settings.LAB_RUNNING_DEADLINE_SECONDS = 4, 900
    lab = make_lab()
    worker = stack.worker(concurrency=1)
    worker.start()
    [submission_id] = _submit_many(lab, 1)
    running = Submission.RUNNING_STATES

    # when the worker dies (SIGKILL, pool included) while it runs the attempt
    wait_until(
        lambda: Submission.objects.filter(pk=submission_id, state__in=running).exists(),
        timeout=120,
        interval=0.05,
        message="the attempt to run",
    )
    worker.kill()
    killed_at = time.monotonic()
    worker.start()

    # then the sweeper requeues it within seconds of the silence, long before the deadline
    def requeued() -> bool:
        sweep_stuck_submissions()
        return Submission.objects.get(pk=submission_id).enqueue_count == 1

    wait_until(requeued, timeout=60, interval=0.5, message="the dead run to be requeued")
    elapsed = time.monotonic() - killed_at
    assert elapsed < 10, f"requeued {elapsed:.1f} s after the worker died"
    # and the new run grades it
    assert wait_for_terminal([submission_id], timeout=120) == {"graded": 1}


def test_submissions_made_while_redis_is_down_are_kept_and_graded_once_it_is_back(stack):
    lab = make_lab()
    worker = stack.worker(concurrency=2)
    worker.start()
    before = _submit_many(lab, 3)
    wait_until(lambda: _graded(before) == 3, timeout=120, message="first submissions graded")

    # when Redis goes down, submissions are still accepted, saved and shown as queued
    stack.redis.stop()
    during = _submit_many(lab, 5)
    assert set(Submission.objects.filter(pk__in=during).values_list("state", flat=True)) == {Submission.State.QUEUED}

    # once Redis is back, the sweeper enqueues them again and they are graded
    stack.redis.start()
    Submission.objects.filter(pk__in=during).update(deadline_at=Submission.objects.get(pk=during[0]).created_at)
    states = wait_for_terminal(during, timeout=240, sweep_every=3)
    assert states == {"graded": 5}


def test_a_task_delivered_again_after_it_finished_changes_nothing(stack):
    from labs.tasks import grade_submission

    lab = make_lab()
    worker = stack.worker(concurrency=1)
    worker.start()
    [submission_id] = _submit_many(lab, 1)
    wait_until(lambda: _graded([submission_id]) == 1, timeout=120, message="graded")
    graded = Submission.objects.get(pk=submission_id)

    # when the broker delivers the same task again
    grade_submission.apply_async(args=[submission_id, str(graded.task_token)])
    time.sleep(5)

    # then the row is untouched
    again = Submission.objects.get(pk=submission_id)
    assert (again.finished_at, again.score, again.video.name, again.result) == (
        graded.finished_at,
        graded.score,
        graded.video.name,
        graded.result,
    )


@pytest.mark.parametrize("behaviour", ["flaky_5xx", "rate_limited"])
def test_a_flaky_hosted_backend_is_retried_by_a_real_worker_until_graded(stack, behaviour):
    from tests.fakes.video_apis import FakeVideoAPI

    with FakeVideoAPI(behaviour=behaviour, polls_to_complete=1) as fake:
        # given a worker whose openai_videos backend points at a fake that fails every other call
        stack.environment.update(OPENAI_VIDEOS_API_KEY=fake.api_key, OPENAI_VIDEOS_BASE_URL=fake.openai_base_url)
        lab = make_lab(slug=f"hosted-{behaviour.replace('_', '-')}", backend_alias="openai_videos")
        stack.worker(concurrency=1).start()
        # when an attempt is submitted (one: the fake fails every other call it receives)
        ids = _submit_many(lab, 1)
        states = wait_for_terminal(ids, timeout=240)
        created = len(fake.requests_for("openai.create"))
    # then it is retried within bounds and ends graded, with one accepted job
    assert states == {"graded": 1}
    submission = Submission.objects.get(pk=ids[0])
    assert 1 <= submission.retries <= 5
    assert submission.result["backend"]["alias"] == "openai_videos"
    assert created == 2  # one refused, one accepted: a retry polls the saved job, it does not create another
