"""Filing the dossier at the OFPPT and recording the reimbursement: the action's state dates."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from funding import selectors
from funding.formats import short_date
from funding.models import DossierDocument, FundingStatusChange, Participant, TrainingAction
from funding.services.participants import participant_set_status, participants_follow_attendance
from funding.services.reimbursement import action_recompute_reimbursement

logger = logging.getLogger(__name__)

Status = Participant.FundingStatus


def missing_pieces(action: TrainingAction) -> tuple[list[str], int]:
    """The checklist items still missing, named, and how many items the checklist has.

    Only the places that would be filed count: not those excluded, nor those
    whose attendance is under the threshold (filing leaves them out).
    """
    unfunded = (Status.NOT_ELIGIBLE, Status.REJECTED)
    short = selectors.attendance_shortfalls(action)
    items = [
        item
        for item in selectors.dossier_checklist(action)
        if item.participant is None
        or (item.participant.funding_status not in unfunded and item.participant.pk not in short)
    ]
    missing = []
    for item in items:
        if item.status == DossierDocument.Status.MISSING:
            learner = item.participant.learner if item.participant else None
            who = f" — {learner.get_full_name() or learner.email}" if learner else ""
            missing.append(f"{item.required.label}{who}")
    return missing, len(items)


def _check_complete_or_overridden(action: TrainingAction, *, by, override_reason: str) -> list[str]:
    missing, total = missing_pieces(action)
    if not missing:
        return []
    if not override_reason:
        shown = ", ".join(missing[:3]) + ("…" if len(missing) > 3 else "")
        raise ValidationError(
            ngettext(
                "Le dossier n'est pas complet : %(missing)d pièce sur %(total)d manque (%(names)s). "
                "Complétez-le, ou, si vous devez le déposer quand même, indiquez pourquoi.",
                "Le dossier n'est pas complet : %(missing)d pièces sur %(total)d manquent (%(names)s). "
                "Complétez-le, ou, si vous devez le déposer quand même, indiquez pourquoi.",
                len(missing),
            )
            % {"missing": len(missing), "total": total, "names": shown},
            code="incomplete",
        )
    if by is None or not by.is_admin:
        raise ValidationError(
            _("Seul un administrateur peut déposer un dossier incomplet."), code="override_not_allowed"
        )
    return missing


@transaction.atomic
def action_mark_filed(
    *, action: TrainingAction, filed_on: datetime.date, by, override_reason: str = ""
) -> TrainingAction:
    """The dossier was filed at the OFPPT: funded places and prepared documents become filed.

    The checklist must be complete; an admin may file an incomplete one by
    giving a reason, which is recorded with the missing pieces and who filed.
    Places whose attendance is under the threshold are left out first.
    """
    action = TrainingAction.objects.select_for_update().get(pk=action.pk)
    override_reason = " ".join(override_reason.split())
    if action.filed_on is not None:
        raise ValidationError(_("Le dossier est déjà déposé (le %(date)s).") % {"date": short_date(action.filed_on)})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("La date de dépôt ne peut pas être dans le futur.")})
    if filed_on < action.start_date:
        raise ValidationError({"filed_on": _("Le dossier ne peut pas être déposé avant le début de l'action.")})
    participants_follow_attendance(action=action, by=by, force=True)
    missing = _check_complete_or_overridden(action, by=by, override_reason=override_reason)
    action_recompute_reimbursement(action=action)  # the last amount before it is frozen
    reason = _("Dossier déposé le %(date)s") % {"date": short_date(filed_on)}
    if missing:
        reason = _("%(reason)s, incomplet : %(why)s") % {"reason": reason, "why": override_reason}
    for participant in action.participants.filter(funding_status__in=[Status.ELIGIBLE, Status.PREPARING]):
        participant_set_status(
            participant=participant,
            to_status=Status.FILED,
            by=by,
            reason=reason,
            cause=FundingStatusChange.Cause.FILING,
        )
    action.documents.filter(status__in=[DossierDocument.Status.PREPARED, DossierDocument.Status.SIGNED]).update(
        status=DossierDocument.Status.FILED, updated_by=by, updated_at=timezone.now()
    )
    action.filed_on = filed_on
    action.filed_by = by
    action.filing_override_reason = override_reason if missing else ""
    action.filing_missing = missing
    action.full_clean(exclude=["created_by"])
    action.save(update_fields=["filed_on", "filed_by", "filing_override_reason", "filing_missing"])
    logger.info("funding action filed id=%s by=%s incomplete=%s", action.pk, getattr(by, "pk", None), len(missing))
    return action


@transaction.atomic
def action_mark_reimbursed(
    *, action: TrainingAction, reimbursed_on: datetime.date, amount: Decimal, by
) -> TrainingAction:
    """The OFPPT paid: record date and amount; filed places become reimbursed."""
    action = TrainingAction.objects.select_for_update().get(pk=action.pk)
    if action.filed_on is None:
        raise ValidationError(_("Déposez d'abord le dossier : un remboursement suit un dépôt."))
    if action.reimbursed_on is not None:
        raise ValidationError(
            _("Le remboursement est déjà enregistré (le %(date)s).") % {"date": short_date(action.reimbursed_on)}
        )
    if reimbursed_on < action.filed_on:
        raise ValidationError({"reimbursed_on": _("Le remboursement ne peut pas précéder le dépôt du dossier.")})
    if reimbursed_on > timezone.localdate():
        raise ValidationError({"reimbursed_on": _("La date de remboursement ne peut pas être dans le futur.")})
    if amount < 0:
        raise ValidationError({"amount": _("Le montant reçu ne peut pas être négatif.")})
    reason = _("Remboursement reçu le %(date)s") % {"date": short_date(reimbursed_on)}
    for participant in action.participants.filter(funding_status=Status.FILED):
        participant_set_status(
            participant=participant,
            to_status=Status.REIMBURSED,
            by=by,
            reason=reason,
            cause=FundingStatusChange.Cause.REIMBURSEMENT,
        )
    action.reimbursed_on = reimbursed_on
    action.received_reimbursement = amount
    action.full_clean(exclude=["created_by"])
    action.save(update_fields=["reimbursed_on", "received_reimbursement"])
    logger.info("funding action reimbursed id=%s by=%s", action.pk, getattr(by, "pk", None))
    return action
