"""bench/pages.py is not run by the suite (it needs gunicorn, wrk and minutes); its parts are checked here.

A seed with 5 learners (the 50 courses as in a run) must build the data shape the benchmark measures, and the
judging must apply issue #17's targets to the figures of a run.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import pages as bench  # noqa: E402

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_shape(monkeypatch):
    monkeypatch.setattr(bench, "LEARNERS", 5)


def test_the_seed_builds_courses_of_8_modules_of_6_steps_with_enrolled_learners(small_shape):
    bench.seed_site(random.Random(1))

    counts = bench.seed_counts()
    assert (counts.courses, counts.modules, counts.steps) == (50, 400, 2400)
    assert (counts.lessons, counts.quizzes, counts.labs) == (1600, 400, 400)
    assert counts.learners == 5
    assert counts.enrolments == 5 * bench.ENROLMENTS_PER_LEARNER
    assert bench.already_seeded()


def _figures(server_ms: float, rps: float, **extra) -> dict:
    return {
        "rps": rps,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "server_ms": server_ms,
        "server_cpu_ms": server_ms,
        "queries": 4,
        "errors": 0,
        "statuses": [200],
        "round_trip_p95_ms": server_ms + 1,
        **extra,
    }


MINIMAL = _figures(1.5, 800.0, queries=1)


@pytest.mark.parametrize(
    ("server_ms", "rps", "meets"),
    [
        (4.5, 250.0, True),  # under 5 ms, 3x the minimal view, 31 % of its throughput
        (5.5, 250.0, False),  # over 5 ms
        (4.5, 150.0, False),  # under 25 % of the minimal view's throughput
    ],
)
def test_a_learner_page_is_judged_on_server_time_and_share_of_throughput(server_ms, rps, meets):
    judged = bench.judge("lesson", _figures(server_ms, rps), MINIMAL)

    assert judged["meets_target"] is meets
    assert judged["ratio_to_minimal_signed_in"]["server_ms"] == round(server_ms / 1.5, 2)
    assert judged["ratio_to_minimal_signed_in"]["queries"] == 4.0


def test_a_page_with_errors_never_meets_its_target():
    judged = bench.judge("catalogue", _figures(2.0, 700.0, errors=3), MINIMAL)

    assert judged["meets_target"] is False


@pytest.mark.parametrize(("p95", "meets"), [(24.0, True), (26.0, False)])
def test_the_coach_is_judged_on_its_p95(p95, meets):
    judged = bench.judge("coach", _figures(10.0, 50.0, round_trip_p95_ms=p95), MINIMAL)

    assert judged["meets_target"] is meets
