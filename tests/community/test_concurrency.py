"""Review requests arriving together, on PostgreSQL with committed data: the lab's lock keeps the assignment fair."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from community.models import GalleryItem, ReviewAssignment
from community.services.gallery import share_attempt
from community.services.reviews import fill_requests, request_reviews
from tests.community.conftest import make_cohort
from tests.conftest import _unavailable


@pytest.fixture
def committed_cohort(transactional_db, settings, tmp_path):
    if connection.vendor != "postgresql":
        _unavailable(f"concurrent requests need PostgreSQL row locks (DATABASE_URL gives {connection.vendor})")
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_cohort(learner_count=6)


def _all_at_once(calls):
    """Run the calls in threads released together; each thread has its own connection."""
    start = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(call):
        try:
            start.wait()
            call()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_six_requests_at_once_give_each_attempt_two_reviewers_and_every_peer_some_work(committed_cohort):
    # given six learners who shared an attempt, and a lab with no settings row yet (created under the race)
    cohort = committed_cohort
    items = {
        learner.pk: share_attempt(learner=learner, submission=cohort.attempts[learner.pk])
        for learner in cohort.learners
    }

    # when all six ask for reviews at the same instant
    _all_at_once([lambda a=author: request_reviews(author=a, item=items[a.pk]) for author in cohort.learners])

    # then every attempt has exactly the two reviews it asked for, nobody reviews themselves,
    # no pair repeats, and the twelve reviews are spread as the one-at-a-time greedy order allows
    # (two each, or 1–3 when a late author's only fresh peers are the busy ones)
    rows = list(ReviewAssignment.objects.filter(lab=cohort.lab).values_list("item_id", "author_id", "reviewer_id"))
    assert Counter(item_id for item_id, _, _ in rows) == {item.pk: 2 for item in items.values()}
    assert all(author_id != reviewer_id for _, author_id, reviewer_id in rows)
    assert len({(author_id, reviewer_id) for _, author_id, reviewer_id in rows}) == len(rows)
    loads = Counter(reviewer_id for _, _, reviewer_id in rows)
    assert set(loads) == {learner.pk for learner in cohort.learners}
    assert max(loads.values()) - min(loads.values()) <= 2


def test_fills_racing_on_one_lab_assign_each_waiting_request_once(committed_cohort):
    # given six shared attempts whose review requests all wait (as when the beat fill and a new request meet)
    cohort = committed_cohort
    for learner in cohort.learners:
        share_attempt(learner=learner, submission=cohort.attempts[learner.pk])
    GalleryItem.objects.filter(lab=cohort.lab).update(reviews_requested_at=timezone.now())

    # when four fills of the lab run at the same instant
    _all_at_once([lambda: fill_requests(lab=cohort.lab) for _ in range(4)])

    # then the requests were served once: two reviewers each, twelve in all
    per_item = Counter(ReviewAssignment.objects.filter(lab=cohort.lab).values_list("item_id", flat=True))
    assert sorted(per_item.values()) == [2] * 6
