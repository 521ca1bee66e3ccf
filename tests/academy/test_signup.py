"""Sign-up never tells whether an address has an account, and account mails are throttled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from academy.models import User

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Tajine-au-citron-2026"
SIGNUP = {
    "first_name": "Youssef",
    "last_name": "Alaoui",
    "email": "youssef@example.ma",
    "organisation": "Atlas Cosmétiques",
    "password1": GOOD_PASSWORD,
    "password2": GOOD_PASSWORD,
}


@pytest.fixture(autouse=True)
def eager_celery():
    from academy.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a request and the mails it queues on commit."""

    def run(request, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(*args, **kwargs)

    return run


def _signup(client: Client, send, **changes):
    return send(client.post, reverse("signup"), {**SIGNUP, **changes})


def _confirmation_path(message) -> str:
    match = re.search(r"https?://[^/\s]+(/compte/inscription/confirmer/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _owner(email: str = "taken@example.ma", language: str = "fr") -> User:
    return User.objects.create_user(
        email=email, password=GOOD_PASSWORD, first_name="Amina", preferred_language=language
    )


def test_signup_mails_a_link_and_the_account_exists_once_it_is_followed(client, send):
    # given a visitor who fills in the sign-up form
    response = _signup(client, send, email="Youssef@Example.MA")
    # then they are told to check their mailbox, and no account exists yet
    assert response.status_code == 302 and response["Location"] == reverse("signup_done")
    assert "Vérifiez votre boîte mail" in client.get(response["Location"]).content.decode()
    assert not User.objects.filter(email="youssef@example.ma").exists()
    assert "_auth_user_id" not in client.session
    (message,) = mail.outbox
    assert message.to == ["youssef@example.ma"]
    # when they open the link and confirm
    link = _confirmation_path(message)
    assert "Activer mon compte" in client.get(link).content.decode()
    response = client.post(link)
    # then the account is created as typed, and they are signed in
    user = User.objects.get(email="youssef@example.ma")
    assert response.status_code == 302 and response["Location"] == reverse("courses:catalogue")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.role == User.Role.LEARNER and user.first_name == "Youssef"
    assert user.organisation.name == "Atlas Cosmétiques"
    assert user.check_password(GOOD_PASSWORD)
    # and the link works once
    client.logout()
    used = client.post(link)
    assert used.status_code == 400 and "plus valable" in used.content.decode()


def test_signup_with_a_taken_address_answers_as_for_a_new_one_and_mails_the_owner_in_their_language(client, send):
    # given an account whose owner reads English
    owner = _owner(language="en")
    # when someone signs up with that address (spelled differently), and someone else with a new one
    taken = _signup(
        client,
        send,
        email="Taken@Example.ma",
        first_name="Intrus",
        password1="Autre-mot-2026x",
        password2="Autre-mot-2026x",
    )
    fresh = _signup(Client(), send, email="fresh@example.ma")
    # then both get the same answer
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    page = client.get(taken["Location"]).content.decode()
    assert "Vérifiez votre boîte mail" in page and "existe déjà" not in page
    # and the owner, not the visitor, learns about it by mail, in English, with no link to a new account
    (to_owner,) = [m for m in mail.outbox if m.to == ["taken@example.ma"]]
    assert "already have an account" in to_owner.body
    assert reverse("password_reset") in to_owner.body and reverse("login") in to_owner.body
    assert "/compte/inscription/confirmer/" not in to_owner.body
    # and the account is untouched
    owner.refresh_from_db()
    assert owner.first_name == "Amina" and owner.check_password(GOOD_PASSWORD)
    assert User.objects.filter(email__iexact="taken@example.ma").count() == 1


def test_signing_up_again_replaces_the_pending_request_and_its_link(client, send):
    _signup(client, send, first_name="Premier")
    first_link = _confirmation_path(mail.outbox[0])
    _signup(client, send, first_name="Second")
    second_link = _confirmation_path(mail.outbox[1])
    assert client.post(first_link).status_code == 400
    assert client.post(second_link).status_code == 302
    assert User.objects.get(email="youssef@example.ma").first_name == "Second"


def test_an_expired_link_is_refused_with_a_way_forward(client, send, settings):
    with freeze_time("2026-03-02 10:00:00") as clock:
        _signup(client, send)
        link = _confirmation_path(mail.outbox[0])
        clock.tick(timedelta(hours=settings.SIGNUP_CONFIRMATION_HOURS, seconds=1))
        response = client.post(link)
    assert response.status_code == 400
    assert "plus valable" in response.content.decode()
    assert reverse("signup") in response.content.decode()
    assert not User.objects.filter(email="youssef@example.ma").exists()


def test_a_link_whose_address_got_an_account_meanwhile_creates_nothing(client, send):
    _signup(client, send)
    link = _confirmation_path(mail.outbox[0])
    _owner(email="youssef@example.ma")
    response = client.post(link)
    assert response.status_code == 400
    assert User.objects.filter(email="youssef@example.ma").count() == 1
    assert "_auth_user_id" not in client.session


# --- throttling of account mails ---------------------------------------------------------------


def _reset(client: Client, send, email: str, ip: str):
    return send(client.post, reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_mails_are_limited_per_address(client, send, settings):
    # given a limit of 3 mails an hour per address
    settings.ACCOUNT_MAIL_RATE_PER_ADDRESS = (3, 3600)
    _owner(email="amina@example.ma")
    # when 11 resets are asked for that address, from 11 different connections
    responses = [_reset(Client(), send, "amina@example.ma", f"198.51.100.{n}") for n in range(11)]
    # then 3 mails leave, and the other requests are told when to try again
    assert len(mail.outbox) == 3
    assert [r.status_code for r in responses] == [302] * 3 + [429] * 8
    assert "Trop de demandes pour cette adresse" in responses[-1].content.decode()
    assert 'value="amina@example.ma"' in responses[-1].content.decode()


def test_password_reset_mails_are_limited_per_connection(client, send, settings):
    # given a limit of 10 mails an hour per IP address
    settings.ACCOUNT_MAIL_RATE_PER_IP = (10, 3600)
    for n in range(11):
        _owner(email=f"user{n}@example.ma")
    # when one connection asks resets for 11 different accounts
    responses = [_reset(client, send, f"user{n}@example.ma", "203.0.113.9") for n in range(11)]
    # then 10 mails leave and the 11th request is refused with the reason
    assert len(mail.outbox) == 10
    assert responses[-1].status_code == 429
    assert "Trop de demandes depuis votre connexion" in responses[-1].content.decode()


def test_the_address_limit_does_not_tell_whether_an_account_exists(client, send, settings):
    settings.ACCOUNT_MAIL_RATE_PER_ADDRESS = (1, 3600)
    _owner(email="amina@example.ma")
    known = [_reset(Client(), send, "amina@example.ma", f"198.51.100.{n}").status_code for n in range(2)]
    unknown = [_reset(Client(), send, "nobody@example.ma", f"198.51.100.{n + 10}").status_code for n in range(2)]
    assert known == unknown == [302, 429]


def test_sign_up_mails_to_an_existing_owner_share_the_address_limit(client, send, settings):
    settings.ACCOUNT_MAIL_RATE_PER_ADDRESS = (2, 3600)
    _owner()
    responses = [_signup(Client(REMOTE_ADDR=f"198.51.100.{n}"), send, email="taken@example.ma") for n in range(4)]
    assert len(mail.outbox) == 2
    assert [r.status_code for r in responses] == [302, 302, 429, 429]
    assert 'value="Youssef"' in responses[-1].content.decode()


def test_the_password_reset_mail_is_in_its_owners_language(client, send):
    _owner(email="amina@example.ma", language="en")
    _reset(client, send, "amina@example.ma", "198.51.100.1")
    (message,) = mail.outbox
    assert message.subject == "Reset your Academy password"
