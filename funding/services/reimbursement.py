"""The funding scheme of an action, its snapshotted rate, and the expected reimbursement."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from funding import selectors
from funding.models import FundingScheme, TrainingAction
from funding.reimbursement import effective_ceiling, expected_reimbursement


def apply_scheme(action: TrainingAction, scheme: FundingScheme | None) -> None:
    """Attach ``scheme`` (or the configured one for the type and date) and snapshot its rate."""
    if scheme is None:
        scheme = selectors.scheme_for(action_type=action.action_type, on=action.start_date)
    action.scheme = scheme
    action.rate_applied = scheme.rate_percent if scheme else None


def action_recompute_reimbursement(*, action: TrainingAction) -> Decimal:
    """Refresh the applied ceiling and the expected amount; frozen once the dossier is filed."""
    if action.filed_on is not None:
        return action.expected_reimbursement
    scheme = action.scheme
    count = selectors.funded_participant_count(action)
    per_action = scheme.ceiling_per_action if scheme else None
    per_participant = scheme.ceiling_per_participant if scheme else None
    action.ceiling_applied = effective_ceiling(
        ceiling_per_action=per_action, ceiling_per_participant=per_participant, participant_count=count
    )
    action.expected_reimbursement = expected_reimbursement(
        cost_excl_tax=action.cost_excl_tax,
        rate_percent=action.rate_applied,
        ceiling_per_action=per_action,
        ceiling_per_participant=per_participant,
        participant_count=count,
    )
    action.save(update_fields=["ceiling_applied", "expected_reimbursement"])
    return action.expected_reimbursement


def check_scheme_matches(action: TrainingAction, scheme: FundingScheme | None) -> None:
    if scheme is not None and scheme.action_type != action.action_type:
        raise ValidationError(
            {
                "scheme": _("Ce barème s'applique aux actions de type « %(type)s ».")
                % {"type": scheme.get_action_type_display()}
            }
        )
