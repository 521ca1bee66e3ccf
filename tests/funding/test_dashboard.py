"""The funding dashboard: figures on a known data set, filters, permissions, charts, query count."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.dashboard import DashboardFilter, funding_dashboard
from funding.exports import ExportFilter, ExportKind, export_row_count
from funding.models import ActionDay, Attendance, Participant
from funding.selectors import INTER_COMPANY
from tests.factories import AdminFactory, TrainerFactory, UserFactory
from tests.funding.factories import CompanyFactory, ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

Status = Participant.FundingStatus
URL = "/financement/"


@pytest.fixture
def admin_client(client):
    client.force_login(AdminFactory())
    return client


@pytest.fixture
def known():
    """Two companies and an inter-company action over two plan years (hours in comments)."""
    alpha, beta = CompanyFactory(legal_name="Alpha"), CompanyFactory(legal_name="Beta")
    # 2025: 2 days × 7 h, 2 participants.
    a1 = TrainingActionFactory(
        company=alpha,
        plan_year=2025,
        start_date=datetime.date(2025, 3, 3),
        end_date=datetime.date(2025, 3, 4),
        expected_reimbursement=Decimal("14000"),
        received_reimbursement=Decimal("12000"),
    )
    # 2026: 5 days × 7 h, 2 participants.
    a2 = TrainingActionFactory(company=alpha, expected_reimbursement=Decimal("7000"))
    # 2026, inter-company: one morning of 3.5 h.
    inter = TrainingActionFactory(
        company=None, days=False, start_date=datetime.date(2026, 4, 6), end_date=datetime.date(2026, 4, 6)
    )
    ActionDay.objects.create(action=inter, date=inter.start_date, afternoon_hours=Decimal("0"))
    # Beta has an action without participants.
    TrainingActionFactory(company=beta, expected_reimbursement=Decimal("1000"), received_reimbursement=Decimal("1000"))
    p1 = ParticipantFactory(action=a1, funding_status=Status.ELIGIBLE)
    p2 = ParticipantFactory(action=a1, funding_status=Status.REIMBURSED)
    p3 = ParticipantFactory(action=a2, funding_status=Status.PREPARING)
    ParticipantFactory(action=a2, funding_status=Status.NOT_ELIGIBLE)
    ParticipantFactory(action=inter, funding_status=Status.REJECTED)
    day1, day2 = a1.days.order_by("date")
    a2_day1 = a2.days.order_by("date").first()
    Attendance.objects.bulk_create(
        [
            Attendance(participant=p1, day=day1, half="am", present=True),
            Attendance(participant=p1, day=day1, half="pm", present=True),
            Attendance(participant=p1, day=day2, half="am", present=False),
            Attendance(participant=p2, day=day1, half="am", present=True),
            Attendance(participant=p3, day=a2_day1, half="am", present=True),
            # A whole-day mark does not count while attendance is signed per half-day.
            Attendance(participant=p3, day=a2_day1, half="day", present=True),
        ]
    )
    return {"alpha": alpha, "beta": beta}


def test_figures_by_year(known):
    # when
    figures = funding_dashboard(DashboardFilter())
    # then
    by_year = {row.year: row for row in figures.by_year}
    assert [row.year for row in figures.by_year] == [2026, 2025]
    y2025, y2026 = by_year[2025], by_year[2026]
    assert (y2025.enrolments, y2025.eligible, y2025.actions) == (2, 2, 1)
    assert (y2025.session_hours, y2025.scheduled_hours, y2025.attended_hours) == (
        Decimal("14"),
        Decimal("28"),
        Decimal("10.5"),
    )
    assert (y2025.expected, y2025.received) == (Decimal("14000"), Decimal("12000"))
    assert (y2026.enrolments, y2026.eligible, y2026.actions) == (3, 1, 3)
    assert (y2026.session_hours, y2026.scheduled_hours, y2026.attended_hours) == (
        Decimal("73.5"),
        Decimal("73.5"),
        Decimal("3.5"),
    )
    assert (y2026.expected, y2026.received) == (Decimal("8000"), Decimal("1000"))
    assert figures.total.enrolments == 5 and figures.total.expected == Decimal("22000")


def test_figures_by_company_and_status(known):
    figures = funding_dashboard(DashboardFilter())
    companies = {row.name: row for row in figures.by_company}
    assert (companies["Alpha"].enrolments, companies["Alpha"].eligible) == (4, 3)
    assert (companies["Alpha"].expected, companies["Alpha"].received) == (Decimal("21000"), Decimal("12000"))
    assert (companies["Beta"].enrolments, companies["Beta"].actions, companies["Beta"].received) == (
        0,
        1,
        Decimal("1000"),
    )
    assert companies["Inter-entreprises"].enrolments == 1
    assert {row.status: row.count for row in figures.by_status} == {
        "not_eligible": 1,
        "eligible": 1,
        "preparing": 1,
        "filed": 0,
        "reimbursed": 1,
        "rejected": 1,
    }


@pytest.mark.parametrize(
    ("filters", "enrolments", "actions", "expected"),
    [
        (DashboardFilter(year=2025), 2, 1, Decimal("14000")),
        (DashboardFilter(status=Status.REIMBURSED), 1, 1, Decimal("14000")),
        (DashboardFilter(company=INTER_COMPANY), 1, 1, Decimal("0")),
    ],
)
def test_filters_narrow_every_figure(known, filters, enrolments, actions, expected):
    figures = funding_dashboard(filters)
    assert (figures.total.enrolments, figures.total.actions, figures.total.expected) == (enrolments, actions, expected)


@pytest.mark.parametrize("status", ["", Status.ELIGIBLE, Status.REIMBURSED, Status.REJECTED])
@pytest.mark.parametrize("company", [None, "alpha", "beta", INTER_COMPANY])
def test_dashboard_and_export_narrow_company_and_status_alike(known, company, status):
    # given the same company and status chosen on the dashboard and on the export page
    company = known[company].pk if company in ("alpha", "beta") else company
    # when both count the enrolments they select
    dashboard = funding_dashboard(DashboardFilter(company=company, status=status))
    exported = export_row_count(ExportKind.ENROLMENTS, ExportFilter(company=company, status=status))
    # then they select the same participants
    assert dashboard.total.enrolments == exported


def test_company_filter_from_the_form(admin_client, known):
    response = admin_client.get(URL, {"company": known["beta"].pk})
    assert response.context["dashboard"].total.enrolments == 0
    assert response.context["dashboard"].total.actions == 1


def test_page_shows_tables_and_accessible_svg_charts(admin_client, known):
    # when
    response = admin_client.get(URL)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('role="img"') >= 2
    assert '<title id="chart-company-title">' in html and '<desc id="chart-company-desc">' in html
    assert '<table class="visually-hidden">' in html
    assert reverse("funding:action_list") in html
    # CSP-safe: no inline style attribute anywhere on the page.
    assert not re.search(r"\sstyle=", html)


def test_htmx_filter_returns_only_the_results_partial(admin_client, known):
    response = admin_client.get(URL, {"year": "2025"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-results"')
    assert "<html" not in html
    assert response.context["dashboard"].total.enrolments == 2


def test_export_link_carries_the_filters(admin_client, known):
    response = admin_client.get(URL, {"year": "2025", "status": "eligible"})
    assert (
        "/financement/exports/?date_from=2025-01-01&amp;date_to=2025-12-31&amp;status=eligible"
        in response.content.decode()
    )


def test_stale_filter_value_is_ignored_not_an_error(admin_client, known):
    response = admin_client.get(URL, {"year": "1999", "status": "bogus"})
    assert response.status_code == 200
    assert response.context["dashboard"].total.enrolments == 5


def test_empty_dashboard_says_so(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert "Aucune action ni inscription pour ces filtres." in response.content.decode()


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("factory", [UserFactory, TrainerFactory])
def test_learners_and_trainers_are_refused(client, factory):
    client.force_login(factory())
    assert client.get(URL).status_code == 403


def test_admin_sees_the_navigation_link(admin_client):
    response = admin_client.get(reverse("courses:catalogue"))
    assert f'href="{URL}"' in response.content.decode()


def test_learner_does_not_see_the_navigation_link(client):
    client.force_login(UserFactory())
    assert f'href="{URL}"' not in client.get(reverse("courses:catalogue")).content.decode()


def _seed(count: int) -> None:
    course_action = TrainingActionFactory(expected_reimbursement=Decimal("500"))
    for index in range(count):
        action = TrainingActionFactory(
            course=course_action.course,
            company=CompanyFactory() if index % 2 else None,
            plan_year=2024 + index % 3,
            expected_reimbursement=Decimal("1000"),
        )
        participant = ParticipantFactory(action=action)
        Attendance.objects.create(participant=participant, day=action.days.first(), half="am", present=True)


def _queries_for_dashboard(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_actions(admin_client, django_assert_max_num_queries):
    # given 3 actions, then 30
    _seed(3)
    small = _queries_for_dashboard(admin_client)
    _seed(27)
    # then the same number of queries, and a small one
    with django_assert_max_num_queries(small):
        admin_client.get(URL)
    assert small <= 16
