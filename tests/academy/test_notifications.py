"""Notifications: in the site (count in the header, the list) and by mail, each kind switchable in the profile."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academy.models import User
from academy.notifications import services
from academy.notifications.api import NotificationKind, notify, register_kind
from academy.notifications.kinds import _kinds
from academy.notifications.models import Notification, NotificationPreference
from tests.factories import AdminFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db

KIND = "tests.something"


@pytest.fixture(autouse=True)
def test_kind():
    """A kind registered the way an app registers its own (AppConfig.ready)."""
    register_kind(
        NotificationKind(
            key=KIND,
            label="Quelque chose arrive",
            title=lambda d: f"{d['count']} × {d['what']}",
            body=lambda d: "Détail : " + d["what"],
        )
    )
    yield
    _kinds.pop(KIND, None)


@pytest.fixture
def eager_celery():
    import academy.notifications.tasks  # noqa: F401 (registers the task that services send by name)
    from academy.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def committed(django_capture_on_commit_callbacks, eager_celery):
    """Run a block and what it queued on commit (the mails, sent by the worker task, eagerly here)."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def _unread(user: User) -> int:
    user.refresh_from_db()
    return user.unread_notifications


def test_notify_shows_in_the_site_and_mails_in_the_recipients_language(committed, settings):
    # given an English-reading learner
    settings.SITE_URL = "https://academy.example.ma"
    learner = UserFactory(preferred_language="en", first_name="Emma")
    # when something is notified to them, with a link
    notification = committed(notify, recipient=learner, kind=KIND, data={"what": "a thing"}, url="/cours/mes-cours/")
    # then it is unread in the site, counted on their account
    assert notification.in_site and notification.read_at is None
    assert _unread(learner) == 1
    # and one mail left, in English, with the absolute link and the way to switch it off
    (message,) = mail.outbox
    assert message.to == [learner.email]
    assert message.subject == "1 × a thing"
    assert message.body.startswith("Hello Emma,")
    assert "https://academy.example.ma/cours/mes-cours/" in message.body
    assert "https://academy.example.ma/compte/profil/#notifications" in message.body
    notification.refresh_from_db()
    assert notification.mailed_at is not None


def test_a_redelivered_mail_task_sends_nothing_more(committed):
    learner = UserFactory()
    notification = committed(notify, recipient=learner, kind=KIND, data={"what": "x"})
    assert services.notification_mail_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_unread_notifications_with_the_same_key_are_one_and_mailed_once(committed):
    trainer = TrainerFactory()
    for what in ("premier", "deuxième", "troisième"):
        committed(notify, recipient=trainer, kind=KIND, data={"what": what}, key="lab-1")
    (notification,) = Notification.objects.filter(recipient=trainer)
    assert notification.count == 3 and notification.title() == "3 × troisième"
    assert _unread(trainer) == 1
    assert len(mail.outbox) == 1
    # once read, the next one starts a new notification (and a new mail)
    services.notification_read(user=trainer, notification=notification)
    committed(notify, recipient=trainer, kind=KIND, data={"what": "quatrième"}, key="lab-1")
    assert Notification.objects.filter(recipient=trainer).count() == 2
    assert _unread(trainer) == 1
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("in_site", "by_mail", "listed", "mails"),
    [(True, False, True, 0), (False, True, False, 1), (False, False, None, 0)],
)
def test_each_kind_is_switched_on_or_off_per_user(committed, in_site, by_mail, listed, mails):
    learner = UserFactory()
    NotificationPreference.objects.create(user=learner, kind=KIND, in_site=in_site, by_mail=by_mail)
    notification = committed(notify, recipient=learner, kind=KIND, data={"what": "x"})
    if listed is None:
        assert notification is None and not Notification.objects.exists()
    else:
        assert Notification.objects.filter(recipient=learner, in_site=True).exists() is listed
    assert _unread(learner) == (1 if listed else 0)
    assert len(mail.outbox) == mails


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="register it"):
        notify(recipient=UserFactory(), kind="nobody.registered.this")


def test_the_header_shows_the_count_without_an_extra_query(client):
    # given a learner with no notification, then the same page with three
    learner = UserFactory()
    client.force_login(learner)
    with CaptureQueriesContext(connection) as before:
        body = client.get(reverse("courses:dashboard")).content.decode()
    assert "count-badge" not in body
    for n in range(3):
        notify(recipient=learner, kind=KIND, data={"what": str(n)})
    with CaptureQueriesContext(connection) as after:
        body = client.get(reverse("courses:dashboard")).content.decode()
    # then the header says 3, and the page cost the same number of queries
    assert '<span class="count-badge">3<span class="visually-hidden"> non lues</span>' in body
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_list_opens_a_notification_and_marks_it_read(client):
    learner = UserFactory()
    first = notify(recipient=learner, kind=KIND, data={"what": "premier"}, url="/cours/mes-cours/")
    notify(recipient=learner, kind=KIND, data={"what": "second"})
    client.force_login(learner)
    body = client.get(reverse("notifications:list")).content.decode()
    assert "1 × premier" in body and "Détail : second" in body and "Tout marquer comme lu" in body
    # opening one goes where it points and it is read
    response = client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/cours/mes-cours/"
    first.refresh_from_db()
    assert first.read_at is not None and _unread(learner) == 1
    # reading them all empties the count
    client.post(reverse("notifications:read_all"))
    assert _unread(learner) == 0


def test_nobody_opens_someone_elses_notification_nor_leaves_the_site_through_one(client):
    owner, other = UserFactory(), UserFactory()
    theirs = notify(recipient=owner, kind=KIND, data={"what": "x"})
    outside = notify(recipient=other, kind=KIND, data={"what": "x"}, url="https://evil.example/")
    client.force_login(other)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[outside.pk])).status_code == 405
    response = client.post(reverse("notifications:open", args=[outside.pk]))
    assert response["Location"] == reverse("notifications:list")
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_needs_an_account(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_profile_offers_the_switches_of_the_users_role_and_saves_them(client):
    # given a learner, a trainer and an admin
    learner, trainer, admin = UserFactory(), TrainerFactory(), AdminFactory()
    pages = {}
    for user in (learner, trainer, admin):
        client.force_login(user)
        pages[user.role] = client.get(reverse("profile")).content.decode()
    # then each sees the kinds that concern them
    assert "Un de mes essais est noté" in pages["learner"]
    assert "nouvel essai à relire" not in pages["learner"] and "dossier OFPPT" not in pages["learner"]
    assert "nouvel essai à relire" in pages["trainer"] and "dossier OFPPT" not in pages["trainer"]
    assert "dossier OFPPT" in pages["admin"]
    # when the learner turns the mails of one kind off
    client.force_login(learner)
    form = {
        "first_name": learner.first_name,
        "last_name": learner.last_name,
        "preferred_language": "fr",
        "time_zone": "Europe/Paris",
        "organisation_name": "",
        "n-labs.attempt_graded:site": "on",
        f"n-{KIND}:site": "on",
        f"n-{KIND}:mail": "on",
    }
    response = client.post(reverse("profile"), form)
    # then that kind stays in the site only, and the time zone is saved
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=learner, kind="labs.attempt_graded").by_mail is False
    assert NotificationPreference.objects.get(user=learner, kind=KIND).by_mail is True
    learner.refresh_from_db()
    assert learner.time_zone == "Europe/Paris"


def test_an_unknown_time_zone_is_refused_with_a_message(client):
    learner = UserFactory(first_name="Amina")
    client.force_login(learner)
    response = client.post(
        reverse("profile"),
        {"first_name": "Amina", "last_name": "B", "preferred_language": "fr", "time_zone": "Mars/Olympus"},
    )
    assert response.status_code == 400
    assert "Mars/Olympus" in response.content.decode()
    learner.refresh_from_db()
    assert learner.time_zone == "Africa/Casablanca"


def test_erasing_an_account_removes_its_notifications_and_the_export_lists_them():
    from academy.personal_data import erase_account, export_user_data

    learner = UserFactory()
    notify(recipient=learner, kind=KIND, data={"what": "x"})
    exported = export_user_data(learner)["notifications"]
    assert exported["notifications"][0]["title"] == "1 × x"
    erase_account(user=learner)
    assert not Notification.objects.filter(recipient=learner).exists()
    assert _unread(learner) == 0
