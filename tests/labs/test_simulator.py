"""The simulator backend: a deterministic previsualisation drawn from the prompt anatomy."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from django.core.management import CommandError, call_command

from labs.backends.base import GenerationRequest, JobState, UnsupportedRequest
from labs.backends.simulator import SimulatorBackend
from labs.backends.simulator_render import SceneRenderer

RICH_PROMPT = (
    "Une femme en trench rouge marche dans une rue de la ville la nuit sous la pluie, "
    "lumière néon, caméra à l'épaule, grain de film."
)


@pytest.fixture
def backend(tmp_path: Path) -> SimulatorBackend:
    return SimulatorBackend(work_dir=str(tmp_path / "work"))


def small_request(prompt: str, **overrides) -> GenerationRequest:
    values = {"duration_s": 1.0, "width": 160, "height": 90, "fps": 12, "seed": 7}
    values.update(overrides)
    return GenerationRequest(prompt=prompt, **values)


def frames_for(backend: SimulatorBackend, request: GenerationRequest) -> list[np.ndarray]:
    return list(SceneRenderer(backend.scene_for(request)))


def render_file(backend: SimulatorBackend, request: GenerationRequest, destination: Path) -> Path:
    job_ref = backend.start(request)
    assert backend.poll(job_ref).state == JobState.SUCCEEDED
    return backend.fetch(job_ref, destination)


def decoded_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def mean_change(frames: list[np.ndarray]) -> float:
    """Mean absolute difference between consecutive frames, on 0..255."""
    return float(np.mean([cv2.absdiff(a, b).mean() for a, b in zip(frames, frames[1:], strict=False)]))


def test_same_prompt_and_seed_give_identical_frames(backend, tmp_path):
    # given one request rendered twice through the whole backend (fetch moves the file, so start renders again)
    request = small_request(RICH_PROMPT)
    first = render_file(backend, request, tmp_path / "a.mp4")
    second = render_file(backend, request, tmp_path / "b.mp4")

    # then the files, and so the decoded frames, are identical
    assert first.read_bytes() == second.read_bytes()
    frames_a, frames_b = decoded_frames(first), decoded_frames(second)
    assert len(frames_a) == len(frames_b) == 12
    assert all(np.array_equal(a, b) for a, b in zip(frames_a, frames_b, strict=True))


def test_another_seed_gives_other_frames(backend):
    frames_a = frames_for(backend, small_request(RICH_PROMPT, seed=1))
    frames_b = frames_for(backend, small_request(RICH_PROMPT, seed=2))

    assert not np.array_equal(frames_a[5], frames_b[5])


@pytest.mark.parametrize(("width", "height", "fps"), [(320, 180, 24), (360, 640, 25)])
def test_output_is_h264_yuv420p_mp4_of_the_requested_format(backend, tmp_path, width, height, fps):
    request = small_request("Un homme marche sur une plage.", width=width, height=height, fps=fps)

    path = render_file(backend, request, tmp_path / "out.mp4")

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert "mp4" in container.format.name
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert (stream.width, stream.height) == (width, height)
        assert stream.average_rate == fps
        frame_count = sum(1 for _frame in container.decode(stream))
    assert abs(frame_count - request.duration_s * fps) <= 1


def test_every_frame_carries_the_simulation_mark(backend, tmp_path):
    # given a vague prompt: flat grey everywhere except the mark and the placeholder
    request = small_request("Une belle vidéo.", width=320, height=180)
    x, y, width, height = SceneRenderer(backend.scene_for(request)).mark_box

    path = render_file(backend, request, tmp_path / "mark.mp4")

    # then in every decoded frame the top-left corner holds a dark box with light text
    for frame in decoded_frames(path):
        luma = cv2.cvtColor(frame[y : y + height, x : x + width], cv2.COLOR_RGB2GRAY)
        assert (luma < 80).mean() > 0.3
        assert (luma > 200).mean() > 0.03


@pytest.mark.parametrize("language", ["fr", "en"])
def test_mark_fits_in_the_smallest_frame(backend, language):
    request = small_request("Une belle vidéo.", width=96, height=96, language=language)

    x, _y, width, _height = SceneRenderer(backend.scene_for(request)).mark_box

    assert x + width <= request.width


def test_mark_text_is_in_the_request_language(backend):
    scene = backend.scene_for(small_request("Une belle vidéo.", language="fr"))

    assert scene.mark_text == "généré par IA — simulation"


def test_vague_prompt_gives_neutral_grey_static_video(backend):
    request = small_request("Une belle vidéo.")
    scene = backend.scene_for(request)
    frames = frames_for(backend, request)

    assert scene.subject.kind == "placeholder"
    assert scene.subject.label == "sujet ?"
    # the bottom-right corner (away from mark and figure) is mid grey, and nothing moves
    corner = frames[0][-10:, -20:].reshape(-1, 3).mean(axis=0)
    assert np.allclose(corner, 128, atol=6)
    assert mean_change(frames) < 0.1


@pytest.mark.parametrize(
    "prompt",
    [
        "Une plage au coucher du soleil, panoramique de gauche à droite.",
        "Un flacon de parfum sur une plage, la caméra tourne autour du sujet.",
        "A perfume bottle on a beach, the camera orbits around the subject.",
        "A beach at sunset, slow pan from left to right.",
    ],
)
def test_camera_moves_change_the_picture(backend, prompt):
    frames = frames_for(backend, small_request(prompt))

    assert mean_change(frames) > 1.0
    assert cv2.absdiff(frames[0], frames[-1]).mean() > 3


def test_static_camera_on_a_set_keeps_the_picture_still(backend):
    frames = frames_for(backend, small_request("Un flacon de parfum sur une plage, plan fixe."))

    assert mean_change(frames) < 0.1


@pytest.mark.parametrize(
    ("dry_prompt", "wet_prompt"),
    [
        ("Une rue de la ville la nuit, plan fixe.", "Une rue de la ville la nuit sous la pluie, plan fixe."),
        ("A city street at night, static shot.", "A city street at night in the rain, static shot."),
    ],
)
def test_rain_adds_falling_particles(backend, dry_prompt, wet_prompt):
    # given the same still shot with and without rain
    dry = frames_for(backend, small_request(dry_prompt))
    wet = frames_for(backend, small_request(wet_prompt))

    # then only the rainy one changes from frame to frame
    assert mean_change(dry) < 0.1
    assert mean_change(wet) > 1.0


@pytest.mark.parametrize("negative", ["pluie", "rain, people"])
def test_negative_prompt_removes_the_concepts_it_names(backend, negative):
    request = small_request("Une rue de la ville la nuit sous la pluie, plan fixe.", negative_prompt=negative)

    scene = backend.scene_for(request)

    assert scene.particles == "none"
    assert mean_change(frames_for(backend, request)) < 0.1


@pytest.mark.parametrize(
    "prompt",
    [
        RICH_PROMPT.replace("grain de film", "en noir et blanc"),
        "A woman in a red trench coat walks down a city street at night, neon light, handheld camera, black and white.",
    ],
)
def test_black_and_white_has_no_saturation(backend, prompt):
    frames = frames_for(backend, small_request(prompt))

    saturation = np.mean([cv2.cvtColor(frame, cv2.COLOR_RGB2HSV)[..., 1].mean() for frame in frames])
    assert saturation < 3


@pytest.mark.parametrize("prompt", ["Une plage à l'heure dorée, plan fixe.", "A beach at golden hour, static shot."])
def test_golden_hour_is_warm(backend, prompt):
    frame = frames_for(backend, small_request(prompt))[0]

    red, green, blue = frame.reshape(-1, 3).mean(axis=0)
    assert red > blue + 60
    assert red > green


def test_subject_is_labelled_with_the_prompt_words(backend):
    scene = backend.scene_for(small_request("Gros plan d'un flacon de parfum sur fond blanc."))

    assert scene.subject.kind == "product"
    assert scene.subject.label == "flacon de parfum"


def test_walking_subject_moves_left_to_right(backend):
    scene = backend.scene_for(small_request("Une femme marche dans une rue de la ville."))

    assert scene.motion == "walk"
    assert scene.keyframes[-1].x > scene.keyframes[0].x + 0.2


@pytest.mark.parametrize(
    "overrides",
    [
        {"width": 1920, "height": 1080},
        {"width": 1280, "height": 1280},
        {"width": 161, "height": 90},
        {"width": 64, "height": 64},
        {"width": 96, "height": 62},
        {"duration_s": 25.0},
        {"duration_s": 0.5},
        {"fps": 60},
    ],
)
def test_unsupported_requests_are_refused(backend, overrides):
    with pytest.raises(UnsupportedRequest):
        backend.start(small_request("Une femme marche sur une plage.", **overrides))


def test_portrait_and_square_sizes_are_accepted(backend):
    backend.validate(small_request("Une femme.", width=720, height=1280))
    backend.validate(small_request("Une femme.", width=720, height=720))


def test_fetch_copies_the_video_so_identical_attempts_can_share_it(backend, tmp_path):
    request = small_request("Une femme marche sur une plage.")
    job_ref = backend.start(request)

    first = backend.fetch(job_ref, tmp_path / "nested" / "a.mp4")
    second = backend.fetch(backend.start(request), tmp_path / "b.mp4")

    assert first.read_bytes() == second.read_bytes()
    assert backend.poll(job_ref).state == JobState.SUCCEEDED
    assert backend.cost(request) == Decimal("0")


def test_prune_removes_old_renders_only(backend, tmp_path):
    old_ref = backend.start(small_request("Une femme marche sur une plage."))
    new_ref = backend.start(small_request("Un chat dort sur un canapé."))
    old_path = backend.work_dir / f"{old_ref}.mp4"
    os.utime(old_path, (time.time() - 7 * 3600, time.time() - 7 * 3600))

    assert backend.prune() == 1
    assert backend.poll(old_ref).state == JobState.FAILED
    assert backend.poll(new_ref).state == JobState.SUCCEEDED


def test_render_prompt_command_writes_the_video(tmp_path, settings):
    settings.VIDEO_BACKENDS = {
        "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {"work_dir": str(tmp_path)}}
    }
    output = tmp_path / "cli.mp4"

    call_command(
        "render_prompt", "Une femme marche sur une plage.", "--seconds", "1", "--size", "160x90", "-o", str(output)
    )

    assert len(decoded_frames(output)) == 24


@pytest.mark.parametrize(
    ("prompt", "size"),
    [
        ("   ", "160x90"),
        ("x" * 4001, "160x90"),
        ("Une plage\x07", "160x90"),
        ("Une plage.", "big"),
        ("Une plage.", "4000x90"),
    ],
)
def test_render_prompt_command_refuses_bad_input_with_one_line(tmp_path, prompt, size):
    with pytest.raises(CommandError) as error:
        call_command("render_prompt", prompt, "--seconds", "1", "--size", size, "-o", str(tmp_path / "bad.mp4"))

    assert "\n" not in str(error.value)
    assert not (tmp_path / "bad.mp4").exists()
