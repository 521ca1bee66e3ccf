"""Misbehaving video APIs, through the real task and its retry policy, against local fake servers.

Each backend is retried within bounds; a final failure ends ``failed`` with a
clear message and does not use up an attempt.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from courses.models import Step
from labs.models import Criterion, Lab, Submission
from labs.services.submissions import submit_attempt
from labs.tasks import MAX_RETRIES, grade_submission
from tests.factories import StepFactory, UserFactory
from tests.fakes.video_apis import FakeVideoAPI, Reply

pytestmark = pytest.mark.django_db

PROMPT = "Plan large d'un marché aux épices à Marrakech à l'aube, un marchand verse du cumin, travelling latéral lent."


@pytest.fixture
def fast_retries(settings):
    settings.LAB_RETRY_BACKOFF_SECONDS = 0.01


def _lab_on(settings, fake: FakeVideoAPI, *, read_timeout: float = 0.5) -> Lab:
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
        "sora": {
            "BACKEND": "labs.backends.openai_videos.OpenAIVideosBackend",
            "OPTIONS": fake.options(openai=True, read_timeout=read_timeout),
        },
    }
    step = StepFactory(kind=Step.Kind.LAB, title="Labo hébergé")
    lab = Lab.objects.create(
        step=step,
        slug=f"hosted-{uuid.uuid4().hex[:6]}",
        brief="…",
        duration_s=Decimal("4"),
        backend_alias="sora",
        pass_mark=50,
        max_attempts=2,
    )
    Criterion.objects.create(lab=lab, kind="anatomy", element="setting", weight=50)
    Criterion.objects.create(lab=lab, kind="policy", weight=50)
    return lab


def _run(lab, django_capture_on_commit_callbacks) -> Submission:
    learner = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        submission = submit_attempt(learner=learner, lab=lab, prompt=PROMPT, client_token=uuid.uuid4().hex)
    grade_submission.apply(args=[submission.pk, str(submission.task_token)])
    submission.refresh_from_db()
    return submission


def _assert_failed_without_cost(submission: Submission, code: str) -> None:
    assert submission.state == Submission.State.FAILED
    assert submission.error_code == code
    assert submission.counts_as_attempt is False
    assert "n'est pas décomptée" in submission.error_message


@pytest.mark.parametrize(("behaviour", "code"), [("hang", "timeout"), ("slow", "timeout")])
def test_a_backend_that_hangs_or_times_out_is_retried_then_fails_without_cost(
    behaviour, code, settings, fast_retries, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with FakeVideoAPI(behaviour=behaviour) as fake:
        lab = _lab_on(settings, fake, read_timeout=0.2)
        submission = _run(lab, django_capture_on_commit_callbacks)
        create_calls = len(fake.requests_for("openai.create"))
    _assert_failed_without_cost(submission, code)
    assert create_calls == MAX_RETRIES + 1  # bounded


def test_a_backend_with_5xx_then_success_ends_graded(
    settings, fast_retries, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    with FakeVideoAPI(behaviour="flaky_5xx", polls_to_complete=2) as fake:
        lab = _lab_on(settings, fake)
        submission = _run(lab, django_capture_on_commit_callbacks)
    assert submission.state == Submission.State.GRADED
    assert submission.retries >= 1
    assert submission.result["backend"]["alias"] == "sora"


def _recording_backoff(monkeypatch) -> list[float]:
    from labs import tasks

    countdowns: list[float] = []
    original = tasks._backoff

    def record(retries, retry_after):
        countdowns.append(original(retries, retry_after))
        return 0  # do not actually wait in the test

    monkeypatch.setattr(tasks, "_backoff", record)
    return countdowns


def test_a_429_with_retry_after_is_honoured_then_the_attempt_succeeds(
    settings, fast_retries, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    countdowns = _recording_backoff(monkeypatch)
    settings.MEDIA_ROOT = tmp_path
    with FakeVideoAPI(behaviour="rate_limited", polls_to_complete=1) as fake:
        lab = _lab_on(settings, fake)
        submission = _run(lab, django_capture_on_commit_callbacks)
    assert submission.state == Submission.State.GRADED
    assert countdowns and all(c == 1.0 for c in countdowns)  # the provider's Retry-After, not our backoff


def test_a_backend_that_keeps_answering_429_fails_without_cost(
    settings, fast_retries, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    countdowns = _recording_backoff(monkeypatch)
    settings.MEDIA_ROOT = tmp_path
    with FakeVideoAPI() as fake:
        fake.script("openai.create", *[Reply.error(429, "slow down", code="rate_limit_exceeded", Retry_After="2")] * 10)
        lab = _lab_on(settings, fake)
        submission = _run(lab, django_capture_on_commit_callbacks)
    _assert_failed_without_cost(submission, "rate_limited")
    assert countdowns == [2.0] * MAX_RETRIES
