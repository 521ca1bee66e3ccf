import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from academy.models import Organisation, User

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tajine-au-citron-2026"


@pytest.fixture
def eager_celery():
    from academy.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


def make_user(email="amina@example.ma", password=GOOD_PASSWORD, **extra):
    return User.objects.create_user(email=email, password=password, first_name="Amina", **extra)


def test_signup_errors_are_shown_in_place_and_keep_what_was_typed(client):
    response = client.post(
        reverse("signup"),
        {
            "first_name": "Sara",
            "last_name": "B",
            "email": "taken@example.ma",
            "organisation": "Ma Boîte",
            "password1": "123",
            "password2": "456",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "ne correspondent pas" in body
    assert 'value="Ma Boîte"' in body
    assert not User.objects.filter(first_name="Sara").exists()


def test_login_with_email_is_case_insensitive(client):
    make_user()
    response = client.post(reverse("login"), {"username": "AMINA@example.ma", "password": GOOD_PASSWORD})
    assert response.status_code == 302


def test_failed_logins_are_throttled(client):
    make_user()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "amina@example.ma", "password": "wrong-password"})
    # even the right password is refused during the cool-off
    response = client.post(reverse("login"), {"username": "amina@example.ma", "password": GOOD_PASSWORD})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_mail_is_sent_through_the_worker_task(client, eager_celery, django_capture_on_commit_callbacks):
    make_user()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "amina@example.ma"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/compte/mot-de-passe/nouveau/" in mail.outbox[0].body
    assert mail.outbox[0].to == ["amina@example.ma"]


def test_password_reset_for_an_unknown_address_reveals_nothing(
    client, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.ma"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_profile_updates_name_organisation_and_language(client):
    user = make_user()
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {
            "first_name": "Amina",
            "last_name": "Berrada",
            "preferred_language": "en",
            "organisation_name": "OCP Formation",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_name == "Berrada"
    assert user.preferred_language == "en"
    assert user.organisation == Organisation.objects.get(name="OCP Formation")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_profile_requires_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_password_change(client):
    user = make_user()
    client.force_login(user)
    new_password = "Msemen-et-the-2027"
    response = client.post(
        reverse("password_change"),
        {"old_password": GOOD_PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
