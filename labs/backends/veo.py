"""Google Veo through the Gemini API: a long-running operation.

``POST /v1beta/models/{model}:predictLongRunning`` returns an operation
name; ``GET /v1beta/{name}`` reports ``done``, then either ``error`` (a
google.rpc.Status) or the generated samples, whose URI is downloaded with
the API key. Videos the Responsible-AI filter removed are reported in
``raiMediaFilteredCount``/``raiMediaFilteredReasons``.
"""

from __future__ import annotations

import re
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
    TransientBackendError,
    UnsupportedRequest,
)
from labs.backends.http import HostedBackend

# google.rpc.Code values worth another try: RESOURCE_EXHAUSTED, UNAVAILABLE.
_RETRYABLE_RPC_CODES = frozenset({8, 14})
_ASPECT_RATIOS = {(1280, 720): "16:9", (720, 1280): "9:16", (1920, 1080): "16:9", (1080, 1920): "9:16"}


class VeoBackend(HostedBackend):
    label = _("Google Veo (API Gemini)")
    provider = "veo"
    default_base_url = "https://generativelanguage.googleapis.com"
    default_model = "veo-3.1-fast-generate-preview"
    default_prices = {"veo-3.1-fast": "0.15", "veo-3.1-generate": "0.40", "veo-3.1-lite": "0.05"}
    job_ref_pattern = re.compile(r"^models/[A-Za-z0-9._-]{1,100}/operations/[A-Za-z0-9_-]{1,200}$")

    def auth_headers(self) -> dict[str, str]:
        return {"x-goog-api-key": self.api_key}

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            durations=(4.0, 6.0, 8.0),
            min_duration_s=4.0,
            max_duration_s=8.0,
            sizes=tuple(_ASPECT_RATIOS),
            fps=(24,),
            supports_seed=True,
            supports_negative_prompt=True,
        )

    def validate(self, request: GenerationRequest) -> None:
        super().validate(request)
        if max(request.width, request.height) >= 1920 and round(request.duration_s) != 8:
            raise UnsupportedRequest(
                _("En 1080p, ce moteur ne génère que des vidéos de 8 s. Choisissez 8 s ou le format 720p."),
                code="duration",
            )

    def start(self, request: GenerationRequest) -> str:
        self.validate(request)
        parameters: dict[str, Any] = {
            "aspectRatio": _ASPECT_RATIOS[(request.width, request.height)],
            "resolution": "1080p" if max(request.width, request.height) >= 1920 else "720p",
            "durationSeconds": round(request.duration_s),
            "sampleCount": 1,
        }
        person_generation = self.options.get("person_generation", "dont_allow")
        if person_generation:
            parameters["personGeneration"] = person_generation
        if request.negative_prompt.strip():
            parameters["negativePrompt"] = request.negative_prompt
        if request.seed is not None:
            parameters["seed"] = request.seed
        body = {"instances": [{"prompt": request.prompt}], "parameters": parameters}
        operation = self.http.json("POST", f"v1beta/models/{self.model}:predictLongRunning", json=body)
        name = operation.get("name")
        if not isinstance(name, str) or not self.job_ref_pattern.match(name):
            raise self.http.malformed("name")
        return name

    def poll(self, job_ref: str) -> JobStatus:
        operation = self._operation(job_ref)
        if not operation.get("done"):
            # The operation carries no progress figure.
            return JobStatus(state=JobState.RUNNING, progress=0)
        self._video_uri(operation)
        return JobStatus(state=JobState.SUCCEEDED, progress=100)

    def fetch(self, job_ref: str, destination: Path) -> Path:
        operation = self._operation(job_ref)
        if not operation.get("done"):
            raise BackendError(f"{self.provider}: operation is not finished", code="not_ready")
        return self.http.download(
            self._video_uri(operation), destination, send_auth=True, expired_statuses=(403, 404, 410)
        )

    def _operation(self, job_ref: str) -> dict[str, Any]:
        operation = self.http.json("GET", f"v1beta/{self.check_job_ref(job_ref)}")
        error = operation.get("error")
        if error:
            raise self._failure(error)
        return operation

    def _failure(self, error: Any) -> BackendError:
        code = error.get("code") if isinstance(error, dict) else None
        message = error.get("message", "") if isinstance(error, dict) else ""
        detail = self.http.redact(f"{self.provider}: operation failed (code {code}) {message}".strip())
        if code in _RETRYABLE_RPC_CODES:
            # The operation itself is over: the retry must start a new one, not poll this one again.
            return TransientBackendError(detail, code="job_failed_retryable")
        return BackendError(detail, code="generation_failed")

    def _video_uri(self, operation: dict[str, Any]) -> str:
        response = operation.get("response")
        result = response.get("generateVideoResponse") if isinstance(response, dict) else None
        if not isinstance(result, dict):
            raise self.http.malformed("response.generateVideoResponse")
        if _count(result.get("raiMediaFilteredCount")) > 0:
            reasons = "; ".join(str(reason) for reason in result.get("raiMediaFilteredReasons") or [])
            raise PolicyRejected(
                f"{self.provider}: video filtered by Responsible AI: {reasons}", code="policy_rejected"
            )
        samples = result.get("generatedSamples")
        try:
            uri = samples[0]["video"]["uri"]
        except (TypeError, KeyError, IndexError):
            raise self.http.malformed("generatedSamples[0].video.uri") from None
        if not isinstance(uri, str) or not uri:
            raise self.http.malformed("generatedSamples[0].video.uri")
        return uri


def _count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
