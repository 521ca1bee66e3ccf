"""The grading pipeline of one attempt: generate → analyse → grade.

``render_and_score`` is the work itself, free of database writes, so the
Celery task and ``manage.py grade_prompt`` (no worker) run the same code.
``run_grading`` wraps it for a stored Submission: the row is locked only for
the short state changes, never while a video renders. ``_claim`` moves the
attempt forward under ``select_for_update`` and raises ``StaleTask`` when the
attempt is finished already or the task's token is stale, so a redelivered
or superseded task does nothing. Transient backend errors propagate to the
task, which retries them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from labs.backends import get_backend
from labs.backends.base import BackendError, GenerationRequest, JobState, PolicyRejected, VideoBackend
from labs.backends.validation import nearest_supported
from labs.grading.anatomy import parse_prompt
from labs.grading.moderation import get_moderation_client
from labs.grading.policy import PolicyResult, check_prompt
from labs.grading.rubric import score_prompt_and_video
from labs.grading.video_analysis import analyse_video, make_contact_sheet, make_poster, make_web_rendition
from labs.models import Lab, Submission
from labs.selectors import lab_criteria_specs, lab_policy_rules
from labs.services.progress import lab_progress_sync
from labs.services.submissions import running_deadline, submission_block

logger = logging.getLogger(__name__)

POLL_INTERVAL_S = 2.0


class StaleTask(Exception):
    """The attempt moved on without this task (finished, or re-enqueued with a new token)."""


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


def generation_request(*, lab: Lab, prompt: str, seed: int, language: str) -> GenerationRequest:
    width, height = lab.frame_size("draft")
    return GenerationRequest(
        prompt=prompt,
        duration_s=float(lab.duration_s),
        width=width,
        height=height,
        fps=24,
        seed=seed,
        tier="draft",
        language=language,
    )


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

    backend = backend or get_backend(lab.backend_alias)
    # Hosted models take a few fixed sizes and durations: ask for the closest
    # one (lab authoring warns the trainer when it differs from the lab's).
    request = nearest_supported(
        generation_request(lab=lab, prompt=prompt, seed=seed, language=language), backend.capabilities
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
    metrics = analyse_video(raw)
    video = make_web_rendition(raw, workdir / "video.mp4")
    poster = make_poster(video, workdir / "poster.jpg")
    sheet = make_contact_sheet(video, workdir / "sheet.jpg")
    result = score_prompt_and_video(
        criteria=lab_criteria_specs(lab),
        anatomy=parse_prompt(prompt, None),
        metrics=metrics.to_dict(),
        policy=check_prompt(prompt, lab_policy_rules()),
        pass_mark=lab.pass_mark,
        target_duration_s=request.duration_s,
        language=language,
    )
    result["backend"] = {
        "alias": lab.backend_alias,
        "job": job_ref,
        "seconds": round(generation_seconds, 3),
        "cost": str(cost) if cost is not None else None,
        "simulation": bool(getattr(backend, "is_simulation", False)),
    }
    return GradedVideo(
        result=result,
        video=video,
        poster=poster,
        contact_sheet=sheet,
        job_ref=job_ref,
        cost=cost,
        generation_seconds=generation_seconds,
        grading_seconds=time.monotonic() - grading_started,
    )


def _claim(submission_id: int, token: str, state: str, **fields) -> Submission:
    with transaction.atomic():
        submission = Submission.objects.select_for_update().select_related("lab", "lab__step").get(pk=submission_id)
        if submission.is_terminal or str(submission.task_token) != token:
            raise StaleTask
        submission.state = state
        for name, value in fields.items():
            setattr(submission, name, value)
        submission.save()
        return submission


def run_grading(
    submission_id: int, token: str, *, workdir: Path, sleep: Callable[[float], None] = time.sleep
) -> Submission | None:
    """Take an attempt from queued to a terminal state; None when there was nothing to do."""
    try:
        submission = _claim(
            submission_id,
            token,
            Submission.State.GENERATING,
            progress=5,
            started_at=timezone.now(),
            deadline_at=timezone.now() + running_deadline(),
        )

        def remember_job(job_ref: str) -> None:
            # A retry polls this job instead of paying for a new one.
            _claim(submission_id, token, Submission.State.GENERATING, job_ref=job_ref)

        def save_progress(progress: int) -> None:
            Submission.objects.filter(pk=submission_id, task_token=token, state=Submission.State.GENERATING).update(
                progress=max(5, min(int(progress), 90))
            )

        def start_analysis(cost: Decimal | None) -> None:
            _claim(submission_id, token, Submission.State.ANALYSING, progress=92, cost=cost)

        try:
            graded = render_and_score(
                lab=submission.lab,
                prompt=submission.prompt,
                seed=submission.seed,
                language=submission.language,
                workdir=workdir,
                job_ref=submission.job_ref,
                on_job_started=remember_job,
                on_progress=save_progress,
                on_analysing=start_analysis,
                sleep=sleep,
            )
        except Blocked as blocked:
            submission_block(submission_id=submission_id, policy=blocked.policy)
            return Submission.objects.get(pk=submission_id)
        return _finish(submission_id, token, graded)
    except StaleTask:
        logger.info("submission %s: stale or finished task ignored", submission_id)
        return None


def _finish(submission_id: int, token: str, graded: GradedVideo) -> Submission:
    with transaction.atomic():
        submission = (
            Submission.objects.select_for_update().select_related("lab", "lab__step", "learner").get(pk=submission_id)
        )
        if submission.is_terminal or str(submission.task_token) != token:
            raise StaleTask
        for field_name, path in (
            ("video", graded.video),
            ("poster", graded.poster),
            ("contact_sheet", graded.contact_sheet),
        ):
            with path.open("rb") as handle:
                getattr(submission, field_name).save(f"{submission_id}-{path.name}", File(handle), save=False)
        submission.state = Submission.State.GRADED
        submission.progress = 100
        submission.result = graded.result
        submission.score = graded.result["score"]
        submission.passed = graded.result["passed"]
        submission.cost = graded.cost
        submission.generation_seconds = graded.generation_seconds
        submission.grading_seconds = graded.grading_seconds
        submission.finished_at = timezone.now()
        submission.error_code = submission.error_message = ""
        submission.save()
        lab_progress_sync(learner=submission.learner, lab=submission.lab)
    logger.info("submission %s graded: %s/100", submission_id, submission.score)
    return submission
