"""Rows of the funding exports (enrolments, attendance) and their CSV / XLSX writers.

Rows come from one query each, streamed with ``.iterator()``: a participant's
attendance totals are correlated subqueries in that same SQL statement, and
per-action figures (scheduled hours, funded places) one GROUP BY beforehand;
never one query per row. CIN and CNSS numbers are
selected (and decrypted) only when the admin asked for them.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.db import models
from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from academy.spreadsheets import neutralise_formula
from funding.dashboard import HOURS, attended_hours_expression
from funding.models import ActionDay, ActionType, Attendance, FundingSettings, Participant
from funding.reimbursement import attendance_rate
from funding.selectors import FUNDED_STATUSES, CompanyStatusFilter

CENT = Decimal("0.01")
CHUNK_SIZE = 2000
CSV_ROWS_PER_CHUNK = 500


class ExportKind(models.TextChoices):
    ENROLMENTS = "enrolments", gettext_lazy("Inscriptions (une ligne par participant)")
    ATTENDANCE = "attendance", gettext_lazy("Présences (une ligne par participant et demi-journée)")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", gettext_lazy("Excel (XLSX)")
    CSV = "csv", gettext_lazy("CSV")


class Separator(models.TextChoices):
    SEMICOLON = "semicolon", gettext_lazy("Point-virgule (;)")
    COMMA = "comma", gettext_lazy("Virgule (,)")


@dataclass(frozen=True)
class ExportFilter(CompanyStatusFilter):
    """Period on the actions' start date plus the shared company and status filter; identifiers only on request."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    include_identifiers: bool = False

    def participants(self) -> Q:
        query = super().participants()
        if self.date_from:
            query &= Q(action__start_date__gte=self.date_from)
        if self.date_to:
            query &= Q(action__start_date__lte=self.date_to)
        return query

    def describe(self) -> str:
        """The filters in plain words, for the audit line (no personal data in there)."""
        parts = [
            f"from={self.date_from or '-'}",
            f"to={self.date_to or '-'}",
            f"company={self.company or '-'}",
            f"status={self.status or '-'}",
        ]
        return " ".join(parts)


@dataclass
class Export:
    kind: str
    columns: list[str]
    rows: Iterator[list[Any]]
    basename: str


# --- queries ---------------------------------------------------------------------------


def _participants(filters: ExportFilter) -> models.QuerySet[Participant]:
    return Participant.objects.filter(filters.participants())


def _ordered(queryset: models.QuerySet) -> models.QuerySet:
    return queryset.order_by("action__start_date", "action_id", "learner__last_name", "learner__first_name", "pk")


def _scalar(queryset: models.QuerySet, group: str, total: Any, output_field: models.Field) -> Coalesce:
    """A correlated aggregate (one value per outer row) inside the outer SELECT."""
    subquery = Subquery(
        queryset.order_by().values(group).annotate(total=total).values("total")[:1], output_field=output_field
    )
    return Coalesce(subquery, Value(0), output_field=output_field)


def _half_days_of_day() -> Case:
    return Case(When(morning_hours__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField()) + Case(
        When(afternoon_hours__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


def _present_weight(unit: str) -> Case:
    """Half-days a present mark is worth; marks of the other unit are ignored, as in the attendance grid."""
    if unit == FundingSettings.AttendanceUnit.DAY:
        whole_day = Case(When(day__morning_hours__gt=0, then=Value(1)), default=Value(0)) + Case(
            When(day__afternoon_hours__gt=0, then=Value(1)), default=Value(0)
        )
        return Case(When(half=Attendance.Half.DAY, then=whole_day), default=Value(0), output_field=IntegerField())
    return Case(
        When(half=Attendance.Half.MORNING, day__morning_hours__gt=0, then=Value(1)),
        When(half=Attendance.Half.AFTERNOON, day__afternoon_hours__gt=0, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class ActionFigures:
    scheduled_half_days: int = 0
    scheduled_hours: Decimal = Decimal("0")
    funded_places: int = 0


def action_figures(filters: ExportFilter) -> dict[int, ActionFigures]:
    """Per-action totals, computed once per action rather than once per participant (two GROUP BY queries)."""
    action_ids = _participants(filters).order_by().values("action_id")
    days = (
        ActionDay.objects.filter(action_id__in=action_ids)
        .order_by()
        .values("action_id")
        .annotate(
            half_days=Sum(_half_days_of_day()), hours=Sum(F("morning_hours") + F("afternoon_hours"), output_field=HOURS)
        )
    )
    places = dict(
        Participant.objects.filter(action_id__in=action_ids, funding_status__in=FUNDED_STATUSES)
        .order_by()
        .values("action_id")
        .annotate(total=Count("pk"))
        .values_list("action_id", "total")
    )
    figures = {row["action_id"]: ActionFigures(row["half_days"] or 0, _hours(row["hours"] or 0)) for row in days}
    for action_id, total in places.items():
        base = figures.get(action_id, ActionFigures())
        figures[action_id] = ActionFigures(base.scheduled_half_days, base.scheduled_hours, total)
    return figures


def enrolment_queryset(filters: ExportFilter, *, unit: str) -> models.QuerySet:
    """One row per participant; their own attendance totals are correlated subqueries in the same SELECT."""
    present = Attendance.objects.filter(participant=OuterRef("pk"), day__action=OuterRef("action_id"), present=True)
    fields = [
        "pk",
        "action_id",
        "action__title",
        "action__csf_contract_number",
        "action__plan_year",
        "action__action_type",
        "action__company__legal_name",
        "action__company__ice",
        "action__course__title",
        "learner__last_name",
        "learner__first_name",
        "learner__email",
        "category",
        "funding_status",
        "action__start_date",
        "action__end_date",
        "created_at",
        "action__expected_reimbursement",
    ]
    if filters.include_identifiers:
        fields += ["cin", "cnss_number"]
    annotated = _participants(filters).annotate(
        present_half_days=_scalar(present, "participant", Sum(_present_weight(unit)), IntegerField()),
        attended_hours=_scalar(present, "participant", Sum(attended_hours_expression(unit)), HOURS),
    )
    return _ordered(annotated).values(*fields, "present_half_days", "attended_hours")


def attendance_queryset(filters: ExportFilter, *, unit: str) -> models.QuerySet:
    """One row per participant × day of their action, with the marks of that day."""
    fields = [
        "action_id",
        "action__title",
        "action__company__legal_name",
        "action__course__title",
        "learner__last_name",
        "learner__first_name",
        "learner__email",
        "funding_status",
    ]
    if filters.include_identifiers:
        fields += ["cin", "cnss_number"]
    rows = (
        _participants(filters)
        .filter(action__days__isnull=False)
        .annotate(
            day_pk=F("action__days__pk"),
            day_date=F("action__days__date"),
            morning=F("action__days__morning_hours"),
            afternoon=F("action__days__afternoon_hours"),
        )
    )
    halves = (
        (Attendance.Half.DAY,)
        if unit == FundingSettings.AttendanceUnit.DAY
        else (Attendance.Half.MORNING, Attendance.Half.AFTERNOON)
    )
    marks = {}
    for half in halves:
        mark = Attendance.objects.filter(participant=OuterRef("pk"), day=OuterRef("day_pk"), half=half)
        marks[f"{half}_present"] = Subquery(mark.values("present")[:1], output_field=models.BooleanField())
        marks[f"{half}_source"] = Subquery(mark.values("source")[:1], output_field=models.CharField())
    rows = rows.annotate(**marks)
    return rows.order_by(
        "action__start_date", "action_id", "learner__last_name", "learner__first_name", "pk", "day_date"
    ).values(*fields, "day_date", "morning", "afternoon", *marks)


def export_row_count(kind: str, filters: ExportFilter) -> int:
    """How many lines the export would have (before the half-day split): 0 means nothing to export."""
    participants = _participants(filters).order_by()
    if kind == ExportKind.ATTENDANCE:
        return participants.aggregate(total=Count("action__days"))["total"]
    return participants.count()


# --- rows ------------------------------------------------------------------------------


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _identifier_columns(filters: ExportFilter) -> list[str]:
    return [_("CIN"), _("N° CNSS")] if filters.include_identifiers else []


def enrolment_columns(filters: ExportFilter) -> list[str]:
    return [
        _("N° action"),
        _("Thème de l'action"),
        _("N° contrat CSF"),
        _("Année du plan"),
        _("Type d'action"),
        _("Entreprise"),
        _("ICE de l'entreprise"),
        _("Cours"),
        _("Nom"),
        _("Prénom"),
        _("E-mail"),
        *_identifier_columns(filters),
        _("Catégorie"),
        _("Statut du financement"),
        _("Début de l'action"),
        _("Fin de l'action"),
        _("Inscrit le"),
        _("Heures prévues"),
        _("Heures suivies"),
        _("Assiduité (%)"),
        _("Part du remboursement attendu (DH)"),
    ]


def _hours(value: Any) -> Decimal:
    # SQLite hands back sums of decimals as int or float; one decimal place everywhere.
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def reimbursement_share(*, expected: Decimal, funded_places: int, funded: bool) -> Decimal:
    """The action's expected reimbursement split evenly over its funded places; 0 for a place not funded."""
    if not funded or funded_places <= 0:
        return Decimal("0.00")
    return (Decimal(expected) / funded_places).quantize(CENT, rounding=ROUND_HALF_UP)


def enrolment_rows(filters: ExportFilter, *, unit: str) -> Iterator[list[Any]]:
    categories, statuses, types = _labels(Participant.Category), _labels(Participant.FundingStatus), _labels(ActionType)
    inter_company = _("Inter-entreprises")
    per_action = action_figures(filters)
    empty = ActionFigures()
    for row in enrolment_queryset(filters, unit=unit).iterator(chunk_size=CHUNK_SIZE):
        action = per_action.get(row["action_id"], empty)
        identifiers = [row["cin"] or "", row["cnss_number"] or ""] if filters.include_identifiers else []
        yield [
            row["action_id"],
            row["action__title"],
            row["action__csf_contract_number"],
            row["action__plan_year"],
            types.get(row["action__action_type"], row["action__action_type"]),
            row["action__company__legal_name"] or inter_company,
            row["action__company__ice"] or "",
            row["action__course__title"],
            row["learner__last_name"],
            row["learner__first_name"],
            row["learner__email"],
            *identifiers,
            categories.get(row["category"], row["category"]),
            statuses.get(row["funding_status"], row["funding_status"]),
            row["action__start_date"],
            row["action__end_date"],
            row["created_at"].date(),
            action.scheduled_hours,
            _hours(row["attended_hours"]),
            attendance_rate(present_half_days=row["present_half_days"], scheduled_half_days=action.scheduled_half_days),
            reimbursement_share(
                expected=row["action__expected_reimbursement"],
                funded_places=action.funded_places,
                funded=row["funding_status"] in FUNDED_STATUSES,
            ),
        ]


def attendance_columns(filters: ExportFilter) -> list[str]:
    return [
        _("N° action"),
        _("Thème de l'action"),
        _("Entreprise"),
        _("Cours"),
        _("Nom"),
        _("Prénom"),
        _("E-mail"),
        *_identifier_columns(filters),
        _("Statut du financement"),
        _("Date"),
        _("Demi-journée"),
        _("Heures"),
        _("Présence"),
        _("Saisie"),
    ]


def attendance_rows(filters: ExportFilter, *, unit: str) -> Iterator[list[Any]]:
    statuses, halves, sources = _labels(Participant.FundingStatus), _labels(Attendance.Half), _labels(Attendance.Source)
    presence = {True: _("Présent"), False: _("Absent"), None: _("Non saisi")}
    inter_company = _("Inter-entreprises")
    by_day = unit == FundingSettings.AttendanceUnit.DAY
    for row in attendance_queryset(filters, unit=unit).iterator(chunk_size=CHUNK_SIZE):
        identifiers = [row["cin"] or "", row["cnss_number"] or ""] if filters.include_identifiers else []
        head = [
            row["action_id"],
            row["action__title"],
            row["action__company__legal_name"] or inter_company,
            row["action__course__title"],
            row["learner__last_name"],
            row["learner__first_name"],
            row["learner__email"],
            *identifiers,
            statuses.get(row["funding_status"], row["funding_status"]),
            row["day_date"],
        ]
        if by_day:
            slots = [(Attendance.Half.DAY, row["morning"] + row["afternoon"])]
        else:
            slots = [(Attendance.Half.MORNING, row["morning"]), (Attendance.Half.AFTERNOON, row["afternoon"])]
        for half, hours in slots:
            if hours <= 0:
                continue
            source = row[f"{half}_source"]
            yield [
                *head,
                halves[half],
                _hours(hours),
                presence[row[f"{half}_present"]],
                sources.get(source, "") if source else "",
            ]


def build_export(kind: str, filters: ExportFilter, *, settings: FundingSettings | None = None) -> Export:
    unit = (settings or FundingSettings.load()).attendance_unit
    today = datetime.date.today().isoformat()
    if kind == ExportKind.ATTENDANCE:
        return Export(kind, attendance_columns(filters), attendance_rows(filters, unit=unit), f"presences-{today}")
    return Export(kind, enrolment_columns(filters), enrolment_rows(filters, unit=unit), f"inscriptions-{today}")


# --- writers ---------------------------------------------------------------------------


class _Line:
    """A file-like target for csv.writer that hands back what it was given."""

    def write(self, value: str) -> str:
        return value


def _csv_cell(value: Any, *, decimal_comma: bool) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Decimal | float):
        text = format(value, "f")
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise_formula(value)
    return value


def csv_chunks(
    columns: list[str], rows: Iterable[list[Any]], *, separator: str = Separator.SEMICOLON
) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads the accents), a few hundred rows per chunk.

    With ";" the decimal separator is a comma, as French Excel expects.
    """
    semicolon = separator == Separator.SEMICOLON
    writer = csv.writer(_Line(), delimiter=";" if semicolon else ",", lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow([neutralise_formula(str(column)) for column in columns])).encode("utf-8")
    buffer: list[str] = []
    for row in rows:
        buffer.append(writer.writerow([_csv_cell(value, decimal_comma=semicolon) for value in row]))
        if len(buffer) >= CSV_ROWS_PER_CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, Decimal):
        return float(value)  # Excel stores doubles anyway, and openpyxl writes floats faster
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return value


def write_xlsx(columns: list[str], rows: Iterable[list[Any]], target: IO[bytes], *, sheet_title: str) -> int:
    """Write the rows to ``target`` in openpyxl's write-only mode (constant memory); return the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(column) + 4, 40))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=neutralise_formula(str(column)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
        count += 1
    workbook.save(target)
    return count
