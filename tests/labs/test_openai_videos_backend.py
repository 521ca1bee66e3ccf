"""Contract tests of the OpenAI Videos (Sora 2) backend against the local fake API."""

from __future__ import annotations

import email.utils
import time
from decimal import Decimal
from pathlib import Path

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
from labs.backends.openai_videos import OpenAIVideosBackend
from tests.fakes.video_apis import FakeVideoAPI, Reply

REQUEST = GenerationRequest(prompt="Un chat calicot joue du piano sur scène", duration_s=8, width=1280, height=720)


@pytest.fixture
def fake():
    with FakeVideoAPI(polls_to_complete=3) as server:
        yield server


def backend_for(fake: FakeVideoAPI, **options) -> OpenAIVideosBackend:
    return OpenAIVideosBackend(alias="openai_videos", **fake.options(openai=True, **options))


def run_to_completion(backend: OpenAIVideosBackend, job_ref: str) -> list:
    statuses = []
    for _ in range(10):
        statuses.append(backend.poll(job_ref))
        if statuses[-1].finished:
            break
    return statuses


def test_start_posts_multipart_form_with_seconds_as_a_string(fake):
    # when
    job_ref = backend_for(fake).start(REQUEST)

    # then
    (create,) = fake.requests_for("openai.create")
    assert create.content_type.startswith("multipart/form-data")
    assert create.headers["authorization"] == "Bearer test-key"
    assert create.form() == {"model": "sora-2", "prompt": REQUEST.prompt, "seconds": "8", "size": "1280x720"}
    assert job_ref.startswith("video_")


def test_poll_reports_growing_progress_until_completed(fake):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)

    statuses = run_to_completion(backend, job_ref)

    assert [status.state for status in statuses] == [JobState.RUNNING, JobState.RUNNING, JobState.SUCCEEDED]
    assert [status.progress for status in statuses] == [33, 66, 100]


def test_fetch_streams_a_playable_mp4_of_the_video_variant(fake, tmp_path: Path):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    run_to_completion(backend, job_ref)

    path = backend.fetch(job_ref, tmp_path / "videos" / "out.mp4")

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == (64, 36)
        assert sum(1 for _ in container.decode(stream)) == 12
    (download,) = fake.requests_for("openai.content")
    assert download.query == {"variant": ["video"]}
    assert download.headers["authorization"] == "Bearer test-key"
    assert not list(path.parent.glob(".download-*")), "no partial file is left behind"


def test_rate_limit_is_transient_with_retry_after_seconds(fake):
    fake.script("openai.create", Reply.error(429, "Rate limit reached", code="rate_limit_exceeded", Retry_After="7"))

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake).start(REQUEST)

    assert caught.value.code == "rate_limited"
    assert caught.value.retry_after == 7


def test_retry_after_as_http_date_becomes_seconds_from_now(fake):
    later = email.utils.formatdate(time.time() + 120, usegmt=True)
    fake.script("openai.create", Reply.error(429, "slow down", Retry_After=later))

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake).start(REQUEST)

    assert 100 <= caught.value.retry_after <= 121


def test_retry_after_ms_header_wins_over_retry_after(fake):
    fake.script("openai.create", Reply.error(429, "slow down", Retry_After="30", retry_after_ms="1500"))

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake).start(REQUEST)

    assert caught.value.retry_after == 1.5


@pytest.mark.parametrize("status", [500, 502, 503, 408, 409])
def test_server_errors_are_transient(fake, status):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    fake.script("openai.retrieve", Reply.error(status, "upstream trouble"))

    with pytest.raises(TransientBackendError):
        backend.poll(job_ref)


def test_polling_again_after_a_server_error_succeeds_because_poll_is_stateless(fake):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    fake.script("openai.retrieve", Reply.error(503, "overloaded"))
    with pytest.raises(TransientBackendError):
        backend.poll(job_ref)

    # a fresh instance, as in another worker process after a retry
    status = backend_for(fake).poll(job_ref)

    assert status.state is JobState.RUNNING


def test_read_timeout_is_transient_with_code_timeout(fake):
    fake.script("openai.retrieve", Reply.delayed(2.0))
    backend = backend_for(fake, read_timeout=0.2)

    started = time.monotonic()
    with pytest.raises(TransientBackendError) as caught:
        backend.poll("video_123")

    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 1.5


def test_refused_connection_is_transient_with_code_connection():
    with FakeVideoAPI() as server:
        options = server.options(openai=True)
    backend = OpenAIVideosBackend(**options)  # the server is gone: its port refuses connections

    with pytest.raises(TransientBackendError) as caught:
        backend.poll("video_123")

    assert caught.value.code == "connection"


def test_synchronous_moderation_refusal_is_policy_rejected(fake):
    fake.script(
        "openai.create",
        Reply.error(400, "Your request was blocked by our moderation system.", code="moderation_blocked"),
    )

    with pytest.raises(PolicyRejected):
        backend_for(fake).start(REQUEST)


def test_job_failed_by_moderation_is_policy_rejected(fake):
    backend = backend_for(fake)
    job_ref = backend.start(GenerationRequest(prompt="Un massacre", duration_s=4, width=1280, height=720))

    with pytest.raises(PolicyRejected) as caught:
        run_to_completion(backend, job_ref)

    assert "moderation_blocked" in str(caught.value)


def test_job_failed_for_another_reason_is_a_terminal_backend_error(fake):
    failed = {"id": "video_1", "status": "failed", "progress": 40, "error": {"code": "internal_error", "message": "x"}}
    fake.script("openai.retrieve", Reply.json(failed))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("video_1")

    assert type(caught.value) is BackendError
    assert caught.value.code == "generation_failed"


def test_html_instead_of_json_is_a_malformed_response(fake):
    fake.script("openai.retrieve", Reply.raw("<html>Bad gateway page</html>", content_type="text/html"))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("video_1")

    assert caught.value.code == "malformed_response"


def test_unknown_status_is_a_malformed_response(fake):
    fake.script("openai.retrieve", Reply.json({"id": "video_1", "status": "dreaming"}))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("video_1")

    assert caught.value.code == "malformed_response"


def test_create_answer_without_id_is_a_malformed_response(fake):
    fake.script("openai.create", Reply.json({"object": "video", "status": "queued"}))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).start(REQUEST)

    assert caught.value.code == "malformed_response"


@pytest.mark.parametrize("status", [404, 410])
def test_expired_download_is_backend_error_expired(fake, tmp_path, status):
    fake.script("openai.content", Reply.error(status, "gone"))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).fetch("video_1", tmp_path / "out.mp4")

    assert caught.value.code == "expired"
    assert not (tmp_path / "out.mp4").exists()


def test_wrong_key_is_an_auth_error_that_never_reveals_the_key(fake, caplog):
    secret = "sk-live-do-not-leak-123456"
    fake.api_key = secret  # the fake accepts it, then answers with an error that echoes it
    fake.script("openai.create", Reply.error(401, f"Incorrect API key provided: {secret}", code="invalid_api_key"))
    backend = backend_for(fake)

    with caplog.at_level("DEBUG"), pytest.raises(BackendError) as caught:
        backend.start(REQUEST)

    assert caught.value.code == "auth"
    assert secret not in str(caught.value)
    assert "Incorrect API key provided: ***" in str(caught.value)
    assert secret not in repr(backend)
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_unsupported_duration_is_refused_before_any_request(fake):
    with pytest.raises(UnsupportedRequest) as caught:
        backend_for(fake).start(GenerationRequest(prompt="Un phare", duration_s=5, width=1280, height=720))

    assert caught.value.code == "duration"
    assert fake.requests == []


def test_job_reference_that_could_escape_the_path_is_refused(fake):
    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll("../../files")

    assert caught.value.code == "invalid_job_ref"
    assert fake.requests == []


def test_portrait_tall_sizes_need_the_pro_model(fake):
    standard = backend_for(fake).capabilities
    pro = backend_for(fake, model="sora-2-pro").capabilities

    assert (1024, 1792) not in standard.sizes
    assert (1024, 1792) in pro.sizes
    assert standard.durations == (4, 8, 12)
    assert not standard.supports_seed


def test_cost_is_price_per_second_times_duration(fake):
    assert backend_for(fake).cost(REQUEST) == Decimal("0.80")
    assert backend_for(fake, model="sora-2-pro").cost(REQUEST) == Decimal("2.40")
    assert backend_for(fake, price_per_second="0.05").cost(REQUEST) == Decimal("0.40")


def test_hanging_server_behaviour_ends_in_a_timeout_and_stops_promptly():
    with FakeVideoAPI(behaviour="hang") as server:
        backend = OpenAIVideosBackend(**server.options(openai=True, read_timeout=0.2))

        with pytest.raises(TransientBackendError) as caught:
            backend.start(REQUEST)
        stopping = time.monotonic()

    assert caught.value.code == "timeout"
    assert time.monotonic() - stopping < 1.0
