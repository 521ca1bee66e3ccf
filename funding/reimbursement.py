"""Pure computations of the funding rules: reimbursement, filing deadline, attendance rate.

No database access here, so each rule is tested with plain values.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def effective_ceiling(
    *, ceiling_per_action: Decimal | None, ceiling_per_participant: Decimal | None, participant_count: int
) -> Decimal | None:
    """The lowest of the ceilings that apply, or None when the scheme has none."""
    ceilings = []
    if ceiling_per_action is not None:
        ceilings.append(Decimal(ceiling_per_action))
    if ceiling_per_participant is not None:
        ceilings.append(Decimal(ceiling_per_participant) * max(participant_count, 0))
    return min(ceilings) if ceilings else None


def expected_reimbursement(
    *,
    cost_excl_tax: Decimal,
    rate_percent: Decimal | None,
    ceiling_per_action: Decimal | None = None,
    ceiling_per_participant: Decimal | None = None,
    participant_count: int,
) -> Decimal:
    """Rate × cost excluding tax, capped by the action's and the per-participant ceilings.

    The OFPPT reimburses a share of the cost excluding tax; without a rate
    (no scheme configured) or without a funded participant nothing is expected.
    """
    if rate_percent is None or cost_excl_tax <= 0 or participant_count <= 0:
        return Decimal("0.00")
    amount = (Decimal(cost_excl_tax) * Decimal(rate_percent) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    ceiling = effective_ceiling(
        ceiling_per_action=ceiling_per_action,
        ceiling_per_participant=ceiling_per_participant,
        participant_count=participant_count,
    )
    if ceiling is not None:
        amount = min(amount, ceiling.quantize(CENT, rounding=ROUND_HALF_UP))
    return max(amount, Decimal("0.00"))


def filing_deadline(*, plan_year: int, month: int, day: int) -> datetime.date:
    """The date the reimbursement file is due: ``day``/``month`` of the year after the plan.

    A day past the month's end (30 February) falls back to the month's last day.
    """
    year = plan_year + 1
    month = min(max(month, 1), 12)
    last_day = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, min(max(day, 1), last_day))


def attendance_rate(*, present_half_days: int, scheduled_half_days: int) -> int | None:
    """Whole-percent attendance, or None when nothing was scheduled."""
    if scheduled_half_days <= 0:
        return None
    return int(
        (Decimal(present_half_days) * 100 / Decimal(scheduled_half_days)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
