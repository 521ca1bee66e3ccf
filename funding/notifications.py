"""What funding tells administrators: an OFPPT dossier's filing deadline is near (or past).

The kind is registered in FundingConfig.ready; the daily reminders service calls ``deadline_approaching``.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from academy.notifications.api import NotificationKind, notify, register_kind
from funding.formats import short_date

DOSSIER_DEADLINE = "funding.dossier_deadline"


def _date(value: str) -> str:
    return short_date(datetime.date.fromisoformat(value))


def deadline_title(data) -> str:
    days = int(data["days_left"])
    if days >= 0:
        return ngettext(
            "Dossier OFPPT à déposer dans %(days)d jour, avant le %(date)s : %(title)s",
            "Dossier OFPPT à déposer dans %(days)d jours, avant le %(date)s : %(title)s",
            days,
        ) % {"days": days, "date": _date(data["deadline"]), "title": data["title"]}
    return ngettext(
        "Dossier OFPPT en retard de %(days)d jour : %(title)s",
        "Dossier OFPPT en retard de %(days)d jours : %(title)s",
        -days,
    ) % {"days": -days, "title": data["title"]}


def deadline_body(data) -> str:
    company = data.get("company") or _("inter-entreprises")
    return "\n".join(
        [
            _("Action : %(title)s") % {"title": data["title"]},
            _("Entreprise : %(company)s") % {"company": company},
            _("Dates : du %(start)s au %(end)s") % {"start": _date(data["start"]), "end": _date(data["end"])},
            _("Échéance de dépôt : %(date)s") % {"date": _date(data["deadline"])},
        ]
    )


def _is_admin(user) -> bool:
    return user.is_admin


def register_kinds() -> None:
    register_kind(
        NotificationKind(
            key=DOSSIER_DEADLINE,
            label=gettext_lazy("L'échéance de dépôt d'un dossier OFPPT approche"),
            title=deadline_title,
            body=deadline_body,
            audience=_is_admin,
        )
    )


def deadline_data(action, deadline) -> dict:
    return {
        "title": action.title,
        "company": action.company.legal_name if action.company else "",
        "start": action.start_date.isoformat(),
        "end": action.end_date.isoformat(),
        "deadline": deadline.date.isoformat(),
        "days_left": deadline.days_left,
    }


def deadline_approaching(*, admin, action, deadline) -> None:
    notify(
        recipient=admin,
        kind=DOSSIER_DEADLINE,
        data=deadline_data(action, deadline),
        url=reverse("funding:dossier", args=[action.pk]),
        key=f"action-{action.pk}",
    )
