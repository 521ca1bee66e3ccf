"""The small interface every video-generation backend implements.

A backend turns a :class:`GenerationRequest` into an MP4. Hosted APIs are
asynchronous (``start`` returns a job reference, ``poll`` reports progress,
``fetch`` downloads the result); local renderers may finish inside ``start``.

Errors are typed so the grading task knows what to do with them:

- :class:`TransientBackendError` (429, 5xx, timeouts): retry with backoff;
- :class:`PolicyRejected`: terminal, shown to the learner as an ethics lesson;
- :class:`UnsupportedRequest`: the request asks for something the backend
  cannot do (size, duration...): terminal, the lab is misconfigured or the
  learner asked for the impossible;
- :class:`BackendError`: any other terminal failure; it never uses up an
  attempt.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


class BackendError(Exception):
    """A terminal failure of the backend (not the learner's fault)."""

    code = "backend_error"

    def __init__(self, message: str = "", *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class TransientBackendError(BackendError):
    """A failure worth retrying: rate limit, server error, timeout."""

    code = "transient"

    def __init__(self, message: str = "", *, code: str | None = None, retry_after: float | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after


class PolicyRejected(BackendError):
    """The provider's moderation refused the prompt or the result."""

    code = "policy_rejected"


class UnsupportedRequest(BackendError):
    """The request asks for a size, duration or option the backend lacks."""

    code = "unsupported_request"


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    duration_s: float = 5.0
    width: int = 640
    height: int = 360
    fps: int = 24
    seed: int | None = None
    negative_prompt: str = ""
    tier: str = "draft"  # "draft" (cheap, learners iterate) or "final"
    language: str = "fr"

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class JobStatus:
    state: JobState
    progress: int = 0  # 0..100, approximate
    error_code: str = ""
    error_message: str = ""

    @property
    def finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)


@dataclass(frozen=True)
class Capabilities:
    durations: tuple[float, ...] | None = None  # allowed durations; None = any in range
    min_duration_s: float = 1.0
    max_duration_s: float = 20.0
    sizes: tuple[tuple[int, int], ...] | None = None  # allowed (w, h); None = any in range
    max_pixels: int = 1920 * 1080
    fps: tuple[int, ...] = (24,)
    supports_seed: bool = False
    supports_negative_prompt: bool = False
    max_prompt_chars: int = 4000
    tiers: tuple[str, ...] = ("draft", "final")
    synchronous: bool = False
    labels: dict[str, str] = field(default_factory=dict)


class VideoBackend:
    """Base class; subclasses set ``capabilities`` and implement the four calls."""

    #: Human label shown to trainers when they pick a backend.
    label = "video backend"
    #: True when the output is a previsualisation, not a real model's video.
    is_simulation = False
    #: The Celery queue whose workers may run this backend (a GPU backend has its own).
    queue = "default"

    def __init__(self, alias: str = "default", **options):
        self.alias = alias
        self.options = options

    @property
    def capabilities(self) -> Capabilities:
        raise NotImplementedError

    def validate(self, request: GenerationRequest) -> None:
        """Raise :class:`UnsupportedRequest` when the backend cannot serve ``request``."""
        from labs.backends.validation import validate_request

        validate_request(request, self.capabilities)

    def start(self, request: GenerationRequest) -> str:
        raise NotImplementedError

    def poll(self, job_ref: str) -> JobStatus:
        raise NotImplementedError

    def fetch(self, job_ref: str, destination: Path) -> Path:
        """Write the finished MP4 to ``destination`` and return it."""
        raise NotImplementedError

    def cost(self, request: GenerationRequest) -> Decimal | None:
        return None
