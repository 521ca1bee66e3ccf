"""The embedded default backend: a deterministic previsualisation, CPU only, offline.

It reads the prompt with the same anatomy parser as the grader and draws what
the prompt specifies (and grey placeholders for what it leaves out), so
learners can iterate on prompts without a GPU or an API key. The same request
and seed always give the same frames. Every frame is marked as an AI
simulation.

Rendering is synchronous: ``start`` writes the MP4 into the work directory
under a name derived from the request, ``poll`` reports it finished, and
``fetch`` copies it to its destination. Identical requests (learners trying
the same reference prompt) share one render; renders older than
``keep_hours`` are pruned.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
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
from labs.backends.simulator_render import render_scene
from labs.backends.simulator_scene import Scene, build_scene
from labs.grading.anatomy import parse_prompt

MAX_LONG_SIDE = 1280
MAX_SHORT_SIDE = 720
MIN_WIDTH = 96  # the simulation mark must fit, legible, across the frame
MIN_HEIGHT = 64
JOB_REF_RE = re.compile(r"^sim-[0-9a-f]{32}$")
PRUNE_INTERVAL_S = 600
_last_prune = 0.0  # per process: pruning is housekeeping, not correctness


class SimulatorBackend(VideoBackend):
    label = _("Simulateur (prévisualisation)")
    is_simulation = True

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            min_duration_s=1.0,
            max_duration_s=20.0,
            max_pixels=MAX_LONG_SIDE * MAX_SHORT_SIDE,
            fps=(12, 24, 25, 30),
            supports_seed=True,
            supports_negative_prompt=True,
            max_prompt_chars=4000,
            synchronous=True,
        )

    @property
    def work_dir(self) -> Path:
        configured = self.options.get("work_dir")
        return Path(configured) if configured else Path(settings.MEDIA_ROOT) / "simulator"

    def validate(self, request: GenerationRequest) -> None:
        super().validate(request)
        width, height = request.width, request.height
        if width % 2 or height % 2:
            raise UnsupportedRequest(_("La largeur et la hauteur doivent être paires (H.264)."), code="size")
        too_big = max(width, height) > MAX_LONG_SIDE or min(width, height) > MAX_SHORT_SIDE
        if too_big or width < MIN_WIDTH or height < MIN_HEIGHT:
            raise UnsupportedRequest(
                _("Format non pris en charge : de 96x64 à 1280x720 (paysage), 720x1280 (portrait) ou 720x720."),
                code="size",
            )

    def scene_for(self, request: GenerationRequest) -> Scene:
        """The scene the simulator draws for ``request`` (no validation, no file)."""
        # Each text finds its own language: a French prompt may come with "no rain" as its negative.
        negative = parse_prompt(request.negative_prompt) if request.negative_prompt.strip() else None
        return build_scene(
            parse_prompt(request.prompt),
            width=request.width,
            height=request.height,
            fps=request.fps,
            duration_s=request.duration_s,
            seed=effective_seed(request),
            language=request.language,
            negative=negative,
        )

    def start(self, request: GenerationRequest) -> str:
        self.validate(request)
        job_ref = job_reference(request)
        target = self._result_path(job_ref)
        if target.exists():
            return job_ref  # same request, same seed: the video is already there
        target.parent.mkdir(parents=True, exist_ok=True)
        self._maybe_prune()
        # Render beside the target then rename, so a crash never leaves half a file under the final name.
        handle, partial = tempfile.mkstemp(prefix=f"{job_ref}-", suffix=".mp4", dir=target.parent)
        os.close(handle)
        try:
            render_scene(self.scene_for(request), Path(partial), threads=int(self.options.get("encoder_threads", 1)))
            os.replace(partial, target)
        except Exception as exc:
            Path(partial).unlink(missing_ok=True)
            raise BackendError(f"Simulator rendering failed: {exc}", code="render_failed") from exc
        return job_ref

    def poll(self, job_ref: str) -> JobStatus:
        if self._result_path(job_ref).exists():
            return JobStatus(JobState.SUCCEEDED, progress=100)
        return JobStatus(
            JobState.FAILED,
            error_code="missing_result",
            error_message="The simulator has no video for this job (already fetched or cleaned up).",
        )

    def fetch(self, job_ref: str, destination: Path) -> Path:
        source = self._result_path(job_ref)
        if not source.exists():
            raise BackendError(f"No simulated video for job {job_ref}.", code="missing_result")
        destination = Path(destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        # Copy, not move: another attempt with the same request may be fetching it too.
        partial = destination.with_name(f".{destination.name}.partial")
        try:
            shutil.copyfile(source, partial)
        except FileNotFoundError as error:  # pruned between the check and the copy
            raise BackendError(f"No simulated video for job {job_ref}.", code="missing_result") from error
        os.replace(partial, destination)
        return destination

    def prune(self, *, now: float | None = None) -> int:
        """Delete renders older than ``keep_hours``; returns how many were removed."""
        cutoff = (now or time.time()) - float(self.options.get("keep_hours", 6)) * 3600
        removed = 0
        for path in self.work_dir.glob("sim-*.mp4"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def cost(self, request: GenerationRequest) -> Decimal:
        return Decimal("0")

    def _maybe_prune(self) -> None:
        global _last_prune
        if time.monotonic() - _last_prune > PRUNE_INTERVAL_S:
            _last_prune = time.monotonic()
            self.prune()

    def _result_path(self, job_ref: str) -> Path:
        if not JOB_REF_RE.match(job_ref):
            raise BackendError(f"Not a simulator job reference: {job_ref!r}.", code="bad_job_ref")
        return self.work_dir / f"{job_ref}.mp4"


def effective_seed(request: GenerationRequest) -> int:
    """The request's seed, or one derived from the prompt so an unseeded prompt still renders the same."""
    if request.seed is not None:
        return request.seed
    return int.from_bytes(hashlib.sha256(request.prompt.encode()).digest()[:4], "big")


# Bump when the prompt reading or the drawing changes, so cached renders of the old version are not reused.
RENDERER_VERSION = 2


def job_reference(request: GenerationRequest) -> str:
    """A name for the job that changes whenever anything that affects the pixels changes."""
    identity: dict[str, Any] = {
        "renderer": RENDERER_VERSION,
        "prompt": request.prompt,
        "negative": request.negative_prompt,
        "seed": effective_seed(request),
        "size": [request.width, request.height],
        "duration": request.duration_s,
        "fps": request.fps,
        "language": request.language,
    }
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"sim-{digest[:32]}"
