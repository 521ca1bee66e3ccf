"""Community pages run a bounded number of queries, whatever the number of cards, reviews or messages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import ReviewAssignment
from community.services.discussion import post_create
from community.services.gallery import share_attempt, vote_toggle
from community.services.reviews import ScoreInput, request_reviews, review_submit
from tests.community.conftest import make_cohort

# Measured on SQLite (session, user and the page's own reads); room for a middleware change, never for a
# query per card, per review or per message.
# Measured: gallery 7, shared attempt 10, discussion 10, lab panel 13, my reviews 4, home 7, trainer setup 9,
# trainer review list 6, for 3 and for 8 learners alike.
MAX_GALLERY_QUERIES = 9
MAX_ITEM_QUERIES = 12
MAX_DISCUSSION_QUERIES = 12
MAX_PANEL_QUERIES = 15
MAX_MY_REVIEWS_QUERIES = 6
MAX_HOME_QUERIES = 9
MAX_TRAINER_QUERIES = 11


@pytest.fixture(params=[3, 8], ids=["small", "large"])
def busy_cohort(request, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.COMMUNITY_POST_RATE = (1000, 60)
    cohort = make_cohort(learner_count=request.param)
    items = [share_attempt(learner=who, submission=cohort.attempts[who.pk]) for who in cohort.learners]
    for voter in cohort.learners:
        for item in items:
            if item.author_id != voter.pk:
                vote_toggle(voter=voter, item=item)
    for item in items:
        request_reviews(author=item.author, item=item)
    for assignment in ReviewAssignment.objects.all():
        scores = [ScoreInput(c.pk, 2, "Vu.") for c in cohort.criteria]
        review_submit(assignment=assignment, reviewer=assignment.reviewer, scores=scores, marks=[], suggestion="x")
    for learner in cohort.learners:
        thread = post_create(author=learner, step=cohort.lesson_step, body="Question", mentions=[cohort.trainer])
        for other in cohort.learners[:3]:
            post_create(author=other, step=cohort.lesson_step, body="Réponse", parent=thread)
    cohort.items = items
    return cohort


def test_gallery(busy_cohort, django_assert_max_num_queries):
    client = busy_cohort.client(busy_cohort.learners[0])
    with django_assert_max_num_queries(MAX_GALLERY_QUERIES):
        response = client.get(reverse("community:gallery", args=[busy_cohort.course.slug]), {"tri": "useful"})
    assert len(response.context["page"].object_list) == len(busy_cohort.learners)


def test_shared_attempt_with_its_reviews(busy_cohort, django_assert_max_num_queries):
    item = busy_cohort.items[0]
    client = busy_cohort.client(item.author)
    with django_assert_max_num_queries(MAX_ITEM_QUERIES):
        response = client.get(item.get_absolute_url())
    assert len(response.context["reviews"]) == 2


def test_discussion(busy_cohort, django_assert_max_num_queries):
    client = busy_cohort.client(busy_cohort.learners[0])
    with django_assert_max_num_queries(MAX_DISCUSSION_QUERIES):
        response = client.get(reverse("community:discussion", args=[busy_cohort.lesson_step.pk]))
    assert len(response.context["threads"]) == len(busy_cohort.learners)


def test_lab_panel(busy_cohort, django_assert_max_num_queries):
    client = busy_cohort.client(busy_cohort.learners[0])
    with django_assert_max_num_queries(MAX_PANEL_QUERIES):
        response = client.get(reverse("community:lab_panel", args=[busy_cohort.lab.step_id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_my_reviews(busy_cohort, django_assert_max_num_queries):
    client = busy_cohort.client(busy_cohort.learners[0])
    with django_assert_max_num_queries(MAX_MY_REVIEWS_QUERIES):
        response = client.get(reverse("community:my_reviews"))
    assert len(response.context["mine"].done) == 2


def test_community_home(busy_cohort, django_assert_max_num_queries):
    client = busy_cohort.client(busy_cohort.learners[0])
    with django_assert_max_num_queries(MAX_HOME_QUERIES):
        response = client.get(reverse("community:home"))
    assert [entry.course for entry in response.context["entries"]] == [busy_cohort.course]


@pytest.mark.parametrize("name", ["review_setup", "lab_reviews"])
def test_trainer_pages(busy_cohort, django_assert_max_num_queries, name):
    client = busy_cohort.client(busy_cohort.trainer)
    with django_assert_max_num_queries(MAX_TRAINER_QUERIES):
        response = client.get(reverse(f"community:{name}", args=[busy_cohort.lab.slug]))
    assert response.status_code == 200
