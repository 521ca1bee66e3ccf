"""Training actions: scheme, snapshot and expected reimbursement; days and their hours."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from funding.models import ActionDay, ActionType, FundingScheme, Participant, TrainingAction
from funding.services.actions import action_create, action_update
from funding.services.days import action_day_add
from funding.services.participants import participant_add
from tests.factories import AdminFactory, CourseFactory, TrainerFactory, UserFactory
from tests.funding.factories import CompanyFactory, ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 3, 2)


@pytest.fixture
def admin():
    return AdminFactory()


def _create(admin, **overrides):
    fields = {
        "by": admin,
        "course": CourseFactory(),
        "company": CompanyFactory(),
        "title": "Vidéo IA",
        "action_type": ActionType.PLANNED,
        "plan_year": 2026,
        "start_date": MONDAY,
        "end_date": MONDAY + datetime.timedelta(days=8),
        "location": "Rabat",
        "cost_excl_tax": Decimal("20000"),
        "cost_incl_tax": Decimal("24000"),
    }
    fields.update(overrides)
    return action_create(**fields)


def test_action_create_picks_the_configured_scheme_and_snapshots_its_rate(admin):
    # given: the default 70 % planned scheme, and a newer one from 2026-03-01
    newer = FundingScheme.objects.create(
        name="CSF 2026",
        action_type=ActionType.PLANNED,
        rate_percent=Decimal("60"),
        valid_from=datetime.date(2026, 3, 1),
    )
    # when
    action = _create(admin)
    # then
    assert action.scheme == newer
    assert action.rate_applied == Decimal("60")
    # a later edit of the scheme does not rewrite the action
    newer.rate_percent = Decimal("10")
    newer.save()
    action.refresh_from_db()
    assert action.rate_applied == Decimal("60")


def test_action_create_generates_weekdays_only(admin):
    action = _create(admin)  # Monday 2 → Tuesday 10 March
    dates = list(action.days.values_list("date", flat=True))
    assert len(dates) == 7
    assert all(day.weekday() < 5 for day in dates)


def test_expected_reimbursement_follows_participants_and_cost(admin):
    # given: a scheme capped at 3,000 DH per participant
    scheme = FundingScheme.objects.create(
        name="Plafonné",
        action_type=ActionType.PLANNED,
        rate_percent=Decimal("70"),
        valid_from=datetime.date(2020, 1, 1),
        ceiling_per_participant=Decimal("3000"),
    )
    action = _create(admin, scheme=scheme)
    assert action.expected_reimbursement == Decimal("0.00")  # no participant yet
    # when: two eligible participants join, one not eligible
    for status in (
        Participant.FundingStatus.ELIGIBLE,
        Participant.FundingStatus.ELIGIBLE,
        Participant.FundingStatus.NOT_ELIGIBLE,
    ):
        participant_add(action=action, learner=UserFactory(), cin="BE123456", by=admin, funding_status=status)
    action.refresh_from_db()
    # then: capped at 2 × 3,000
    assert action.expected_reimbursement == Decimal("6000.00")
    assert action.ceiling_applied == Decimal("6000.00")
    # when: the cost drops below the cap
    action_update(action=action, by=admin, scheme=scheme, cost_excl_tax=Decimal("5000"))
    action.refresh_from_db()
    assert action.expected_reimbursement == Decimal("3500.00")


def test_action_update_reapplies_the_scheme_when_the_type_changes(admin):
    action = _create(admin)
    action_update(action=action, by=admin, action_type=ActionType.UNPLANNED)
    action.refresh_from_db()
    assert action.scheme.action_type == ActionType.UNPLANNED
    assert action.rate_applied == Decimal("40")
    assert action.expected_reimbursement == Decimal("0.00")  # no participants yet


def test_a_scheme_of_another_type_is_refused(admin):
    literacy = FundingScheme.objects.get(action_type=ActionType.LITERACY)
    with pytest.raises(ValidationError) as error:
        _create(admin, scheme=literacy)
    assert "scheme" in error.value.message_dict


def test_action_needs_a_place_unless_remote(admin):
    with pytest.raises(ValidationError) as error:
        _create(admin, location="")
    assert "location" in error.value.message_dict
    assert _create(admin, location="", remote=True).remote


def test_action_day_outside_the_dates_is_refused(admin):
    action = _create(admin)
    with pytest.raises(ValidationError) as error:
        action_day_add(action=action, date=datetime.date(2026, 4, 1))
    assert "en dehors des dates" in error.value.messages[0]
    assert not action.days.filter(date=datetime.date(2026, 4, 1)).exists()


def test_action_day_add_view_shows_the_message(client, admin):
    client.force_login(admin)
    action = TrainingActionFactory()
    response = client.post(
        reverse("funding:action_day_add", args=[action.pk]),
        {"date": "2026-05-01", "morning_hours": "3", "afternoon_hours": "3"},
    )
    assert response.status_code == 400
    assert "en dehors des dates" in response.content.decode()
    assert action.days.count() == 5


def test_days_hours_are_edited_in_one_post(client, admin):
    client.force_login(admin)
    action = TrainingActionFactory()
    day = action.days.first()
    data = {"day": [day.pk], f"am-{day.pk}": "4", f"pm-{day.pk}": "0"}
    response = client.post(reverse("funding:action_days", args=[action.pk]), data)
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.morning_hours, day.afternoon_hours) == (Decimal("4"), Decimal("0"))


def test_shrinking_the_dates_drops_empty_days(admin):
    action = _create(admin)
    action_update(action=action, by=admin, end_date=MONDAY + datetime.timedelta(days=1))
    assert list(action.days.values_list("date", flat=True)) == [MONDAY, MONDAY + datetime.timedelta(days=1)]


def test_moving_dates_onto_another_action_of_a_participant_is_refused(admin):
    learner = UserFactory()
    ParticipantFactory(
        learner=learner,
        action=TrainingActionFactory(
            title="Atelier prompts", start_date=datetime.date(2026, 4, 6), end_date=datetime.date(2026, 4, 7)
        ),
    )
    action = TrainingActionFactory()
    ParticipantFactory(learner=learner, action=action)
    with pytest.raises(ValidationError) as error:
        action_update(action=action, by=admin, end_date=datetime.date(2026, 4, 6))
    assert "Atelier prompts" in error.value.messages[0]


def test_action_create_view(client, admin):
    client.force_login(admin)
    course, company, trainer = CourseFactory(), CompanyFactory(), TrainerFactory()
    data = {
        "course": course.pk,
        "title": "",
        "company": company.pk,
        "action_type": ActionType.PLANNED,
        "plan_year": 2026,
        "start_date": "2026-03-02",
        "end_date": "2026-03-03",
        "location": "Casablanca",
        "trainers": [trainer.pk],
        "cost_excl_tax": "10000",
        "cost_incl_tax": "12000",
        "scheme": "",
        "generate_days": "on",
    }
    response = client.post(reverse("funding:action_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    action = TrainingAction.objects.get()
    assert action.title == course.title
    assert list(action.trainers.all()) == [trainer]
    assert action.rate_applied == Decimal("70")
    assert ActionDay.objects.filter(action=action).count() == 2
    assert response.url == reverse("funding:action_detail", args=[action.pk])


def test_action_list_filters_by_year_and_status(client, admin):
    client.force_login(admin)
    TrainingActionFactory(title="Action 2025", plan_year=2025)
    TrainingActionFactory(title="Action déposée", filed_on=datetime.date(2026, 4, 1))
    page = client.get(reverse("funding:action_list"), {"year": 2025}).content.decode()
    assert "Action 2025" in page and "Action déposée" not in page
    page = client.get(reverse("funding:action_list"), {"status": "filed"}).content.decode()
    assert "Action déposée" in page and "Action 2025" not in page
