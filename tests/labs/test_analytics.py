"""A lab's statistics: the pure computations and the trainer's page."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from labs.analytics import (
    lab_analytics,
    missing_elements,
    policy_categories,
    score_buckets,
    score_chart,
)
from labs.models import Lab, Submission
from tests.factories import UserFactory
from tests.labs.factories import LabFactory, SubmissionFactory

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Africa/Casablanca"))


def row(
    learner: int,
    state: str = "graded",
    *,
    score=None,
    override=None,
    passed=False,
    minutes=0,
    cost=None,
    result=None,
    counts=True,
) -> dict:
    created = T0 + timedelta(minutes=minutes)
    return {
        "learner_id": learner,
        "state": state,
        "score": score,
        "override_score": override,
        "passed": passed,
        "counts_as_attempt": counts,
        "created_at": created,
        "finished_at": created + timedelta(minutes=1),
        "cost": cost,
        "result": result or {},
    }


def anatomy(label: str, score: float) -> dict:
    return {"kind": "anatomy", "label": label, "score": score, "key": label}


# --- pure functions ------------------------------------------------------------------------------


def test_scores_fall_in_ten_buckets_with_100_among_the_90s():
    assert score_buckets([0, 9, 10, 55, 99, 100]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]


def test_chart_scales_the_tallest_bar_to_the_plot_and_empty_buckets_to_zero():
    chart = score_chart([0, 4, 2, 0, 0, 0, 0, 0, 0, 0])

    tallest, half, empty = chart.bars[1], chart.bars[2], chart.bars[0]
    assert tallest.y + tallest.height == chart.baseline
    assert half.height == pytest.approx(tallest.height / 2, abs=0.1)
    assert empty.height == 0
    assert [bar.label for bar in chart.bars][::9] == ["0–9", "90–100"]


def test_missing_elements_count_anatomy_criteria_below_full_marks():
    graded = [
        row(
            1,
            result={
                "criteria": [
                    anatomy("Lumière", 0),
                    anatomy("Sujet", 0.6),
                    {"kind": "video", "label": "Durée", "score": 0},
                ]
            },
        ),
        row(2, result={"criteria": [anatomy("Lumière", 0), anatomy("Sujet", 1)]}),
    ]

    counts = missing_elements(graded)

    assert [(c.label, c.count, c.percent) for c in counts] == [("Lumière", 2, 100), ("Sujet", 1, 50)]


def test_policy_categories_count_each_category_once_per_refused_attempt():
    finding = {"category": "real_person", "text": "Messi"}
    blocked = [
        row(1, "blocked", result={"policy": {"findings": [finding, finding], "moderation_categories": []}}),
        row(2, "blocked", result={"policy": {"findings": [], "moderation_categories": ["violence"]}}),
        row(3, "blocked", result={"policy": {"findings": [finding]}}),
    ]

    counts = policy_categories(blocked)

    assert [(c.key, c.count) for c in counts] == [("real_person", 2), ("violence", 1)]
    assert counts[0].label == "Personne réelle identifiable"


def test_pass_rate_counts_learners_and_overrides():
    lab = Lab(pass_mark=60, grading=Lab.Grading.BEST)
    rows = [
        row(1, score=40, minutes=0),
        row(1, score=70, passed=True, minutes=30),  # passes on the 2nd try
        row(2, score=30, override=65, minutes=0),  # passes thanks to an override
        row(3, score=20, minutes=0),
        row(3, "failed", counts=False, minutes=5),
    ]

    stats = lab_analytics(rows, lab=lab)

    assert (stats.learners, stats.learners_passed, stats.pass_rate) == (3, 2, 67)
    assert stats.attempts_per_learner == pytest.approx(1.3, abs=0.05)  # 4 counted attempts / 3 learners
    assert stats.failed == 1


def test_last_attempt_grading_ignores_an_earlier_pass():
    lab = Lab(pass_mark=60, grading=Lab.Grading.LAST)
    rows = [row(1, score=80, passed=True, minutes=0), row(1, score=30, minutes=10)]

    assert lab_analytics(rows, lab=lab).learners_passed == 0


def test_median_time_to_pass_runs_from_first_attempt_to_the_passing_one():
    lab = Lab(pass_mark=60)
    rows = [
        row(1, score=70, passed=True, minutes=0),  # 1 min (its own duration)
        row(2, score=10, minutes=0),
        row(2, score=90, passed=True, minutes=60),  # 61 min
        row(3, score=10, minutes=0),
        row(3, score=90, passed=True, minutes=120),  # 121 min
    ]

    stats = lab_analytics(rows, lab=lab)

    assert stats.median_time_to_pass == timedelta(minutes=61)
    assert stats.median_time_to_pass_text == "1 h 01 min"


def test_spend_sums_costs_against_the_cohort_budget_and_counts_generations():
    lab = Lab(pass_mark=60, budget_cost_cohort=Decimal("10"), budget_generations_per_learner=5)
    rows = [
        row(1, score=50, cost=Decimal("1.5")),
        row(1, score=50, cost=Decimal("2.5")),
        row(2, "blocked", score=0),
        row(2, "failed", counts=False),
    ]

    stats = lab_analytics(rows, lab=lab)

    assert (stats.cost_spent, stats.cost_percent) == (Decimal("4.0"), 40)
    assert (stats.generations, stats.generations_most_by_one_learner) == (2, 2)


# --- the page ----------------------------------------------------------------------------------------


@pytest.fixture
def lab(db):
    return LabFactory(budget_cost_cohort=Decimal("20"))


def make_attempts(lab, count: int) -> None:
    learners = UserFactory.create_batch(5)
    for i in range(count):
        state = Submission.State.BLOCKED if i % 7 == 0 else Submission.State.GRADED
        result = (
            {"criteria": [anatomy("Lumière", 0)]}
            if state == Submission.State.GRADED
            else {"policy": {"findings": [{"category": "copyright"}]}}
        )
        SubmissionFactory(
            lab=lab, learner=learners[i % 5], state=state, score=(i * 7) % 101, result=result, cost=Decimal("0.10")
        )


@pytest.mark.parametrize("count", [5, 50])
def test_page_costs_a_constant_number_of_queries(client, lab, count, django_assert_max_num_queries):
    make_attempts(lab, count)
    client.force_login(lab.course.owner)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("labs:trainer_analytics", args=[lab.slug]))

    assert response.status_code == 200


def test_chart_is_accessible_and_free_of_inline_styles(client, lab):
    make_attempts(lab, 8)
    client.force_login(lab.course.owner)

    html = client.get(reverse("labs:trainer_analytics", args=[lab.slug])).content.decode()

    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert '<table class="visually-hidden">' in html
    assert " style=" not in html
    assert "Personnage ou franchise protégés : 2" in html  # attempts 0 and 7 were refused
    assert "Lumière" in html
