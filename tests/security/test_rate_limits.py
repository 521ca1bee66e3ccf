"""Brute force and flooding: login lockout (axes) and the lab submission rate."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from courses.models import Enrolment
from labs.models import Submission
from tests.security.conftest import PASSWORD, World


def _login(client: Client, email: str, password: str, ip: str = "203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def lockout_limit(settings) -> int:
    return settings.AXES_FAILURE_LIMIT


def test_login_locks_after_the_failure_limit_even_with_the_right_password(world: World, lockout_limit: int):
    client = Client()
    # given as many failed logins as the limit allows
    for _ in range(lockout_limit):
        _login(client, world.learner.email, "mauvais-mot-de-passe")
    # when the right password arrives from the same address
    response = _login(client, world.learner.email, PASSWORD)
    # then the lockout page answers 429 and nobody is signed in
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock(world: World, lockout_limit: int):
    client = Client()
    for _ in range(lockout_limit - 1):
        assert _login(client, world.learner.email, "mauvais-mot-de-passe").status_code == 200
    assert _login(client, world.learner.email, PASSWORD).status_code == 302


def test_lockout_is_per_account_and_address(world: World, lockout_limit: int):
    client = Client()
    for _ in range(lockout_limit):
        _login(client, world.learner.email, "mauvais-mot-de-passe")
    # another account from the same address still signs in: an attacker cannot lock everyone out
    assert _login(Client(), world.other_learner.email, PASSWORD).status_code == 302


def test_lockout_log_never_contains_the_tried_password(world: World, lockout_limit: int, caplog):
    client = Client()
    for _ in range(lockout_limit + 1):
        _login(client, world.learner.email, "secret-tente-XYZ")
    assert "secret-tente-XYZ" not in caplog.text


def _submit(client: Client, world: World, token: str):
    url = reverse("labs:submit", args=[world.lab.slug])
    return client.post(
        url, {"prompt": "Gros plan sur un flacon de parfum ambré, travelling avant lent.", "client_token": token}
    )


def test_lab_submission_rate_limit_refuses_with_a_friendly_message(world: World, settings):
    # given a limit of 2 attempts a minute
    settings.LAB_SUBMISSION_RATE = (2, 60)
    client = world.client("learner")
    for n in range(2):
        assert _submit(client, world, f"rate-{n}").status_code == 302
        # each attempt finishes at once, so only the rate can refuse the next one
        Submission.objects.filter(client_token=f"rate-{n}").update(state=Submission.State.GRADED)
    before = Submission.objects.count()
    # when a third arrives within the minute
    response = _submit(client, world, "rate-3")
    # then it is refused with the explanation, and no attempt is created
    assert response.status_code == 400
    assert "Vous avez atteint la limite de 2 essais par période de 60 secondes" in response.content.decode()
    assert Submission.objects.count() == before


def test_lab_submission_rate_is_per_learner(world: World, settings):
    settings.LAB_SUBMISSION_RATE = (1, 60)
    Enrolment.objects.create(user=world.other_learner, course=world.course)
    assert _submit(world.client("learner"), world, "mine").status_code == 302
    assert _submit(world.client("other_learner"), world, "theirs").status_code == 302


@pytest.mark.parametrize("variant", ["LOCK@x.test", "Lock@X.Test", " lock@x.test", "lock@x.test "])
def test_lockout_counts_every_spelling_of_the_address_as_the_same_account(db, lockout_limit: int, variant: str):
    # given an account and as many failures as the limit allows, typed one way
    from academy.models import User

    User.objects.create_user(email="lock@x.test", password=PASSWORD)
    client = Client()
    for _ in range(lockout_limit):
        _login(client, "lock@x.test", "mauvais-mot-de-passe")
    # when the same address arrives spelled differently (case, spaces), with the right password
    response = _login(client, variant, PASSWORD)
    # then it is the same locked account: no fresh tries, nobody signed in
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_spelled_differently_add_up_to_one_lockout(db, lockout_limit: int):
    from academy.models import User

    User.objects.create_user(email="lock@x.test", password=PASSWORD)
    client = Client()
    spellings = ["lock@x.test", "LOCK@x.test", "Lock@X.Test", " lock@x.test", "lock@X.TEST"]
    for n in range(lockout_limit):
        _login(client, spellings[n % len(spellings)], "mauvais-mot-de-passe")
    assert _login(client, "lock@x.test", PASSWORD).status_code == 429


@pytest.fixture
def file_cache(settings, tmp_path):
    """The embedded run's cache (a file cache under var/), which the demo uses."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path)}
    }


def _graded_submit(client: Client, world: World, token: str):
    response = _submit(client, world, token)
    # each attempt finishes at once, so only the rate can refuse the next one
    Submission.objects.filter(client_token=token).update(state=Submission.State.GRADED)
    return response


def test_lab_rate_window_lasts_what_the_message_says_and_refusals_do_not_restart_it(world: World, settings, file_cache):
    # given a limit of 2 attempts per 60 s, on the file cache of the embedded run
    settings.LAB_SUBMISSION_RATE = (2, 60)
    client = world.client("learner")
    with freeze_time("2026-03-02 10:00:00") as clock:
        assert _graded_submit(client, world, "w-1").status_code == 302
        assert _graded_submit(client, world, "w-2").status_code == 302
        # when the learner keeps trying within the window
        clock.tick(20)
        refused = _graded_submit(client, world, "w-3")
        clock.tick(30)
        refused_again = _graded_submit(client, world, "w-4")
        # then each refusal says the real window and how long to wait
        assert refused.status_code == 400 and refused_again.status_code == 400
        assert "2 essais par période de 60 secondes" in refused.content.decode()
        assert "Réessayez dans 40 s" in refused.content.decode()
        assert "Réessayez dans 10 s" in refused_again.content.decode()
        # and once the 60 s are over the next attempt is accepted, refused tries notwithstanding
        clock.tick(11)
        assert _graded_submit(client, world, "w-5").status_code == 302
