"""Contract tests of the Veo (Gemini API long-running operation) backend against the local fake API."""

from __future__ import annotations

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
from labs.backends.veo import VeoBackend
from tests.fakes.video_apis import FakeVideoAPI, Reply, tiny_mp4

REQUEST = GenerationRequest(
    prompt="Plan large d'un souk de Marrakech à l'aube, travelling latéral lent",
    duration_s=8,
    width=1280,
    height=720,
    negative_prompt="texte incrusté, filigrane",
)
OPERATION = "models/veo-3.1-fast-generate-preview/operations/abc123"


@pytest.fixture
def fake():
    with FakeVideoAPI(polls_to_complete=3) as server:
        yield server


def backend_for(fake: FakeVideoAPI, **options) -> VeoBackend:
    return VeoBackend(alias="veo", **fake.options(**options))


def run_to_completion(backend: VeoBackend, job_ref: str) -> list:
    statuses = []
    for _ in range(10):
        statuses.append(backend.poll(job_ref))
        if statuses[-1].finished:
            break
    return statuses


def done(generate_video_response: dict) -> Reply:
    return Reply.json({"name": OPERATION, "done": True, "response": {"generateVideoResponse": generate_video_response}})


def test_start_sends_the_key_header_and_the_documented_body(fake):
    job_ref = backend_for(fake).start(REQUEST)

    (create,) = fake.requests_for("veo.create")
    assert create.path == "/v1beta/models/veo-3.1-fast-generate-preview:predictLongRunning"
    assert create.headers["x-goog-api-key"] == "test-key"
    assert "authorization" not in create.headers
    assert create.json() == {
        "instances": [{"prompt": REQUEST.prompt}],
        "parameters": {
            "aspectRatio": "16:9",
            "resolution": "720p",
            "durationSeconds": 8,
            "sampleCount": 1,
            "personGeneration": "dont_allow",
            "negativePrompt": "texte incrusté, filigrane",
        },
    }
    assert job_ref.startswith("models/veo-3.1-fast-generate-preview/operations/")


def test_poll_runs_until_the_operation_is_done(fake):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)

    statuses = run_to_completion(backend, job_ref)

    assert [status.state for status in statuses] == [JobState.RUNNING, JobState.RUNNING, JobState.SUCCEEDED]
    assert statuses[-1].progress == 100


def test_fetch_downloads_the_sample_with_the_api_key(fake, tmp_path):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    run_to_completion(backend, job_ref)

    path = backend.fetch(job_ref, tmp_path / "out.mp4")

    with av.open(str(path)) as container:
        assert container.streams.video[0].height == 36
    (download,) = fake.requests_for("veo.download")
    assert download.headers["x-goog-api-key"] == "test-key"
    assert download.query == {"alt": ["media"]}


def test_download_redirected_to_another_host_does_not_carry_the_key(fake, tmp_path):
    with FakeVideoAPI() as cdn:
        fake.script(
            "veo.operation",
            done({"generatedSamples": [{"video": {"uri": f"{fake.base_url}/v1beta/files/f1:download"}}]}),
        )
        fake.script("veo.download", Reply(status=302, headers={"Location": f"{cdn.base_url}/assets/runway/f1.mp4"}))
        cdn.script("runway.output", Reply.raw(tiny_mp4(), content_type="video/mp4"))

        backend_for(fake).fetch(OPERATION, tmp_path / "out.mp4")

        (redirected,) = cdn.requests_for("runway.output")
    assert "x-goog-api-key" not in redirected.headers
    assert (tmp_path / "out.mp4").read_bytes() == tiny_mp4()


def test_download_over_the_size_limit_is_refused(fake, tmp_path):
    backend = backend_for(fake, max_download_bytes=1000)
    job_ref = backend.start(REQUEST)
    run_to_completion(backend, job_ref)

    with pytest.raises(BackendError) as caught:
        backend.fetch(job_ref, tmp_path / "out.mp4")

    assert caught.value.code == "too_large"
    assert list(tmp_path.iterdir()) == []


def test_rate_limit_is_transient(fake):
    fake.script(
        "veo.create",
        Reply.json({"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}, 429),
    )

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake).start(REQUEST)

    assert caught.value.code == "rate_limited"


def test_unavailable_is_transient(fake):
    fake.script("veo.operation", Reply.json({"error": {"code": 503, "message": "Unavailable"}}, 503))

    with pytest.raises(TransientBackendError):
        backend_for(fake).poll(OPERATION)


def test_read_timeout_is_transient_with_code_timeout(fake):
    fake.script("veo.operation", Reply.delayed(2.0))

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake, read_timeout=0.2).poll(OPERATION)

    assert caught.value.code == "timeout"


@pytest.mark.parametrize("rpc_code", [8, 14])
def test_operation_failed_for_capacity_is_retryable_by_starting_again(fake, rpc_code):
    fake.script(
        "veo.operation", Reply.json({"name": OPERATION, "done": True, "error": {"code": rpc_code, "message": "busy"}})
    )

    with pytest.raises(TransientBackendError) as caught:
        backend_for(fake).poll(OPERATION)

    assert caught.value.code == "job_failed_retryable"


def test_operation_failed_for_a_bad_argument_is_terminal(fake):
    error = {"code": 3, "message": "durationSeconds out of range"}
    fake.script("veo.operation", Reply.json({"name": OPERATION, "done": True, "error": error}))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll(OPERATION)

    assert type(caught.value) is BackendError
    assert caught.value.code == "generation_failed"


def test_video_removed_by_responsible_ai_filter_is_policy_rejected(fake):
    backend = backend_for(fake)
    job_ref = backend.start(GenerationRequest(prompt="Un massacre", duration_s=8, width=1280, height=720))

    with pytest.raises(PolicyRejected) as caught:
        run_to_completion(backend, job_ref)

    assert "may violate our policies" in str(caught.value)


def test_synchronous_safety_refusal_is_policy_rejected(fake):
    error = {"code": 400, "message": "The prompt was blocked by safety filters.", "status": "INVALID_ARGUMENT"}
    fake.script("veo.create", Reply.json({"error": error}, 400))

    with pytest.raises(PolicyRejected):
        backend_for(fake).start(REQUEST)


def test_done_operation_without_samples_is_a_malformed_response(fake):
    fake.script("veo.operation", done({"generatedSamples": []}))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).poll(OPERATION)

    assert caught.value.code == "malformed_response"


def test_create_answer_with_an_unexpected_name_is_a_malformed_response(fake):
    fake.script("veo.create", Reply.json({"name": "../../secrets"}))

    with pytest.raises(BackendError) as caught:
        backend_for(fake).start(REQUEST)

    assert caught.value.code == "malformed_response"


def test_expired_file_is_backend_error_expired(fake, tmp_path):
    backend = backend_for(fake)
    job_ref = backend.start(REQUEST)
    run_to_completion(backend, job_ref)
    fake.script("veo.download", Reply.json({"error": {"code": 404, "message": "File not found"}}, 404))

    with pytest.raises(BackendError) as caught:
        backend.fetch(job_ref, tmp_path / "out.mp4")

    assert caught.value.code == "expired"


def test_1080p_is_only_offered_at_eight_seconds(fake):
    with pytest.raises(UnsupportedRequest) as caught:
        backend_for(fake).start(GenerationRequest(prompt="Un phare", duration_s=4, width=1920, height=1080))

    assert caught.value.code == "duration"
    assert fake.requests == []


def test_person_generation_can_be_left_to_the_provider_default(fake):
    backend_for(fake, person_generation="").start(REQUEST)

    (create,) = fake.requests_for("veo.create")
    assert "personGeneration" not in create.json()["parameters"]
