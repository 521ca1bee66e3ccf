"""Luma's Dream Machine API (Ray models): create a generation, poll it, download ``assets.video``.

Documented contract (lumalabs/lumaai-python ``resources/generations``, ``types/generation.py``):

- ``POST https://api.lumalabs.ai/dream-machine/v1/generations/video`` with
  ``{"model": "ray-2"|"ray-flash-2", "prompt", "aspect_ratio": "16:9", "duration":
  "5s"|"9s", "resolution": "540p"|"720p"|"1080p", "loop"}`` and
  ``Authorization: Bearer <LUMAAI_API_KEY>`` → a Generation;
- ``GET /generations/{id}`` → ``{"id", "state": "queued"|"dreaming"|"completed"|
  "failed", "failure_reason", "assets": {"video", "image"}}``; no progress figure;
- ``DELETE /generations/{id}``. Errors come as ``{"detail": "…"}``; a prompt the
  moderation refuses answers 400 on create or ends ``failed`` with a reason
  that says so.

``assets.video`` is a CDN URL, downloaded without the key.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from labs.backends.base import BackendError, GenerationRequest, JobState, JobStatus, PolicyRejected
from labs.backends.profiles import ModelProfile, ProfiledBackend

_STATES = {"queued": JobState.QUEUED, "dreaming": JobState.RUNNING, "completed": JobState.SUCCEEDED}
_MODERATION = re.compile(r"moderation|not allowed|blocked|policy|nsfw|safety", re.IGNORECASE)
_RAY = ModelProfile(
    durations=(5, 9),
    aspect_ratios=("16:9", "9:16", "1:1", "4:3", "3:4", "21:9"),
    resolutions=(540, 720, 1080),
    duration_format="{seconds}s",
    send_resolution=True,
    price_per_second="0.14",
)


class LumaBackend(ProfiledBackend):
    label = _("Luma Dream Machine (Ray)")
    provider = "luma"
    default_base_url = "https://api.lumalabs.ai/dream-machine/v1"
    default_model = "ray-2"
    profiles = {"ray-2": _RAY, "ray-flash-2": ModelProfile(**{**_RAY.__dict__, "price_per_second": "0.05"})}
    default_profile = _RAY

    def start(self, request: GenerationRequest) -> str:
        body = {"model": self.model, **self.model_input(request), "loop": False}
        generation = self.http.json("POST", "generations/video", json=body)
        generation_id = generation.get("id")
        if not isinstance(generation_id, str) or not self.job_ref_pattern.match(generation_id):
            raise self.http.malformed("id")
        return generation_id

    def poll(self, job_ref: str) -> JobStatus:
        generation = self._generation(job_ref)
        state = _STATES[generation["state"]]
        if state is JobState.SUCCEEDED:
            self._video_url(generation)
            return JobStatus(state=state, progress=100)
        return JobStatus(state=state, progress=0)  # Luma gives no progress figure

    def fetch(self, job_ref: str, destination: Path) -> Path:
        generation = self._generation(job_ref)
        if generation["state"] != "completed":
            raise BackendError(f"{self.provider}: generation is {generation['state']}", code="not_ready")
        return self.http.download(
            self._video_url(generation), destination, send_auth=False, expired_statuses=(403, 404, 410)
        )

    def cancel(self, job_ref: str) -> None:
        self.http.request("DELETE", f"generations/{self.check_job_ref(job_ref)}")

    def _generation(self, job_ref: str) -> dict[str, Any]:
        generation = self.http.json("GET", f"generations/{self.check_job_ref(job_ref)}")
        state = generation.get("state")
        if state == "failed":
            reason = str(generation.get("failure_reason") or "")
            detail = self.http.redact(f"{self.provider}: generation failed: {reason}".strip())
            if _MODERATION.search(reason):
                raise PolicyRejected(detail, code="policy_rejected")
            raise BackendError(detail, code="generation_failed")
        if state not in _STATES:
            raise self.http.malformed("state")
        return generation

    def _video_url(self, generation: dict[str, Any]) -> str:
        assets = generation.get("assets")
        url = assets.get("video") if isinstance(assets, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise self.http.malformed("assets.video")
        return url
