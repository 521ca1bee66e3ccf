"""State-changing POSTs without a CSRF token are refused (403), whoever sends them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from labs.models import Submission
from tests.security.conftest import PASSWORD, World

CASES = [  # (role, url, data)
    ("anonymous", lambda w: reverse("login"), lambda w: {"username": w.learner.email, "password": PASSWORD}),
    (
        "anonymous",
        lambda w: reverse("signup"),
        lambda w: {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
    ),
    ("other_learner", lambda w: reverse("courses:enrol", args=[w.course.slug]), lambda w: {}),
    (
        "learner",
        lambda w: reverse("labs:submit", args=[w.lab.slug]),
        lambda w: {"prompt": "Un plan large.", "client_token": "x"},
    ),
    (
        "trainer",
        lambda w: reverse("labs:trainer_submission_override", args=[w.submission.pk]),
        lambda w: {"score": "10", "comment": "Forgé"},
    ),
    (
        "trainer",
        lambda w: reverse("funding:attendance_grid", args=[w.action.pk]),
        lambda w: {"all_present": "2026-03-02"},
    ),
    ("learner", lambda w: reverse("set_language"), lambda w: {"language": "en"}),
    ("learner", lambda w: reverse("account_delete"), lambda w: {"password": PASSWORD}),
]


IDS = ["login", "signup", "enrol", "lab_submit", "override", "attendance", "set_language", "account_delete"]


@pytest.mark.parametrize(("role", "url", "data"), CASES, ids=IDS)
def test_post_without_token_is_forbidden(world: World, role, url, data):
    client = world.client(role, enforce_csrf_checks=True)
    response = client.post(url(world), data(world))
    assert response.status_code == 403


def test_forged_override_changes_nothing(world: World):
    # given a trainer's browser tricked into posting an override from another site
    client = world.client("trainer", enforce_csrf_checks=True)
    client.post(reverse("labs:trainer_submission_override", args=[world.submission.pk]), {"score": "5", "comment": "x"})
    # then the grade is untouched
    assert Submission.objects.get(pk=world.submission.pk).override_score is None


def test_forged_deletion_keeps_the_account(world: World):
    client = world.client("learner", enforce_csrf_checks=True)
    client.post(reverse("account_delete"), {"password": PASSWORD})
    world.learner.refresh_from_db()
    assert world.learner.is_active and world.learner.email == "l1@example.com"


def test_post_with_the_token_passes_the_check(world: World):
    # the control case: the same client with the page's token is not refused
    client = world.client("other_learner", enforce_csrf_checks=True)
    client.get(reverse("courses:detail", args=[world.course.slug]))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("courses:enrol", args=[world.course.slug]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
