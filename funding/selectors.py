"""Reads for the funding pages: lists, the attendance grid, the dossier checklist, deadlines."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from funding.models import (
    ActionDay,
    Attendance,
    Company,
    DossierDocument,
    FundingScheme,
    FundingSettings,
    FundingStatusChange,
    Participant,
    RequiredDocument,
    TrainingAction,
)
from funding.reimbursement import attendance_rate, filing_deadline

# Statuses whose places count for the reimbursement (and its per-participant ceiling).
FUNDED_STATUSES = (
    Participant.FundingStatus.ELIGIBLE,
    Participant.FundingStatus.PREPARING,
    Participant.FundingStatus.FILED,
    Participant.FundingStatus.REIMBURSED,
)


# The company filter's value for actions open to several employers (no company).
INTER_COMPANY = "inter"


@dataclass(frozen=True)
class CompanyStatusFilter:
    """Company and funding status, narrowed the same way by the dashboard and the exports.

    ``company`` is a company id, INTER_COMPANY or None (every company);
    ``status`` a participant funding status or "" (every status).
    """

    company: int | str | None = None
    status: str = ""

    def participants(self) -> Q:
        """Participants of the company's actions, at that funding status."""
        query = Q()
        if self.company == INTER_COMPANY:
            query &= Q(action__company__isnull=True)
        elif self.company:
            query &= Q(action__company_id=self.company)
        if self.status:
            query &= Q(funding_status=self.status)
        return query

    def actions(self) -> Q:
        """The company's actions that have at least one participant at that funding status."""
        query = Q()
        if self.company == INTER_COMPANY:
            query &= Q(company__isnull=True)
        elif self.company:
            query &= Q(company_id=self.company)
        if self.status:
            query &= Q(Exists(Participant.objects.filter(action=OuterRef("pk"), funding_status=self.status)))
        return query


class ActionFilter:
    OPEN = "open"
    FILED = "filed"
    REIMBURSED = "reimbursed"
    CHOICES = (OPEN, FILED, REIMBURSED)


# --- companies -------------------------------------------------------------------


def company_list(*, search: str = "") -> QuerySet[Company]:
    companies = Company.objects.annotate(action_count=Count("actions"))
    search = search.strip()
    if search:
        compact = search.replace(" ", "").replace(".", "")
        companies = companies.filter(
            Q(legal_name__icontains=search)
            | Q(city__icontains=search)
            | Q(sector__icontains=search)
            | Q(ice__contains=compact)
        )
    return companies.order_by("legal_name")


# --- actions ---------------------------------------------------------------------


def action_list(
    *, year: int | None = None, company_id: int | None = None, status: str = ""
) -> QuerySet[TrainingAction]:
    actions = TrainingAction.objects.select_related("course", "company").annotate(
        participant_count=Count("participants", distinct=True)
    )
    if year:
        actions = actions.filter(plan_year=year)
    if company_id:
        actions = actions.filter(company_id=company_id)
    if status == ActionFilter.OPEN:
        actions = actions.filter(filed_on__isnull=True)
    elif status == ActionFilter.FILED:
        actions = actions.filter(filed_on__isnull=False, reimbursed_on__isnull=True)
    elif status == ActionFilter.REIMBURSED:
        actions = actions.filter(reimbursed_on__isnull=False)
    return actions.order_by("-start_date", "-pk")


def action_years() -> list[int]:
    return list(TrainingAction.objects.order_by("-plan_year").values_list("plan_year", flat=True).distinct())


def action_for_page(pk: int) -> TrainingAction | None:
    participants = Participant.objects.select_related("learner").order_by(
        "learner__last_name", "learner__first_name", "pk"
    )
    return (
        TrainingAction.objects.select_related("course", "company", "scheme", "created_by")
        .prefetch_related("days", "trainers", Prefetch("participants", queryset=participants))
        .filter(pk=pk)
        .first()
    )


def scheme_for(*, action_type: str, on: datetime.date) -> FundingScheme | None:
    """The configured scheme for this type of action that is valid on ``on`` (latest start wins)."""
    return (
        FundingScheme.objects.filter(action_type=action_type, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from", "-pk")
        .first()
    )


def funded_participant_count(action: TrainingAction) -> int:
    return action.participants.filter(funding_status__in=FUNDED_STATUSES).count()


def trainer_choices() -> QuerySet:
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[User.Role.TRAINER, User.Role.ADMIN]) | Q(is_staff=True))
        .order_by("last_name", "first_name", "email")
    )


def user_search(query: str, *, limit: int = 20) -> list:
    query = query.strip()
    if len(query) < 2:
        return []
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(email__icontains=query) | Q(last_name__icontains=query) | Q(first_name__icontains=query))
        .order_by("email")[:limit]
    )


def overlapping_participation(
    *, learner, start: datetime.date, end: datetime.date, exclude_action_id: int | None = None
) -> Participant | None:
    """Another action of the same learner whose dates overlap [start, end]."""
    overlapping = Participant.objects.select_related("action").filter(
        learner=learner, action__start_date__lte=end, action__end_date__gte=start
    )
    if exclude_action_id is not None:
        overlapping = overlapping.exclude(action_id=exclude_action_id)
    return overlapping.order_by("action__start_date").first()


def participant_for_page(pk: int) -> Participant | None:
    history = FundingStatusChange.objects.select_related("changed_by").order_by("changed_at", "pk")
    return (
        Participant.objects.select_related("learner", "action__course", "action__company")
        .prefetch_related(Prefetch("status_changes", queryset=history))
        .filter(pk=pk)
        .first()
    )


# --- attendance ------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One column of the attendance grid: a half-day, or a whole day when attendance is per day."""

    day_id: int
    date: datetime.date
    half: str
    hours: Decimal
    weight: int  # how many half-days the slot is worth

    @property
    def key(self) -> str:
        return f"{self.date.isoformat()}:{self.half}"


@dataclass
class Cell:
    participant_id: int
    slot: Slot
    present: bool
    source: str | None

    @property
    def key(self) -> str:
        """The grid's input value: ``<participant id>:<date>:<half>``."""
        return f"{self.participant_id}:{self.slot.key}"


@dataclass
class AttendanceRow:
    participant: Participant
    cells: list[Cell] = field(default_factory=list)
    present_half_days: int = 0
    scheduled_half_days: int = 0
    hours_attended: Decimal = Decimal("0")
    rate: int | None = None
    below_threshold: bool = False


def attendance_slots(days: list[ActionDay], *, unit: str) -> list[Slot]:
    slots: list[Slot] = []
    for day in days:
        if unit == FundingSettings.AttendanceUnit.DAY:
            weight = int(day.morning_hours > 0) + int(day.afternoon_hours > 0)
            if weight:
                slots.append(Slot(day.pk, day.date, Attendance.Half.DAY, day.hours, weight))
            continue
        if day.morning_hours > 0:
            slots.append(Slot(day.pk, day.date, Attendance.Half.MORNING, day.morning_hours, 1))
        if day.afternoon_hours > 0:
            slots.append(Slot(day.pk, day.date, Attendance.Half.AFTERNOON, day.afternoon_hours, 1))
    return slots


def attendance_grid(
    action: TrainingAction, *, settings: FundingSettings | None = None, today: datetime.date | None = None
) -> tuple[list[Slot], list[AttendanceRow]]:
    """Rows of participants × columns of slots, with each participant's rate and hours.

    The rate counts the half-days scheduled up to ``today`` (so a session in
    progress is not flagged for days still to come), plus any later one
    already marked present.
    """
    settings = settings or FundingSettings.load()
    today = today or timezone.localdate()
    days = list(action.days.order_by("date"))
    slots = attendance_slots(days, unit=settings.attendance_unit)
    participants = list(
        action.participants.select_related("learner").order_by("learner__last_name", "learner__first_name", "pk")
    )
    marks = {
        (mark.participant_id, mark.day_id, mark.half): mark
        for mark in Attendance.objects.filter(participant__action=action, day__action=action)
    }
    rows = []
    for participant in participants:
        row = AttendanceRow(participant=participant)
        for slot in slots:
            mark = marks.get((participant.pk, slot.day_id, slot.half))
            present = bool(mark and mark.present)
            row.cells.append(
                Cell(participant_id=participant.pk, slot=slot, present=present, source=mark.source if mark else None)
            )
            if slot.date <= today or present:
                row.scheduled_half_days += slot.weight
            if present:
                row.present_half_days += slot.weight
                row.hours_attended += slot.hours
        row.rate = attendance_rate(present_half_days=row.present_half_days, scheduled_half_days=row.scheduled_half_days)
        row.below_threshold = row.rate is not None and row.rate < settings.attendance_threshold_percent
        rows.append(row)
    return slots, rows


def attendance_is_final(action: TrainingAction, *, today: datetime.date | None = None) -> bool:
    """Once its last day has come, an action's attendance decides who may be funded."""
    return action.end_date <= (today or timezone.localdate())


def attendance_shortfalls(
    action: TrainingAction, *, settings: FundingSettings | None = None, today: datetime.date | None = None
) -> dict[int, AttendanceRow]:
    """The rows, by participant id, of the participants whose attendance is under the threshold."""
    settings = settings or FundingSettings.load()
    _slots, rows = attendance_grid(action, settings=settings, today=today)
    return {row.participant.pk: row for row in rows if row.below_threshold}


def attendance_by_participant(
    action: TrainingAction, *, today: datetime.date | None = None
) -> dict[int, AttendanceRow]:
    _slots, rows = attendance_grid(action, today=today)
    return {row.participant.pk: row for row in rows}


def can_record_attendance(user, action: TrainingAction) -> bool:
    """Admins, and the trainers of this action (the grid is the only funding page they see)."""
    if not user.is_authenticated:
        return False
    return user.is_admin or action.trainers.filter(pk=user.pk).exists()


# --- dossier ---------------------------------------------------------------------


@dataclass
class ChecklistItem:
    required: RequiredDocument
    participant: Participant | None
    document: DossierDocument | None

    @property
    def status(self) -> str:
        return self.document.status if self.document else DossierDocument.Status.MISSING

    @property
    def status_label(self) -> str:
        return str(DossierDocument.Status(self.status).label)

    @property
    def has_file(self) -> bool:
        return bool(self.document and self.document.file)


def dossier_checklist(action: TrainingAction) -> list[ChecklistItem]:
    """One item per active required document (and per participant when the document is individual)."""
    required = list(RequiredDocument.objects.filter(active=True).order_by("position", "pk"))
    participants = list(
        action.participants.select_related("learner").order_by("learner__last_name", "learner__first_name", "pk")
    )
    documents = {(doc.required_id, doc.participant_id): doc for doc in action.documents.all()}
    items = []
    for requirement in required:
        if requirement.per_participant:
            for participant in participants:
                items.append(ChecklistItem(requirement, participant, documents.get((requirement.pk, participant.pk))))
        else:
            items.append(ChecklistItem(requirement, None, documents.get((requirement.pk, None))))
    return items


def dossier_progress(items: list[ChecklistItem]) -> tuple[int, int]:
    """(documents at least prepared, documents expected)."""
    done = sum(1 for item in items if item.status != DossierDocument.Status.MISSING)
    return done, len(items)


# --- deadlines -------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    date: datetime.date
    days_left: int
    filed: bool

    @property
    def overdue_days(self) -> int:
        return max(-self.days_left, 0)

    @property
    def level(self) -> str:
        """The badge colour: ok, warn within a month, error within a week or past."""
        if self.filed:
            return "ok"
        if self.days_left <= 7:
            return "error"
        if self.days_left <= 30:
            return "warn"
        return "info"


def action_deadline(
    action: TrainingAction, *, settings: FundingSettings | None = None, today: datetime.date | None = None
) -> Deadline:
    settings = settings or FundingSettings.load()
    today = today or timezone.localdate()
    due = filing_deadline(
        plan_year=action.plan_year, month=settings.filing_deadline_month, day=settings.filing_deadline_day
    )
    return Deadline(date=due, days_left=(due - today).days, filed=action.filed_on is not None)


def actions_awaiting_filing() -> QuerySet[TrainingAction]:
    """Actions not yet filed that have at least one place to claim back."""
    return (
        TrainingAction.objects.filter(filed_on__isnull=True, participants__funding_status__in=FUNDED_STATUSES)
        .select_related("company", "course")
        .distinct()
        .order_by("plan_year", "pk")
    )


def reminder_admins() -> list:
    """The administrators notified of filing deadlines (active accounts)."""
    User = get_user_model()
    return list(User.objects.filter(is_active=True).filter(Q(role=User.Role.ADMIN) | Q(is_staff=True)).order_by("pk"))
