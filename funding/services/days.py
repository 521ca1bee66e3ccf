"""The days of a training action and their morning/afternoon hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funding.formats import short_date
from funding.models import ActionDay, TrainingAction


def _weekdays(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _days_outside(action: TrainingAction):
    return action.days.exclude(date__gte=action.start_date, date__lte=action.end_date)


def check_days_fit(action: TrainingAction) -> None:
    """New dates may drop days, but not a day where someone's presence is recorded."""
    if action.pk is None:
        return
    signed = _days_outside(action).filter(attendance__present=True).order_by("date").first()
    if signed is not None:
        raise ValidationError(
            _("Des présences sont saisies le %(date)s : cette journée ne peut pas sortir des dates de l'action.")
            % {"date": short_date(signed.date)}
        )


def drop_days_outside(action: TrainingAction) -> None:
    check_days_fit(action)
    _days_outside(action).delete()


@transaction.atomic
def action_generate_days(*, action: TrainingAction) -> int:
    """Create the missing weekdays between the action's dates (default hours); returns how many."""
    existing = set(action.days.values_list("date", flat=True))
    new_days = [
        ActionDay(action=action, date=day)
        for day in _weekdays(action.start_date, action.end_date)
        if day not in existing
    ]
    ActionDay.objects.bulk_create(new_days)
    return len(new_days)


def _check_hours(morning: Decimal, afternoon: Decimal) -> None:
    for value in (morning, afternoon):
        if value < 0 or value > 8:
            raise ValidationError(_("Une demi-journée compte entre 0 et 8 heures."))
    if morning + afternoon <= 0:
        raise ValidationError(_("Une journée de formation compte au moins une heure."))


@transaction.atomic
def action_day_add(
    *,
    action: TrainingAction,
    date: datetime.date,
    morning_hours: Decimal = Decimal("3.5"),
    afternoon_hours: Decimal = Decimal("3.5"),
) -> ActionDay:
    if not action.start_date <= date <= action.end_date:
        raise ValidationError(
            _("Le %(date)s est en dehors des dates de l'action (du %(start)s au %(end)s).")
            % {"date": short_date(date), "start": short_date(action.start_date), "end": short_date(action.end_date)},
            code="outside_action",
        )
    if action.days.filter(date=date).exists():
        raise ValidationError(
            _("Le %(date)s figure déjà dans les journées de l'action.") % {"date": short_date(date)}, code="duplicate"
        )
    _check_hours(morning_hours, afternoon_hours)
    day = ActionDay(action=action, date=date, morning_hours=morning_hours, afternoon_hours=afternoon_hours)
    day.full_clean()
    day.save()
    return day


@transaction.atomic
def action_days_update(*, action: TrainingAction, hours: dict[int, tuple[Decimal, Decimal]]) -> int:
    """Set the morning/afternoon hours of several days at once ({day id: (morning, afternoon)})."""
    days = {day.pk: day for day in action.days.select_for_update()}
    unknown = set(hours) - set(days)
    if unknown:
        raise ValidationError(_("Une des journées envoyées n'appartient pas à cette action."), code="outside_action")
    for day_id, (morning, afternoon) in hours.items():
        _check_hours(morning, afternoon)
        day = days[day_id]
        day.morning_hours, day.afternoon_hours = morning, afternoon
        day.full_clean()
        day.save(update_fields=["morning_hours", "afternoon_hours"])
    return len(hours)


@transaction.atomic
def action_day_delete(*, day: ActionDay) -> None:
    if day.attendance.filter(present=True).exists():
        raise ValidationError(
            _("Des présences sont saisies le %(date)s : la journée ne peut pas être supprimée.")
            % {"date": short_date(day.date)}
        )
    day.delete()
