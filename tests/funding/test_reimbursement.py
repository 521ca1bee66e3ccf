"""The pure funding rules: expected reimbursement, filing deadline, attendance rate."""

import datetime
from decimal import Decimal

import pytest

from funding.reimbursement import attendance_rate, effective_ceiling, expected_reimbursement, filing_deadline


@pytest.mark.parametrize(
    ("cost", "rate", "per_action", "per_participant", "count", "expected"),
    [
        (Decimal("20000"), Decimal("70"), None, None, 5, Decimal("14000.00")),  # rate × cost HT
        (Decimal("20000"), Decimal("70"), Decimal("10000"), None, 5, Decimal("10000.00")),  # capped per action
        (Decimal("20000"), Decimal("70"), None, Decimal("1500"), 4, Decimal("6000.00")),  # capped per participant × 4
        (Decimal("20000"), Decimal("70"), Decimal("5000"), Decimal("1500"), 4, Decimal("5000.00")),  # lowest cap wins
        (Decimal("20000"), Decimal("70"), None, None, 0, Decimal("0.00")),  # no funded participant, nothing to claim
        (Decimal("333.33"), Decimal("40"), None, None, 1, Decimal("133.33")),  # rounded to the cent
        (Decimal("1000"), None, None, None, 3, Decimal("0.00")),  # no scheme, nothing expected
        (Decimal("0"), Decimal("70"), None, None, 3, Decimal("0.00")),
    ],
)
def test_expected_reimbursement(cost, rate, per_action, per_participant, count, expected):
    amount = expected_reimbursement(
        cost_excl_tax=cost,
        rate_percent=rate,
        ceiling_per_action=per_action,
        ceiling_per_participant=per_participant,
        participant_count=count,
    )
    assert amount == expected


def test_effective_ceiling_is_none_without_ceilings():
    assert effective_ceiling(ceiling_per_action=None, ceiling_per_participant=None, participant_count=3) is None


@pytest.mark.parametrize(
    ("plan_year", "month", "day", "expected"),
    [
        (2026, 4, 30, datetime.date(2027, 4, 30)),  # 30 April of N+1 (ofppt.ma)
        (2026, 12, 31, datetime.date(2027, 12, 31)),
        (2027, 2, 30, datetime.date(2028, 2, 29)),  # clamped to the month's end (leap year)
    ],
)
def test_filing_deadline(plan_year, month, day, expected):
    assert filing_deadline(plan_year=plan_year, month=month, day=day) == expected


@pytest.mark.parametrize(("present", "scheduled", "rate"), [(8, 10, 80), (7, 9, 78), (0, 4, 0), (3, 0, None)])
def test_attendance_rate(present, scheduled, rate):
    assert attendance_rate(present_half_days=present, scheduled_half_days=scheduled) == rate
