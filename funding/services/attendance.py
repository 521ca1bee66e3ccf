"""Attendance marks: the trainer's grid, and presence derived from time on the platform."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.api import seconds_on_course_by_day
from funding import selectors
from funding.formats import short_date
from funding.models import Attendance, FundingSettings, TrainingAction
from funding.services.participants import participants_follow_attendance

logger = logging.getLogger(__name__)

AttendanceKey = tuple[int, datetime.date, str]


@transaction.atomic
def attendance_save(*, action: TrainingAction, marks: dict[AttendanceKey, bool], by) -> int:
    """Save a grid of presences {(participant id, date, half): present}; all or nothing.

    A date that is not one of the action's days, or a half the day does not
    have, refuses the whole grid with a message naming it. Unchanged cells keep
    their source (a platform-derived mark stays so); changed ones become the
    trainer's. Returns the number of cells written.
    """
    settings = FundingSettings.load()
    days = {day.date: day for day in action.days.all()}
    slots = {
        (slot.date, slot.half)
        for slot in selectors.attendance_slots(list(days.values()), unit=settings.attendance_unit)
    }
    participant_ids = set(action.participants.values_list("pk", flat=True))
    for participant_id, date, half in marks:
        if date not in days:
            raise ValidationError(
                _(
                    "Le %(date)s ne fait pas partie des journées de cette action (du %(start)s au %(end)s) : rien n'a été enregistré."
                )
                % {
                    "date": short_date(date),
                    "start": short_date(action.start_date),
                    "end": short_date(action.end_date),
                },
                code="outside_action",
            )
        if (date, half) not in slots:
            raise ValidationError(
                _("Le %(date)s n'a pas de créneau « %(half)s » : rien n'a été enregistré.")
                % {
                    "date": short_date(date),
                    "half": Attendance.Half(half).label if half in Attendance.Half.values else half,
                },
                code="unknown_half",
            )
        if participant_id not in participant_ids:
            raise ValidationError(_("Un des participants envoyés ne suit pas cette action : rien n'a été enregistré."))
    existing = {
        (mark.participant_id, mark.day.date, mark.half): mark
        for mark in Attendance.objects.select_for_update().select_related("day").filter(participant__action=action)
    }
    created: list[Attendance] = []
    changed: list[Attendance] = []
    now = timezone.now()
    for (participant_id, date, half), present in marks.items():
        mark = existing.get((participant_id, date, half))
        if mark is None:
            created.append(
                Attendance(
                    participant_id=participant_id,
                    day=days[date],
                    half=half,
                    present=present,
                    source=Attendance.Source.TRAINER,
                    recorded_by=by,
                    recorded_at=now,
                )
            )
        elif mark.present != present:
            mark.present, mark.source, mark.recorded_by, mark.recorded_at = present, Attendance.Source.TRAINER, by, now
            changed.append(mark)
    # Bulk writes: a grid of 20 participants over 10 days is 400 cells in two queries.
    Attendance.objects.bulk_create(created)
    Attendance.objects.bulk_update(changed, ["present", "source", "recorded_by", "recorded_at"])
    written = len(created) + len(changed)
    participants_follow_attendance(action=action, by=by)
    logger.info("funding attendance saved action=%s cells=%s by=%s", action.pk, written, getattr(by, "pk", None))
    return written


@transaction.atomic
def attendance_derive_from_platform(*, action: TrainingAction, by, today: datetime.date | None = None) -> int:
    """For a remote action, mark presence from the time each learner spent on the course's pages.

    A half-day is present when that day's time reaches the configured seconds
    per half-day (the afternoon needs twice that); per-day attendance needs it
    once per scheduled half. Only days up to today are derived. Returns the
    number of present slots.
    """
    if not action.remote:
        raise ValidationError(
            _("Cette action se déroule en présentiel : la présence se saisit dans la grille."), code="not_remote"
        )
    settings = FundingSettings.load()
    today = today or timezone.localdate()
    threshold = settings.platform_seconds_per_half_day
    days = [day for day in action.days.order_by("date") if day.date <= today]
    slots = selectors.attendance_slots(days, unit=settings.attendance_unit)
    participants = list(action.participants.select_related("learner"))
    seconds = seconds_on_course_by_day(
        course=action.course, user_ids=[p.learner_id for p in participants], days=[d.date for d in days]
    )
    by_day: dict[int, list] = {}
    for slot in slots:
        by_day.setdefault(slot.day_id, []).append(slot)
    present_count = 0
    for participant in participants:
        for day in days:
            spent = seconds.get((participant.learner_id, day.date), 0)
            needed = 0
            for slot in by_day.get(day.pk, []):
                needed += threshold * slot.weight
                present = spent >= needed
                Attendance.objects.update_or_create(
                    participant=participant,
                    day=day,
                    half=slot.half,
                    defaults={"present": present, "source": Attendance.Source.PLATFORM, "recorded_by": by},
                )
                present_count += int(present)
    participants_follow_attendance(action=action, by=by)
    logger.info(
        "funding attendance derived action=%s present=%s by=%s", action.pk, present_count, getattr(by, "pk", None)
    )
    return present_count
