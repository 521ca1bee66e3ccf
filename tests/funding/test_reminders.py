"""Filing-deadline reminders: sent at each configured offset, once, to the admins and the configured address."""

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


@pytest.fixture
def eager_celery():
    import academy.notifications.tasks  # noqa: F401 (the mail task, sent by name)
    from academy.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


def test_admins_are_notified_in_the_site_and_by_mail_in_their_language(
    action, eager_celery, django_capture_on_commit_callbacks
):
    from academy.notifications.models import Notification, NotificationPreference

    # given no shared address, a French admin and an English one who turned the mails off
    FundingSettings.objects.filter(pk=1).update(reminder_email="")
    nadia = AdminFactory(email="nadia@academy.ma")
    emma = AdminFactory(email="emma@academy.ma", preferred_language="en")
    NotificationPreference.objects.create(user=emma, kind="funding.dossier_deadline", in_site=True, by_mail=False)
    # when the reminder of J-30 is due (29 days left)
    with freeze_time("2027-04-01"), django_capture_on_commit_callbacks(execute=True):
        send_deadline_reminders()
    # then both see it in the site; only Nadia gets the mail, with the plural written out
    for admin in (nadia, emma):
        (notification,) = Notification.objects.filter(recipient=admin)
        assert notification.url == f"/financement/actions/{action.pk}/dossier/"
    assert [m.to for m in mail.outbox] == [["nadia@academy.ma"]]
    assert mail.outbox[0].subject == f"Dossier OFPPT à déposer dans 29 jours, avant le 30/04/2027 : {action.title}"
    from django.utils import translation

    with translation.override("en"):
        title = Notification.objects.get(recipient=emma).title()
    assert title == f"OFPPT dossier due in 29 days, before 04/30/2027: {action.title}"


def test_one_day_left_is_singular():
    from funding.notifications import deadline_title

    data = {"days_left": 1, "deadline": "2027-04-30", "title": "Action"}
    assert deadline_title(data) == "Dossier OFPPT à déposer dans 1 jour, avant le 30/04/2027 : Action"
    assert deadline_title({**data, "days_left": -1}) == "Dossier OFPPT en retard de 1 jour : Action"
