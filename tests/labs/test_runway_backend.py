"""Contract tests of the Runway backend against the local fake API."""

from __future__ import annotations

import email.utils
import time
from decimal import Decimal

import av
import pytest

from labs.backends.base import (
    BackendError,
    GenerationRequest,
    JobState,
    PolicyRejected,
    TransientBackendError,
    UnsupportedRequest,
)
from labs.backends.runway import RunwayBackend
from tests.fakes.video_apis import FakeVideoAPI, Reply

REQUEST = GenerationRequest(
    prompt="La caméra à l'épaule suit un taureau mécanique qui court dans le désert",
    duration_s=5,
    width=1280,
    height=720,
    seed=42,
)


@pytest.fixture
def fake():
    with FakeVideoAPI(polls_to_complete=3) as server:
        yield server


def backend_for(fake: FakeVideoAPI, **options) -> RunwayBackend:
    return RunwayBackend(alias="runway", **fake.options(**options))


def run_to_completion(backend: RunwayBackend, job_ref: str) -> list:
    statuses = []
    for _ in range(10):
        statuses.append(backend.poll(job_ref))
        if statuses[-1].finished:
            break
    return statuses


def task(status: str, **fields) -> Reply:
    return Reply.json({"id": "5f1c2a2e-0000-4000-8000-000000000000", "status": status, **fields})


def test_start_sends_the_versioned_json_contract(fake):
    backend_for(fake).start(REQUEST)

    (create,) = fake.requests_for("runway.create")
    assert create.headers["authorization"] == "Bearer test-key"
    assert create.headers["x-runway-version"] == "2024-11-06"
    assert create.json() == {
        "model": "gen4.5",
        "promptText": REQUEST.prompt,
        "ratio": "1280:720",
        "duration": 5,
        "seed": 42,
    }


def test_seed_is_left_out_when_the_request_has_none(fake):
    backend_for(fake).start(GenerationRequest(prompt="Un phare", duration_s=5, width=720, height=1280))

    (create,) = fake.requests_for("runway.create")
    assert "seed" not in create.json()
    assert create.json()["ratio"] == "720:1280"


def test_poll_goes_from_pending_to_running_progress_to_succeeded(fake):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)

    statuses = run_to_completion(backend, job_ref)

    assert [(status.state, status.progress) for status in statuses] == [
        (JobState.QUEUED, 0),
        (JobState.RUNNING, 67),
        (JobState.SUCCEEDED, 100),
    ]


def test_throttled_task_is_reported_as_queued(fake):
    fake.script("runway.task", task("THROTTLED"))

    assert backend_for(fake).poll("5f1c2a2e-0000-4000-8000-000000000000").state is JobState.QUEUED


def test_fetch_downloads_the_output_without_sending_the_api_key(fake, tmp_path):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    run_to_completion(backend, job_ref)

    path = backend.fetch(job_ref, tmp_path / "out.mp4")

    with av.open(str(path)) as container:
        assert container.streams.video[0].width == 64
    (download,) = fake.requests_for("runway.output")
    assert "authorization" not in download.headers, "pre-signed URLs must not receive the secret"


def test_rate_limit_with_http_date_retry_after_is_transient(fake):
    later = email.utils.formatdate(time.time() + 60, usegmt=True)
    fake.script("runway.create", Reply.json({"error": "Too many requests"}, 429, headers={"Retry-After": later}))

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake).start(REQUEST)

    assert caught.value.code == "rate_limited"
    assert 40 <= caught.value.retry_after <= 61


def test_bad_gateway_is_transient(fake):
    fake.script("runway.task", Reply.raw("bad gateway", 502))

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake).poll("5f1c2a2e-0000-4000-8000-000000000000")

    assert caught.value.code == "server_error"


def test_read_timeout_is_transient_with_code_timeout(fake):
    fake.script("runway.create", Reply.delayed(2.0))

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake, read_timeout=0.2).start(REQUEST)

    assert caught.value.code == "timeout"


@pytest.mark.parametrize(
    "failure_code", ["SAFETY.INPUT.TEXT", "SAFETY.OUTPUT.VIDEO", "INPUT_PREPROCESSING.SAFETY.TEXT"]
)
def test_safety_failures_are_policy_rejected(fake, failure_code):
    fake.script("runway.task", task("FAILED", failure="Flagged by moderation", failureCode=failure_code))

    with pytest.raises(PolicyRejected) as caught:
        backend_for(fake).poll("5f1c2a2e-0000-4000-8000-000000000000")

    assert failure_code in str(caught.value)


def test_fake_blocks_a_moderated_prompt_after_the_usual_polls(fake):
    backend = backend_for(fake)
    job_ref = backend.start(GenerationRequest(prompt="Un massacre", duration_s=5, width=1280, height=720))

    with pytest.raises(PolicyRejected):
        run_to_completion(backend, job_ref)


def test_internal_failure_is_a_terminal_backend_error(fake):
    fake.script("runway.task", task("FAILED", failure="An internal error occurred", failureCode="INTERNAL.BAD_OUTPUT"))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("5f1c2a2e-0000-4000-8000-000000000000")

    assert type(caught.value) is BackendError
    assert caught.value.code == "generation_failed"


def test_cancelled_task_is_a_backend_error(fake):
    fake.script("runway.task", task("CANCELLED"))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("5f1c2a2e-0000-4000-8000-000000000000")

    assert caught.value.code == "cancelled"


def test_success_without_output_is_a_malformed_response(fake):
    fake.script("runway.task", task("SUCCEEDED", output=[]))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("5f1c2a2e-0000-4000-8000-000000000000")

    assert caught.value.code == "malformed_response"


def test_truncated_json_is_a_malformed_response(fake):
    fake.script("runway.task", Reply.raw('{"id": "x", "status": "RUNN', content_type="application/json"))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("5f1c2a2e-0000-4000-8000-000000000000")

    assert caught.value.code == "malformed_response"


@pytest.mark.parametrize("status", [403, 404, 410])
def test_expired_output_url_is_backend_error_expired(fake, tmp_path, status):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    run_to_completion(backend, job_ref)
    fake.script(
        "runway.output", Reply.raw("<Error>Request has expired</Error>", status, content_type="application/xml")
    )

    with pytest.raises(BackendError) as caught:
        backend.fetch(job_ref, tmp_path / "out.mp4")

    assert caught.value.code == "expired"


def test_output_that_is_not_an_mp4_is_a_malformed_response(fake, tmp_path):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    run_to_completion(backend, job_ref)
    fake.script("runway.output", Reply.raw("<html>Sign in</html>", content_type="text/html"))

    with pytest.raises(BackendError) as caught:
        backend.fetch(job_ref, tmp_path / "out.mp4")

    assert caught.value.code == "malformed_response"
    assert list(tmp_path.iterdir()) == []


def test_fetch_before_success_is_not_ready(fake, tmp_path):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)

    with pytest.raises(BackendError) as caught:
        backend.fetch(job_ref, tmp_path / "out.mp4")

    assert caught.value.code == "not_ready"


def test_prompt_over_runway_limit_is_refused_before_any_request(fake):
    with pytest.raises(UnsupportedRequest) as caught:
        backend_for(fake).start(GenerationRequest(prompt="a" * 1001, duration_s=5, width=1280, height=720))

    assert caught.value.code == "prompt_too_long"
    assert fake.requests == []


def test_veo_models_through_runway_have_fixed_durations(fake):
    capabilities = backend_for(fake, model="veo3.1_fast").capabilities

    assert capabilities.durations == (4, 6, 8)
    assert (1920, 1080) in capabilities.sizes


def test_cost_uses_configured_price(fake):
    assert backend_for(fake, price_per_second="0.05").cost(REQUEST) == Decimal("0.25")


@pytest.mark.parametrize(("behaviour", "code"), [("flaky_5xx", "server_error"), ("rate_limited", "rate_limited")])
def test_standalone_fault_behaviours_fail_every_other_call(behaviour, code):
    with FakeVideoAPI(behaviour=behaviour) as server:
        backend = RunwayBackend(**server.options())

        with pytest.raises(TransientBackendError) as caught:
            backend.start(REQUEST)
        job_ref = backend.start(REQUEST)

    assert caught.value.code == code
    assert job_ref
