"""Writes about lab attempts made by people: drafts, submitting, a trainer's override.

The data path (DESIGN.md): ``submit_attempt`` validates, applies the policy
gate, creates a ``queued`` Submission and enqueues its grading on commit
(labs.services.dispatch); what happens to it next is in
labs.services.transitions. A double click (same form token) gives one submission; a learner has
at most one attempt in flight per lab; failures of our infrastructure never
use up an attempt.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.ratelimit import Rate, hit
from labs import notifications
from labs.backends.validation import find_forbidden_character
from labs.models import Lab, LabDraft, Submission
from labs.selectors import lab_prompt_policy
from labs.services.dispatch import send_grading
from labs.services.progress import lab_progress_sync
from labs.services.transitions import mark_blocked, queued_deadline

logger = logging.getLogger(__name__)

MAX_PROMPT_CHARS = 4000


class SubmissionRefused(ValidationError):
    """The attempt cannot be made; ``message`` says why, in the learner's language."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message, code=code)


def submission_rate_limit() -> Rate:
    return Rate.from_setting(settings.LAB_SUBMISSION_RATE)


def normalise_prompt(prompt: str) -> str:
    """The prompt as it is judged and counted: each line break one character (browsers post CRLF), no
    blanks around it."""
    return (prompt or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def prompt_length(prompt: str) -> int:
    """The length the limit applies to, as the editor's counter and the coach show it."""
    return len(normalise_prompt(prompt))


def clean_prompt(prompt: str) -> str:
    """Normalise line endings and refuse what no backend can take, with a clear message."""
    prompt = normalise_prompt(prompt)
    if not prompt:
        raise SubmissionRefused(_("Le prompt est vide : décrivez la vidéo à générer."), code="empty_prompt")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise SubmissionRefused(
            _("Le prompt fait %(n)d caractères ; la limite est de %(max)d. Raccourcissez-le.")
            % {"n": len(prompt), "max": MAX_PROMPT_CHARS},
            code="prompt_too_long",
        )
    forbidden = find_forbidden_character(prompt)
    if forbidden is not None:
        raise SubmissionRefused(
            _("Le prompt contient un caractère de contrôle invisible (U+%(code)04X) : retirez-le, puis réessayez.")
            % {"code": ord(forbidden)},
            code="control_character",
        )
    return prompt


@transaction.atomic
def draft_save(*, learner, lab: Lab, prompt: str) -> None:
    """Keep the learner's latest prompt: one upsert (the coach calls this as the learner types)."""
    LabDraft.objects.bulk_create(
        [LabDraft(lab=lab, learner=learner, prompt=prompt[: MAX_PROMPT_CHARS * 2])],
        update_conflicts=True,
        unique_fields=["lab", "learner"],
        update_fields=["prompt", "updated_at"],
    )


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
    mine = Submission.objects.filter(lab=lab, learner=learner, tier=Submission.Tier.DRAFT)
    if mine.filter(state__in=Submission.IN_FLIGHT_STATES).exists():
        raise SubmissionRefused(
            _("Votre essai précédent est encore en cours : attendez son résultat avant d'en lancer un autre."),
            code="in_flight",
        )
    if lab.max_attempts and mine.filter(counts_as_attempt=True).count() >= lab.max_attempts:
        raise SubmissionRefused(
            _("Vous avez utilisé vos %(n)d tentatives pour ce labo.") % {"n": lab.max_attempts},
            code="attempts_exhausted",
        )
    generated = mine.exclude(state__in=Submission.NOT_GENERATED_STATES)
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
        # The cohort's budget caps all spending on the lab, final renders included.
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
    policy = lab_prompt_policy(lab=lab, prompt=prompt)
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
        mark_blocked(submission, policy)
        submission.save()
        return submission
    submission.save()
    send_grading(submission_id=submission.pk, token=str(submission.task_token), backend_alias=lab.backend_alias)
    return submission


@transaction.atomic
def submission_override(*, submission: Submission, trainer, score: int, comment: str) -> Submission:
    if not 0 <= score <= 100:
        raise ValidationError({"score": _("La note doit être comprise entre 0 et 100.")})
    if not comment.strip():
        raise ValidationError({"comment": _("Expliquez la correction à l'apprenant : le commentaire est obligatoire.")})
    if submission.state != Submission.State.GRADED:
        raise ValidationError(_("Seule une tentative notée peut être corrigée."))
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    submission.override_score = score
    submission.override_comment = comment.strip()
    submission.override_by = trainer
    submission.override_at = timezone.now()
    submission.save(update_fields=["override_score", "override_comment", "override_by", "override_at"])
    lab_progress_sync(learner=submission.learner, lab=submission.lab)
    notifications.grade_overridden(submission)
    return submission


@transaction.atomic
def submission_mark_reviewed(*, submission: Submission, trainer) -> Submission:
    """A trainer read the attempt and keeps its grade: it leaves the review queue (marking it twice changes nothing)."""
    if submission.state not in (Submission.State.GRADED, Submission.State.BLOCKED):
        raise ValidationError(_("Seule une tentative notée ou refusée peut être marquée comme relue."))
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.reviewed_at is None:
        submission.reviewed_at = timezone.now()
        submission.reviewed_by = trainer
        submission.save(update_fields=["reviewed_at", "reviewed_by"])
    return submission
