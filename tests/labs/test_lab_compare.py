"""Side-by-side comparison of two attempts: prompt diff, both videos, score per criterion with deltas."""

from __future__ import annotations

import pytest
from django.urls import reverse

from labs.presentation.diff import word_diff
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import (
    CriterionFactory,
    LabFactory,
    SubmissionFactory,
    attach_media,
    criterion_item,
    graded_result,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return LabFactory()


@pytest.fixture
def learner(lab):
    user = UserFactory()
    EnrolmentFactory(user=user, course=lab.course)
    return user


def attempt(lab, learner, *, prompt: str, score: int, camera: float, hidden_score: float = 0.0):
    camera_criterion = lab.criteria.filter(element="camera_movement").first() or CriterionFactory(
        lab=lab, element="camera_movement", label="Mouvement de caméra", weight=20
    )
    secret = lab.criteria.filter(hidden=True).first() or CriterionFactory(
        lab=lab, kind="must_mention", element="", label="Mention secrète", hidden=True
    )
    items = [criterion_item(camera_criterion, score=camera), criterion_item(secret, score=hidden_score)]
    submission = SubmissionFactory(
        lab=lab,
        learner=learner,
        graded=True,
        prompt=prompt,
        score=score,
        passed=False,
        result=graded_result(score=score, passed=False, items=items),
    )
    return attach_media(submission)


def test_word_diff_marks_removed_and_added_words_and_escapes_them():
    html = word_diff("Un chat <b>roux</b> dort.", "Un chien <b>roux</b> court.")

    assert "<del>chat</del><ins>chien</ins>" in html
    assert "<del>dort</del><ins>court</ins>" in html
    assert "<b>" not in html and "&lt;b&gt;roux&lt;/b&gt;" in html


def test_compare_page_shows_diff_videos_and_deltas(client, lab, learner):
    a = attempt(lab, learner, prompt="Plan fixe sur un flacon.", score=40, camera=0.0)
    b = attempt(lab, learner, prompt="Travelling avant lent sur un flacon.", score=70, camera=1.0)
    client.force_login(learner)

    response = client.get(reverse("labs:compare", args=[lab.slug]), {"a": a.pk, "b": b.pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<del>Plan fixe</del><ins>Travelling avant lent</ins>" in html
    for s in (a, b):
        assert reverse("labs:submission_media", args=[s.pk, "video"]) in html
    assert '<span class="delta delta-up">+100</span>' in html  # camera criterion, in points of percentage
    assert "+30" in html  # total score
    assert "Mention secrète" not in html


def test_compare_form_refuses_another_learners_attempt(client, lab, learner):
    mine = attempt(lab, learner, prompt="Mon prompt à moi.", score=40, camera=0.0)
    other = UserFactory()
    EnrolmentFactory(user=other, course=lab.course)
    theirs = attempt(lab, other, prompt="Le prompt confidentiel de quelqu'un d'autre.", score=90, camera=1.0)
    client.force_login(learner)

    response = client.get(reverse("labs:compare", args=[lab.slug]), {"a": mine.pk, "b": theirs.pk})

    assert response.status_code == 400
    assert "confidentiel" not in response.content.decode()


def test_compare_without_choice_preselects_the_last_two_attempts(client, lab, learner):
    older = attempt(lab, learner, prompt="Premier essai.", score=40, camera=0.0)
    newer = attempt(lab, learner, prompt="Second essai.", score=60, camera=0.5)
    client.force_login(learner)

    response = client.get(reverse("labs:compare", args=[lab.slug]))

    form = response.context["form"]
    assert response.status_code == 200
    assert (form.initial["a"], form.initial["b"]) == (older.pk, newer.pk)
    assert "Essai n° 1" in response.content.decode()


def test_lab_page_links_to_compare_after_two_graded_attempts(client, lab, learner):
    attempt(lab, learner, prompt="Premier essai.", score=40, camera=0.0)
    attempt(lab, learner, prompt="Second essai.", score=60, camera=0.5)
    client.force_login(learner)

    html = client.get(lab.get_absolute_url()).content.decode()

    assert reverse("labs:compare", args=[lab.slug]) in html


def test_compare_from_an_attempt_opens_directly_against_the_previous_one(client, lab, learner):
    # given three graded attempts
    first = attempt(lab, learner, prompt="Premier essai.", score=40, camera=0.0)
    second = attempt(lab, learner, prompt="Deuxième essai.", score=50, camera=0.5)
    attempt(lab, learner, prompt="Troisième essai.", score=60, camera=1.0)
    client.force_login(learner)
    # when « Comparer » is followed from the second attempt's page
    page = client.get(second.get_absolute_url()).content.decode()
    link = reverse("labs:compare", args=[lab.slug]) + f"?b={second.pk}"
    assert f'href="{link}"' in page and "essai précédent" in page
    response = client.get(link)
    # then the comparison is there at once: the first attempt (A) against the second (B)
    assert response.status_code == 200
    assert (response.context["a"], response.context["b"]) == (first, second)
    assert "<del>Premier</del><ins>Deuxième</ins>" in response.content.decode()
    # and from the first attempt, it opens against the one after it
    response = client.get(reverse("labs:compare", args=[lab.slug]), {"b": first.pk})
    assert (response.context["a"], response.context["b"]) == (first, second)


def test_an_attempt_without_another_graded_one_offers_no_comparison(client, lab, learner):
    only = attempt(lab, learner, prompt="Seul essai.", score=40, camera=0.0)
    client.force_login(learner)
    assert "comparer" not in client.get(only.get_absolute_url()).content.decode()


def test_the_attempt_dates_are_in_the_users_time_zone(client, lab, learner):
    import datetime

    from labs.models import Submission

    # given an attempt sent at 18:21 UTC
    older = attempt(lab, learner, prompt="Premier essai.", score=40, camera=0.0)
    newer = attempt(lab, learner, prompt="Second essai.", score=60, camera=0.5)
    sent = datetime.datetime(2026, 12, 1, 18, 21, tzinfo=datetime.UTC)
    Submission.objects.filter(pk=newer.pk).update(created_at=sent)
    Submission.objects.filter(pk=older.pk).update(created_at=sent - datetime.timedelta(hours=1))
    client.force_login(learner)
    # then a learner in Casablanca (the default) reads 19:21 on the attempt and in the comparison's list
    assert "19:21" in client.get(newer.get_absolute_url()).content.decode()
    assert "01/12/2026 19:21" in client.get(reverse("labs:compare", args=[lab.slug])).content.decode()
    # and one who set Montréal's zone in their profile reads 13:21
    learner.time_zone = "America/Toronto"
    learner.save()
    assert "01/12/2026 13:21" in client.get(reverse("labs:compare", args=[lab.slug])).content.decode()
