"""Filing-deadline reminders: sent at each configured offset, once, to the configured address."""

import datetime

import pytest
from django.core import mail
from freezegun import freeze_time

from funding import selectors
from funding.models import DeadlineReminder, FundingSettings, Participant
from funding.tasks import send_deadline_reminders
from tests.factories import AdminFactory
from tests.funding.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

# plan year 2026 → deadline 30 April 2027; default offsets 60, 30, 7 days


@pytest.fixture
def action():
    FundingSettings.objects.filter(pk=1).update(reminder_email="dossiers@academy.ma")
    return ParticipantFactory().action


def test_deadline_and_badge_level(action):
    deadline = selectors.action_deadline(action, today=datetime.date(2027, 4, 25))
    assert (deadline.date, deadline.days_left, deadline.level) == (datetime.date(2027, 4, 30), 5, "error")
    assert selectors.action_deadline(action, today=datetime.date(2027, 4, 1)).level == "warn"
    assert selectors.action_deadline(action, today=datetime.date(2027, 1, 1)).level == "info"


def test_reminders_are_sent_once_per_offset(action):
    with freeze_time("2027-02-01"):  # 88 days left: nothing yet
        assert send_deadline_reminders() == 0
    with freeze_time("2027-03-01"):  # 60 days left
        assert send_deadline_reminders() == 1
        assert send_deadline_reminders() == 0  # the same day again: nothing
    with freeze_time("2027-03-15"):  # still past J-60, before J-30: nothing new
        assert send_deadline_reminders() == 0
    with freeze_time("2027-04-01"):  # 29 days left
        assert send_deadline_reminders() == 1
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == ["dossiers@academy.ma"]
    assert "30/04/2027" in mail.outbox[0].subject
    assert action.title in mail.outbox[0].body
    assert sorted(DeadlineReminder.objects.values_list("days_before", flat=True)) == [30, 60]


def test_a_late_run_sends_one_email_for_all_crossed_offsets(action):
    with freeze_time("2027-04-28"):
        assert send_deadline_reminders() == 1
    assert len(mail.outbox) == 1
    assert sorted(DeadlineReminder.objects.values_list("days_before", flat=True)) == [7, 30, 60]


def test_filed_actions_and_actions_without_funded_places_get_no_reminder(action):
    action.filed_on = datetime.date(2027, 1, 10)
    action.save()
    ParticipantFactory(funding_status=Participant.FundingStatus.NOT_ELIGIBLE)
    with freeze_time("2027-04-28"):
        assert send_deadline_reminders() == 0
    assert mail.outbox == []


def test_without_an_address_admins_are_emailed(action):
    FundingSettings.objects.filter(pk=1).update(reminder_email="")
    admin = AdminFactory(email="nadia@academy.ma")
    with freeze_time("2027-03-01"):
        send_deadline_reminders()
    assert admin.email in mail.outbox[0].to
