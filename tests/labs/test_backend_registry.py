"""Tests of the video-backend registry (settings.VIDEO_BACKENDS)."""

from __future__ import annotations

import pytest

from labs.backends import UnknownBackend, backend_choices, get_backend
from labs.backends.base import BackendError, Capabilities, VideoBackend
from labs.backends.runway import RunwayBackend


class EchoBackend(VideoBackend):
    """A do-nothing backend the registry can load by dotted path."""

    label = "Écho"

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities()


class NotABackend:
    label = "Rien"


HERE = "tests.labs.test_backend_registry"


@pytest.fixture
def echo_settings(settings):
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": f"{HERE}.EchoBackend", "OPTIONS": {"colour": "amber"}},
        "second": {"BACKEND": f"{HERE}.EchoBackend"},
    }
    return settings


def test_get_backend_builds_the_configured_class_with_its_options(echo_settings):
    backend = get_backend()

    assert isinstance(backend, EchoBackend)
    assert backend.alias == "default"
    assert backend.options == {"colour": "amber"}


def test_instances_are_cached_per_alias(echo_settings):
    assert get_backend("default") is get_backend("default")
    assert get_backend("second") is not get_backend("default")


def test_overriding_the_setting_drops_cached_instances(echo_settings):
    before = get_backend()

    echo_settings.VIDEO_BACKENDS = {"default": {"BACKEND": f"{HERE}.EchoBackend", "OPTIONS": {"colour": "cream"}}}

    after = get_backend()
    assert after is not before
    assert after.options == {"colour": "cream"}


def test_unknown_alias_names_the_configured_ones(echo_settings):
    with pytest.raises(UnknownBackend) as caught:
        get_backend("sora")

    assert isinstance(caught.value, BackendError)
    assert "'sora'" in str(caught.value)
    assert "default, second" in str(caught.value)


def test_unimportable_backend_fails_alone(echo_settings):
    echo_settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": f"{HERE}.EchoBackend"},
        "gpu": {"BACKEND": "labs.backends.not_installed.MissingBackend"},
    }

    with pytest.raises(UnknownBackend, match="cannot import"):
        get_backend("gpu")
    assert isinstance(get_backend("default"), EchoBackend)


def test_a_class_that_is_not_a_video_backend_is_refused(settings):
    settings.VIDEO_BACKENDS = {"default": {"BACKEND": f"{HERE}.NotABackend"}}

    with pytest.raises(UnknownBackend, match="not a VideoBackend"):
        get_backend()


def test_choices_list_loadable_backends_with_their_labels(settings):
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": f"{HERE}.EchoBackend"},
        "gpu": {"BACKEND": "labs.backends.not_installed.MissingBackend"},
        "runway": {"BACKEND": "labs.backends.runway.RunwayBackend", "OPTIONS": {"api_key": "k"}},
    }

    choices = backend_choices()

    assert [alias for alias, _ in choices] == ["default", "runway"]
    assert dict(choices)["default"] == "Écho"
    assert isinstance(dict(choices)["runway"], str)


def test_hosted_backends_receive_their_options_from_the_registry(settings):
    settings.VIDEO_BACKENDS = {
        "runway": {
            "BACKEND": "labs.backends.runway.RunwayBackend",
            "OPTIONS": {"api_key": "k", "base_url": "http://127.0.0.1:9/", "model": "veo3.1", "read_timeout": 7},
        }
    }

    backend = get_backend("runway")

    assert isinstance(backend, RunwayBackend)
    assert backend.model == "veo3.1"
    assert backend.http.settings.base_url == "http://127.0.0.1:9"
    assert backend.http.timeout == (5.0, 7.0)


@pytest.mark.parametrize(
    "dotted_path",
    [
        "labs.backends.openai_videos.OpenAIVideosBackend",
        "labs.backends.runway.RunwayBackend",
        "labs.backends.veo.VeoBackend",
    ],
)
def test_every_hosted_backend_loads_by_dotted_path_and_declares_capabilities(settings, dotted_path):
    settings.VIDEO_BACKENDS = {"default": {"BACKEND": dotted_path, "OPTIONS": {"api_key": "k"}}}

    backend = get_backend()

    assert backend.capabilities.durations
    assert backend.capabilities.sizes
    assert str(backend.label)
