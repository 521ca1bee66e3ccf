"""Writes about lab attempts: drafts, submitting, finishing, overriding.

The data path (DESIGN.md): ``submit_attempt`` validates, applies the policy
gate, creates a ``queued`` Submission and enqueues ``grade_submission`` on
commit. A double click (same form token) gives one submission; a learner has
at most one attempt in flight per lab; failures of our infrastructure never
use up an attempt.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.ratelimit import Rate, hit
from labs.backends import get_backend
from labs.backends.base import BackendError
from labs.backends.validation import find_forbidden_character
from labs.grading.policy import PolicyResult, check_prompt
from labs.models import Lab, LabDraft, Submission
from labs.selectors import lab_policy_rules

logger = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 4000
IN_FLIGHT_STATES = (Submission.State.QUEUED, Submission.State.GENERATING, Submission.State.ANALYSING)


class SubmissionRefused(ValidationError):
    """The attempt cannot be made; ``message`` says why, in the learner's language."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message, code=code)


def submission_rate_limit() -> Rate:
    return Rate.from_setting(settings.LAB_SUBMISSION_RATE)


def clean_prompt(prompt: str) -> str:
    """Normalise line endings and refuse what no backend can take, with a clear message."""
    prompt = (prompt or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not prompt:
        raise SubmissionRefused(_("Le prompt est vide : décrivez la vidéo à générer."), code="empty_prompt")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise SubmissionRefused(
            _("Le prompt fait %(n)d caractères ; la limite est de %(max)d. Raccourcissez-le.")
            % {"n": len(prompt), "max": MAX_PROMPT_CHARS},
            code="prompt_too_long",
        )
    forbidden = find_forbidden_character(prompt)
    if forbidden is not None:
        raise SubmissionRefused(
            _("Le prompt contient un caractère de contrôle invisible (U+%(code)04X) : retirez-le, puis réessayez.")
            % {"code": ord(forbidden)},
            code="control_character",
        )
    return prompt


@transaction.atomic
def draft_save(*, learner, lab: Lab, prompt: str) -> LabDraft:
    draft, _created = LabDraft.objects.update_or_create(
        lab=lab, learner=learner, defaults={"prompt": prompt[: MAX_PROMPT_CHARS * 2]}
    )
    return draft


def _check_rate(learner_id: int) -> None:
    limit = submission_rate_limit()
    verdict = hit(f"labs-submit:{learner_id}", limit)
    if not verdict.allowed:
        raise SubmissionRefused(
            _(
                "Vous avez atteint la limite de %(count)d essais par période de %(seconds)d secondes. "
                "Réessayez dans %(wait)d s."
            )
            % {"count": limit.count, "seconds": limit.seconds, "wait": verdict.retry_after},
            code="rate_limited",
        )


def _check_allowance(*, learner, lab: Lab) -> None:
    mine = Submission.objects.filter(lab=lab, learner=learner)
    if mine.filter(state__in=IN_FLIGHT_STATES).exists():
        raise SubmissionRefused(
            _("Votre essai précédent est encore en cours : attendez son résultat avant d'en lancer un autre."),
            code="in_flight",
        )
    if lab.max_attempts and mine.filter(counts_as_attempt=True).count() >= lab.max_attempts:
        raise SubmissionRefused(
            _("Vous avez utilisé vos %(n)d tentatives pour ce labo.") % {"n": lab.max_attempts},
            code="attempts_exhausted",
        )
    generated = mine.exclude(state__in=[Submission.State.BLOCKED, Submission.State.FAILED])
    if lab.budget_generations_per_learner and generated.count() >= lab.budget_generations_per_learner:
        raise SubmissionRefused(
            _("Le budget de %(n)d générations de ce labo est atteint.") % {"n": lab.budget_generations_per_learner},
            code="budget_exhausted",
        )
    if lab.budget_cost_per_learner is not None:
        spent = mine.aggregate(total=Sum("cost"))["total"] or Decimal("0")
        if spent >= lab.budget_cost_per_learner:
            raise SubmissionRefused(_("Votre budget de génération pour ce labo est épuisé."), code="budget_exhausted")
    if lab.budget_cost_cohort is not None:
        spent = lab.submissions.aggregate(total=Sum("cost"))["total"] or Decimal("0")
        if spent >= lab.budget_cost_cohort:
            raise SubmissionRefused(
                _("Le budget de génération de la promotion pour ce labo est épuisé. Prévenez votre formateur."),
                code="cohort_budget_exhausted",
            )


def seed_for_prompt(prompt: str) -> int:
    # The same prompt gives the same video, so learners compare prompts, not luck.
    return zlib.crc32(prompt.encode("utf-8")) & 0x7FFFFFFF


def submit_attempt(*, learner, lab: Lab, prompt: str, client_token: str = "", language: str = "fr") -> Submission:
    """Create an attempt (idempotent on ``client_token``) and enqueue its grading.

    Raises :class:`SubmissionRefused` with a message for the learner. The
    draft is saved first, so a refused submit never loses the prompt.
    """
    client_token = (client_token or uuid.uuid4().hex)[:64]
    existing = Submission.objects.filter(lab=lab, learner=learner, client_token=client_token).first()
    if existing:
        return existing
    draft_save(learner=learner, lab=lab, prompt=prompt or "")
    prompt = clean_prompt(prompt)
    try:
        submission = _create_submission(
            learner=learner, lab=lab, prompt=prompt, client_token=client_token, language=language
        )
    except IntegrityError:
        # The same form arrived twice at once: the other request created it.
        return Submission.objects.get(lab=lab, learner=learner, client_token=client_token)
    return submission


@transaction.atomic
def _create_submission(*, learner, lab: Lab, prompt: str, client_token: str, language: str) -> Submission:
    # Serialise a learner's submissions to a lab on the draft row, so two
    # requests cannot both pass the attempt and budget checks.
    LabDraft.objects.select_for_update().filter(lab=lab, learner=learner).first()
    # A double click's first request may have committed while this one waited for the lock.
    existing = Submission.objects.filter(lab=lab, learner=learner, client_token=client_token).first()
    if existing:
        return existing
    _check_allowance(learner=learner, lab=lab)
    # Counted only for an attempt about to be made: refusals above use none of the allowance.
    _check_rate(learner.pk)
    policy = check_prompt(prompt, lab_policy_rules())
    submission = Submission(
        lab=lab,
        learner=learner,
        prompt=prompt,
        language=language,
        client_token=client_token,
        backend_alias=lab.backend_alias,
        seed=seed_for_prompt(prompt),
        deadline_at=timezone.now() + queued_deadline(),
    )
    if not policy.allowed:
        _mark_blocked(submission, policy)
        submission.save()
        return submission
    submission.save()
    enqueue_grading(submission)
    return submission


def queued_deadline() -> timedelta:
    return timedelta(seconds=settings.LAB_QUEUED_DEADLINE_SECONDS)


def running_deadline() -> timedelta:
    # A run may take the task's hard time limit; past it, the sweeper steps in.
    return timedelta(seconds=settings.LAB_RUNNING_DEADLINE_SECONDS)


def grading_queue(backend_alias: str) -> str:
    """The queue for an attempt: a local-GPU backend's own queue, else "default"."""
    try:
        return get_backend(backend_alias).queue
    except BackendError:  # unknown alias: the task fails it with a clear message
        return "default"


def enqueue_grading(submission: Submission) -> None:
    """Send the grading task once the transaction commits.

    If the broker is down the submission stays ``queued`` (saved, visible to
    the learner) and the sweeper enqueues it again once the broker is back.
    """
    from labs.tasks import grade_submission

    submission_id, token = submission.pk, str(submission.task_token)
    queue = grading_queue(submission.backend_alias)

    def send():
        try:
            grade_submission.apply_async(args=[submission_id, token], queue=queue, retry=False)
        except Exception:
            logger.warning(
                "submission %s: broker unavailable, left queued for the sweeper", submission_id, exc_info=True
            )

    transaction.on_commit(send)


def _mark_blocked(submission: Submission, policy: PolicyResult) -> None:
    submission.state = Submission.State.BLOCKED
    submission.counts_as_attempt = True
    submission.progress = 100
    submission.passed = False
    submission.score = 0
    submission.finished_at = timezone.now()
    submission.result = {
        "version": 1,
        "score": 0,
        "max_score": 100,
        "passed": False,
        "criteria": [],
        "policy": policy.to_dict(),
    }
    submission.error_code = "policy"


@transaction.atomic
def submission_block(*, submission_id: int, policy: PolicyResult) -> None:
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    if submission.is_terminal:
        return
    _mark_blocked(submission, policy)
    submission.save()


@transaction.atomic
def submission_fail(*, submission_id: int, code: str, message: str, token: str | None = None) -> bool:
    """End an attempt as ``failed``: our fault, so it does not count as an attempt."""
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    if submission.is_terminal or (token is not None and str(submission.task_token) != token):
        return False
    submission.state = Submission.State.FAILED
    submission.counts_as_attempt = False
    submission.error_code = code[:50]
    submission.error_message = message
    submission.finished_at = timezone.now()
    submission.save(update_fields=["state", "counts_as_attempt", "error_code", "error_message", "finished_at"])
    return True


@transaction.atomic
def submission_override(*, submission: Submission, trainer, score: int, comment: str) -> Submission:
    if not 0 <= score <= 100:
        raise ValidationError({"score": _("La note doit être comprise entre 0 et 100.")})
    if not comment.strip():
        raise ValidationError({"comment": _("Expliquez la correction à l'apprenant : le commentaire est obligatoire.")})
    if submission.state != Submission.State.GRADED:
        raise ValidationError(_("Seule une tentative notée peut être corrigée."))
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    submission.override_score = score
    submission.override_comment = comment.strip()
    submission.override_by = trainer
    submission.override_at = timezone.now()
    submission.save(update_fields=["override_score", "override_comment", "override_by", "override_at"])
    from labs.services.progress import lab_progress_sync

    lab_progress_sync(learner=submission.learner, lab=submission.lab)
    return submission
