"""fal's queue API: one key, many models (Wan, LTX, Kling, Hailuo, Veo…); the model id is configuration.

Documented contract (fal docs, "Queue" and "Inference API" pages):

- ``POST https://queue.fal.run/{model_id}`` with the model's input as JSON and
  ``Authorization: Key <FAL_KEY>`` → ``{"request_id", "status_url",
  "response_url", "cancel_url", "queue_position"}``;
- ``GET …/{owner}/{app}/requests/{id}/status?logs=1`` → ``{"status":
  "IN_QUEUE"|"IN_PROGRESS"|"COMPLETED", "queue_position", "logs": [{"message"}]}``
  (202 while waiting, 200 when done). A request that failed may come back
  ``COMPLETED`` with ``error``/``error_type`` (``content_policy_violation`` for
  moderation);
- ``GET …/{owner}/{app}/requests/{id}`` → the model's output; video models
  answer ``{"video": {"url", "content_type", "file_size"}, "seed"}``. A failed
  request answers here with 4xx/5xx and ``{"detail": …}``;
- ``PUT …/{owner}/{app}/requests/{id}/cancel``.

Status, result and cancel URLs use only the owner and app of the model id
(``fal-ai/kling-video`` for ``fal-ai/kling-video/v2.1/standard/text-to-video``),
so a retry in another process polls a request from its id alone. Each model
has its own input schema (on its fal page); the profiles below cover the
families a school is likely to use, and OPTIONS ``durations``,
``aspect_ratios``, ``resolutions`` and ``price_per_second`` fit any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from labs.backends.base import BackendError, GenerationRequest, JobState, JobStatus, PolicyRejected
from labs.backends.http import progress_from_logs
from labs.backends.profiles import ModelProfile, ProfiledBackend

_MODERATION_ERROR_TYPES = frozenset({"content_policy_violation", "nsfw_content_detected"})
_STATES = {"IN_QUEUE", "IN_PROGRESS", "COMPLETED"}


class FalBackend(ProfiledBackend):
    label = _("fal (file d'attente, modèle au choix)")
    provider = "fal"
    default_base_url = "https://queue.fal.run"
    default_model = "fal-ai/kling-video/v2.1/standard/text-to-video"
    profiles = {
        "fal-ai/kling-video": ModelProfile(durations=(5, 10), supports_negative_prompt=True, price_per_second="0.056"),
        "fal-ai/minimax/hailuo-02": ModelProfile(
            durations=(6, 10),
            aspect_ratios=("16:9",),
            resolutions=(768,),
            send_aspect_ratio=False,
            price_per_second="0.045",
        ),
        "fal-ai/veo3": ModelProfile(
            durations=(8,),
            aspect_ratios=("16:9", "9:16"),
            resolutions=(720, 1080),
            duration_format="{seconds}s",
            send_resolution=True,
            supports_seed=True,
            supports_negative_prompt=True,
            price_per_second="0.40",
        ),
        "fal-ai/wan": ModelProfile(
            durations=(5,),
            resolutions=(480, 720),
            duration_format="",
            send_resolution=True,
            supports_seed=True,
            supports_negative_prompt=True,
            price_per_second="0.08",
        ),
        "fal-ai/ltx-video": ModelProfile(
            durations=(5,),
            resolutions=(480, 720),
            duration_format="",
            send_resolution=True,
            supports_seed=True,
            supports_negative_prompt=True,
            price_per_second="0.02",
        ),
    }

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Key {self.api_key}"}

    @property
    def app_path(self) -> str:
        """``owner/app``: where the queue keeps this model's requests."""
        return "/".join(self.model.split("/")[:2])

    def start(self, request: GenerationRequest) -> str:
        answer = self.http.json("POST", self.model, json=self.model_input(request))
        request_id = answer.get("request_id")
        if not isinstance(request_id, str) or not self.job_ref_pattern.match(request_id):
            raise self.http.malformed("request_id")
        return request_id

    def poll(self, job_ref: str) -> JobStatus:
        answer = self._status(job_ref)
        if answer["status"] == "IN_QUEUE":
            return JobStatus(state=JobState.QUEUED, progress=0)
        if answer["status"] == "IN_PROGRESS":
            logs = answer.get("logs") or []
            text = "\n".join(str(entry.get("message", "")) for entry in logs if isinstance(entry, dict))
            return JobStatus(state=JobState.RUNNING, progress=progress_from_logs(text) or 10)
        self._video_url(job_ref)  # a completed request must have a video; errors surface here
        return JobStatus(state=JobState.SUCCEEDED, progress=100)

    def fetch(self, job_ref: str, destination: Path) -> Path:
        if self._status(job_ref)["status"] != "COMPLETED":
            raise BackendError(f"{self.provider}: request is not completed", code="not_ready")
        url = self._video_url(job_ref)
        # Output files live on fal's CDN (fal.media) and need no key: it is never sent there.
        return self.http.download(url, destination, send_auth=False, expired_statuses=(403, 404, 410))

    def cancel(self, job_ref: str) -> None:
        self.http.request("PUT", f"{self.app_path}/requests/{self.check_job_ref(job_ref)}/cancel")

    def _status(self, job_ref: str) -> dict[str, Any]:
        path = f"{self.app_path}/requests/{self.check_job_ref(job_ref)}/status"
        answer = self.http.json("GET", path, params={"logs": "1"})
        status = answer.get("status")
        if answer.get("error") or status in ("FAILED", "CANCELED", "CANCELLED"):
            raise self._failure(answer)
        if status not in _STATES:
            raise self.http.malformed("status")
        return answer

    def _video_url(self, job_ref: str) -> str:
        result = self.http.json("GET", f"{self.app_path}/requests/{job_ref}")
        video = result.get("video")
        url = video.get("url") if isinstance(video, dict) else None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise self.http.malformed("video.url")
        return url

    def _failure(self, answer: dict[str, Any]) -> BackendError:
        error_type = str(answer.get("error_type") or "")
        detail = self.http.redact(
            f"{self.provider}: generation failed ({error_type or answer.get('status') or 'no code'}) "
            f"{answer.get('error') or ''}"
        ).strip()
        if error_type in _MODERATION_ERROR_TYPES:
            return PolicyRejected(detail, code="policy_rejected")
        if answer.get("status") in ("CANCELED", "CANCELLED"):
            return BackendError(detail, code="cancelled")
        return BackendError(detail, code="generation_failed")
