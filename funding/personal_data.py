"""The funding app's part of a learner's data export and erasure (registered in FundingConfig.ready).

Retention: a funded training's reimbursement dossier (participants, their
CIN and CNSS numbers, attendance, status history, documents) is evidence the
training provider must keep for the OFPPT and the tax authorities for the
legal retention period, and the OFPPT may audit it after reimbursement. An
erasure request therefore leaves these rows untouched: the account row they
point at is anonymised instead (academy.personal_data), so the dossier keeps
the identifiers the law requires and nothing else about the person. The
export shows the numbers masked: the learner knows them, and a downloaded
file is one more place they could leak from. No eraser is registered
for this app: nothing here is erased.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from funding.models import Participant


def export_funding(user) -> dict[str, Any]:
    participations = (
        Participant.objects.filter(learner=user).select_related("action__company").order_by("action__start_date", "pk")
    )
    return {
        "participations": [
            {
                "action": p.action.title,
                "company": p.action.company.legal_name if p.action.company_id else None,
                "start_date": p.action.start_date,
                "end_date": p.action.end_date,
                "category": p.category,
                "funding_status": p.funding_status,
                "cin": p.masked_cin,
                "cnss_number": p.masked_cnss,
                "attendance": [
                    {"date": a.day.date, "half": a.half, "present": a.present}
                    for a in p.attendance.select_related("day").order_by("day__date", "half")
                ],
            }
            for p in participations
        ],
        "retention_notice": _(
            "Les données de financement OFPPT sont conservées pendant la durée légale, "
            "même après la suppression du compte."
        ),
    }
