"""The diffusers backend, run for real on the CPU with tiny random-weight Wan 2.1 and LTX-Video pipelines.

The pipelines are built here from configs (sizes taken from diffusers' own
fast tests), saved with ``save_pretrained`` and loaded back by the backend
from local files only: nothing is downloaded, the tokenizer included (a
word-level tokenizer built in memory).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# Set before transformers/diffusers are imported: any attempt to reach the hub fails instead of downloading.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

torch = pytest.importorskip("torch", reason="the GPU extra (requirements-gpu.txt) is not installed")
diffusers = pytest.importorskip("diffusers", reason="the GPU extra (requirements-gpu.txt) is not installed")

import av  # noqa: E402
import numpy as np  # noqa: E402
from tokenizers import Tokenizer, models, pre_tokenizers  # noqa: E402
from transformers import (  # noqa: E402
    PreTrainedTokenizerFast,
    T5Config,
    T5EncoderModel,
    UMT5Config,
    UMT5EncoderModel,
)

from labs.backends.base import BackendError, GenerationRequest, JobState, UnsupportedRequest  # noqa: E402
from labs.backends.diffusers_backend import (  # noqa: E402
    DiffusersBackend,
    clear_pipeline_cache,
    frame_counts,
    load_pipeline,
)

WIDTH, HEIGHT = 160, 96  # multiples of 32, so valid for both families
PROMPT = "un chat roux sur la plage au coucher du soleil, travelling lent"
WORDS = PROMPT.replace(",", " ").split() + [
    "a",
    "cat",
    "on",
    "the",
    "beach",
    "at",
    "sunset",
    "slow",
    "dolly",
    "flou",
    "texte",
]
TEXT_CONFIG = {
    "d_model": 32,
    "d_kv": 8,
    "d_ff": 37,
    "num_layers": 2,
    "num_heads": 4,
    "relative_attention_num_buckets": 8,
}


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {"<pad>": 0, "</s>": 1, "<unk>": 2}
    for word in WORDS:
        vocab.setdefault(word, len(vocab))
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")


def save_tiny_wan(path: Path) -> Path:
    tokenizer = tiny_tokenizer()
    torch.manual_seed(0)
    text_encoder = UMT5EncoderModel(UMT5Config(vocab_size=len(tokenizer), **TEXT_CONFIG))
    vae = diffusers.AutoencoderKLWan(
        base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1, temperal_downsample=[False, True, True]
    )
    transformer = diffusers.WanTransformer3DModel(
        patch_size=(1, 2, 2),
        num_attention_heads=2,
        attention_head_dim=12,
        in_channels=16,
        out_channels=16,
        text_dim=32,
        freq_dim=256,
        ffn_dim=32,
        num_layers=2,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32,
    )
    pipeline = diffusers.WanPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(shift=7.0),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
    )
    pipeline.save_pretrained(path)
    return path


def save_tiny_ltx(path: Path) -> Path:
    tokenizer = tiny_tokenizer()
    torch.manual_seed(0)
    text_encoder = T5EncoderModel(T5Config(vocab_size=len(tokenizer), **TEXT_CONFIG))
    transformer = diffusers.LTXVideoTransformer3DModel(
        in_channels=8,
        out_channels=8,
        patch_size=1,
        patch_size_t=1,
        num_attention_heads=4,
        attention_head_dim=8,
        cross_attention_dim=32,
        num_layers=1,
        caption_channels=32,
    )
    # The decoder is given the encoder's tiny shape too: its defaults are the full-size decoder.
    vae = diffusers.AutoencoderKLLTXVideo(
        latent_channels=8,
        block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8),
        spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False),
        layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1),
        patch_size=1,
        patch_size_t=1,
        encoder_causal=True,
        decoder_causal=False,
    )
    pipeline = diffusers.LTXPipeline(
        transformer=transformer,
        vae=vae,
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(),
        text_encoder=text_encoder,
        tokenizer=tokenizer,
    )
    pipeline.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def wan_dir(tmp_path_factory) -> Path:
    return save_tiny_wan(tmp_path_factory.mktemp("models") / "wan")


@pytest.fixture(scope="module")
def ltx_dir(tmp_path_factory) -> Path:
    return save_tiny_ltx(tmp_path_factory.mktemp("models") / "ltx")


@pytest.fixture(scope="module", autouse=True)
def _forget_pipelines():
    yield
    clear_pipeline_cache()


def backend(model_path: Path, work_dir: Path, **options: Any) -> DiffusersBackend:
    defaults = {"device": "cpu", "dtype": "float32", "num_inference_steps": 2, "sizes": [[WIDTH, HEIGHT]]}
    return DiffusersBackend(alias="diffusers", model_path=str(model_path), work_dir=str(work_dir), **defaults | options)


def request(**changes: Any) -> GenerationRequest:
    values = {"prompt": PROMPT, "duration_s": 1.0, "width": WIDTH, "height": HEIGHT, "fps": 16, "seed": 7}
    return GenerationRequest(**values | changes)


def decoded_frames(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.stack([frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)])


def generate(model_path: Path, tmp_path: Path, name: str, **changes: Any) -> np.ndarray:
    diffusers_backend = backend(model_path, tmp_path / name)
    job_ref = diffusers_backend.start(request(**changes))
    return decoded_frames(diffusers_backend.fetch(job_ref, tmp_path / f"{name}.mp4"))


@pytest.mark.parametrize(
    ("duration_s", "fps", "frame_step", "expected"),
    [(1, 16, 4, (16, 17)), (3, 16, 4, (48, 49)), (5, 16, 4, (80, 81)), (5, 24, 8, (120, 121)), (1, 24, 8, (24, 25))],
)
def test_frame_counts_round_up_to_the_models_frame_rule(duration_s, fps, frame_step, expected):
    assert frame_counts(duration_s, fps, frame_step) == expected


def test_wan_start_poll_fetch_gives_an_h264_mp4_of_the_requested_length_and_size(wan_dir, tmp_path):
    # given
    diffusers_backend = backend(wan_dir, tmp_path / "work")

    # when
    job_ref = diffusers_backend.start(request())
    status = diffusers_backend.poll(job_ref)
    video = diffusers_backend.fetch(job_ref, tmp_path / "out" / "video.mp4")

    # then: 1 s at 16 fps is 16 frames, though Wan generated 17
    assert (status.state, status.progress) == (JobState.SUCCEEDED, 100)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert (stream.width, stream.height, stream.average_rate) == (WIDTH, HEIGHT, 16)
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    assert len(frames) == 16
    assert frames[0].shape == (HEIGHT, WIDTH, 3)


def test_ltx_pipeline_is_detected_from_model_index_and_renders_at_24_fps(ltx_dir, tmp_path):
    # given: no pipeline_class option, only the saved directory
    diffusers_backend = backend(ltx_dir, tmp_path / "work")
    assert diffusers_backend.capabilities.fps == (24,)

    # when
    job_ref = diffusers_backend.start(request(fps=24))
    frames = decoded_frames(diffusers_backend.fetch(job_ref, tmp_path / "ltx.mp4"))

    # then: 24 frames kept of the 25 (8k+1) generated
    assert frames.shape == (24, HEIGHT, WIDTH, 3)


def test_same_seed_gives_identical_frames_and_another_seed_does_not(wan_dir, tmp_path):
    first = generate(wan_dir, tmp_path, "first", seed=11)
    again = generate(wan_dir, tmp_path, "again", seed=11)
    other = generate(wan_dir, tmp_path, "other", seed=12)

    # CPU float reductions may differ in the last bit between runs under load;
    # after 8-bit H.264 that is at most a step or two of a pixel value.
    difference = lambda a, b: np.abs(a.astype(int) - b.astype(int))  # noqa: E731
    assert difference(first, again).max() <= 2
    assert difference(first, other).mean() > difference(first, again).mean() + 1


def test_pipeline_is_loaded_once_per_model_directory(wan_dir):
    first = load_pipeline(wan_dir, DiffusersBackend(model_path=str(wan_dir)).family, device="cpu", dtype="float32")
    again = load_pipeline(wan_dir, DiffusersBackend(model_path=str(wan_dir)).family, device="cpu", dtype="float32")

    assert first is again


class RecordingPipeline:
    """Wraps a real pipeline: records each call's arguments and runs ``on_step`` after each step."""

    def __init__(self, inner: Any, on_step=None):
        self.inner, self.on_step, self.calls = inner, on_step, []

    def __call__(self, **arguments: Any) -> Any:
        self.calls.append(arguments)
        report = arguments["callback_on_step_end"]

        def callback(pipeline, step, timestep, callback_kwargs):
            result = report(pipeline, step, timestep, callback_kwargs)
            if self.on_step:
                self.on_step(step)
            return result

        return self.inner(**arguments | {"callback_on_step_end": callback})


def recording_wan(wan_dir: Path, on_step=None) -> RecordingPipeline:
    # The family is read from the class name, as for a pipeline an operator builds.
    wan_class = type("WanPipeline", (RecordingPipeline,), {})
    inner = load_pipeline(wan_dir, DiffusersBackend(model_path=str(wan_dir)).family, device="cpu", dtype="float32")
    return wan_class(inner, on_step)


def test_poll_from_another_instance_sees_progress_while_the_model_runs(wan_dir, tmp_path):
    # given: a second backend instance (as in another process) polling at every denoising step
    seen = []
    wan = recording_wan(wan_dir, on_step=lambda step: seen.append(watcher.poll(job_ref)))
    runner = backend(wan_dir, tmp_path, pipeline=wan, num_inference_steps=4)
    watcher = backend(wan_dir, tmp_path)
    job_ref = runner.job_reference(request())

    # when
    runner.start(request())

    # then
    assert [status.state for status in seen] == [JobState.RUNNING] * 4
    progress = [status.progress for status in seen]
    assert progress == sorted(progress) and progress[0] > 5 and progress[-1] == 90
    assert watcher.poll(job_ref).state == JobState.SUCCEEDED


def test_seed_negative_prompt_and_tier_steps_reach_the_pipeline(wan_dir, tmp_path):
    wan = recording_wan(wan_dir)
    diffusers_backend = backend(wan_dir, tmp_path, pipeline=wan, num_inference_steps={"draft": 2, "final": 3})

    diffusers_backend.start(request(negative_prompt="texte flou", tier="final", seed=5))

    (arguments,) = wan.calls
    assert arguments["negative_prompt"] == "texte flou"
    assert arguments["num_inference_steps"] == 3
    assert arguments["num_frames"] == 17
    assert arguments["generator"].initial_seed() == 5


def test_a_redelivered_start_reuses_the_finished_video(wan_dir, tmp_path):
    wan = recording_wan(wan_dir)
    diffusers_backend = backend(wan_dir, tmp_path, pipeline=wan)

    first = diffusers_backend.start(request())
    second = diffusers_backend.start(request())

    assert first == second
    assert len(wan.calls) == 1


def test_missing_extra_raises_missing_extra_with_the_install_hint(wan_dir, tmp_path, monkeypatch):
    # given: a worker where diffusers cannot be imported
    monkeypatch.setitem(sys.modules, "diffusers", None)

    # when
    with pytest.raises(BackendError) as caught:
        backend(wan_dir, tmp_path).start(request())

    # then
    assert caught.value.code == "missing_extra"
    assert "pip install -r requirements-gpu.txt" in caught.value.message


@pytest.mark.parametrize(
    ("changes", "options"),
    [
        ({"width": 640, "height": 360}, {}),  # a size the model was not set up for
        ({"fps": 24}, {}),  # Wan renders 16 fps
        ({"duration_s": 6.0}, {}),
        ({"width": 168, "height": 96}, {"sizes": [[168, 96]]}),  # allowed by the operator, but not a multiple of 16
    ],
)
def test_unsupported_request_is_rejected_before_the_model_runs(wan_dir, tmp_path, changes, options):
    wan = recording_wan(wan_dir)

    with pytest.raises(UnsupportedRequest):
        backend(wan_dir, tmp_path, pipeline=wan, **options).start(request(**changes))
    assert wan.calls == []


def test_the_module_and_its_capabilities_load_without_torch():
    # given: a web process without the extra (torch and diffusers fail to import)
    script = (
        "import sys; sys.modules['torch'] = sys.modules['diffusers'] = None\n"
        "import django; django.setup()\n"
        "from labs.backends.diffusers_backend import DiffusersBackend\n"
        "print(DiffusersBackend(pipeline_class='LTXPipeline').capabilities.fps)\n"
    )

    # when
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "academy.settings_test"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    # then
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(24,)"


def test_default_sizes_are_the_models_own(wan_dir, ltx_dir):
    assert DiffusersBackend(model_path=str(wan_dir)).capabilities.sizes == ((832, 480), (480, 832), (576, 320))
    assert (768, 512) in DiffusersBackend(model_path=str(ltx_dir)).capabilities.sizes


def test_a_failing_model_fails_the_job_for_start_and_poll(wan_dir, tmp_path):
    # given
    def out_of_order(**arguments):
        raise RuntimeError("kernel exploded")

    failing = type("WanPipeline", (), {"__call__": staticmethod(out_of_order)})()
    diffusers_backend = backend(wan_dir, tmp_path, pipeline=failing)
    job_ref = diffusers_backend.job_reference(request())

    # when
    with pytest.raises(BackendError) as caught:
        diffusers_backend.start(request())

    # then
    assert caught.value.code == "generation_failed"
    status = diffusers_backend.poll(job_ref)
    assert (status.state, status.error_code) == (JobState.FAILED, "generation_failed")
    with pytest.raises(BackendError):
        diffusers_backend.fetch(job_ref, tmp_path / "nothing.mp4")


def test_missing_model_directory_is_a_configuration_error(tmp_path):
    with pytest.raises(BackendError) as caught:
        backend(tmp_path / "absent", tmp_path).start(request())

    assert caught.value.code == "misconfigured"


def test_cost_is_none_without_a_price_and_scales_with_the_render():
    free = DiffusersBackend(pipeline_class="WanPipeline")
    priced = DiffusersBackend(pipeline_class="WanPipeline", gpu_cost_per_second="0.001")
    draft = request(width=576, height=320, duration_s=3.0, tier="final")
    final = request(width=832, height=480, duration_s=5.0, tier="final")

    assert free.cost(final) is None
    # About 12 s and 65 s of H100 time at 50 steps (the reference timings).
    assert float(priced.cost(draft)) == pytest.approx(0.012, abs=0.001)
    assert float(priced.cost(final)) == pytest.approx(0.065, abs=0.002)
    assert priced.cost(request(width=576, height=320, duration_s=3.0, tier="draft")) < priced.cost(draft)
