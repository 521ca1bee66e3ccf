"""The OpenAI Videos (Sora 2) contract: ``POST /videos``, ``GET /videos/{id}``, ``GET /videos/{id}/content``.

OpenAI shut its own endpoint down on 2026-09-24; compatible gateways still
serve the same shape, hence the configurable ``base_url``. Never the default
backend.

Moderation refusals come two ways: a synchronous HTTP 400 on create (mapped
by :mod:`labs.backends.http`) or a job that ends ``failed`` with
``error.code == "moderation_blocked"``; both raise :class:`PolicyRejected`.
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

_STANDARD_SIZES = ((1280, 720), (720, 1280))
_PRO_SIZES = (*_STANDARD_SIZES, (1792, 1024), (1024, 1792))
_STATES = {"queued": JobState.QUEUED, "in_progress": JobState.RUNNING, "completed": JobState.SUCCEEDED}
_MODERATION_CODES = frozenset({"moderation_blocked", "sentinel_block", "content_policy_violation"})


class OpenAIVideosBackend(HostedBackend):
    label = _("OpenAI Sora 2 (API Videos)")
    provider = "openai_videos"
    default_base_url = "https://api.openai.com/v1"
    default_model = "sora-2"
    default_prices = {"sora-2": "0.10", "sora-2-pro": "0.30"}

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            durations=(4.0, 8.0, 12.0),
            min_duration_s=4.0,
            max_duration_s=12.0,
            sizes=_PRO_SIZES if self.model.startswith("sora-2-pro") else _STANDARD_SIZES,
            fps=(24,),  # not a parameter of the API; 24 is the nominal rate labs declare
            supports_seed=False,
            supports_negative_prompt=False,
        )

    def start(self, request: GenerationRequest) -> str:
        self.validate(request)
        fields = {
            "model": self.model,
            "prompt": request.prompt,
            "seconds": str(round(request.duration_s)),  # the API wants the string "4", "8" or "12"
            "size": request.size,
        }
        # (None, value) parts make requests send multipart/form-data without files.
        payload = self.http.json("POST", "videos", files={name: (None, value) for name, value in fields.items()})
        video_id = payload.get("id")
        if not isinstance(video_id, str) or not self.job_ref_pattern.match(video_id):
            raise self.http.malformed("id")
        return video_id

    def poll(self, job_ref: str) -> JobStatus:
        video = self._retrieve(job_ref)
        status = video.get("status")
        if status == "failed":
            raise self._failure(video.get("error"))
        if status not in _STATES:
            raise self.http.malformed("status")
        state = _STATES[status]
        if state is JobState.SUCCEEDED:
            return JobStatus(state=state, progress=100)
        return JobStatus(state=state, progress=_progress(video.get("progress")))

    def fetch(self, job_ref: str, destination: Path) -> Path:
        self.check_job_ref(job_ref)
        return self.http.download(f"videos/{job_ref}/content", destination, send_auth=True, params={"variant": "video"})

    def _retrieve(self, job_ref: str) -> dict[str, Any]:
        return self.http.json("GET", f"videos/{self.check_job_ref(job_ref)}")

    def _failure(self, error: Any) -> BackendError:
        code = str(error.get("code") or "") if isinstance(error, dict) else ""
        message = str(error.get("message") or "") if isinstance(error, dict) else ""
        detail = self.http.redact(f"{self.provider}: generation failed ({code or 'no code'}) {message}".strip())
        if code in _MODERATION_CODES:
            return PolicyRejected(detail, code="policy_rejected")
        return BackendError(detail, code="generation_failed")


def _progress(value: Any) -> int:
    try:
        return max(0, min(100, int(value)))
    except (TypeError, ValueError):
        return 0
