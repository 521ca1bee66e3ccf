"""After signing in, each role lands where its work is; a safe ``next`` still wins."""

import pytest
from django.urls import reverse

from tests.factories import AdminFactory, TrainerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-solide-42"  # tests.factories.UserFactory's


def _sign_in(client, user, **extra):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD, **extra})


@pytest.mark.parametrize(
    ("factory", "landing"),
    [
        (UserFactory, "courses:dashboard"),
        (TrainerFactory, "labs:trainer_dashboard"),
        (AdminFactory, "funding:dashboard"),
    ],
)
def test_each_role_lands_where_its_work_is(client, factory, landing):
    # given someone of that role
    user = factory()
    # when they sign in without a next page
    response = _sign_in(client, user)
    # then they land on their role's page
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)


def test_a_safe_next_page_wins_over_the_landing_page(client):
    trainer = TrainerFactory()
    response = _sign_in(client, trainer, next="/cours/catalogue/")
    assert response["Location"] == "/cours/catalogue/"


def test_a_foreign_next_page_is_ignored(client):
    trainer = TrainerFactory()
    response = _sign_in(client, trainer, next="https://evil.example/")
    assert response["Location"] == reverse("labs:trainer_dashboard")


@pytest.mark.parametrize(
    ("factory", "landing"),
    [
        (UserFactory, "courses:dashboard"),
        (TrainerFactory, "labs:trainer_dashboard"),
        (AdminFactory, "funding:dashboard"),
    ],
)
def test_the_home_page_sends_a_signed_in_user_to_their_landing_page(client, factory, landing):
    client.force_login(factory())
    assert client.get(reverse("home"))["Location"] == reverse(landing)


def test_every_landing_page_opens_for_its_role(client):
    for factory, landing in [
        (UserFactory, "courses:dashboard"),
        (TrainerFactory, "labs:trainer_dashboard"),
        (AdminFactory, "funding:dashboard"),
    ]:
        client.force_login(factory())
        assert client.get(reverse(landing)).status_code == 200
