"""Places on an action: adding a learner, their identifiers, and the funding status machine."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses.api import enrol
from funding import selectors
from funding.formats import short_date
from funding.models import FundingSettings, FundingStatusChange, Participant, TrainingAction
from funding.services.reimbursement import action_recompute_reimbursement
from funding.validators import normalise_identifier

logger = logging.getLogger(__name__)

Status = Participant.FundingStatus

# Which funding statuses may follow which. A reimbursed place is final; a
# rejected one may be prepared again (a corrected dossier is re-filed).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NOT_ELIGIBLE: frozenset({Status.ELIGIBLE}),
    Status.ELIGIBLE: frozenset({Status.NOT_ELIGIBLE, Status.PREPARING, Status.FILED}),
    Status.PREPARING: frozenset({Status.ELIGIBLE, Status.NOT_ELIGIBLE, Status.FILED}),
    Status.FILED: frozenset({Status.REIMBURSED, Status.REJECTED, Status.PREPARING}),
    Status.REJECTED: frozenset({Status.PREPARING, Status.NOT_ELIGIBLE}),
    Status.REIMBURSED: frozenset(),
}


INITIAL_STATUSES = frozenset({Status.ELIGIBLE, Status.NOT_ELIGIBLE, Status.PREPARING})


def _overlap_message(learner, other: TrainingAction) -> str:
    return _(
        "%(name)s suit déjà l'action « %(title)s » du %(start)s au %(end)s, dont les dates chevauchent celles-ci."
    ) % {
        "name": learner.get_full_name() or learner.email,
        "title": other.title,
        "start": short_date(other.start_date),
        "end": short_date(other.end_date),
    }


def check_no_overlap(*, learner, action: TrainingAction) -> None:
    """Refuses a place on ``action`` whose dates overlap another action the learner follows."""
    other = selectors.overlapping_participation(
        learner=learner, start=action.start_date, end=action.end_date, exclude_action_id=action.pk
    )
    if other is not None:
        raise ValidationError(_overlap_message(learner, other.action), code="overlap")


def _record_status(
    participant: Participant,
    *,
    from_status: str,
    to_status: str,
    by,
    reason: str,
    cause: str = FundingStatusChange.Cause.MANUAL,
) -> FundingStatusChange:
    change = FundingStatusChange(
        participant=participant,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=by,
        cause=cause,
    )
    change.full_clean(exclude=["changed_by"])  # None when a script changes the status
    change.save()
    return change


@transaction.atomic
def participant_add(
    *,
    action: TrainingAction,
    learner,
    cin: str,
    cnss_number: str = "",
    category: str = Participant.Category.EMPLOYE,
    by,
    funding_status: str = Status.ELIGIBLE,
    enrol_in_course: bool = False,
) -> Participant:
    """Add ``learner`` to the action; refuses a second place or overlapping dates."""
    if action.participants.filter(learner=learner).exists():
        raise ValidationError(_("Cette personne participe déjà à cette action."), code="duplicate")
    check_initial_status(funding_status)
    check_no_overlap(learner=learner, action=action)
    participant = Participant(
        action=action,
        learner=learner,
        cin=normalise_identifier(cin),
        cnss_number=normalise_identifier(cnss_number),
        category=category,
        funding_status=funding_status,
    )
    participant.full_clean()
    participant.save()
    _record_status(participant, from_status="", to_status=funding_status, by=by, reason=_("Inscription à l'action"))
    if enrol_in_course:
        enrol(user=learner, course=action.course, enrolled_by=by)
    action_recompute_reimbursement(action=action)
    logger.info("funding participant added id=%s action=%s by=%s", participant.pk, action.pk, getattr(by, "pk", None))
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, cin: str, cnss_number: str, category: str, by) -> Participant:
    participant.cin = normalise_identifier(cin)
    participant.cnss_number = normalise_identifier(cnss_number)
    participant.category = category
    participant.full_clean()
    participant.save(update_fields=["cin", "cnss_number", "category"])
    logger.info("funding participant updated id=%s by=%s", participant.pk, getattr(by, "pk", None))
    return participant


def attendance_threshold_message(*, rate: int, threshold: int) -> str:
    return _("Assiduité de %(rate)d %%, sous le seuil de %(threshold)d %%") % {"rate": rate, "threshold": threshold}


def _check_manual_move(participant: Participant, from_status: str, to_status: str) -> None:
    """By hand, a place is filed only with its action's dossier, and attendance under the threshold
    keeps an excluded place excluded."""
    if to_status == Status.FILED and participant.action.filed_on is None:
        raise ValidationError(
            _("Le dossier de cette action n'est pas déposé : déposez-le depuis la page de l'action."),
            code="action_not_filed",
        )
    if from_status in selectors.FUNDED_STATUSES or to_status not in selectors.FUNDED_STATUSES:
        return
    if not selectors.attendance_is_final(participant.action):
        return
    settings = FundingSettings.load()
    short = selectors.attendance_shortfalls(participant.action, settings=settings).get(participant.pk)
    if short is not None:
        raise ValidationError(
            _(
                "%(reason)s : cette place ne peut pas être financée. Corrigez d'abord la feuille de présence si elle est fausse."
            )
            % {
                "reason": attendance_threshold_message(rate=short.rate, threshold=settings.attendance_threshold_percent)
            },
            code="below_attendance_threshold",
        )


def check_status_move(
    participant: Participant, to_status: str, *, cause: str = FundingStatusChange.Cause.MANUAL
) -> None:
    """Refuse a move of ``participant``'s status that the rules forbid, with the reason (every screen uses this)."""
    from_status = participant.funding_status
    if to_status not in Status.values:
        raise ValidationError(_("Statut de financement inconnu."), code="unknown_status")
    if to_status == from_status:
        raise ValidationError(
            _("Le financement est déjà au statut « %(status)s ».") % {"status": Status(to_status).label}
        )
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise ValidationError(
            _("Passage impossible de « %(from)s » à « %(to)s ».")
            % {"from": Status(from_status).label, "to": Status(to_status).label},
            code="illegal_transition",
        )
    if cause == FundingStatusChange.Cause.MANUAL:
        _check_manual_move(participant, from_status, to_status)


def check_initial_status(funding_status: str) -> None:
    """A new place starts eligible, not eligible or being prepared: filing and payment come with the dossier."""
    if funding_status not in INITIAL_STATUSES:
        raise ValidationError(
            _("Une nouvelle place commence « Éligible », « Non éligible » ou « Dossier en préparation »."),
            code="initial_status",
        )


@transaction.atomic
def participant_set_status(
    *,
    participant: Participant,
    to_status: str,
    by,
    reason: str = "",
    cause: str = FundingStatusChange.Cause.MANUAL,
) -> Participant:
    """Move the funding status, recording who, when, why and on what grounds; illegal moves are refused.

    By hand (``cause`` manual), a place is filed only once its action's dossier
    is, and a place excluded while its final attendance is under the threshold
    cannot become fundable again.
    """
    participant = Participant.objects.select_for_update().select_related("action").get(pk=participant.pk)
    from_status = participant.funding_status
    check_status_move(participant, to_status, cause=cause)
    participant.funding_status = to_status
    participant.save(update_fields=["funding_status"])
    _record_status(participant, from_status=from_status, to_status=to_status, by=by, reason=reason.strip(), cause=cause)
    action_recompute_reimbursement(action=participant.action)
    logger.info(
        "funding participant status id=%s %s->%s by=%s", participant.pk, from_status, to_status, getattr(by, "pk", None)
    )
    return participant


@transaction.atomic
def participants_follow_attendance(*, action: TrainingAction, by, force: bool = False) -> int:
    """Make the places' eligibility follow the attendance threshold; returns how many changed.

    Once the action's last day has come (or when ``force``, at filing), an
    eligible place (or one being prepared) under the threshold becomes not
    eligible, and a place that attendance alone had excluded becomes eligible
    again when the sheet is corrected. A place an admin excluded stays
    excluded; nothing changes once the dossier is filed.
    """
    if action.filed_on is not None or not (force or selectors.attendance_is_final(action)):
        return 0
    settings = FundingSettings.load()
    threshold = settings.attendance_threshold_percent
    _slots, rows = selectors.attendance_grid(action, settings=settings)
    changed = 0
    for row in rows:
        participant = row.participant
        if row.below_threshold and participant.funding_status in (Status.ELIGIBLE, Status.PREPARING):
            to_status = Status.NOT_ELIGIBLE
            reason = attendance_threshold_message(rate=row.rate, threshold=threshold)
        elif not row.below_threshold and participant.funding_status == Status.NOT_ELIGIBLE:
            last = participant.status_changes.order_by("-changed_at", "-id").first()
            if last is None or last.cause != FundingStatusChange.Cause.ATTENDANCE:
                continue
            to_status = Status.ELIGIBLE
            reason = _("Assiduité de %(rate)d %%, au niveau du seuil de %(threshold)d %%") % {
                "rate": row.rate or 0,
                "threshold": threshold,
            }
        else:
            continue
        participant_set_status(
            participant=participant,
            to_status=to_status,
            by=by,
            reason=reason,
            cause=FundingStatusChange.Cause.ATTENDANCE,
        )
        changed += 1
    return changed
