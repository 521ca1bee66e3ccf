"""The grading pipeline of one attempt: generate → analyse → grade.

``render_and_score`` is the work itself, free of database writes, so the
Celery task and ``manage.py grade_prompt`` (no worker) run the same code.
``run_grading`` wraps it for a stored Submission, moving the attempt through
labs.services.transitions: the row is locked only for the short state
changes, never while a video renders, and a redelivered or superseded run
(finished attempt, stale token) does nothing. ``grade_attempt`` is what the
Celery task calls: it fails the attempt with the learner's message on any
error but a transient one, which it counts and hands to the task to retry.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _
from django.utils.translation import override

from labs.backends import get_backend
from labs.backends.base import (
    BackendError,
    GenerationRequest,
    JobState,
    PolicyRejected,
    TransientBackendError,
    VideoBackend,
)
from labs.backends.validation import nearest_supported
from labs.grading.alignment import measure_alignment
from labs.grading.anatomy import parse_prompt
from labs.grading.moderation import get_moderation_client
from labs.grading.policy import PolicyResult
from labs.grading.rubric import score_prompt_and_video
from labs.grading.video_analysis import (
    VideoAnalysisError,
    analyse_video,
    make_contact_sheet,
    make_poster,
    make_web_rendition,
)
from labs.models import Lab, Submission
from labs.provenance import generation_facts
from labs.selectors import lab_criteria_specs, lab_prompt_policy
from labs.services.liveness import heartbeat
from labs.services.transitions import (
    StaleTask,
    submission_analysing,
    submission_block,
    submission_claim,
    submission_fail,
    submission_finish,
    submission_job_started,
    submission_progress,
    submission_retry,
)
from provenance.api import protect_video

logger = logging.getLogger(__name__)

POLL_INTERVAL_S = 2.0


class Blocked(Exception):
    """Moderation (ours or the provider's) refused the prompt."""

    def __init__(self, policy: PolicyResult):
        super().__init__("blocked")
        self.policy = policy


@dataclass(frozen=True)
class GradedVideo:
    result: dict
    video: Path
    poster: Path
    contact_sheet: Path
    job_ref: str
    cost: Decimal | None
    generation_seconds: float
    grading_seconds: float


def generation_request(*, lab: Lab, prompt: str, seed: int, language: str, tier: str = "draft") -> GenerationRequest:
    width, height = lab.frame_size(tier)
    return GenerationRequest(
        prompt=prompt,
        duration_s=float(lab.duration_s),
        width=width,
        height=height,
        fps=24,
        seed=seed,
        tier=tier,
        language=language,
    )


# The anatomy elements whose words a picture can show: alignment scores each against the frames.
ALIGNED_ELEMENTS = ("subject", "action", "setting", "time_weather", "lighting", "style")


def _visible_elements(anatomy) -> list[str]:
    return list(dict.fromkeys(m.text for key in ALIGNED_ELEMENTS for m in anatomy.matches_for(key)))


def _noop(*_args, **_kwargs) -> None:
    return None


def render_and_score(
    *,
    lab: Lab,
    prompt: str,
    seed: int,
    language: str,
    workdir: Path,
    backend: VideoBackend | None = None,
    backend_alias: str = "",
    tier: str = "draft",
    job_ref: str = "",
    on_job_started: Callable[[str], None] = _noop,
    on_progress: Callable[[int], None] = _noop,
    on_analysing: Callable[[Decimal | None], None] = _noop,
    sleep: Callable[[float], None] = time.sleep,
) -> GradedVideo:
    """Generate the video for ``prompt``, analyse it and score it against the lab's rubric.

    Raises Blocked, BackendError (TransientBackendError to retry) or VideoAnalysisError.
    """
    moderation = get_moderation_client()
    if moderation is not None:
        verdict = moderation.check(prompt)
        if verdict.flagged:
            raise Blocked(PolicyResult(moderation_categories=tuple(verdict.categories)))

    backend_alias = backend_alias or (lab.final_alias if tier == "final" else lab.backend_alias)
    backend = backend or get_backend(backend_alias)
    # Hosted models take a few fixed sizes and durations: ask for the closest
    # one (lab authoring warns the trainer when it differs from the lab's).
    request = nearest_supported(
        generation_request(lab=lab, prompt=prompt, seed=seed, language=language, tier=tier), backend.capabilities
    )
    backend.validate(request)
    started = time.monotonic()
    try:
        if not job_ref:
            job_ref = backend.start(request)
            on_job_started(job_ref)
        status = backend.poll(job_ref)
        while not status.finished:
            on_progress(status.progress)
            sleep(POLL_INTERVAL_S)
            status = backend.poll(job_ref)
        if status.state == JobState.FAILED:
            raise BackendError(
                status.error_message or _("La génération a échoué."), code=status.error_code or "generation_failed"
            )
        raw = backend.fetch(job_ref, workdir / "raw.mp4")
    except PolicyRejected as rejection:
        raise Blocked(PolicyResult(moderation_categories=(rejection.code or "provider_moderation",))) from rejection
    generation_seconds = time.monotonic() - started

    cost = backend.cost(request)
    on_analysing(cost)
    grading_started = time.monotonic()
    anatomy = parse_prompt(prompt, None)
    metrics = analyse_video(raw).to_dict()
    alignment = measure_alignment(raw, prompt, _visible_elements(anatomy))
    if alignment is not None:
        metrics["alignment"] = alignment.to_dict()
    rendition = make_web_rendition(raw, workdir / "video.mp4")
    sheet = make_contact_sheet(rendition, workdir / "sheet.jpg")
    # Every published video carries the visible mark and, when a key is configured, signed credentials.
    protected = protect_video(
        rendition,
        poster=make_poster(rendition, workdir / "poster.jpg"),
        facts=generation_facts(backend=backend, prompt=prompt, tier=tier, lab_slug=lab.slug, lab_title=lab.title),
        workdir=workdir,
    )
    result = score_prompt_and_video(
        criteria=lab_criteria_specs(lab),
        anatomy=anatomy,
        metrics=metrics,
        policy=lab_prompt_policy(lab=lab, prompt=prompt),
        pass_mark=lab.pass_mark,
        target_duration_s=request.duration_s,
        language=language,
        simulated=bool(getattr(backend, "is_simulation", False)),
    )
    result["provenance"] = {"marked": True, "signed": protected.signed}
    result["backend"] = {
        "alias": backend_alias,
        "tier": tier,
        "model": str(getattr(backend, "model", "") or ""),
        "job": job_ref,
        "seconds": round(generation_seconds, 3),
        "cost": str(cost) if cost is not None else None,
        "simulation": bool(getattr(backend, "is_simulation", False)),
    }
    return GradedVideo(
        result=result,
        video=protected.video,
        poster=protected.poster,
        contact_sheet=sheet,
        job_ref=job_ref,
        cost=cost,
        generation_seconds=generation_seconds,
        grading_seconds=time.monotonic() - grading_started,
    )


def run_grading(
    submission_id: int, token: str, *, workdir: Path, sleep: Callable[[float], None] = time.sleep
) -> Submission | None:
    """Take an attempt from queued to graded or blocked; None when this run has nothing to do.

    Errors other than moderation propagate (grade_attempt turns them into a
    failure, the task retries transient ones).
    """
    try:
        submission = submission_claim(submission_id=submission_id, token=token)
        try:
            graded = render_and_score(
                lab=submission.lab,
                prompt=submission.prompt,
                seed=submission.seed,
                language=submission.language,
                workdir=workdir,
                backend_alias=submission.backend_alias,
                tier=submission.tier,
                job_ref=submission.job_ref,
                on_job_started=lambda job_ref: submission_job_started(
                    submission_id=submission_id, token=token, job_ref=job_ref
                ),
                on_progress=lambda progress: submission_progress(
                    submission_id=submission_id, token=token, progress=progress
                ),
                on_analysing=lambda cost: submission_analysing(submission_id=submission_id, token=token, cost=cost),
                sleep=sleep,
            )
        except Blocked as blocked:
            return submission_block(submission_id=submission_id, token=token, policy=blocked.policy)
        return submission_finish(submission_id=submission_id, token=token, graded=graded)
    except StaleTask:
        logger.info("submission %s: stale or finished task ignored", submission_id)
        return None


def grade_attempt(*, submission_id: int, token: str) -> str:
    """The grading task's service: run the attempt in its learner's language, in a scratch directory, beating.

    Returns "done", "skipped" (nothing to do) or "failed" (any error but a
    transient one: the attempt is failed with the learner's message). A
    transient error is counted, then raised for the task to retry.
    """
    language = Submission.objects.filter(pk=submission_id).values_list("language", flat=True).first() or "fr"
    with override(language):
        try:
            with (
                heartbeat(submission_id=submission_id, token=token),
                tempfile.TemporaryDirectory(prefix=f"submission-{submission_id}-") as workdir,
            ):
                result = run_grading(submission_id, token, workdir=Path(workdir))
        except TransientBackendError as error:
            if not submission_retry(submission_id=submission_id, token=token, error=error):
                return "skipped"
            raise
        except (SoftTimeLimitExceeded, VideoAnalysisError, BackendError) as error:
            logger.warning("submission %s: %s (%s)", submission_id, type(error).__name__, _log_detail(error))
            submission_fail(submission_id=submission_id, token=token, error=error)
            return "failed"
        except Exception as error:
            logger.exception("submission %s: unexpected error while grading", submission_id)
            submission_fail(submission_id=submission_id, token=token, error=error)
            return "failed"
    return "done" if result is not None else "skipped"


def _log_detail(error: BaseException) -> str:
    """What the log says about an error: codes and technical detail, never the prompt."""
    if isinstance(error, VideoAnalysisError):
        return f"{error.code}: {error.detail}"
    if isinstance(error, BackendError):
        return error.code
    return "time limit reached"
