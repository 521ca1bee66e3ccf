"""Tests of request validation against a backend's capabilities."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

from labs.backends.base import Capabilities, GenerationRequest, UnsupportedRequest
from labs.backends.validation import APP_MAX_PROMPT_CHARS, check_request, nearest_supported, validate_request

SORA_LIKE = Capabilities(
    durations=(4.0, 8.0, 12.0),
    sizes=((1280, 720), (720, 1280)),
    fps=(24,),
    supports_negative_prompt=False,
)
LOCAL_LIKE = Capabilities(
    min_duration_s=1.0,
    max_duration_s=6.0,
    max_pixels=832 * 480,
    fps=(8, 16, 24),
    supports_seed=True,
    supports_negative_prompt=True,
    max_prompt_chars=10_000,
    tiers=("draft",),
)
VALID = GenerationRequest(prompt="Un phare sous la pluie, plan large", duration_s=8, width=1280, height=720)


def rejection(request: GenerationRequest, capabilities: Capabilities = SORA_LIKE) -> UnsupportedRequest:
    with pytest.raises(UnsupportedRequest) as caught:
        validate_request(request, capabilities)
    return caught.value


def test_a_supported_request_passes():
    validate_request(VALID, SORA_LIKE)


@pytest.mark.parametrize("prompt", ["", "   \n\t "])
def test_empty_prompt_is_refused(prompt):
    assert rejection(dataclasses.replace(VALID, prompt=prompt)).code == "prompt_empty"


def test_prompt_over_the_backend_limit_names_the_limit():
    capabilities = dataclasses.replace(SORA_LIKE, max_prompt_chars=1000)

    error = rejection(dataclasses.replace(VALID, prompt="a" * 1001), capabilities)

    assert error.code == "prompt_too_long"
    assert "1001" in str(error)
    assert "1000" in str(error)


def test_app_limit_applies_even_when_the_backend_accepts_more():
    long_prompt = "a" * (APP_MAX_PROMPT_CHARS + 1)

    error = rejection(GenerationRequest(prompt=long_prompt, duration_s=2, width=320, height=180), LOCAL_LIKE)

    assert error.code == "prompt_too_long"


@pytest.mark.parametrize(
    ("snippet", "codepoint"),
    [
        ("\x00", "U+0000"),
        ("\x07", "U+0007"),
        ("\x1b[31m", "U+001B"),
        ("\x7f", "U+007F"),
        ("a\rb", "U+000D"),
        ("\u202e", "U+202E"),
        ("\u202a", "U+202A"),
        ("\u2066", "U+2066"),
        ("\u2069", "U+2069"),
    ],
)
def test_control_and_bidi_override_characters_are_refused(snippet, codepoint):
    error = rejection(dataclasses.replace(VALID, prompt=f"Un phare {snippet} la nuit"))

    assert error.code == "prompt_control_characters"
    assert codepoint in str(error)


@pytest.mark.parametrize(
    "text",
    [
        "Ligne 1\nLigne 2\tfin",
        "Ligne 1\r\nLigne 2 (saisie d'un formulaire)",
        "منارة تحت المطر \u200f avec marque de direction",
        "Famille 👨\u200d👩\u200d👧 sur la plage",
    ],
)
def test_line_breaks_tabs_and_script_marks_are_allowed(text):
    validate_request(dataclasses.replace(VALID, prompt=text), SORA_LIKE)


def test_control_character_in_negative_prompt_is_refused():
    capabilities = dataclasses.replace(SORA_LIKE, supports_negative_prompt=True)

    error = rejection(dataclasses.replace(VALID, negative_prompt="flou\x00"), capabilities)

    assert error.code == "prompt_control_characters"


def test_duration_outside_the_list_names_the_allowed_durations():
    error = rejection(dataclasses.replace(VALID, duration_s=5))

    assert error.code == "duration"
    assert "4, 8, 12" in str(error)


def test_duration_outside_the_range_names_the_range():
    error = rejection(
        GenerationRequest(prompt="Un phare", duration_s=7, width=320, height=180, tier="draft"), LOCAL_LIKE
    )

    assert error.code == "duration"
    assert "de 1 à 6 s" in str(error)


def test_size_outside_the_list_names_the_allowed_sizes():
    error = rejection(dataclasses.replace(VALID, width=640, height=360))

    assert error.code == "size"
    assert "1280x720, 720x1280" in str(error)


def test_too_many_pixels_is_refused():
    error = rejection(GenerationRequest(prompt="Un phare", duration_s=2, width=1280, height=720), LOCAL_LIKE)

    assert error.code == "size"


def test_unsupported_fps_is_refused():
    assert rejection(dataclasses.replace(VALID, fps=30)).code == "fps"


def test_negative_prompt_without_support_is_refused_rather_than_dropped():
    assert rejection(dataclasses.replace(VALID, negative_prompt="flou")).code == "negative_prompt"


def test_blank_negative_prompt_is_not_a_negative_prompt():
    validate_request(dataclasses.replace(VALID, negative_prompt="  "), SORA_LIKE)


def test_seed_without_support_is_ignored():
    validate_request(dataclasses.replace(VALID, seed=7), SORA_LIKE)


def test_tier_not_offered_is_refused():
    error = rejection(
        GenerationRequest(prompt="Un phare", duration_s=2, width=320, height=180, tier="final"), LOCAL_LIKE
    )

    assert error.code == "tier"
    assert "draft" in str(error)


def test_messages_are_french_by_default():
    with translation.override("fr"):
        assert str(rejection(dataclasses.replace(VALID, duration_s=5))).startswith("Durée de 5 s")


def test_check_request_reports_every_problem_at_once():
    request = GenerationRequest(prompt="Un phare", duration_s=5, width=640, height=360, fps=30, negative_prompt="flou")

    codes = [problem.code for problem in check_request(request, SORA_LIKE)]

    assert codes == ["duration", "size", "fps", "negative_prompt"]


def test_nearest_supported_snaps_a_lab_default_to_the_closest_offer():
    request = GenerationRequest(prompt="Un phare", duration_s=5, width=640, height=360, negative_prompt="flou", seed=3)

    suggestion = nearest_supported(request, SORA_LIKE)

    assert (suggestion.duration_s, suggestion.width, suggestion.height) == (4.0, 1280, 720)
    assert suggestion.negative_prompt == ""
    assert suggestion.seed is None
    assert suggestion.prompt == request.prompt
    validate_request(suggestion, SORA_LIKE)


def test_nearest_supported_keeps_portrait_orientation():
    suggestion = nearest_supported(dataclasses.replace(VALID, width=360, height=640), SORA_LIKE)

    assert (suggestion.width, suggestion.height) == (720, 1280)


def test_nearest_supported_scales_down_within_the_pixel_budget_with_even_sides():
    request = GenerationRequest(prompt="Un phare", duration_s=9, width=1920, height=1080, fps=25, tier="final")

    suggestion = nearest_supported(request, LOCAL_LIKE)

    assert suggestion.width * suggestion.height <= LOCAL_LIKE.max_pixels
    assert suggestion.width % 2 == 0 and suggestion.height % 2 == 0
    assert abs(suggestion.width / suggestion.height - 16 / 9) < 0.02
    assert (suggestion.duration_s, suggestion.fps, suggestion.tier) == (6.0, 24, "draft")
    validate_request(suggestion, LOCAL_LIKE)
