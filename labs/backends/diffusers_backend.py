"""Local text-to-video with Hugging Face diffusers (Wan 2.1 T2V, LTX-Video), run by a GPU worker.

An optional extra: torch and diffusers are imported only when a video is
generated, so the web process and the CPU workers load this module (and read
its capabilities) without them. A worker without the extra fails with
``BackendError(code="missing_extra")``; install it with
``pip install -r requirements-gpu.txt``.

Decisions worth knowing:

- The pipeline is loaded once per worker process, from a local directory
  saved with ``save_pretrained`` (``local_files_only=True``: nothing is ever
  downloaded at run time), and cached per (directory, device, dtype).
- ``start`` runs the model synchronously: the GPU worker's Celery queue
  (``-Q gpu --concurrency 1``) already serialises the work. While it runs,
  each denoising step updates a small JSON status file beside the output, so
  ``poll`` can report progress from another process on the same machine.
- Wan wants ``4k+1`` frames and LTX ``8k+1``: the backend generates the next
  valid count at or above ``duration x fps`` and keeps the first
  ``duration x fps`` frames, so the MP4 lasts exactly what the lab asked for.
- An unseeded request gets a seed derived from its prompt (as the simulator
  does), so the job reference is a pure function of the request: a
  redelivered task finds the finished video instead of using the GPU again.
- The family (and so sizes, fps, frame rule) comes from OPTIONS
  ``pipeline_class``, else the model directory's ``model_index.json``, else
  Wan 2.1. Set ``pipeline_class`` where the web process cannot read the model
  directory, so labs are validated against the right model.

OPTIONS: ``model_path``, ``pipeline`` (an already-built pipeline object,
used instead of ``model_path``), ``pipeline_class`` ("WanPipeline" or
``"LTXPipeline"``), ``device`` ("cuda" when available, else "cpu"),
``dtype`` ("bfloat16" on CUDA, "float32" on CPU, or "float16"),
``num_inference_steps`` (an int, or per tier: default draft 20 / final 50),
``guidance_scale`` (Wan 5.0, LTX 3.0), ``sizes`` (``[[w, h], ...]`` to
replace the family's sizes), ``queue`` ("gpu": the Celery queue the grading
task routes to), ``work_dir`` (default ``MEDIA_ROOT/diffusers``),
``keep_hours`` (finished files older than this are swept, default 24),
``crf`` (x264 quality, default 18), ``gpu_cost_per_second`` and
``gpu_speed_factor`` (see :meth:`DiffusersBackend.cost`).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from labs.backends.base import (
    BackendError,
    Capabilities,
    GenerationRequest,
    JobState,
    JobStatus,
    UnsupportedRequest,
    VideoBackend,
)

INSTALL_HINT = "pip install -r requirements-gpu.txt"
JOB_PREFIX = "diff-"
DEFAULT_STEPS = {"draft": 20, "final": 50}
DTYPES = ("bfloat16", "float16", "float32")
#: A running job whose status file has not moved for this long lost its worker.
STALLED_AFTER_S = 15 * 60

# Share of the progress bar taken by denoising; the rest is decoding and encoding.
_DENOISE_START, _DENOISE_END = 5, 90

# Reference timing (DESIGN.md, one H100, Wan 2.1 1.3B, 50 steps): 3 s 576x320 in
# about 12 s, 5 s 832x480 in about 65 s. Attention makes time grow faster than the
# pixel count; a power law through both points fits them.
_REFERENCE_STEPS = 50
_TIME_EXPONENT = 1.33
_TIME_COEFFICIENT = 0.643  # seconds for one megapixel-frame, at the reference steps


@dataclass(frozen=True)
class PipelineFamily:
    """What a diffusers text-to-video pipeline class accepts."""

    class_name: str
    label: str
    fps: int
    frame_step: int  # num_frames must be frame_step * k + 1
    size_multiple: int
    sizes: tuple[tuple[int, int], ...]
    guidance_scale: float
    passes_frame_rate: bool


FAMILIES: dict[str, PipelineFamily] = {
    "WanPipeline": PipelineFamily(
        class_name="WanPipeline",
        label="Wan 2.1",
        fps=16,
        frame_step=4,
        size_multiple=16,
        sizes=((832, 480), (480, 832), (576, 320)),
        guidance_scale=5.0,
        passes_frame_rate=False,
    ),
    "LTXPipeline": PipelineFamily(
        class_name="LTXPipeline",
        label="LTX-Video",
        fps=24,
        frame_step=8,
        size_multiple=32,
        sizes=((704, 480), (768, 512), (480, 704)),
        guidance_scale=3.0,
        passes_frame_rate=True,
    ),
}
DEFAULT_FAMILY = "WanPipeline"

_pipelines: dict[tuple[str, str, str], Any] = {}
_pipelines_lock = threading.Lock()


def require_extra() -> tuple[ModuleType, ModuleType]:
    """``(torch, diffusers)``, or ``BackendError(code="missing_extra")`` when the extra is absent."""
    try:
        torch = importlib.import_module("torch")
        diffusers = importlib.import_module("diffusers")
    except ImportError as exc:
        raise BackendError(
            f"The diffusers backend needs torch and diffusers, which this worker lacks ({exc}). "
            f"Install the GPU extra on the GPU worker: {INSTALL_HINT}",
            code="missing_extra",
        ) from exc
    return torch, diffusers


def clear_pipeline_cache() -> None:
    """Forget every loaded pipeline (frees their memory once nothing else holds them)."""
    with _pipelines_lock:
        _pipelines.clear()


def frame_counts(duration_s: float, fps: int, frame_step: int) -> tuple[int, int]:
    """``(kept, generated)``: the frames the MP4 keeps and the valid count the model generates."""
    kept = max(1, round(duration_s * fps))
    generated = math.ceil((kept - 1) / frame_step) * frame_step + 1
    return kept, generated


def effective_seed(request: GenerationRequest) -> int:
    """The request's seed, or one derived from the prompt so an unseeded prompt still renders the same."""
    if request.seed is not None:
        return request.seed
    return int.from_bytes(hashlib.sha256(request.prompt.encode()).digest()[:4], "big")


def load_pipeline(model_path: Path, family: PipelineFamily, *, device: str, dtype: str) -> Any:
    """The pipeline saved in ``model_path``, loaded from local files once per process."""
    key = (str(Path(model_path).resolve()), device, dtype)
    with _pipelines_lock:
        pipeline = _pipelines.get(key)
        if pipeline is not None:
            return pipeline
        torch, diffusers = require_extra()
        torch_dtype = getattr(torch, dtype)
        components: dict[str, Any] = {}
        try:
            if family.class_name == "WanPipeline" and torch_dtype != torch.float32:
                # Wan's VAE loses detail in half precision; its model card keeps it in float32.
                components["vae"] = diffusers.AutoencoderKLWan.from_pretrained(
                    model_path, subfolder="vae", dtype=torch.float32, local_files_only=True
                )
            pipeline_class = getattr(diffusers, family.class_name)
            pipeline = pipeline_class.from_pretrained(
                model_path, dtype=torch_dtype, local_files_only=True, **components
            )
        except (OSError, ValueError) as exc:
            raise BackendError(
                f"Cannot load the {family.class_name} saved in {model_path}: {exc}", code="model_load_failed"
            ) from exc
        pipeline.to(device)
        pipeline.set_progress_bar_config(disable=True)
        _pipelines[key] = pipeline
        return pipeline


def encode_mp4(frames: Any, path: Path, *, fps: int, crf: int = 18, threads: int = 1) -> None:
    """Write RGB frames (floats in [0, 1], shape (n, h, w, 3)) as a web-playable H.264 MP4.

    One encoder thread by default: x264 output then depends only on its input.
    """
    import av
    import numpy as np

    pixels = (np.clip(np.asarray(frames, dtype=np.float32), 0.0, 1.0) * 255.0).round().astype(np.uint8)
    _count, height, width, _channels = pixels.shape
    with av.open(str(path), mode="w", format="mp4", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "medium", "crf": str(crf)})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.thread_count = threads
        for rgb in pixels:
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


class StatusFile:
    """The JSON status of one job, written atomically so a reader never sees half of it."""

    def __init__(self, path: Path):
        self.path = path

    def write(self, state: JobState, progress: int, **extra: Any) -> None:
        payload = {"state": state.value, "progress": progress, "updated_at": time.time(), **extra}
        handle, partial = tempfile.mkstemp(prefix=f"{self.path.stem}-", suffix=".json.part", dir=self.path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream)
        os.replace(partial, self.path)

    def read(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise BackendError(f"Unreadable job status {self.path.name}: {exc}", code="bad_status") from exc


class DiffusersBackend(VideoBackend):
    label = _("Diffusers sur GPU local (Wan 2.1, LTX-Video)")

    # --- configuration -------------------------------------------------

    @property
    def queue(self) -> str:
        """The Celery queue whose worker owns the GPU."""
        return str(self.options.get("queue") or "gpu")

    @property
    def family(self) -> PipelineFamily:
        name = self._family_name()
        if name not in FAMILIES:
            supported = ", ".join(FAMILIES)
            raise BackendError(
                f"Unsupported diffusers pipeline {name!r} (supported: {supported}).", code="misconfigured"
            )
        return FAMILIES[name]

    @property
    def capabilities(self) -> Capabilities:
        family = self.family
        return Capabilities(
            min_duration_s=1.0,
            max_duration_s=5.0,
            sizes=self._sizes(family),
            max_pixels=max(width * height for width, height in self._sizes(family)),
            fps=(family.fps,),
            supports_seed=True,
            supports_negative_prompt=True,
            max_prompt_chars=2000,
            tiers=("draft", "final"),
            synchronous=True,
            labels={
                "draft": str(_("Brouillon (%(steps)s étapes)") % {"steps": self.steps_for("draft")}),
                "final": str(_("Rendu final (%(steps)s étapes)") % {"steps": self.steps_for("final")}),
            },
        )

    @property
    def work_dir(self) -> Path:
        configured = self.options.get("work_dir")
        return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "diffusers"

    def steps_for(self, tier: str) -> int:
        configured = self.options.get("num_inference_steps")
        if isinstance(configured, Mapping):
            return int(configured.get(tier, DEFAULT_STEPS.get(tier, DEFAULT_STEPS["final"])))
        if configured:
            return int(configured)
        return DEFAULT_STEPS.get(tier, DEFAULT_STEPS["final"])

    def _family_name(self) -> str:
        pipeline = self.options.get("pipeline")
        if pipeline is not None:
            for cls in type(pipeline).__mro__:
                if cls.__name__ in FAMILIES:
                    return cls.__name__
            return type(pipeline).__name__
        if self.options.get("pipeline_class"):
            return str(self.options["pipeline_class"])
        model_path = self.options.get("model_path")
        if model_path:
            try:
                index = json.loads((Path(model_path) / "model_index.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return DEFAULT_FAMILY  # e.g. the web process, which does not hold the model
            return str(index.get("_class_name") or DEFAULT_FAMILY)
        return DEFAULT_FAMILY

    def _sizes(self, family: PipelineFamily) -> tuple[tuple[int, int], ...]:
        configured = self.options.get("sizes")
        if not configured:
            return family.sizes
        return tuple((int(width), int(height)) for width, height in configured)

    # --- the backend interface ------------------------------------------

    def validate(self, request: GenerationRequest) -> None:
        super().validate(request)
        multiple = self.family.size_multiple
        if request.width % multiple or request.height % multiple:
            raise UnsupportedRequest(
                format_lazy(
                    _("Pour ce modèle, la largeur et la hauteur doivent être des multiples de {multiple} px."),
                    multiple=multiple,
                ),
                code="size",
            )

    def start(self, request: GenerationRequest) -> str:
        self.validate(request)
        torch, _diffusers = require_extra()
        family = self.family
        job_ref = self.job_reference(request)
        target = self._result_path(job_ref)
        if target.exists():
            return job_ref  # a redelivered task: the video is already there
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self._sweep_work_dir()
        status = StatusFile(self._status_path(job_ref))
        status.write(JobState.RUNNING, 0)
        try:
            frames = self._generate(torch, self._pipeline(family), family, request, status)
            # Encode beside the target then rename, so a crash never leaves half a file under the final name.
            handle, partial = tempfile.mkstemp(prefix=f"{job_ref}-", suffix=".mp4", dir=self.work_dir)
            os.close(handle)
            try:
                encode_mp4(frames, Path(partial), fps=family.fps, crf=int(self.options.get("crf", 18)))
                os.replace(partial, target)
            finally:
                Path(partial).unlink(missing_ok=True)
        except BackendError as exc:
            status.write(JobState.FAILED, 0, error_code=exc.code, error_message=str(exc.message))
            raise
        except Exception as exc:
            error = self._generation_error(torch, exc)
            status.write(JobState.FAILED, 0, error_code=error.code, error_message=error.message)
            raise error from exc
        status.write(JobState.SUCCEEDED, 100, seed=effective_seed(request))
        return job_ref

    def poll(self, job_ref: str) -> JobStatus:
        payload = StatusFile(self._status_path(job_ref)).read()
        if payload is None:
            if self._result_path(job_ref).exists():
                return JobStatus(JobState.SUCCEEDED, progress=100)
            return JobStatus(
                JobState.FAILED,
                error_code="missing_result",
                error_message="The diffusers worker has no status for this job (unknown or cleaned up).",
            )
        state = JobState(payload["state"])
        if state == JobState.RUNNING and time.time() - float(payload.get("updated_at", 0)) > STALLED_AFTER_S:
            return JobStatus(
                JobState.FAILED,
                progress=int(payload.get("progress", 0)),
                error_code="stalled",
                error_message="The GPU worker stopped reporting progress (it probably died).",
            )
        return JobStatus(
            state,
            progress=int(payload.get("progress", 0)),
            error_code=str(payload.get("error_code", "")),
            error_message=str(payload.get("error_message", "")),
        )

    def fetch(self, job_ref: str, destination: Path) -> Path:
        source = self._result_path(job_ref)
        if not source.exists():
            raise BackendError(f"No generated video for job {job_ref}.", code="missing_result")
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Copied, not moved: a redelivered task may fetch again; the sweep in start() bounds the work dir.
        shutil.copyfile(source, destination)
        return destination

    def estimate_gpu_seconds(self, request: GenerationRequest) -> float:
        """GPU time for ``request``, scaled from the reference H100 timing by OPTIONS ``gpu_speed_factor``."""
        _kept, generated = frame_counts(request.duration_s, self.family.fps, self.family.frame_step)
        megapixel_frames = request.width * request.height * generated / 1_000_000
        steps_share = self.steps_for(request.tier) / _REFERENCE_STEPS
        speed_factor = float(self.options.get("gpu_speed_factor", 1.0))
        return _TIME_COEFFICIENT * megapixel_frames**_TIME_EXPONENT * steps_share * speed_factor

    def cost(self, request: GenerationRequest) -> Decimal | None:
        """OPTIONS ``gpu_cost_per_second`` x the estimated GPU seconds; None when no price is configured."""
        price = self.options.get("gpu_cost_per_second")
        if price in (None, ""):
            return None
        seconds = Decimal(str(round(self.estimate_gpu_seconds(request), 3)))
        return (Decimal(str(price)) * seconds).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def job_reference(self, request: GenerationRequest) -> str:
        """A name for the job that changes whenever anything that affects the pixels changes."""
        identity = {
            "model": str(self.options.get("model_path") or id(self.options.get("pipeline"))),
            "prompt": request.prompt,
            "negative": request.negative_prompt,
            "seed": effective_seed(request),
            "size": [request.width, request.height],
            "duration": request.duration_s,
            "fps": request.fps,
            "steps": self.steps_for(request.tier),
            "guidance": self._guidance_scale(self.family),
        }
        digest = hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return f"{JOB_PREFIX}{digest[:32]}"

    # --- generation -----------------------------------------------------

    def _pipeline(self, family: PipelineFamily) -> Any:
        if self.options.get("pipeline") is not None:
            return self.options["pipeline"]
        model_path = self.options.get("model_path")
        if not model_path:
            raise BackendError(
                "The diffusers backend needs OPTIONS model_path (a pipeline saved with save_pretrained).",
                code="misconfigured",
            )
        if not (Path(model_path) / "model_index.json").is_file():
            raise BackendError(f"No saved diffusers pipeline (model_index.json) in {model_path}.", code="misconfigured")
        device, dtype = self._device_and_dtype()
        return load_pipeline(Path(model_path), family, device=device, dtype=dtype)

    def _device_and_dtype(self) -> tuple[str, str]:
        torch, _diffusers = require_extra()
        device = str(self.options.get("device") or ("cuda" if torch.cuda.is_available() else "cpu"))
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise BackendError(f"Device {device!r} requested but this worker sees no CUDA GPU.", code="no_gpu")
        dtype = str(self.options.get("dtype") or ("float32" if device == "cpu" else "bfloat16"))
        if dtype not in DTYPES:
            raise BackendError(f"Unknown dtype {dtype!r} (choose among {', '.join(DTYPES)}).", code="misconfigured")
        return device, dtype

    def _guidance_scale(self, family: PipelineFamily) -> float:
        configured = self.options.get("guidance_scale")
        return float(configured) if configured is not None else family.guidance_scale

    def _generate(
        self, torch: ModuleType, pipeline: Any, family: PipelineFamily, request: GenerationRequest, status: StatusFile
    ) -> Any:
        """Run the pipeline; return the kept frames as floats in [0, 1], shape (n, h, w, 3)."""
        kept, generated = frame_counts(request.duration_s, family.fps, family.frame_step)
        steps = self.steps_for(request.tier)

        def report_step(_pipeline: Any, step: int, _timestep: Any, callback_kwargs: dict[str, Any]) -> dict[str, Any]:
            done = (step + 1) / steps
            status.write(JobState.RUNNING, _DENOISE_START + int((_DENOISE_END - _DENOISE_START) * done))
            return callback_kwargs

        arguments: dict[str, Any] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt or None,
            "height": request.height,
            "width": request.width,
            "num_frames": generated,
            "num_inference_steps": steps,
            "guidance_scale": self._guidance_scale(family),
            # A CPU generator gives the same noise whatever GPU the worker has.
            "generator": torch.Generator(device="cpu").manual_seed(effective_seed(request)),
            "output_type": "np",
            "callback_on_step_end": report_step,
        }
        if family.passes_frame_rate:
            arguments["frame_rate"] = family.fps
        with torch.inference_mode():
            output = pipeline(**arguments)
        video = output.frames[0]
        if len(video) < kept:
            raise BackendError(f"The pipeline returned {len(video)} frames, {kept} expected.", code="generation_failed")
        return video[:kept]

    @staticmethod
    def _generation_error(torch: ModuleType, exc: Exception) -> BackendError:
        if isinstance(exc, torch.cuda.OutOfMemoryError):
            return BackendError(
                f"The GPU ran out of memory: choose a smaller size or shorter duration ({exc}).", code="out_of_memory"
            )
        return BackendError(f"Video generation failed: {type(exc).__name__}: {exc}", code="generation_failed")

    # --- files ----------------------------------------------------------

    def _result_path(self, job_ref: str) -> Path:
        return self.work_dir / f"{self._checked(job_ref)}.mp4"

    def _status_path(self, job_ref: str) -> Path:
        return self.work_dir / f"{self._checked(job_ref)}.json"

    @staticmethod
    def _checked(job_ref: str) -> str:
        suffix = job_ref.removeprefix(JOB_PREFIX)
        if not job_ref.startswith(JOB_PREFIX) or len(suffix) != 32 or not all(c in "0123456789abcdef" for c in suffix):
            raise BackendError(f"Not a diffusers job reference: {job_ref!r}.", code="bad_job_ref")
        return job_ref

    def _sweep_work_dir(self) -> None:
        """Delete finished jobs' files older than OPTIONS ``keep_hours``: fetch copies, so nothing else does."""
        cutoff = time.time() - float(self.options.get("keep_hours", 24)) * 3600
        for path in self.work_dir.glob(f"{JOB_PREFIX}*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:
                continue  # another process swept it first
