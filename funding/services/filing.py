"""Filing the dossier at the OFPPT and recording the reimbursement: the action's state dates."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.formats import short_date
from funding.models import DossierDocument, Participant, TrainingAction
from funding.services.participants import participant_set_status
from funding.services.reimbursement import action_recompute_reimbursement

logger = logging.getLogger(__name__)

Status = Participant.FundingStatus


@transaction.atomic
def action_mark_filed(*, action: TrainingAction, filed_on: datetime.date, by) -> TrainingAction:
    """The dossier was filed at the OFPPT: funded places and prepared documents become filed."""
    action = TrainingAction.objects.select_for_update().get(pk=action.pk)
    if action.filed_on is not None:
        raise ValidationError(_("Le dossier est déjà déposé (le %(date)s).") % {"date": short_date(action.filed_on)})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("La date de dépôt ne peut pas être dans le futur.")})
    if filed_on < action.start_date:
        raise ValidationError({"filed_on": _("Le dossier ne peut pas être déposé avant le début de l'action.")})
    action_recompute_reimbursement(action=action)  # the last amount before it is frozen
    reason = _("Dossier déposé le %(date)s") % {"date": short_date(filed_on)}
    for participant in action.participants.filter(funding_status__in=[Status.ELIGIBLE, Status.PREPARING]):
        participant_set_status(participant=participant, to_status=Status.FILED, by=by, reason=reason)
    action.documents.filter(status__in=[DossierDocument.Status.PREPARED, DossierDocument.Status.SIGNED]).update(
        status=DossierDocument.Status.FILED, updated_by=by, updated_at=timezone.now()
    )
    action.filed_on = filed_on
    action.save(update_fields=["filed_on"])
    logger.info("funding action filed id=%s by=%s", action.pk, getattr(by, "pk", None))
    return action


@transaction.atomic
def action_mark_reimbursed(
    *, action: TrainingAction, reimbursed_on: datetime.date, amount: Decimal, by
) -> TrainingAction:
    """The OFPPT paid: record date and amount; filed places become reimbursed."""
    action = TrainingAction.objects.select_for_update().get(pk=action.pk)
    if action.filed_on is None:
        raise ValidationError(_("Déposez d'abord le dossier : un remboursement suit un dépôt."))
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
        participant_set_status(participant=participant, to_status=Status.REIMBURSED, by=by, reason=reason)
    action.reimbursed_on = reimbursed_on
    action.received_reimbursement = amount
    action.full_clean(exclude=["created_by"])
    action.save(update_fields=["reimbursed_on", "received_reimbursement"])
    logger.info("funding action reimbursed id=%s by=%s", action.pk, getattr(by, "pk", None))
    return action
