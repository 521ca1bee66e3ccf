"""Contract tests of the fal, Replicate and Luma backends against the local fake API.

The failure cases every hosted backend must map the same way (progress, 429 with
Retry-After, 5xx, timeout, moderation refusal, malformed answer, expired download
URL) run for the three; each provider's own wire format has its own tests below.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from labs.backends.fal import FalBackend
from labs.backends.http import HostedBackend
from labs.backends.luma import LumaBackend
from labs.backends.replicate import ReplicateBackend
from tests.fakes.video_apis import FakeVideoAPI, Reply


@dataclass(frozen=True)
class Provider:
    name: str
    backend_class: type[HostedBackend]
    create_route: str
    poll_route: str
    request: GenerationRequest

    def backend(self, fake: FakeVideoAPI, **options) -> HostedBackend:
        base_url = {"fal": fake.fal_base_url, "luma": fake.luma_base_url}.get(self.name, fake.base_url)
        return self.backend_class(alias=self.name, **fake.options(base_url=base_url, **options))


PROVIDERS = [
    Provider(
        "fal",
        FalBackend,
        "fal.submit",
        "fal.status",
        GenerationRequest(prompt="Travelling lent sur un souk à l'aube", duration_s=5, width=1280, height=720),
    ),
    Provider(
        "replicate",
        ReplicateBackend,
        "replicate.create",
        "replicate.prediction",
        GenerationRequest(prompt="Travelling lent sur un souk à l'aube", duration_s=5, width=854, height=480, seed=7),
    ),
    Provider(
        "luma",
        LumaBackend,
        "luma.create",
        "luma.generation",
        GenerationRequest(prompt="Travelling lent sur un souk à l'aube", duration_s=5, width=960, height=540),
    ),
]
IDS = [provider.name for provider in PROVIDERS]


@pytest.fixture
def fake():
    with FakeVideoAPI(polls_to_complete=3) as server:
        yield server


def run_to_completion(backend, job_ref: str) -> list:
    statuses = []
    for _ in range(10):
        statuses.append(backend.poll(job_ref))
        if statuses[-1].finished:
            break
    return statuses


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_a_job_goes_from_queued_through_running_to_a_playable_mp4(fake, provider, tmp_path):
    backend = provider.backend(fake)
    job_ref = backend.start(provider.request)

    statuses = run_to_completion(backend, job_ref)
    path = backend.fetch(job_ref, tmp_path / "out.mp4")

    assert [status.state for status in statuses] == [JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED]
    assert statuses[-1].progress == 100
    with av.open(str(path)) as container:
        assert container.streams.video[0].width == 64
    (download,) = fake.requests_for("cdn.output")
    assert "authorization" not in download.headers, "CDN URLs must not receive the secret"


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if p.name != "luma"], ids=["fal", "replicate"])
def test_progress_is_read_from_the_model_logs(fake, provider):
    backend = provider.backend(fake)
    job_ref = backend.start(provider.request)

    backend.poll(job_ref)
    running = backend.poll(job_ref)

    assert running.state is JobState.RUNNING
    assert running.progress == 65 if provider.name == "replicate" else running.progress == 66


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_rate_limit_carries_retry_after(fake, provider):
    fake.script(provider.create_route, Reply.json({"detail": "Too many requests"}, 429, headers={"Retry-After": "7"}))

    with pytest.raises(TransientBackendError) as caught:
        provider.backend(fake).start(provider.request)

    assert caught.value.code == "rate_limited"
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(fake, provider, status):
    backend = provider.backend(fake)
    job_ref = backend.start(provider.request)
    fake.script(provider.poll_route, Reply.raw("upstream trouble", status))

    with pytest.raises(TransientBackendError) as caught:
        backend.poll(job_ref)

    assert caught.value.code == "server_error"


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_read_timeout_is_transient(fake, provider):
    fake.script(provider.create_route, Reply.delayed(2.0))

    with pytest.raises(TransientBackendError) as caught:
        provider.backend(fake, read_timeout=0.2).start(provider.request)

    assert caught.value.code == "timeout"


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_a_moderated_prompt_is_policy_rejected(fake, provider):
    backend = provider.backend(fake)
    job_ref = backend.start(
        GenerationRequest(
            prompt="Un massacre", duration_s=5, width=provider.request.width, height=provider.request.height
        )
    )

    with pytest.raises(PolicyRejected):
        run_to_completion(backend, job_ref)


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_synchronous_moderation_refusal_is_policy_rejected(fake, provider):
    fake.script(provider.create_route, Reply.json({"detail": "Prompt blocked by content moderation"}, 400))

    with pytest.raises(PolicyRejected):
        provider.backend(fake).start(provider.request)


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_truncated_json_is_a_malformed_response(fake, provider):
    backend = provider.backend(fake)
    job_ref = backend.start(provider.request)
    fake.script(provider.poll_route, Reply.raw('{"status": "IN_PROG', content_type="application/json"))

    with pytest.raises(BackendError) as caught:
        backend.poll(job_ref)

    assert caught.value.code == "malformed_response"


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_create_answer_without_an_id_is_a_malformed_response(fake, provider):
    fake.script(provider.create_route, Reply.json({"id": "../../etc", "request_id": "../../etc"}))

    with pytest.raises(BackendError) as caught:
        provider.backend(fake).start(provider.request)

    assert caught.value.code == "malformed_response"


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_expired_download_url_is_backend_error_expired(fake, provider, tmp_path):
    backend = provider.backend(fake)
    job_ref = backend.start(provider.request)
    run_to_completion(backend, job_ref)
    fake.script("cdn.output", Reply.raw("<Error>Request has expired</Error>", 403, content_type="application/xml"))

    with pytest.raises(BackendError) as caught:
        backend.fetch(job_ref, tmp_path / "out.mp4")

    assert caught.value.code == "expired"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_an_unsupported_duration_is_refused_before_any_request(fake, provider):
    with pytest.raises(UnsupportedRequest) as caught:
        provider.backend(fake).start(
            GenerationRequest(
                prompt="Un phare", duration_s=3, width=provider.request.width, height=provider.request.height
            )
        )

    assert caught.value.code == "duration"
    assert fake.requests == []


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_wrong_key_is_a_terminal_auth_error(fake, provider):
    with pytest.raises(BackendError) as caught:
        provider.backend(fake, api_key="wrong").start(provider.request)

    assert type(caught.value) is BackendError
    assert caught.value.code == "auth"
    assert "wrong" not in str(caught.value)


@pytest.mark.parametrize("provider", PROVIDERS, ids=IDS)
def test_cost_is_price_per_second_times_duration(fake, provider):
    assert provider.backend(fake, price_per_second="0.10").cost(provider.request) == Decimal("0.5000")
    assert provider.backend(fake).cost(provider.request) > 0


# -- fal ----------------------------------------------------------------------------


def test_fal_submits_to_the_full_model_id_and_polls_under_owner_and_app(fake):
    backend = PROVIDERS[0].backend(fake, model="fal-ai/kling-video/v2.1/standard/text-to-video")
    job_ref = backend.start(
        GenerationRequest(prompt="Un phare", duration_s=10, width=720, height=1280, negative_prompt="flou")
    )
    backend.poll(job_ref)

    (submit,) = fake.requests_for("fal.submit")
    assert submit.path == "/fal/fal-ai/kling-video/v2.1/standard/text-to-video"
    assert submit.headers["authorization"] == "Key test-key"
    assert submit.json() == {"prompt": "Un phare", "aspect_ratio": "9:16", "duration": "10", "negative_prompt": "flou"}
    (status,) = fake.requests_for("fal.status")
    assert status.path == f"/fal/fal-ai/kling-video/requests/{job_ref}/status"
    assert status.query == {"logs": ["1"]}


def test_fal_veo_sends_its_duration_with_a_unit_and_its_resolution(fake):
    backend = PROVIDERS[0].backend(fake, model="fal-ai/veo3/fast")
    backend.start(GenerationRequest(prompt="Un phare", duration_s=8, width=1920, height=1080, seed=3))

    (submit,) = fake.requests_for("fal.submit")
    assert submit.json() == {
        "prompt": "Un phare",
        "aspect_ratio": "16:9",
        "duration": "8s",
        "resolution": "1080p",
        "seed": 3,
    }


def test_fal_completed_with_a_content_policy_error_is_policy_rejected(fake):
    fake.script(
        "fal.status", Reply.json({"status": "COMPLETED", "error": "flagged", "error_type": "content_policy_violation"})
    )

    with pytest.raises(PolicyRejected):
        PROVIDERS[0].backend(fake).poll("0b5e7a2c-1111-4a4a-9c9c-000000000000")


def test_fal_completed_without_a_video_is_a_malformed_response(fake):
    backend = PROVIDERS[0].backend(fake)
    job_ref = backend.start(PROVIDERS[0].request)
    fake.script("fal.status", Reply.json({"status": "COMPLETED"}))
    fake.script("fal.result", Reply.json({"images": []}))

    with pytest.raises(BackendError) as caught:
        backend.poll(job_ref)

    assert caught.value.code == "malformed_response"


def test_fal_cancel_uses_put_on_the_cancel_url(fake):
    backend = PROVIDERS[0].backend(fake)
    job_ref = backend.start(PROVIDERS[0].request)

    backend.cancel(job_ref)

    (cancel,) = fake.requests_for("fal.cancel")
    assert cancel.method == "PUT"


def test_fal_durations_can_be_configured_for_an_unknown_model(fake):
    backend = PROVIDERS[0].backend(fake, model="acme/new-video-model", durations="4,8")

    assert backend.capabilities.durations == (4.0, 8.0)
    assert backend.cost(PROVIDERS[0].request) is None


# -- Replicate --------------------------------------------------------------------------


def test_replicate_creates_an_official_model_prediction_with_its_input(fake):
    PROVIDERS[1].backend(fake).start(PROVIDERS[1].request)

    (create,) = fake.requests_for("replicate.create")
    assert create.path == "/v1/models/bytedance/seedance-1-lite/predictions"
    assert create.headers["authorization"] == "Bearer test-key"
    assert create.json() == {
        "input": {
            "prompt": PROVIDERS[1].request.prompt,
            "aspect_ratio": "16:9",
            "duration": 5,
            "resolution": "480p",
            "seed": 7,
        }
    }


def test_replicate_pinned_version_uses_the_predictions_endpoint(fake):
    version = "a" * 64
    PROVIDERS[1].backend(fake, model=f"acme/video:{version}", durations="5").start(
        GenerationRequest(prompt="Un phare", duration_s=5, width=1280, height=720)
    )

    (create,) = fake.requests_for("replicate.create_version")
    assert create.json()["version"] == version


def test_replicate_prefer_wait_header_is_sent_when_configured(fake):
    PROVIDERS[1].backend(fake, prefer_wait=30).start(PROVIDERS[1].request)

    (create,) = fake.requests_for("replicate.create")
    assert create.headers["prefer"] == "wait=30"


@pytest.mark.parametrize("status", ["canceled", "aborted"])
def test_replicate_canceled_prediction_is_a_backend_error(fake, status):
    fake.script("replicate.prediction", Reply.json({"id": "abcdefghij0123", "status": status, "error": None}))

    with pytest.raises(BackendError) as caught:
        PROVIDERS[1].backend(fake).poll("abcdefghij0123")

    assert caught.value.code == "cancelled"


def test_replicate_failure_for_another_reason_is_generation_failed(fake):
    fake.script(
        "replicate.prediction", Reply.json({"id": "abcdefghij0123", "status": "failed", "error": "CUDA out of memory"})
    )

    with pytest.raises(BackendError) as caught:
        PROVIDERS[1].backend(fake).poll("abcdefghij0123")

    assert type(caught.value) is BackendError
    assert caught.value.code == "generation_failed"


def test_replicate_output_as_a_list_is_accepted(fake, tmp_path):
    backend = PROVIDERS[1].backend(fake)
    job_ref = backend.start(PROVIDERS[1].request)
    run_to_completion(backend, job_ref)
    fake.script(
        "replicate.prediction",
        Reply.json(
            {"id": job_ref, "status": "succeeded", "output": [f"{fake.base_url}/assets/replicate/{job_ref}.mp4"]}
        ),
    )

    assert backend.fetch(job_ref, tmp_path / "out.mp4").stat().st_size > 0


# -- Luma -------------------------------------------------------------------------------------


def test_luma_posts_the_ray_generation_body(fake):
    PROVIDERS[2].backend(fake, model="ray-flash-2").start(
        GenerationRequest(prompt="Un phare", duration_s=9, width=720, height=1280)
    )

    (create,) = fake.requests_for("luma.create")
    assert create.path == "/dream-machine/v1/generations/video"
    assert create.headers["authorization"] == "Bearer test-key"
    assert create.json() == {
        "model": "ray-flash-2",
        "prompt": "Un phare",
        "aspect_ratio": "9:16",
        "duration": "9s",
        "resolution": "720p",
        "loop": False,
    }


def test_luma_failure_without_moderation_is_generation_failed(fake):
    fake.script(
        "luma.generation",
        Reply.json(
            {"id": "0b5e7a2c-1111-4a4a-9c9c-000000000000", "state": "failed", "failure_reason": "Internal server error"}
        ),
    )

    with pytest.raises(BackendError) as caught:
        PROVIDERS[2].backend(fake).poll("0b5e7a2c-1111-4a4a-9c9c-000000000000")

    assert type(caught.value) is BackendError
    assert caught.value.code == "generation_failed"


def test_luma_completed_without_a_video_asset_is_malformed(fake):
    fake.script(
        "luma.generation",
        Reply.json(
            {
                "id": "0b5e7a2c-1111-4a4a-9c9c-000000000000",
                "state": "completed",
                "assets": {"image": "https://cdn/x.jpg"},
            }
        ),
    )

    with pytest.raises(BackendError) as caught:
        PROVIDERS[2].backend(fake).poll("0b5e7a2c-1111-4a4a-9c9c-000000000000")

    assert caught.value.code == "malformed_response"


def test_luma_sizes_follow_its_resolutions_and_aspect_ratios(fake):
    sizes = PROVIDERS[2].backend(fake).capabilities.sizes

    assert {(960, 540), (1280, 720), (1920, 1080), (540, 960), (720, 720)} <= set(sizes)


# -- configuration and what the lab page says --------------------------------------------


@pytest.mark.django_db
def test_the_lab_page_names_the_model_that_renders(client, settings):
    from tests.factories import EnrolmentFactory, UserFactory
    from tests.labs.factories import LabFactory

    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
        "luma-ray-flash-2": {"BACKEND": "labs.backends.luma.LumaBackend", "OPTIONS": {"model": "ray-flash-2"}},
    }
    lab = LabFactory(backend_alias="luma-ray-flash-2", duration_s=5)
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=lab.course)
    client.force_login(learner)

    page = client.get(lab.get_absolute_url()).content.decode()

    assert "Luma Dream Machine (Ray) — ray-flash-2" in page
    assert "Simulation" not in page


def test_trainers_choose_among_backends_labelled_with_their_model(settings):
    from labs.backends import backend_choices

    settings.VIDEO_BACKENDS = {
        "fal": {"BACKEND": "labs.backends.fal.FalBackend", "OPTIONS": {"model": "fal-ai/veo3/fast"}},
        "replicate": {"BACKEND": "labs.backends.replicate.ReplicateBackend", "OPTIONS": {}},
    }

    assert [(alias, str(label)) for alias, label in backend_choices()] == [
        ("fal", "fal (file d'attente, modèle au choix) — fal-ai/veo3/fast"),
        ("replicate", "Replicate (prédictions, modèle au choix) — bytedance/seedance-1-lite"),
    ]
