"""Tests of the omni-moderation client against the local fake API."""

from __future__ import annotations

import pytest

from labs.backends.base import BackendError, TransientBackendError
from labs.grading.moderation import ModerationClient, get_moderation_client
from tests.fakes.video_apis import FakeVideoAPI, Reply


@pytest.fixture
def fake():
    with FakeVideoAPI() as server:
        yield server


def client_for(fake: FakeVideoAPI, **kwargs) -> ModerationClient:
    return ModerationClient(api_key=fake.api_key, base_url=fake.openai_base_url, **kwargs)


def test_flagged_text_lists_the_flagged_categories_and_scores(fake):
    result = client_for(fake).check("Une scène de massacre dans la rue")

    assert result.flagged is True
    assert result.categories == ["violence", "violence/graphic"]
    assert result.scores["violence"] == pytest.approx(0.91)
    assert result.scores["sexual"] == pytest.approx(0.001)


def test_clean_text_is_not_flagged(fake):
    result = client_for(fake).check("Un café fume sur une table en terrasse, lumière du matin")

    assert result.flagged is False
    assert result.categories == []


def test_request_carries_model_input_and_bearer_key(fake):
    client_for(fake).check("Bonjour")

    (request,) = fake.requests_for("moderation")
    assert request.headers["authorization"] == "Bearer test-key"
    assert request.json() == {"model": "omni-moderation-latest", "input": "Bonjour"}


def test_rate_limit_is_transient_with_retry_after(fake):
    fake.script("moderation", Reply.error(429, "Rate limit", Retry_After="3"))

    with pytest.raises(TransientBackendError) as caught:
        client_for(fake).check("Bonjour")

    assert caught.value.retry_after == 3


def test_server_error_is_transient(fake):
    fake.script("moderation", Reply.error(500, "oops"))

    with pytest.raises(TransientBackendError):
        client_for(fake).check("Bonjour")


def test_timeout_is_transient(fake):
    fake.script("moderation", Reply.delayed(2.0))

    with pytest.raises(TransientBackendError) as caught:
        client_for(fake, read_timeout=0.2).check("Bonjour")

    assert caught.value.code == "timeout"


def test_answer_without_results_is_malformed(fake):
    fake.script("moderation", Reply.json({"id": "modr-1", "results": []}))

    with pytest.raises(BackendError) as caught:
        client_for(fake).check("Bonjour")

    assert caught.value.code == "malformed_response"


def test_auth_failure_never_shows_or_logs_the_key(fake, caplog):
    secret = "sk-moderation-secret-987"
    fake.api_key = secret
    fake.script("moderation", Reply.error(401, f"Incorrect API key provided: {secret}"))
    client = ModerationClient(api_key=secret, base_url=fake.openai_base_url)

    with caplog.at_level("DEBUG"), pytest.raises(BackendError) as caught:
        client.check("Bonjour")

    assert caught.value.code == "auth"
    assert secret not in str(caught.value)
    assert secret not in repr(client)
    assert all(secret not in record.getMessage() for record in caplog.records)


def test_no_client_without_an_api_key(settings):
    settings.MODERATION = {"api_key": "", "base_url": "https://api.openai.com/v1", "model": "omni-moderation-latest"}

    assert get_moderation_client() is None


def test_client_follows_the_settings_and_their_overrides(settings, fake):
    settings.MODERATION = {
        "api_key": "test-key",
        "base_url": fake.openai_base_url,
        "model": "omni-moderation-2024-09-26",
    }
    first = get_moderation_client()
    assert get_moderation_client() is first  # built once

    settings.MODERATION = {"api_key": "test-key", "base_url": fake.openai_base_url, "model": "omni-moderation-latest"}
    second = get_moderation_client()

    assert second is not first
    assert second.model == "omni-moderation-latest"
    assert second.check("Bonjour").flagged is False
