"""Aggregate reads for the funding dashboard, and the geometry of its charts.

Every figure comes from a GROUP BY query: the number of queries does not grow
with the number of actions or participants. Charts are plain data (bars with
coordinates) that the template draws as inline SVG, so no script is needed and
the Content-Security-Policy stays strict.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from funding.models import ActionDay, Attendance, FundingSettings, Participant, TrainingAction
from funding.selectors import FUNDED_STATUSES, CompanyStatusFilter

ZERO = Decimal("0")
HOURS = DecimalField(max_digits=14, decimal_places=1)
MONEY = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True)
class DashboardFilter(CompanyStatusFilter):
    """What the admin narrowed the dashboard to: a plan year, plus the shared company and status filter."""

    year: int | None = None

    def participants(self) -> Q:
        query = super().participants()
        if self.year:
            query &= Q(action__plan_year=self.year)
        return query

    def actions(self) -> Q:
        query = super().actions()
        if self.year:
            query &= Q(plan_year=self.year)
        return query


@dataclass
class CompanyRow:
    company_id: int | None
    name: str
    enrolments: int = 0
    eligible: int = 0
    actions: int = 0
    expected: Decimal = ZERO
    received: Decimal = ZERO


@dataclass
class StatusRow:
    status: str
    label: str
    count: int
    funded: bool


@dataclass
class YearRow:
    year: int
    enrolments: int = 0
    eligible: int = 0
    actions: int = 0
    session_hours: Decimal = ZERO
    scheduled_hours: Decimal = ZERO
    attended_hours: Decimal = ZERO
    expected: Decimal = ZERO
    received: Decimal = ZERO

    @property
    def attendance_percent(self) -> int | None:
        return _percent(self.attended_hours, self.scheduled_hours)


@dataclass
class Dashboard:
    by_company: list[CompanyRow]
    by_status: list[StatusRow]
    by_year: list[YearRow]
    total: YearRow = field(init=False)

    def __post_init__(self) -> None:
        total = YearRow(year=0)
        for row in self.by_year:
            for name in (
                "enrolments",
                "eligible",
                "actions",
                "session_hours",
                "scheduled_hours",
                "attended_hours",
                "expected",
                "received",
            ):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        self.total = total

    @property
    def is_empty(self) -> bool:
        return self.total.enrolments == 0 and self.total.actions == 0

    @property
    def received_percent(self) -> int | None:
        return _percent(self.total.received, self.total.expected)


def _percent(part: Decimal, whole: Decimal) -> int | None:
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1)))


def attended_hours_expression(unit: str) -> Case:
    """Hours of one attendance mark; only marks of the configured unit count, as in the attendance grid."""
    if unit == FundingSettings.AttendanceUnit.DAY:
        whens = [When(half=Attendance.Half.DAY, then=F("day__morning_hours") + F("day__afternoon_hours"))]
    else:
        whens = [
            When(half=Attendance.Half.MORNING, then=F("day__morning_hours")),
            When(half=Attendance.Half.AFTERNOON, then=F("day__afternoon_hours")),
        ]
    return Case(*whens, default=Value(ZERO), output_field=HOURS)


def funding_dashboard(filters: DashboardFilter, *, settings: FundingSettings | None = None) -> Dashboard:
    """All the dashboard's figures, in a fixed number of aggregate queries."""
    settings = settings or FundingSettings.load()
    participants = Participant.objects.filter(filters.participants()).order_by()
    actions = TrainingAction.objects.filter(filters.actions()).order_by()
    funded = Q(funding_status__in=FUNDED_STATUSES)

    years: dict[int, YearRow] = {}

    def year_row(year: int) -> YearRow:
        return years.setdefault(year, YearRow(year=year))

    for row in participants.values("action__plan_year").annotate(
        total=Count("pk"), eligible=Count("pk", filter=funded)
    ):
        target = year_row(row["action__plan_year"])
        target.enrolments, target.eligible = row["total"], row["eligible"]
    # Participant × day rows: the hours each enrolled person should have attended.
    for row in participants.values("action__plan_year").annotate(
        hours=Sum(F("action__days__morning_hours") + F("action__days__afternoon_hours"), output_field=HOURS)
    ):
        year_row(row["action__plan_year"]).scheduled_hours = row["hours"] or ZERO
    attended = Attendance.objects.filter(present=True, participant__in=participants).order_by()
    for row in attended.values("participant__action__plan_year").annotate(
        hours=Sum(attended_hours_expression(settings.attendance_unit))
    ):
        year_row(row["participant__action__plan_year"]).attended_hours = row["hours"] or ZERO
    days = ActionDay.objects.filter(action__in=actions).order_by()
    for row in days.values("action__plan_year").annotate(
        hours=Sum(F("morning_hours") + F("afternoon_hours"), output_field=HOURS)
    ):
        year_row(row["action__plan_year"]).session_hours = row["hours"] or ZERO
    money = {
        "count": Count("pk"),
        "expected": Coalesce(Sum("expected_reimbursement"), Value(ZERO), output_field=MONEY),
        "received": Coalesce(Sum("received_reimbursement"), Value(ZERO), output_field=MONEY),
    }
    for row in actions.values("plan_year").annotate(**money):
        target = year_row(row["plan_year"])
        target.actions, target.expected, target.received = row["count"], row["expected"], row["received"]

    companies: dict[int | None, CompanyRow] = {}

    def company_row(company_id: int | None, name: str | None) -> CompanyRow:
        return companies.setdefault(company_id, CompanyRow(company_id=company_id, name=name or _("Inter-entreprises")))

    for row in participants.values("action__company_id", "action__company__legal_name").annotate(
        total=Count("pk"), eligible=Count("pk", filter=funded)
    ):
        target = company_row(row["action__company_id"], row["action__company__legal_name"])
        target.enrolments, target.eligible = row["total"], row["eligible"]
    for row in actions.values("company_id", "company__legal_name").annotate(**money):
        target = company_row(row["company_id"], row["company__legal_name"])
        target.actions, target.expected, target.received = row["count"], row["expected"], row["received"]

    status_counts = dict(
        participants.values("funding_status").annotate(total=Count("pk")).values_list("funding_status", "total")
    )
    by_status = [
        StatusRow(status=value, label=str(label), count=status_counts.get(value, 0), funded=value in FUNDED_STATUSES)
        for value, label in Participant.FundingStatus.choices
    ]
    return Dashboard(
        by_company=sorted(companies.values(), key=lambda row: (-row.expected, -row.enrolments, row.name.lower())),
        by_status=by_status,
        by_year=sorted(years.values(), key=lambda row: row.year, reverse=True),
    )


# --- charts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    fill: str
    value_text: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class ChartRow:
    label: str
    full_label: str
    label_y: float
    bars: tuple[Bar, ...]
    values: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    css: str
    colour: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    series: tuple[Series, ...]
    rows: tuple[ChartRow, ...]
    legend: tuple[tuple[Series, float], ...]

    @property
    def baseline_x(self) -> int:
        return self.label_width


CHART_WIDTH = 680
LABEL_WIDTH = 220  # room for MAX_LABEL characters at 13 px (≈ 7.5 px each) before the bars
VALUE_ROOM = 110
BAR_HEIGHT = 16
BAR_GAP = 3
ROW_GAP = 14
LEGEND_HEIGHT = 28
MAX_LABEL = 26
# Fill colours are SVG presentation attributes (the CSP forbids inline styles); the CSS classes refine them.
EXPECTED = Series("expected", "", "chart-expected", "#1d2a5b")
RECEIVED = Series("received", "", "chart-received", "#1f6b3a")
STATUS_COLOURS = {
    Participant.FundingStatus.NOT_ELIGIBLE: "#6b6f80",
    Participant.FundingStatus.ELIGIBLE: "#1d2a5b",
    Participant.FundingStatus.PREPARING: "#7a4d00",
    Participant.FundingStatus.FILED: "#2f5fb3",
    Participant.FundingStatus.REIMBURSED: "#1f6b3a",
    Participant.FundingStatus.REJECTED: "#a4161a",
}


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _money_text(value: Decimal) -> str:
    return f"{number_format(value, 0, force_grouping=True)} DH"


def horizontal_bar_chart(
    rows: Iterable[tuple[str, tuple[Decimal | int, ...]]],
    *,
    series: tuple[Series, ...],
    money: bool = True,
    row_series: list[Series] | None = None,
) -> BarChart:
    """Grouped horizontal bars: one group per row label, one bar per series, scaled to the largest value.

    ``row_series`` gives each row of a one-series chart its own look (the status chart).
    """
    rows = list(rows)
    largest = max((Decimal(value) for _label, values in rows for value in values), default=ZERO) or Decimal(1)
    scale = Decimal(CHART_WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    chart_rows = []
    y = LEGEND_HEIGHT if len(series) > 1 else 4
    for row_index, (label, values) in enumerate(rows):
        bars = []
        texts = []
        looks = (row_series[row_index],) if row_series else series
        for index, (serie, value) in enumerate(zip(looks, values, strict=True)):
            width = float(round(Decimal(value) * scale, 1))
            bar_y = y + index * (BAR_HEIGHT + BAR_GAP)
            text = _money_text(Decimal(value)) if money else number_format(value, 0, force_grouping=True)
            texts.append(text)
            bars.append(
                Bar(
                    x=LABEL_WIDTH,
                    y=bar_y,
                    width=max(width, 1.0 if value else 0.0),
                    height=BAR_HEIGHT,
                    css=serie.css,
                    fill=serie.colour,
                    value_text=text,
                    text_x=LABEL_WIDTH + width + 6,
                    text_y=bar_y + BAR_HEIGHT - 4,
                )
            )
        chart_rows.append(
            ChartRow(
                label=_short(label),
                full_label=label,
                label_y=y + group_height / 2 + 4,
                bars=tuple(bars),
                values=tuple(texts),
            )
        )
        y += group_height + ROW_GAP
    legend = (
        tuple((serie, float(LABEL_WIDTH + index * 170)) for index, serie in enumerate(series))
        if len(series) > 1
        else ()
    )
    return BarChart(
        width=CHART_WIDTH,
        height=max(int(y), 40),
        label_width=LABEL_WIDTH,
        series=series,
        rows=tuple(chart_rows),
        legend=legend,
    )


def reimbursement_series() -> tuple[Series, ...]:
    return (
        Series(EXPECTED.key, _("Attendu"), EXPECTED.css, EXPECTED.colour),
        Series(RECEIVED.key, _("Reçu"), RECEIVED.css, RECEIVED.colour),
    )


def reimbursement_by_company_chart(dashboard: Dashboard, *, limit: int = 8) -> BarChart:
    """Expected vs received for the companies with the most at stake; the rest are summed in one row."""
    with_money = [row for row in dashboard.by_company if row.expected or row.received]
    shown, rest = with_money[:limit], with_money[limit:]
    rows = [(row.name, (row.expected, row.received)) for row in shown]
    if rest:
        rows.append(
            (
                _("%(count)s autres entreprises") % {"count": len(rest)},
                (sum((row.expected for row in rest), ZERO), sum((row.received for row in rest), ZERO)),
            )
        )
    return horizontal_bar_chart(rows, series=reimbursement_series())


def reimbursement_by_year_chart(dashboard: Dashboard) -> BarChart:
    rows = [(str(row.year), (row.expected, row.received)) for row in dashboard.by_year if row.expected or row.received]
    return horizontal_bar_chart(rows, series=reimbursement_series())


def status_chart(dashboard: Dashboard) -> BarChart:
    """Enrolments per funding status, one colour per status like the status badges."""
    looks = [
        Series(
            row.status, row.label, f"chart-status chart-status-{row.status}", STATUS_COLOURS.get(row.status, "#1d2a5b")
        )
        for row in dashboard.by_status
    ]
    rows = [(row.label, (row.count,)) for row in dashboard.by_status]
    count = Series("count", _("Inscriptions"), "chart-status", STATUS_COLOURS[Participant.FundingStatus.ELIGIBLE])
    return horizontal_bar_chart(rows, series=(count,), money=False, row_series=looks)
