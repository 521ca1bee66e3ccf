"""Runway's API (version 2024-11-06): ``POST /v1/text_to_video`` then ``GET /v1/tasks/{id}``.

A finished task lists pre-signed output URLs that expire after a day or two;
they are downloaded without the API key (they live on a CDN).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from labs.backends.base import (
    BackendError,
    Capabilities,
    GenerationRequest,
    JobState,
    JobStatus,
    PolicyRejected,
)
from labs.backends.http import HostedBackend

API_VERSION = "2024-11-06"
MAX_PROMPT_CHARS = 1000
MAX_SEED = 4_294_967_295

_STATES = {
    "PENDING": JobState.QUEUED,
    "THROTTLED": JobState.QUEUED,
    "RUNNING": JobState.RUNNING,
    "SUCCEEDED": JobState.SUCCEEDED,
}
_GEN_SIZES = ((1280, 720), (720, 1280))
_VEO_SIZES = (*_GEN_SIZES, (1920, 1080), (1080, 1920))


class RunwayBackend(HostedBackend):
    label = _("Runway (API text-to-video)")
    provider = "runway"
    default_base_url = "https://api.dev.runwayml.com"
    default_model = "gen4.5"
    default_prices = {"gen4.5": "0.12", "veo3.1_fast": "0.15", "veo3": "0.40"}

    def extra_headers(self) -> dict[str, str]:
        return {"X-Runway-Version": API_VERSION}

    @property
    def capabilities(self) -> Capabilities:
        if self.model.startswith("veo3"):
            # Google's models served through Runway keep Veo's fixed lengths.
            durations: tuple[float, ...] = (8.0,) if self.model == "veo3" else (4.0, 6.0, 8.0)
            sizes = _VEO_SIZES
        else:
            durations, sizes = tuple(float(seconds) for seconds in range(2, 11)), _GEN_SIZES
        return Capabilities(
            durations=durations,
            min_duration_s=min(durations),
            max_duration_s=max(durations),
            sizes=sizes,
            fps=(24,),
            supports_seed=True,
            supports_negative_prompt=False,  # Runway's guide: phrase what you want, positively
            max_prompt_chars=MAX_PROMPT_CHARS,
        )

    def start(self, request: GenerationRequest) -> str:
        self.validate(request)
        body: dict[str, Any] = {
            "model": self.model,
            "promptText": request.prompt,
            "ratio": f"{request.width}:{request.height}",
            "duration": round(request.duration_s),
        }
        if request.seed is not None:
            body["seed"] = request.seed % (MAX_SEED + 1)
        payload = self.http.json("POST", "v1/text_to_video", json=body)
        task_id = payload.get("id")
        if not isinstance(task_id, str) or not self.job_ref_pattern.match(task_id):
            raise self.http.malformed("id")
        return task_id

    def poll(self, job_ref: str) -> JobStatus:
        task = self._task(job_ref)
        state = _STATES[task["status"]]
        if state is JobState.SUCCEEDED:
            self._output_url(task)  # a success without output is a broken answer, not a success
            return JobStatus(state=state, progress=100)
        progress = task.get("progress")
        percent = round(float(progress) * 100) if isinstance(progress, int | float) else 0
        return JobStatus(state=state, progress=max(0, min(100, percent)))

    def fetch(self, job_ref: str, destination: Path) -> Path:
        task = self._task(job_ref)
        if task["status"] != "SUCCEEDED":
            raise BackendError(f"{self.provider}: task is {task['status']}, not finished", code="not_ready")
        # A pre-signed URL answers 403 once its signature has expired.
        return self.http.download(
            self._output_url(task), destination, send_auth=False, expired_statuses=(403, 404, 410)
        )

    def _task(self, job_ref: str) -> dict[str, Any]:
        task = self.http.json("GET", f"v1/tasks/{self.check_job_ref(job_ref)}")
        status = task.get("status")
        if status in ("FAILED", "CANCELLED"):
            raise self._failure(task)
        if status not in _STATES:
            raise self.http.malformed("status")
        return task

    def _output_url(self, task: dict[str, Any]) -> str:
        output = task.get("output")
        if not isinstance(output, list) or not output or not isinstance(output[0], str):
            raise self.http.malformed("output")
        return output[0]

    def _failure(self, task: dict[str, Any]) -> BackendError:
        if task.get("status") == "CANCELLED":
            return BackendError(f"{self.provider}: task was cancelled", code="cancelled")
        failure_code = str(task.get("failureCode") or "")
        detail = self.http.redact(
            f"{self.provider}: generation failed ({failure_code or 'no code'}) {task.get('failure') or ''}"
        )
        # Codes look like "SAFETY.INPUT.TEXT" or "INPUT_PREPROCESSING.SAFETY.TEXT".
        if "SAFETY" in failure_code.upper().replace("_", ".").split("."):
            return PolicyRejected(detail.strip(), code="policy_rejected")
        return BackendError(detail.strip(), code="generation_failed")
