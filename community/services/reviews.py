"""Writes about peer review: a lab's settings and rubric, asking for reviews, assigning reviewers fairly,
reassigning past the deadline, submitting, rating and removing reviews.

Assignment runs under a per-lab lock (the lab's ReviewSettings row, locked with
select_for_update), so two learners asking at the same moment never get the
same reviewer twice or overload one; the choice itself is community.assignment.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community import notifications
from community.assignment import Candidate, Request, plan_assignments
from community.errors import Refused
from community.models import (
    GalleryItem,
    Review,
    ReviewAssignment,
    ReviewScore,
    ReviewSettings,
    RubricCriterion,
    TimelineMark,
)
from courses import api as courses
from labs import api as labs

MAX_MARKS = 10
MAX_SUGGESTION_CHARS = 600


@dataclass(frozen=True)
class ScoreInput:
    criterion_id: int
    value: int | None
    comment: str


@dataclass(frozen=True)
class MarkInput:
    at_seconds: Decimal
    note: str


# --- settings and rubric ----------------------------------------------------------


@transaction.atomic
def review_settings_save(*, lab, reviews_per_attempt: int, deadline_hours: int, instructions: str) -> ReviewSettings:
    settings, _created = ReviewSettings.objects.select_for_update().get_or_create(lab=lab)
    settings.reviews_per_attempt = reviews_per_attempt
    settings.deadline_hours = deadline_hours
    settings.instructions = instructions.strip()
    settings.full_clean()
    settings.save()
    # More reviews per attempt: waiting attempts get their extra reviewers now.
    fill_requests(lab=lab)
    return settings


def _next_position(lab) -> int:
    return (RubricCriterion.objects.filter(lab=lab).aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def criterion_create(
    *, lab, label: str, guidance: str = "", scale_max: int = 4, low_label: str = "", high_label: str = ""
) -> RubricCriterion:
    criterion = RubricCriterion(
        lab=lab,
        label=label.strip(),
        guidance=guidance.strip(),
        scale_max=scale_max,
        low_label=low_label.strip(),
        high_label=high_label.strip(),
        position=_next_position(lab),
    )
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(
    *, criterion: RubricCriterion, label: str, guidance: str, scale_max: int, low_label: str, high_label: str
) -> RubricCriterion:
    if scale_max != criterion.scale_max and criterion.scores.exists():
        raise Refused(
            _("Des relectures utilisent déjà ce critère : son échelle ne peut plus changer (le libellé, si)."),
            code="criterion_in_use",
        )
    criterion.label, criterion.guidance = label.strip(), guidance.strip()
    criterion.scale_max, criterion.low_label, criterion.high_label = scale_max, low_label.strip(), high_label.strip()
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: RubricCriterion) -> None:
    if criterion.scores.exists():
        raise Refused(
            _("Des relectures utilisent déjà ce critère : il ne peut plus être supprimé."), code="criterion_in_use"
        )
    criterion.delete()


@transaction.atomic
def criterion_move(*, criterion: RubricCriterion, direction: str) -> None:
    siblings = list(
        RubricCriterion.objects.select_for_update().filter(lab_id=criterion.lab_id).order_by("position", "pk")
    )
    index = next(i for i, c in enumerate(siblings) if c.pk == criterion.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, item in enumerate(siblings, start=1):
        if item.position != position:
            RubricCriterion.objects.filter(pk=item.pk).update(position=position)


def template_criteria() -> list[dict[str, object]]:
    """A starting grid for a video lab, which the trainer then edits (in the current language)."""
    return [
        {
            "label": _("Cadrage"),
            "guidance": _("Le plan choisi sert-il le sujet ? Le sujet est-il lisible dans le cadre ?"),
        },
        {"label": _("Lumière"), "guidance": _("La lumière crée-t-elle l'ambiance demandée, sans zones brûlées ?")},
        {"label": _("Mouvement"), "guidance": _("Le mouvement de caméra et du sujet est-il fluide et motivé ?")},
        {
            "label": _("Cohérence avec la consigne"),
            "guidance": _("La vidéo répond-elle à la consigne du labo, éléments imposés compris ?"),
        },
        {
            "label": _("Artefacts repérés"),
            "guidance": _("Mains, textes, objets qui se déforment, scintillements : notez-les sur la timeline."),
            "low_label": _("nombreux"),
            "high_label": _("aucun"),
        },
    ]


@transaction.atomic
def rubric_from_template(*, lab) -> list[RubricCriterion]:
    if RubricCriterion.objects.filter(lab=lab).exists():
        raise Refused(_("Cette grille a déjà des critères."), code="rubric_not_empty")
    return [criterion_create(lab=lab, **spec) for spec in template_criteria()]


# --- asking for reviews and assigning reviewers -----------------------------------------


def _lock_lab(lab) -> ReviewSettings:
    """The lab's settings row, locked: the one place where its assignments are decided."""
    settings, _created = ReviewSettings.objects.select_for_update().get_or_create(lab=lab)
    return settings


@transaction.atomic
def request_reviews(*, author, item: GalleryItem) -> list[ReviewAssignment]:
    """The author of a shared attempt asks for the lab's N reviews; reviewers are assigned now if peers exist."""
    if item.author_id != author.pk:
        raise Refused(_("Seul l'auteur d'un essai partagé peut demander des relectures."), code="not_author")
    if not item.is_visible:
        raise Refused(_("Cet essai n'est pas visible dans la galerie : il ne peut pas être relu."), code="not_shared")
    if not RubricCriterion.objects.filter(lab_id=item.lab_id).exists():
        raise Refused(
            _("Votre formateur n'a pas encore écrit la grille de relecture de ce labo. Réessayez plus tard."),
            code="no_rubric",
        )
    item = GalleryItem.objects.select_for_update().get(pk=item.pk)
    if item.reviews_requested_at is None:
        item.reviews_requested_at = timezone.now()
        item.save(update_fields=["reviews_requested_at"])
    return fill_requests(lab=item.lab)


@transaction.atomic
def fill_requests(*, lab, now: datetime.datetime | None = None) -> list[ReviewAssignment]:
    """Give every waiting request of the lab the reviewers it still lacks, as fairly as the cohort allows.

    Reviewers are the cohort's participants: active learners of the course who
    shared an attempt of this lab. Safe to call at any time (idempotent).
    """
    now = now or timezone.now()
    settings = _lock_lab(lab)
    if not RubricCriterion.objects.filter(lab=lab).exists():
        return []
    enrolled = courses.enrolled_user_ids(lab.course)
    counting = Q(assignments__state__in=ReviewAssignment.COUNTING_STATES)
    waiting = (
        GalleryItem.objects.filter(
            lab=lab,
            withdrawn_at__isnull=True,
            hidden_at__isnull=True,
            reviews_requested_at__isnull=False,
            author__in=enrolled,
        )
        .annotate(counted=Count("assignments", filter=counting))
        .filter(counted__lt=settings.reviews_per_attempt)
        .order_by("reviews_requested_at", "pk")
    )
    requests = [
        Request(item_id=item.pk, author_id=item.author_id, needed=settings.reviews_per_attempt - item.counted)
        for item in waiting
    ]
    if not requests:
        return []
    paired: dict[int, set[int]] = defaultdict(set)
    for author_id, reviewer_id in ReviewAssignment.objects.filter(lab=lab).values_list("author_id", "reviewer_id"):
        paired[author_id].add(reviewer_id)
    for request in requests:
        request.paired = set(paired[request.author_id])
    reviewer_ids = set(
        GalleryItem.objects.filter(lab=lab, withdrawn_at__isnull=True, author__in=enrolled).values_list(
            "author_id", flat=True
        )
    )
    loads = {
        row["reviewer_id"]: row
        for row in ReviewAssignment.objects.filter(lab=lab, reviewer_id__in=reviewer_ids)
        .values("reviewer_id")
        .annotate(
            open=Count("pk", filter=Q(state=ReviewAssignment.State.ASSIGNED)),
            total=Count("pk", filter=Q(state__in=ReviewAssignment.COUNTING_STATES)),
            last=Max("assigned_at"),
        )
    }
    candidates = [
        Candidate(
            user_id=user_id,
            open_load=loads.get(user_id, {}).get("open", 0),
            total_load=loads.get(user_id, {}).get("total", 0),
            last_assigned_at=loads.get(user_id, {}).get("last"),
        )
        for user_id in sorted(reviewer_ids)
    ]
    plan = plan_assignments(requests, candidates, now=now)
    authors = {request.item_id: request.author_id for request in requests}
    due_at = now + datetime.timedelta(hours=settings.deadline_hours)
    created = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            item_id=item_id,
            lab=lab,
            author_id=authors[item_id],
            reviewer_id=reviewer_id,
            assigned_at=now,
            due_at=due_at,
        )
        for item_id, reviewer_id in plan
    )
    notifications.reviews_assigned(created)
    return created


def cancel_open_assignments(*, item: GalleryItem) -> int:
    """An attempt leaves the gallery (withdrawn or hidden): the reviews nobody has written yet are called off."""
    return ReviewAssignment.objects.filter(item=item, state=ReviewAssignment.State.ASSIGNED).update(
        state=ReviewAssignment.State.CANCELLED, closed_at=timezone.now()
    )


@transaction.atomic
def assignment_expire(*, assignment_id: int, now: datetime.datetime | None = None) -> bool:
    """Close an assignment past its deadline and hand the review to another peer.

    Idempotent: an assignment that is no longer open, or not yet due, is left
    alone (False). The late reviewer is never given the same attempt again
    (community.assignment).
    """
    now = now or timezone.now()
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",)).select_related("lab").filter(pk=assignment_id).first()
    )
    if assignment is None or assignment.state != ReviewAssignment.State.ASSIGNED or assignment.due_at > now:
        return False
    assignment.state = ReviewAssignment.State.EXPIRED
    assignment.closed_at = now
    assignment.save(update_fields=["state", "closed_at"])
    notifications.review_taken_back(assignment)
    fill_requests(lab=assignment.lab, now=now)
    return True


# --- writing, rating and removing reviews ---------------------------------------------


def _video_seconds(submission) -> Decimal:
    metrics = (submission.result or {}).get("metrics") or {}
    duration = metrics.get("duration_s") or submission.lab.duration_s
    return Decimal(str(duration))


def _check_scores(criteria: Sequence[RubricCriterion], scores: Sequence[ScoreInput]) -> None:
    given = {score.criterion_id: score for score in scores}
    for criterion in criteria:
        score = given.get(criterion.pk)
        if score is None or score.value is None:
            raise Refused(_("Donnez un niveau pour « %(label)s ».") % {"label": criterion.label}, code="missing_level")
        if not 1 <= score.value <= criterion.scale_max:
            raise Refused(
                _("Le niveau de « %(label)s » va de 1 à %(max)d.")
                % {"label": criterion.label, "max": criterion.scale_max},
                code="level_out_of_scale",
            )
        if not score.comment.strip():
            raise Refused(
                _("Expliquez votre niveau pour « %(label)s » : le commentaire est obligatoire.")
                % {"label": criterion.label},
                code="missing_comment",
            )


def _check_marks(marks: Sequence[MarkInput], *, duration: Decimal) -> None:
    if len(marks) > MAX_MARKS:
        raise Refused(_("%(n)d repères au plus sur la timeline.") % {"n": MAX_MARKS}, code="too_many_marks")
    for mark in marks:
        if mark.at_seconds < 0 or mark.at_seconds > duration + Decimal("0.5"):
            raise Refused(
                _("Le repère à %(at)s s est hors de la vidéo (elle dure %(duration)s s).")
                % {"at": mark.at_seconds, "duration": duration},
                code="mark_outside_video",
            )
        if not mark.note.strip():
            raise Refused(_("Chaque repère sur la timeline a besoin d'une note."), code="mark_without_note")


def _write_review(review: Review, criteria, scores: Sequence[ScoreInput], marks: Sequence[MarkInput]) -> Review:
    review.full_clean()
    review.save()
    review.scores.all().delete()
    review.marks.all().delete()
    by_criterion = {score.criterion_id: score for score in scores}
    rows = [
        ReviewScore(
            review=review,
            criterion=criterion,
            value=by_criterion[criterion.pk].value,
            comment=by_criterion[criterion.pk].comment.strip(),
        )
        for criterion in criteria
    ]
    mark_rows = [TimelineMark(review=review, at_seconds=mark.at_seconds, note=mark.note.strip()) for mark in marks]
    for row in (*rows, *mark_rows):
        row.full_clean(exclude=["review", "criterion"])
    ReviewScore.objects.bulk_create(rows)
    TimelineMark.objects.bulk_create(mark_rows)
    return review


def reviews_still_needed(item: GalleryItem) -> int:
    """How many more reviewers the shared attempt wants (0 or less: it has them all)."""
    settings = ReviewSettings.objects.filter(lab_id=item.lab_id).first()
    wanted = settings.reviews_per_attempt if settings else ReviewSettings.DEFAULT_REVIEWS
    counted = item.assignments.filter(state__in=ReviewAssignment.COUNTING_STATES).count()
    return wanted - counted


@transaction.atomic
def review_submit(
    *,
    assignment: ReviewAssignment,
    reviewer,
    scores: Sequence[ScoreInput],
    marks: Sequence[MarkInput],
    suggestion: str,
    comment: str = "",
) -> Review:
    """The reviewer hands in their review: every criterion with a level and a comment, marks, one suggestion."""
    assignment = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("item__submission__lab")
        .get(pk=assignment.pk)
    )
    if assignment.reviewer_id != reviewer.pk:
        raise Refused(_("Cette relecture est confiée à quelqu'un d'autre."), code="not_reviewer")
    item = assignment.item
    late_but_wanted = assignment.state == ReviewAssignment.State.EXPIRED and reviews_still_needed(item) > 0
    if assignment.state != ReviewAssignment.State.ASSIGNED and not late_but_wanted:
        messages = {
            ReviewAssignment.State.SUBMITTED: _("Vous avez déjà rendu cette relecture."),
            ReviewAssignment.State.EXPIRED: _(
                "Le délai est passé et la relecture a été confiée à un autre pair. Votre texte est resté dans le formulaire."
            ),
        }
        raise Refused(
            messages.get(assignment.state, _("Cette relecture n'est plus demandée : l'essai a quitté la galerie.")),
            code="assignment_closed",
        )
    criteria = list(RubricCriterion.objects.filter(lab_id=assignment.lab_id))
    _check_scores(criteria, scores)
    _check_marks(marks, duration=_video_seconds(item.submission))
    suggestion = suggestion.strip()
    if not suggestion:
        raise Refused(
            _("Proposez une modification du prompt : c'est ce qui aide le plus l'auteur."), code="no_suggestion"
        )
    if len(suggestion) > MAX_SUGGESTION_CHARS:
        raise Refused(
            _("La suggestion fait %(n)d caractères ; la limite est de %(max)d.")
            % {"n": len(suggestion), "max": MAX_SUGGESTION_CHARS},
            code="suggestion_too_long",
        )
    review = Review(
        kind=Review.Kind.PEER, assignment=assignment, reviewer=reviewer, suggestion=suggestion, comment=comment.strip()
    )
    _write_review(review, criteria, scores, marks)
    assignment.state = ReviewAssignment.State.SUBMITTED
    assignment.closed_at = timezone.now()
    assignment.save(update_fields=["state", "closed_at"])
    notifications.review_received(review)
    return review


@transaction.atomic
def review_rate(*, review: Review, author, usefulness: int, comment: str = "") -> Review:
    """The attempt's author says how useful a review was (1–5), and may thank the reviewer."""
    review = Review.objects.select_for_update(of=("self",)).select_related("assignment").get(pk=review.pk)
    if review.kind != Review.Kind.PEER or review.assignment.author_id != author.pk:
        raise Refused(_("Seul l'auteur de l'essai relu peut noter cette relecture."), code="not_author")
    if review.is_removed:
        raise Refused(_("Cette relecture a été retirée par un formateur."), code="removed")
    if not 1 <= usefulness <= 5:
        raise Refused(_("L'utilité se note de 1 à 5."), code="usefulness_out_of_scale")
    review.usefulness = usefulness
    review.usefulness_comment = comment.strip()
    review.rated_at = timezone.now()
    review.full_clean()
    review.save(update_fields=["usefulness", "usefulness_comment", "rated_at"])
    notifications.review_rated(review)
    return review


@transaction.atomic
def review_remove(*, review: Review, moderator, reason: str) -> Review:
    """A trainer removes an abusive review: the author no longer sees it and another peer is asked instead."""
    review = Review.objects.select_for_update(of=("self",)).select_related("assignment__lab").get(pk=review.pk)
    if review.kind != Review.Kind.PEER:
        raise Refused(_("Seules les relectures par les pairs peuvent être retirées ici."), code="not_peer")
    reason = reason.strip()
    if not reason:
        raise Refused(_("Dites pourquoi la relecture est retirée : son auteur le lira."), code="no_reason")
    if review.is_removed:
        return review
    review.removed_at, review.removed_by, review.removed_reason = timezone.now(), moderator, reason
    review.full_clean()
    review.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    ReviewAssignment.objects.filter(pk=review.assignment_id).update(state=ReviewAssignment.State.REMOVED)
    notifications.review_removed(review)
    fill_requests(lab=review.assignment.lab)
    return review


# --- calibration ----------------------------------------------------------------------


def _check_calibration_attempt(*, lab, submission, trainer) -> None:
    if submission.lab_id != lab.pk or submission.tier != labs.Submission.Tier.DRAFT:
        raise Refused(_("Choisissez un essai de ce labo."), code="other_lab")
    if not labs.passed_ethics_gate(submission) or not submission.video:
        raise Refused(_("Seul un essai noté, avec sa vidéo, peut servir à la calibration."), code="not_graded")
    shared = GalleryItem.objects.filter(submission=submission, withdrawn_at__isnull=True).exists()
    if submission.learner_id != trainer.pk and not shared:
        # A learner's attempt is shown to peers only if its author shared it.
        raise Refused(
            _("Un essai d'apprenant ne sert à la calibration que s'il est partagé dans la galerie."),
            code="not_shared",
        )


@transaction.atomic
def calibration_video_add(*, lab, submission, trainer):
    from community.models import CalibrationVideo

    _check_calibration_attempt(lab=lab, submission=submission, trainer=trainer)
    video, _created = CalibrationVideo.objects.get_or_create(
        lab=lab, submission=submission, defaults={"added_by": trainer}
    )
    return video


@transaction.atomic
def calibration_video_remove(*, video) -> None:
    video.delete()


@transaction.atomic
def reference_review_save(
    *, video, trainer, scores: Sequence[ScoreInput], marks: Sequence[MarkInput], comment: str = ""
):
    """The trainer's own review of a calibration video: what reviewers are compared with."""
    criteria = list(RubricCriterion.objects.filter(lab_id=video.lab_id))
    if not criteria:
        raise Refused(_("Écrivez d'abord la grille de relecture."), code="no_rubric")
    _check_scores(criteria, scores)
    _check_marks(marks, duration=_video_seconds(video.submission))
    review = Review.objects.select_for_update().filter(calibration=video, kind=Review.Kind.REFERENCE).first()
    if review is None:
        review = Review(kind=Review.Kind.REFERENCE, calibration=video, reviewer=trainer)
    else:
        review.reviewer, review.updated_at = trainer, timezone.now()
    review.comment = comment.strip()
    return _write_review(review, criteria, scores, marks)


@transaction.atomic
def calibration_review_submit(*, video, reviewer, scores: Sequence[ScoreInput]) -> Review:
    """A learner's judgement of a calibration video, compared with the trainer's once handed in (one try each)."""
    criteria = list(RubricCriterion.objects.filter(lab_id=video.lab_id))
    reference = Review.objects.filter(calibration=video, kind=Review.Kind.REFERENCE).prefetch_related("scores").first()
    if reference is None or {s.criterion_id for s in reference.scores.all()} != {c.pk for c in criteria}:
        raise Refused(_("La relecture de référence de cette vidéo n'est pas encore prête."), code="no_reference")
    if Review.objects.filter(calibration=video, reviewer=reviewer, kind=Review.Kind.CALIBRATION).exists():
        raise Refused(_("Vous avez déjà évalué cette vidéo de calibration."), code="already_calibrated")
    _check_scores(criteria, scores)
    review = Review(kind=Review.Kind.CALIBRATION, calibration=video, reviewer=reviewer)
    return _write_review(review, criteria, scores, [])
