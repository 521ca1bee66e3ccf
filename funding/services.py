"""Writes of the funding app: companies, actions and their days, participants, attendance, dossiers.

Every function is keyword-only, atomic, and validates with ``full_clean``
before saving. Personal identifiers (CIN, CNSS) are never logged: log lines
carry database ids only.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import DailyActivity
from courses.services.learning import enrol
from funding import selectors
from funding.models import (
    ActionDay,
    Attendance,
    Company,
    DeadlineReminder,
    DossierDocument,
    FundingScheme,
    FundingSettings,
    FundingStatusChange,
    Participant,
    RequiredDocument,
    TrainingAction,
)
from funding.reimbursement import effective_ceiling, expected_reimbursement
from funding.validators import normalise_identifier

logger = logging.getLogger(__name__)

Status = Participant.FundingStatus

# Which funding statuses may follow which. A reimbursed place is final; a
# rejected one may be prepared again (a corrected dossier is re-filed).
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NOT_ELIGIBLE: frozenset({Status.ELIGIBLE}),
    Status.ELIGIBLE: frozenset({Status.NOT_ELIGIBLE, Status.PREPARING, Status.FILED}),
    Status.PREPARING: frozenset({Status.ELIGIBLE, Status.NOT_ELIGIBLE, Status.FILED}),
    Status.FILED: frozenset({Status.REIMBURSED, Status.REJECTED, Status.PREPARING}),
    Status.REJECTED: frozenset({Status.PREPARING, Status.NOT_ELIGIBLE}),
    Status.REIMBURSED: frozenset(),
}

COMPANY_IDENTIFIERS = ("ice", "rc", "if_number", "patente", "cnss_affiliation")
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
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Uploaded dossier files are recognised by their first bytes, never by their name.
UPLOAD_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"\xff\xd8\xff", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
)


def _date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- companies -------------------------------------------------------------------


def _normalised_company_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {key: normalise_identifier(value) if key in COMPANY_IDENTIFIERS else value for key, value in fields.items()}


@transaction.atomic
def company_create(*, by, **fields: Any) -> Company:
    company = Company(**_normalised_company_fields(fields))
    company.full_clean()
    company.save()
    logger.info("funding company created id=%s by=%s", company.pk, getattr(by, "pk", None))
    return company


@transaction.atomic
def company_update(*, company: Company, by, **fields: Any) -> Company:
    for key, value in _normalised_company_fields(fields).items():
        setattr(company, key, value)
    company.full_clean()
    company.save()
    logger.info("funding company updated id=%s by=%s", company.pk, getattr(by, "pk", None))
    return company


# --- actions: scheme and reimbursement ----------------------------------------------


def _apply_scheme(action: TrainingAction, scheme: FundingScheme | None) -> None:
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


def _check_scheme_matches(action: TrainingAction, scheme: FundingScheme | None) -> None:
    if scheme is not None and scheme.action_type != action.action_type:
        raise ValidationError(
            {
                "scheme": _("Ce barème s'applique aux actions de type « %(type)s ».")
                % {"type": scheme.get_action_type_display()}
            }
        )


def _check_action(action: TrainingAction) -> None:
    errors: dict[str, str] = {}
    if action.start_date and action.end_date and action.end_date < action.start_date:
        errors["end_date"] = _("La date de fin précède la date de début.")
    if not action.remote and not action.location.strip():
        errors["location"] = _("Indiquez le lieu de la formation, ou cochez « à distance ».")
    if action.cost_incl_tax and action.cost_incl_tax < action.cost_excl_tax:
        errors["cost_incl_tax"] = _("Le coût TTC ne peut pas être inférieur au coût HT.")
    if errors:
        raise ValidationError(errors)


def _check_participants_still_fit(action: TrainingAction) -> None:
    """New dates must not make a participant's actions overlap."""
    for participant in action.participants.select_related("learner"):
        other = selectors.overlapping_participation(
            learner=participant.learner, start=action.start_date, end=action.end_date, exclude_action_id=action.pk
        )
        if other is not None:
            raise ValidationError(_overlap_message(participant.learner, other.action))


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
    _check_scheme_matches(action, scheme)
    _apply_scheme(action, scheme)
    _check_action(action)
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
    _check_scheme_matches(action, scheme)
    if scheme is None or (scheme.pk, action.action_type, action.start_date) != before:
        _apply_scheme(action, scheme)
    _check_action(action)
    action.full_clean(exclude=["created_by"])  # None for actions created by a script
    _check_participants_still_fit(action)
    _drop_days_outside(action)
    action.save()
    if trainers is not None:
        action.trainers.set(trainers)
    action_recompute_reimbursement(action=action)
    logger.info("funding action updated id=%s by=%s", action.pk, getattr(by, "pk", None))
    return action


# --- actions: days -----------------------------------------------------------------


def _weekdays(start: datetime.date, end: datetime.date):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def _drop_days_outside(action: TrainingAction) -> None:
    outside = action.days.exclude(date__gte=action.start_date, date__lte=action.end_date)
    signed = outside.filter(attendance__present=True).order_by("date").first()
    if signed is not None:
        raise ValidationError(
            _("Des présences sont saisies le %(date)s : cette journée ne peut pas sortir des dates de l'action.")
            % {"date": _date(signed.date)}
        )
    outside.delete()


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
            % {"date": _date(date), "start": _date(action.start_date), "end": _date(action.end_date)},
            code="outside_action",
        )
    if action.days.filter(date=date).exists():
        raise ValidationError(
            _("Le %(date)s figure déjà dans les journées de l'action.") % {"date": _date(date)}, code="duplicate"
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
            _("Des présences sont saisies le %(date)s : la journée ne peut pas être supprimée.")
            % {"date": _date(day.date)}
        )
    day.delete()


# --- participants --------------------------------------------------------------------


def _overlap_message(learner, other: TrainingAction) -> str:
    return _(
        "%(name)s suit déjà l'action « %(title)s » du %(start)s au %(end)s, dont les dates chevauchent celles-ci."
    ) % {
        "name": learner.get_full_name() or learner.email,
        "title": other.title,
        "start": _date(other.start_date),
        "end": _date(other.end_date),
    }


def _record_status(
    participant: Participant, *, from_status: str, to_status: str, by, reason: str
) -> FundingStatusChange:
    change = FundingStatusChange(
        participant=participant, from_status=from_status, to_status=to_status, reason=reason, changed_by=by
    )
    change.full_clean(exclude=["changed_by"])  # None when a script changes the status
    change.save()
    return change


@transaction.atomic
def participant_add(
    *,
    action: TrainingAction,
    learner,
    cin: str,
    cnss_number: str = "",
    category: str = Participant.Category.EMPLOYE,
    by,
    funding_status: str = Status.ELIGIBLE,
    enrol_in_course: bool = False,
) -> Participant:
    """Add ``learner`` to the action; refuses a second place or overlapping dates."""
    if action.participants.filter(learner=learner).exists():
        raise ValidationError(_("Cette personne participe déjà à cette action."), code="duplicate")
    other = selectors.overlapping_participation(
        learner=learner, start=action.start_date, end=action.end_date, exclude_action_id=action.pk
    )
    if other is not None:
        raise ValidationError(_overlap_message(learner, other.action), code="overlap")
    participant = Participant(
        action=action,
        learner=learner,
        cin=normalise_identifier(cin),
        cnss_number=normalise_identifier(cnss_number),
        category=category,
        funding_status=funding_status,
    )
    participant.full_clean()
    participant.save()
    _record_status(participant, from_status="", to_status=funding_status, by=by, reason=_("Inscription à l'action"))
    if enrol_in_course:
        enrol(user=learner, course=action.course, enrolled_by=by)
    action_recompute_reimbursement(action=action)
    logger.info("funding participant added id=%s action=%s by=%s", participant.pk, action.pk, getattr(by, "pk", None))
    return participant


@transaction.atomic
def participant_update(*, participant: Participant, cin: str, cnss_number: str, category: str, by) -> Participant:
    participant.cin = normalise_identifier(cin)
    participant.cnss_number = normalise_identifier(cnss_number)
    participant.category = category
    participant.full_clean()
    participant.save(update_fields=["cin", "cnss_number", "category"])
    logger.info("funding participant updated id=%s by=%s", participant.pk, getattr(by, "pk", None))
    return participant


@transaction.atomic
def participant_set_status(*, participant: Participant, to_status: str, by, reason: str = "") -> Participant:
    """Move the funding status, recording who, when and why; illegal moves are refused."""
    participant = Participant.objects.select_for_update().select_related("action").get(pk=participant.pk)
    from_status = participant.funding_status
    if to_status not in Status.values:
        raise ValidationError(_("Statut de financement inconnu."), code="unknown_status")
    if to_status == from_status:
        raise ValidationError(
            _("Le financement est déjà au statut « %(status)s ».") % {"status": Status(to_status).label}
        )
    if to_status not in ALLOWED_TRANSITIONS[from_status]:
        raise ValidationError(
            _("Passage impossible de « %(from)s » à « %(to)s ».")
            % {"from": Status(from_status).label, "to": Status(to_status).label},
            code="illegal_transition",
        )
    participant.funding_status = to_status
    participant.save(update_fields=["funding_status"])
    _record_status(participant, from_status=from_status, to_status=to_status, by=by, reason=reason.strip())
    action_recompute_reimbursement(action=participant.action)
    logger.info(
        "funding participant status id=%s %s->%s by=%s", participant.pk, from_status, to_status, getattr(by, "pk", None)
    )
    return participant


# --- attendance ----------------------------------------------------------------------

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
                    "Le %(date)s ne fait pas partie des journées de cette action (du %(start)s au %(end)s) : rien n'a été enregistré."
                )
                % {"date": _date(date), "start": _date(action.start_date), "end": _date(action.end_date)},
                code="outside_action",
            )
        if (date, half) not in slots:
            raise ValidationError(
                _("Le %(date)s n'a pas de créneau « %(half)s » : rien n'a été enregistré.")
                % {
                    "date": _date(date),
                    "half": Attendance.Half(half).label if half in Attendance.Half.values else half,
                },
                code="unknown_half",
            )
        if participant_id not in participant_ids:
            raise ValidationError(_("Un des participants envoyés ne suit pas cette action : rien n'a été enregistré."))
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
            _("Cette action se déroule en présentiel : la présence se saisit dans la grille."), code="not_remote"
        )
    settings = FundingSettings.load()
    today = today or timezone.localdate()
    threshold = settings.platform_seconds_per_half_day
    days = [day for day in action.days.order_by("date") if day.date <= today]
    slots = selectors.attendance_slots(days, unit=settings.attendance_unit)
    participants = list(action.participants.select_related("learner"))
    seconds = {
        (activity.user_id, activity.day): activity.seconds
        for activity in DailyActivity.objects.filter(
            course=action.course, user__in=[p.learner_id for p in participants], day__in=[d.date for d in days]
        )
    }
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
    logger.info(
        "funding attendance derived action=%s present=%s by=%s", action.pk, present_count, getattr(by, "pk", None)
    )
    return present_count


# --- dossier -------------------------------------------------------------------------


def check_upload(upload: UploadedFile) -> str:
    """The file's extension as recognised from its content; refuses other types and large files."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(_("Le fichier dépasse 10 Mo."), code="too_large")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, extension in UPLOAD_SIGNATURES:
        if head.startswith(signature):
            return extension
    raise ValidationError(_("Seuls les fichiers PDF, JPEG et PNG sont acceptés."), code="bad_type")


def _document_for(
    *, action: TrainingAction, required: RequiredDocument, participant: Participant | None
) -> DossierDocument:
    if required.per_participant and participant is None:
        raise ValidationError(_("Cette pièce se fournit pour chaque participant."))
    if not required.per_participant:
        participant = None
    if participant is not None and participant.action_id != action.pk:
        raise ValidationError(_("Ce participant ne suit pas cette action."))
    document = (
        DossierDocument.objects.select_for_update()
        .filter(action=action, required=required, participant=participant)
        .first()
    )
    return document or DossierDocument(action=action, required=required, participant=participant)


@transaction.atomic
def document_update(
    *,
    action: TrainingAction,
    required: RequiredDocument,
    participant: Participant | None = None,
    status: str | None = None,
    upload: UploadedFile | None = None,
    notes: str | None = None,
    by,
) -> DossierDocument:
    """Set a dossier document's status and/or attach its file (an upload makes a missing piece prepared)."""
    document = _document_for(action=action, required=required, participant=participant)
    if upload is not None:
        extension = check_upload(upload)
        name = f"{action.pk}/{required.code}-{uuid.uuid4().hex[:12]}.{extension}"
        document.file.save(name, ContentFile(upload.read()), save=False)
        # A piece with its file is at least prepared, whatever the status select still says.
        if (status or document.status) == DossierDocument.Status.MISSING:
            status = DossierDocument.Status.PREPARED
    if status is not None:
        document.status = status
    if notes is not None:
        document.notes = notes
    document.updated_by = by
    document.full_clean()
    document.save()
    logger.info("funding document updated id=%s action=%s by=%s", document.pk, action.pk, getattr(by, "pk", None))
    return document


@transaction.atomic
def document_mark_generated(*, action: TrainingAction, kind: str, participant: Participant | None = None, by) -> int:
    """The platform produced a document of ``kind``: its missing checklist items become prepared."""
    marked = 0
    for required in RequiredDocument.objects.filter(active=True, generated=kind):
        if required.per_participant and participant is None:
            continue
        document = _document_for(action=action, required=required, participant=participant)
        if document.status == DossierDocument.Status.MISSING:
            document.status = DossierDocument.Status.PREPARED
            document.updated_by = by
            document.full_clean()
            document.save()
            marked += 1
    return marked


# --- filing and reimbursement ----------------------------------------------------------------


@transaction.atomic
def action_mark_filed(*, action: TrainingAction, filed_on: datetime.date, by) -> TrainingAction:
    """The dossier was filed at the OFPPT: funded places and prepared documents become filed."""
    action = TrainingAction.objects.select_for_update().get(pk=action.pk)
    if action.filed_on is not None:
        raise ValidationError(_("Le dossier est déjà déposé (le %(date)s).") % {"date": _date(action.filed_on)})
    if filed_on > timezone.localdate():
        raise ValidationError({"filed_on": _("La date de dépôt ne peut pas être dans le futur.")})
    if filed_on < action.start_date:
        raise ValidationError({"filed_on": _("Le dossier ne peut pas être déposé avant le début de l'action.")})
    action_recompute_reimbursement(action=action)  # the last amount before it is frozen
    reason = _("Dossier déposé le %(date)s") % {"date": _date(filed_on)}
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
            _("Le remboursement est déjà enregistré (le %(date)s).") % {"date": _date(action.reimbursed_on)}
        )
    if reimbursed_on < action.filed_on:
        raise ValidationError({"reimbursed_on": _("Le remboursement ne peut pas précéder le dépôt du dossier.")})
    if reimbursed_on > timezone.localdate():
        raise ValidationError({"reimbursed_on": _("La date de remboursement ne peut pas être dans le futur.")})
    if amount < 0:
        raise ValidationError({"amount": _("Le montant reçu ne peut pas être négatif.")})
    reason = _("Remboursement reçu le %(date)s") % {"date": _date(reimbursed_on)}
    for participant in action.participants.filter(funding_status=Status.FILED):
        participant_set_status(participant=participant, to_status=Status.REIMBURSED, by=by, reason=reason)
    action.reimbursed_on = reimbursed_on
    action.received_reimbursement = amount
    action.full_clean(exclude=["created_by"])
    action.save(update_fields=["reimbursed_on", "received_reimbursement"])
    logger.info("funding action reimbursed id=%s by=%s", action.pk, getattr(by, "pk", None))
    return action


# --- deadline reminders ---------------------------------------------------------------------


def _reminder_text(action: TrainingAction, deadline: selectors.Deadline) -> tuple[str, str]:
    company = action.company.legal_name if action.company else _("inter-entreprises")
    if deadline.days_left >= 0:
        subject = _("Dossier OFPPT à déposer avant le %(date)s : %(title)s") % {
            "date": _date(deadline.date),
            "title": action.title,
        }
        lead = _("Il reste %(days)s jour(s) pour déposer le dossier de remboursement de cette action.") % {
            "days": deadline.days_left
        }
    else:
        subject = _("Dossier OFPPT en retard : %(title)s") % {"title": action.title}
        lead = _("L'échéance de dépôt du dossier de remboursement est dépassée depuis %(days)s jour(s).") % {
            "days": -deadline.days_left
        }
    body = "\n".join(
        [
            lead,
            "",
            _("Action : %(title)s") % {"title": action.title},
            _("Entreprise : %(company)s") % {"company": company},
            _("Dates : du %(start)s au %(end)s") % {"start": _date(action.start_date), "end": _date(action.end_date)},
            _("Échéance de dépôt : %(date)s") % {"date": _date(deadline.date)},
        ]
    )
    return subject, body


def deadline_reminders_send(*, today: datetime.date | None = None) -> int:
    """Email the configured reminders for actions not yet filed; each offset is sent once.

    When several offsets were crossed since the last run (the task did not run,
    or the action was created late), one email covers them all. The reminder
    row and the email share a transaction, so a failed send is retried the next day.
    """
    settings = FundingSettings.load()
    today = today or timezone.localdate()
    offsets = sorted({int(days) for days in settings.reminder_days or []})
    recipients = selectors.reminder_recipients(settings)
    if not offsets or not recipients:
        return 0
    sent = 0
    for action in selectors.actions_awaiting_filing():
        deadline = selectors.action_deadline(action, settings=settings, today=today)
        crossed = [days for days in offsets if deadline.days_left <= days]
        if not crossed:
            continue
        already = set(action.reminders.values_list("days_before", flat=True))
        due = [days for days in crossed if days not in already]
        if not due:
            continue
        try:
            with transaction.atomic():
                DeadlineReminder.objects.bulk_create(
                    [DeadlineReminder(action=action, days_before=days) for days in due]
                )
                subject, body = _reminder_text(action, deadline)
                send_mail(subject, body, None, recipients)
        except IntegrityError:
            continue  # another run recorded it first
        sent += 1
        logger.info("funding reminder sent action=%s offsets=%s", action.pk, due)
    return sent
