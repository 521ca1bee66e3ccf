"""Video analysis on small synthetic clips written with PyAV (160x90, 24 fps, 2 s)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from labs.grading.colours import COLOUR_KEYS, colour_fractions_of, colour_key, colour_name
from labs.grading.video_analysis import (
    VideoAnalysisError,
    analyse_video,
    make_contact_sheet,
    make_poster,
    make_web_rendition,
    probe_video,
)

WIDTH, HEIGHT, FPS, FRAMES = 160, 90, 24, 48


def texture(width: int, height: int, seed: int, cell: int = 16) -> np.ndarray:
    """Smooth random colour texture (BGR): blobs about ``cell`` px wide, like out-of-focus scenery."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (height // cell + 2, width // cell + 2, 3), dtype=np.uint8)
    return cv2.resize(coarse, (width + 2 * cell, height + 2 * cell), interpolation=cv2.INTER_CUBIC)[
        cell : cell + height, cell : cell + width
    ]


def write_clip(
    path: Path,
    frames: list[np.ndarray],
    *,
    codec: str = "libx264",
    options: dict | None = None,
    container_options: dict | None = None,
) -> Path:
    with av.open(str(path), "w", options=container_options or {}) as output:
        stream = output.add_stream(codec, rate=FPS, options=options or {})
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            output.mux(stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="bgr24")))
        output.mux(stream.encode(None))
    return path


def panorama_frames(offsets: list[int]) -> list[np.ndarray]:
    scenery = texture(WIDTH + max(offsets) + 1, HEIGHT, seed=1)
    return [scenery[:, x : x + WIDTH] for x in offsets]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    still = texture(WIDTH, HEIGHT, seed=2)
    breathing = [
        np.clip(still.astype(np.float32) * (1 + 0.05 * math.sin(2 * math.pi * i / FRAMES)), 0, 255).astype(np.uint8)
        for i in range(FRAMES)
    ]
    red = still.copy()
    red[:, : int(WIDTH * 0.6)] = (30, 30, 220)
    detailed = texture(WIDTH, HEIGHT, seed=4, cell=2)
    solid = np.full((HEIGHT, WIDTH, 3), (40, 160, 230), np.uint8)
    # Jerky pan: every other sampled frame (every third source frame at 8 fps) is pushed 6 px off the path.
    jerky = [2 * i + (6 if (i // 3) % 2 else 0) for i in range(FRAMES)]
    made = {
        "static": write_clip(folder / "static.mp4", breathing),
        "pan": write_clip(folder / "pan.mp4", panorama_frames([2 * i for i in range(FRAMES)])),
        "jerky": write_clip(folder / "jerky.mp4", panorama_frames(jerky)),
        "frozen": write_clip(folder / "frozen.mp4", [still] * FRAMES),
        "cut": write_clip(folder / "cut.mp4", [still] * (FRAMES // 2) + [solid] * (FRAMES // 2)),
        "dark": write_clip(folder / "dark.mp4", [(frame // 16) for frame in breathing]),
        "red": write_clip(folder / "red.mp4", [red] * FRAMES),
        "detailed": write_clip(folder / "detailed.mp4", [detailed] * FPS),
        "blurred": write_clip(folder / "blurred.mp4", [cv2.GaussianBlur(detailed, (0, 0), 2)] * FPS),
        "webm": write_clip(folder / "pan.webm", panorama_frames([2 * i for i in range(FPS)]), codec="libvpx-vp9"),
        # a keyframe every half second, index (moov) before the media data
        "faststart": write_clip(
            folder / "faststart.mp4",
            panorama_frames([2 * i for i in range(FRAMES)]),
            options={"g": "12"},
            container_options={"movflags": "+faststart"},
        ),
    }
    return made


@pytest.fixture(scope="module")
def metrics(clips: dict[str, Path]) -> dict:
    return {name: analyse_video(path) for name, path in clips.items()}


def test_probe_reads_header_facts(clips):
    info = probe_video(clips["pan"])

    assert info == (2.0, 24.0, 48, 160, 90, "h264")


def test_analysis_reports_decoded_stream_facts(metrics):
    pan = metrics["pan"]

    assert (pan.frame_count, pan.width, pan.height, pan.codec, pan.decode_errors) == (48, 160, 90, "h264", 0)
    assert pan.duration_s == pytest.approx(2.0)
    # about 8 fps over 2 s
    assert pan.sampled_frames == 16


def test_panning_clip_is_moving_and_has_no_flicker_score(metrics):
    pan = metrics["pan"]

    assert pan.is_moving
    assert pan.dynamic_degree > 0.9
    assert pan.flicker is None
    assert pan.motion_magnitude > 0.01


def test_static_clip_is_not_moving_but_not_frozen(metrics):
    static = metrics["static"]

    assert not static.is_moving
    assert static.dynamic_degree == 0.0
    assert not static.frozen
    # gentle brightness breathing reads as slight flicker
    assert 0.97 < static.flicker < 1.0


def test_frozen_clip_is_flagged(metrics):
    assert metrics["frozen"].frozen
    assert not metrics["pan"].frozen


def test_hard_cut_is_found_at_its_time(metrics):
    cut = metrics["cut"]

    assert cut.scene_cuts == 1
    assert cut.cut_times_s[0] == pytest.approx(1.0, abs=0.05)


def test_camera_pan_is_not_mistaken_for_a_cut(metrics):
    assert metrics["pan"].scene_cuts == 0


def test_jerky_motion_scores_lower_smoothness_than_steady_pan(metrics):
    assert metrics["jerky"].smoothness < metrics["pan"].smoothness - 0.01


def test_dark_clip_fails_exposure(metrics):
    dark = metrics["dark"]

    assert dark.brightness < 40 / 255
    assert not dark.exposure_ok
    assert metrics["static"].exposure_ok


def test_blur_lowers_sharpness(metrics):
    assert metrics["blurred"].sharpness < metrics["detailed"].sharpness / 2


def test_red_clip_has_red_as_dominant_colour(metrics):
    red = metrics["red"]

    assert red.dominant_colours[0] == "red"
    # the painted 60% plus the red blobs of the texture
    assert 0.55 < red.colour_fractions["red"] < 0.75
    assert metrics["dark"].dominant_colours == ("black",)


def test_webm_vp9_is_analysed(metrics):
    webm = metrics["webm"]

    assert (webm.codec, webm.frame_count, webm.decode_errors) == ("vp9", 24, 0)
    assert webm.is_moving


def test_to_dict_is_json_serialisable_and_rounded(metrics):
    data = json.loads(json.dumps(metrics["cut"].to_dict()))

    assert data["cut_times_s"] == [pytest.approx(1.0, abs=0.05)]
    assert data["exposure_ok"] is metrics["cut"].exposure_ok
    assert data["brightness"] == round(data["brightness"], 4)
    assert set(data["colour_fractions"]) == set(COLOUR_KEYS)


def test_sampling_is_capped(clips):
    result = analyse_video(clips["pan"], sample_fps=24.0, max_samples=10)

    assert result.sampled_frames <= 10
    assert result.frame_count == 48


# --- bad input -------------------------------------------------------------------------------------


def _audio_only(path: Path) -> Path:
    with av.open(str(path), "w") as output:
        stream = output.add_stream("aac", rate=44100)
        stream.layout = "mono"
        for start in range(0, 44100, 1024):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, start
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return path


def _truncated(source: Path, destination: Path, share: float) -> Path:
    data = source.read_bytes()
    destination.write_bytes(data[: int(len(data) * share)])
    return destination


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda tmp, clips: (tmp / "empty.mp4").touch() or tmp / "empty.mp4", "empty_file"),
        (
            lambda tmp, clips: (tmp / "notes.mp4").write_text("Ceci n'est pas une vidéo.\n" * 40) and tmp / "notes.mp4",
            "not_a_video",
        ),
        (
            lambda tmp, clips: Image.new("RGB", (8, 8)).save(tmp / "image.mp4", "PNG") or tmp / "image.mp4",
            "not_a_video",
        ),
        (lambda tmp, clips: _audio_only(tmp / "voice.mp4"), "no_video_stream"),
        # moov atom written last: the first 30% has no index at all
        (lambda tmp, clips: _truncated(clips["pan"], tmp / "cut.mp4", 0.3), "corrupt"),
        (
            lambda tmp, clips: write_clip(tmp / "wide.mp4", [np.zeros((16, 4112, 3), np.uint8)]),
            "too_large",
        ),
    ],
    ids=["empty", "text", "png", "audio-only", "truncated", "too-wide"],
)
def test_bad_input_raises_typed_error(tmp_path, clips, make, code):
    path = make(tmp_path, clips)

    with pytest.raises(VideoAnalysisError) as caught:
        analyse_video(path)

    assert caught.value.code == code
    assert str(caught.value)


def test_error_message_is_french():
    assert str(VideoAnalysisError("empty_file")) == "Le fichier est vide."


def test_file_over_size_limit_is_refused(clips):
    with pytest.raises(VideoAnalysisError) as caught:
        analyse_video(clips["pan"], max_bytes=1000)

    assert caught.value.code == "too_large"


def test_size_limit_comes_from_settings(clips, settings):
    settings.LABS_VIDEO_MAX_BYTES = 1000

    with pytest.raises(VideoAnalysisError):
        probe_video(clips["pan"])


def test_truncated_faststart_file_keeps_what_decodes(tmp_path, clips):
    # given a fast-start MP4 cut at 60%: the index survives, the end of the media data does not
    path = _truncated(clips["faststart"], tmp_path / "half.mp4", 0.6)

    result = analyse_video(path)

    assert 0 < result.frame_count < 48
    assert result.decode_errors == 48 - result.frame_count
    assert result.duration_s < 1.9


# --- derived files ---------------------------------------------------------------------------------


def test_poster_shows_the_requested_moment(tmp_path, clips):
    early = make_poster(clips["cut"], tmp_path / "early.jpg", at=0.1)
    late = make_poster(clips["cut"], tmp_path / "late.jpg", at=0.9)

    with Image.open(late) as image:
        assert (image.format, image.size) == ("JPEG", (160, 90))
        # the second shot is a flat orange (BGR 40,160,230 -> RGB 230,160,40)
        assert image.getpixel((80, 45)) == pytest.approx((230, 160, 40), abs=12)
    with Image.open(early) as image:
        assert np.asarray(image).std() > 20


def test_contact_sheet_is_a_grid_of_tiles(tmp_path, clips):
    sheet = make_contact_sheet(clips["pan"], tmp_path / "sheet.jpg", columns=3, rows=2, tile_width=80)

    with Image.open(sheet) as image:
        # 3 tiles of 80 px plus 4 gaps of 4 px; 2 rows of (45 px tile + 22 px label) plus 3 gaps
        assert (image.format, image.size) == ("JPEG", (3 * 80 + 4 * 4, 2 * (45 + 22) + 3 * 4))


def test_web_rendition_is_browser_friendly_h264(tmp_path, clips):
    output = make_web_rendition(clips["webm"], tmp_path / "web.mp4", max_width=101)

    with av.open(str(output)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.format.name) == ("h264", "yuv420p")
        assert (stream.codec_context.width, stream.codec_context.height) == (100, 56)
        assert stream.frames == 24
    data = output.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")


def test_web_rendition_keeps_the_audio_track(tmp_path):
    source = tmp_path / "talk.mp4"
    with av.open(str(source), "w") as output:
        video = output.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        audio = output.add_stream("aac", rate=44100)
        audio.layout = "mono"
        for _ in range(FPS):
            output.mux(video.encode(av.VideoFrame.from_ndarray(texture(WIDTH, HEIGHT, 3), format="bgr24")))
        for start in range(0, 44100, 1024):
            tone = (0.2 * np.sin(np.arange(start, start + 1024) * 0.06)).astype(np.float32)[None, :]
            frame = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 44100, start
            output.mux(audio.encode(frame))
        output.mux(video.encode(None))
        output.mux(audio.encode(None))

    result = make_web_rendition(source, tmp_path / "web.mp4")

    with av.open(str(result)) as container:
        assert [s.codec_context.name for s in container.streams] == ["h264", "aac"]


def test_failed_rendition_leaves_no_partial_file(tmp_path, clips):
    # given a fast-start file cut just after its index: it opens, but no frame decodes
    data = clips["faststart"].read_bytes()
    source = tmp_path / "headless.mp4"
    source.write_bytes(data[: data.find(b"mdat") + 64])
    out_dir = tmp_path / "out"

    with pytest.raises(VideoAnalysisError):
        make_web_rendition(source, out_dir / "web.mp4")

    assert list(out_dir.iterdir()) == []


# --- colours -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bgr", "key"),
    [
        ((0, 0, 230), "red"),
        ((0, 128, 255), "orange"),
        ((0, 191, 255), "amber"),
        ((0, 230, 230), "yellow"),
        ((0, 200, 0), "green"),
        ((220, 200, 0), "cyan"),
        ((220, 40, 0), "blue"),
        ((200, 0, 140), "purple"),
        ((180, 105, 255), "pink"),
        ((19, 69, 139), "brown"),
        ((208, 253, 255), "cream"),
        ((250, 250, 250), "white"),
        ((128, 128, 128), "grey"),
        ((10, 10, 10), "black"),
    ],
)
def test_pure_colour_gets_its_key(bgr, key):
    patch = np.full((4, 4, 3), bgr, np.uint8)

    fractions = colour_fractions_of(cv2.cvtColor(patch, cv2.COLOR_BGR2HSV))

    assert fractions[key] == 1.0


def test_colour_names_and_words():
    assert colour_name("amber", "fr") == "ambre"
    assert colour_name("amber", "en") == "amber"
    assert colour_key("Ambrée") == "amber"
    assert colour_key("bleue") == "blue"
    assert colour_key("table") is None


# --- command -----------------------------------------------------------------------------------------


def test_command_prints_json_metrics(clips, capsys):
    call_command("analyse_video", str(clips["cut"]), "--json")

    data = json.loads(capsys.readouterr().out)
    assert data["scene_cuts"] == 1


def test_command_writes_requested_files(tmp_path, clips, capsys):
    poster, sheet = tmp_path / "poster.jpg", tmp_path / "sheet.jpg"

    call_command("analyse_video", str(clips["pan"]), "--poster", str(poster), "--contact-sheet", str(sheet))

    assert poster.stat().st_size > 0 and sheet.stat().st_size > 0
    assert "En mouvement" in capsys.readouterr().out


def test_command_reports_bad_input_as_command_error(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.touch()

    with pytest.raises(CommandError, match="Le fichier est vide"):
        call_command("analyse_video", str(empty))


def test_a_video_that_is_already_web_ready_is_copied_not_transcoded(tmp_path):
    from labs.backends.simulator_render import write_mp4

    # given a fast-start H.264 yuv420p MP4, as the simulator writes
    frames = [np.full((90, 160, 3), value, dtype=np.uint8) for value in range(0, 240, 10)]
    source = tmp_path / "ours.mp4"
    write_mp4(frames, source, width=160, height=90, fps=24)
    # when
    rendition = make_web_rendition(source, tmp_path / "web.mp4")
    # then the bytes are the same
    assert rendition.read_bytes() == source.read_bytes()
