"""Creating and editing training actions (sessions of a course for the OFPPT)."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funding.models import Company, FundingScheme, TrainingAction
from funding.services.days import action_generate_days, check_days_fit, drop_days_outside
from funding.services.participants import check_no_overlap
from funding.services.reimbursement import action_recompute_reimbursement, apply_scheme, check_scheme_matches

logger = logging.getLogger(__name__)

ACTION_FIELDS = frozenset(
    {
        "course",
        "company",
        "title",
        "action_type",
        "plan_year",
        "csf_contract_number",
        "start_date",
        "end_date",
        "location",
        "remote",
        "cost_excl_tax",
        "cost_incl_tax",
    }
)


def _check_action(action: TrainingAction) -> None:
    errors: dict[str, str] = {}
    if action.start_date and action.end_date and action.end_date < action.start_date:
        errors["end_date"] = _("La date de fin précède la date de début.")
    if not action.remote and not action.location.strip():
        errors["location"] = _("Indiquez le lieu de la formation, ou cochez « à distance ».")
    if action.cost_incl_tax and action.cost_incl_tax < action.cost_excl_tax:
        errors["cost_incl_tax"] = _("Le coût TTC ne peut pas être inférieur au coût HT.")
    if errors:
        raise ValidationError(errors)


def _check_participants_still_fit(action: TrainingAction) -> None:
    """New dates must not make a participant's actions overlap."""
    if action.pk is None:
        return
    for participant in action.participants.select_related("learner"):
        check_no_overlap(learner=participant.learner, action=action)


def action_check(action: TrainingAction, *, scheme: FundingScheme | None) -> None:
    """Every rule an action's fields follow, whichever screen edits them (the site's form, the admin).

    Raises ValidationError, by field where there is one: end before start,
    no place for an on-site action, tax-inclusive cost under the net cost, a
    scheme of another type of action, new dates that make a participant's
    actions overlap or drop a day where presence is recorded.
    """
    check_scheme_matches(action, scheme)
    _check_action(action)
    _check_participants_still_fit(action)
    check_days_fit(action)


@transaction.atomic
def action_create(
    *,
    by,
    course,
    title: str,
    action_type: str,
    plan_year: int,
    start_date: datetime.date,
    end_date: datetime.date,
    company: Company | None = None,
    csf_contract_number: str = "",
    location: str = "",
    remote: bool = False,
    cost_excl_tax: Decimal = Decimal("0"),
    cost_incl_tax: Decimal = Decimal("0"),
    scheme: FundingScheme | None = None,
    trainers=(),
    generate_days: bool = True,
) -> TrainingAction:
    action = TrainingAction(
        course=course,
        company=company,
        title=title or course.title,
        action_type=action_type,
        plan_year=plan_year,
        csf_contract_number=csf_contract_number,
        start_date=start_date,
        end_date=end_date,
        location=location,
        remote=remote,
        cost_excl_tax=cost_excl_tax,
        cost_incl_tax=cost_incl_tax,
        created_by=by,
    )
    action_check(action, scheme=scheme)
    apply_scheme(action, scheme)
    action.full_clean(exclude=["created_by"])  # None for actions created by a script
    action.save()
    action.trainers.set(trainers)
    if generate_days:
        action_generate_days(action=action)
    action_recompute_reimbursement(action=action)
    logger.info("funding action created id=%s by=%s", action.pk, getattr(by, "pk", None))
    return action


@transaction.atomic
def action_update(
    *, action: TrainingAction, by, scheme: FundingScheme | None = None, trainers=None, **fields: Any
) -> TrainingAction:
    """Edit an action; the scheme is re-applied when it, the type or the start date changes."""
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise TypeError(f"unknown action fields: {sorted(unknown)}")
    action = TrainingAction.objects.select_for_update().get(pk=action.pk)
    before = (action.scheme_id, action.action_type, action.start_date)
    for key, value in fields.items():
        setattr(action, key, value)
    if not action.title:
        action.title = action.course.title
    action_check(action, scheme=scheme)
    if scheme is None or (scheme.pk, action.action_type, action.start_date) != before:
        apply_scheme(action, scheme)
    action.full_clean(exclude=["created_by"])  # None for actions created by a script
    drop_days_outside(action)
    action.save()
    if trainers is not None:
        action.trainers.set(trainers)
    action_recompute_reimbursement(action=action)
    logger.info("funding action updated id=%s by=%s", action.pk, getattr(by, "pk", None))
    return action
