"""The reviewer-assignment rule (community.assignment), without a database."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from community.assignment import Candidate, Request, plan_assignments

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def test_nobody_is_assigned_their_own_attempt():
    plan = plan_assignments([Request(item_id=1, author_id=10, needed=3)], [Candidate(10), Candidate(11)], now=NOW)
    assert plan == [(1, 11)]


def test_a_pair_already_used_on_the_lab_is_never_reused():
    # given reviewer 11 already had author 10 (the review expired, say)
    request = Request(item_id=1, author_id=10, needed=1, paired={11})
    # when one reviewer is needed
    plan = plan_assignments([request], [Candidate(11), Candidate(12)], now=NOW)
    # then it is the other one
    assert plan == [(1, 12)]


def test_the_same_reviewer_is_not_picked_twice_for_one_attempt():
    plan = plan_assignments([Request(item_id=1, author_id=10, needed=2)], [Candidate(11)], now=NOW)
    assert plan == [(1, 11)]


def test_the_least_loaded_reviewer_is_picked_first():
    candidates = [
        Candidate(11, open_load=2, total_load=2),
        Candidate(12, open_load=0, total_load=5),
        Candidate(13, open_load=0, total_load=1),
    ]
    plan = plan_assignments([Request(item_id=1, author_id=10, needed=2)], candidates, now=NOW)
    assert plan == [(1, 13), (1, 12)]


def test_the_reviewer_who_waited_longest_breaks_a_tie():
    earlier, later = NOW - datetime.timedelta(days=2), NOW - datetime.timedelta(hours=1)
    candidates = [Candidate(11, 1, 1, later), Candidate(12, 1, 1, earlier)]
    assert plan_assignments([Request(1, 10, 1)], candidates, now=NOW) == [(1, 12)]


@pytest.mark.parametrize(("learners", "needed"), [(6, 2), (5, 2), (7, 3), (10, 2)])
def test_a_batch_spreads_the_work_evenly(learners: int, needed: int):
    # given every learner of a cohort asks for N reviews at once
    ids = list(range(100, 100 + learners))
    requests = [Request(item_id=i, author_id=user_id, needed=needed) for i, user_id in enumerate(ids)]
    # when reviewers are planned
    plan = plan_assignments(requests, [Candidate(user_id) for user_id in ids], now=NOW)
    # then each attempt gets its N distinct reviewers, none of them its author
    per_item = Counter(item for item, _ in plan)
    assert all(per_item[i] == needed for i in range(learners))
    assert all(ids[item] != reviewer for item, reviewer in plan)
    assert len(set(plan)) == len(plan)
    # and everybody reviews exactly N attempts
    assert set(Counter(reviewer for _, reviewer in plan).values()) == {needed}


def test_a_request_gets_what_the_cohort_allows_and_waits_for_the_rest():
    plan = plan_assignments([Request(1, 10, 2)], [Candidate(10), Candidate(11)], now=NOW)
    assert plan == [(1, 11)]
