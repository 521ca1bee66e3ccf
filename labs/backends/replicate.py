"""Replicate's predictions API; the model is configuration.

Documented contract (replicate.com/docs "Create a prediction", "Prediction lifecycle"):

- ``POST /v1/models/{owner}/{name}/predictions`` ``{"input": {…}}`` for an
  official model, or ``POST /v1/predictions`` ``{"version": "<id>", "input"}``
  for a pinned version (configure the model as ``owner/name:version``);
  ``Authorization: Bearer <REPLICATE_API_TOKEN>``; optional ``Prefer: wait=N``
  (1–60 s) holds the answer until the prediction ends or N seconds pass;
- ``GET /v1/predictions/{id}`` → ``{"id", "status": "starting"|"processing"|
  "succeeded"|"failed"|"canceled"|"aborted", "output": url | [url…],
  "error", "logs"}``; progress is only in the logs (tqdm bars);
- ``POST /v1/predictions/{id}/cancel``; a 429 carries ``Retry-After``.

Output files are served from Replicate's delivery CDN without the token and
are removed after an hour for API predictions (an expired URL answers 404).
Moderation refusals end ``failed`` with an error such as "flagged as
sensitive (E005)" or "NSFW content detected".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from labs.backends.base import BackendError, GenerationRequest, JobState, JobStatus, PolicyRejected
from labs.backends.http import progress_from_logs
from labs.backends.profiles import ModelProfile, ProfiledBackend

_STATES = {"starting": JobState.QUEUED, "processing": JobState.RUNNING, "succeeded": JobState.SUCCEEDED}
_MODERATION = re.compile(r"E005|flagged as sensitive|nsfw|content policy|moderation|safety", re.IGNORECASE)
_MODEL = re.compile(r"^[a-z0-9_.-]+/[a-z0-9_.-]+(:[a-f0-9]{64})?$")


class ReplicateBackend(ProfiledBackend):
    label = _("Replicate (prédictions, modèle au choix)")
    provider = "replicate"
    default_base_url = "https://api.replicate.com"
    default_model = "bytedance/seedance-1-lite"
    job_ref_pattern = re.compile(r"^[a-z0-9]{10,64}$")
    profiles = {
        "bytedance/seedance-1": ModelProfile(
            durations=(5, 10),
            aspect_ratios=("16:9", "9:16", "1:1", "4:3", "3:4"),
            resolutions=(480, 720, 1080),
            duration_format="int",
            send_resolution=True,
            supports_seed=True,
            price_per_second="0.036",
        ),
        "minimax/hailuo-02": ModelProfile(
            durations=(6, 10),
            aspect_ratios=("16:9",),
            resolutions=(768, 1080),
            duration_format="int",
            send_aspect_ratio=False,
            send_resolution=True,
            price_per_second="0.045",
        ),
        "google/veo-3": ModelProfile(
            durations=(8,),
            aspect_ratios=("16:9", "9:16"),
            resolutions=(720, 1080),
            duration_format="",
            send_resolution=True,
            supports_seed=True,
            supports_negative_prompt=True,
            price_per_second="0.40",
        ),
    }

    def extra_headers(self) -> dict[str, str]:
        wait = int(self.options.get("prefer_wait") or 0)
        return {"Prefer": f"wait={min(max(wait, 1), 60)}"} if wait else {}

    def start(self, request: GenerationRequest) -> str:
        if not _MODEL.match(self.model):
            raise BackendError(f"{self.provider}: model must read owner/name or owner/name:version", code="config")
        body: dict[str, Any] = {"input": self.model_input(request)}
        if ":" in self.model:
            body["version"] = self.model.split(":", 1)[1]
            path = "v1/predictions"
        else:
            path = f"v1/models/{self.model}/predictions"
        prediction = self.http.json("POST", path, json=body)
        prediction_id = prediction.get("id")
        if not isinstance(prediction_id, str) or not self.job_ref_pattern.match(prediction_id):
            raise self.http.malformed("id")
        return prediction_id

    def poll(self, job_ref: str) -> JobStatus:
        prediction = self._prediction(job_ref)
        state = _STATES[prediction["status"]]
        if state is JobState.SUCCEEDED:
            self._output_url(prediction)
            return JobStatus(state=state, progress=100)
        if state is JobState.QUEUED:
            return JobStatus(state=state, progress=0)
        return JobStatus(state=state, progress=progress_from_logs(str(prediction.get("logs") or "")) or 10)

    def fetch(self, job_ref: str, destination: Path) -> Path:
        prediction = self._prediction(job_ref)
        if prediction["status"] != "succeeded":
            raise BackendError(f"{self.provider}: prediction is {prediction['status']}", code="not_ready")
        return self.http.download(
            self._output_url(prediction), destination, send_auth=False, expired_statuses=(403, 404, 410)
        )

    def cancel(self, job_ref: str) -> None:
        self.http.request("POST", f"v1/predictions/{self.check_job_ref(job_ref)}/cancel")

    def _prediction(self, job_ref: str) -> dict[str, Any]:
        prediction = self.http.json("GET", f"v1/predictions/{self.check_job_ref(job_ref)}")
        status = prediction.get("status")
        if status in ("failed", "canceled", "aborted"):
            raise self._failure(prediction)
        if status not in _STATES:
            raise self.http.malformed("status")
        return prediction

    def _output_url(self, prediction: dict[str, Any]) -> str:
        output = prediction.get("output")
        url = output[0] if isinstance(output, list) and output else output
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise self.http.malformed("output")
        return url

    def _failure(self, prediction: dict[str, Any]) -> BackendError:
        status = prediction.get("status")
        error = str(prediction.get("error") or "")
        detail = self.http.redact(f"{self.provider}: prediction {status}: {error}".strip())
        if status in ("canceled", "aborted"):
            return BackendError(detail, code="cancelled")
        if _MODERATION.search(error):
            return PolicyRejected(detail, code="policy_rejected")
        return BackendError(detail, code="generation_failed")
