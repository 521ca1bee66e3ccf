"""A lab's statistics for its trainers, computed in Python from one query's rows.

Pure functions over the dicts of labs.selectors.lab_analytics_rows (one per
attempt, oldest first): no database access here, so the page costs a
constant number of queries however many attempts there are, and the numbers
are easy to test. Who passed follows the grade that counts
(labs.selectors.counted_grade), as on the learner's pages.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from labs.models import Lab, PolicyRule, Submission
from labs.selectors import counted_grade

BUCKET_COUNT = 10

# Geometry of the SVG score chart (user units of its viewBox).
CHART_WIDTH = 420
CHART_HEIGHT = 220
CHART_TOP = 20  # room for the count above the tallest bar
CHART_BOTTOM = 30  # room for the bucket labels
CHART_LEFT = 10
BAR_GAP = 6

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Bar:
    label: str  # "0–9" … "90–100"
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def count_y(self) -> float:
        """Where the count sits: just above the bar."""
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class ScoreChart:
    bars: tuple[Bar, ...]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT

    @property
    def baseline(self) -> int:
        return self.height - CHART_BOTTOM

    @property
    def label_y(self) -> int:
        return self.height - CHART_BOTTOM + 18

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class LabAnalytics:
    attempts: int
    graded: int
    blocked: int
    failed: int
    learners: int
    learners_passed: int
    attempts_per_learner: float | None
    median_time_to_pass: timedelta | None
    chart: ScoreChart
    missing_elements: tuple[Count, ...]
    policy_categories: tuple[Count, ...]
    cost_spent: Decimal
    cost_budget: Decimal | None
    generations: int
    generations_most_by_one_learner: int
    generations_budget_per_learner: int  # 0 = unlimited

    @property
    def pass_rate(self) -> int | None:
        """Percent of the learners with an attempt who passed."""
        return round(100 * self.learners_passed / self.learners) if self.learners else None

    @property
    def median_time_to_pass_text(self) -> str:
        return duration_text(self.median_time_to_pass) if self.median_time_to_pass is not None else ""

    @property
    def cost_percent(self) -> int | None:
        if not self.cost_budget:
            return None
        return round(100 * self.cost_spent / self.cost_budget)


def duration_text(duration: timedelta) -> str:
    """A short, readable duration: "3 j 4 h", "2 h 05 min", "12 min", "40 s"."""
    seconds = int(duration.total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _("%(days)d j %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(seconds)d s") % {"seconds": seconds}


def bucket_label(index: int) -> str:
    low = index * 10
    return f"{low}–{low + 9}" if index < BUCKET_COUNT - 1 else f"{low}–100"


def score_buckets(scores: Iterable[int]) -> list[int]:
    """Counts of scores in 0–9, 10–19, …, 90–100 (100 goes with the 90s)."""
    counts = [0] * BUCKET_COUNT
    for score in scores:
        counts[min(max(int(score), 0) // 10, BUCKET_COUNT - 1)] += 1
    return counts


def score_chart(counts: Sequence[int]) -> ScoreChart:
    """Bars scaled so the tallest reaches the top of the plot area."""
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = (CHART_WIDTH - CHART_LEFT) / len(counts)
    tallest = max(counts) or 1
    bars = []
    for index, count in enumerate(counts):
        height = round(plot_height * count / tallest, 1)
        bars.append(
            Bar(
                label=bucket_label(index),
                count=count,
                x=round(CHART_LEFT + index * slot + BAR_GAP / 2, 1),
                y=round(CHART_HEIGHT - CHART_BOTTOM - height, 1),
                width=round(slot - BAR_GAP, 1),
                height=height,
            )
        )
    return ScoreChart(bars=tuple(bars))


def missing_elements(graded: Sequence[Row]) -> list[Count]:
    """Prompt elements most often missing or incomplete (anatomy criteria scored below 1), most frequent first."""
    counter: Counter[str] = Counter()
    for row in graded:
        for criterion in (row["result"] or {}).get("criteria", []):
            if criterion.get("kind") == "anatomy" and float(criterion.get("score") or 0) < 1:
                counter[str(criterion.get("label") or criterion.get("key"))] += 1
    return [_count(label, label, n, len(graded)) for label, n in counter.most_common()]


def policy_categories(blocked: Sequence[Row]) -> list[Count]:
    """Why prompts were refused, by category (each category once per attempt), most frequent first."""
    names = dict(PolicyRule.Category.choices)
    counter: Counter[str] = Counter()
    for row in blocked:
        policy = (row["result"] or {}).get("policy") or {}
        categories = [f.get("category", "") for f in policy.get("findings", [])] + list(
            policy.get("moderation_categories", [])
        )
        counter.update(list(dict.fromkeys(c for c in categories if c)))
    return [_count(key, str(names.get(key, key)), n, len(blocked)) for key, n in counter.most_common()]


def _count(key: str, label: str, count: int, total: int) -> Count:
    return Count(key=key, label=label, count=count, percent=round(100 * count / total) if total else 0)


def _attempts(rows: Sequence[Row], lab: Lab) -> list[Submission]:
    """The rows as (unsaved) attempts of ``lab``, so the grade rules of labs.models and labs.selectors apply."""
    return [Submission(lab=lab, **row) for row in rows]


def _learners_passed(by_learner: Mapping[int, Sequence[Submission]], *, lab: Lab) -> dict[int, Submission | None]:
    """For each learner, the attempt with which they passed (None when the grade that counts does not pass).

    In « best » mode a pass is never lost, so the learner passed with their
    first passing attempt; in « last » mode, with the attempt that counts.
    """
    result: dict[int, Submission | None] = {}
    for learner_id, attempts in by_learner.items():
        grade = counted_grade(attempts, lab=lab)
        if grade is None or not grade.passed:
            result[learner_id] = None
        elif lab.grading == Lab.Grading.LAST:
            result[learner_id] = grade.attempt
        else:
            result[learner_id] = next(a for a in attempts if a.state == Submission.State.GRADED and a.final_passed)
    return result


def _median_time_to_pass(
    by_learner: Mapping[int, Sequence[Submission]], passed_with: Mapping[int, Submission | None]
) -> timedelta | None:
    """From a learner's first attempt to the end of the attempt they passed with; median over learners."""
    durations = []
    for learner_id, attempt in passed_with.items():
        if attempt is None:
            continue
        first = by_learner[learner_id][0].created_at
        durations.append(((attempt.finished_at or attempt.created_at) - first).total_seconds())
    return timedelta(seconds=round(statistics.median(durations))) if durations else None


def lab_analytics(rows: Sequence[Row], *, lab: Lab) -> LabAnalytics:
    """Everything the analytics page shows, from the rows of labs.selectors.lab_analytics_rows (oldest first)."""
    attempts = _attempts(rows, lab)
    by_learner: dict[int, list[Submission]] = defaultdict(list)
    for attempt in attempts:
        by_learner[attempt.learner_id].append(attempt)
    graded = [row for row in rows if row["state"] == Submission.State.GRADED]
    blocked = [row for row in rows if row["state"] == Submission.State.BLOCKED]
    passed_with = _learners_passed(by_learner, lab=lab)
    generations = Counter(row["learner_id"] for row in rows if row["state"] not in Submission.NOT_GENERATED_STATES)
    counted = [sum(1 for a in learner_attempts if a.counts_as_attempt) for learner_attempts in by_learner.values()]
    return LabAnalytics(
        attempts=len(rows),
        graded=len(graded),
        blocked=len(blocked),
        failed=sum(1 for row in rows if row["state"] == Submission.State.FAILED),
        learners=len(by_learner),
        learners_passed=sum(1 for attempt in passed_with.values() if attempt is not None),
        attempts_per_learner=round(sum(counted) / len(counted), 1) if counted else None,
        median_time_to_pass=_median_time_to_pass(by_learner, passed_with),
        chart=score_chart(score_buckets(a.final_score or 0 for a in attempts if a.state == Submission.State.GRADED)),
        missing_elements=tuple(missing_elements(graded)),
        policy_categories=tuple(policy_categories(blocked)),
        cost_spent=sum((row["cost"] for row in rows if row["cost"] is not None), Decimal("0")),
        cost_budget=lab.budget_cost_cohort,
        generations=sum(generations.values()),
        generations_most_by_one_learner=max(generations.values(), default=0),
        generations_budget_per_learner=lab.budget_generations_per_learner,
    )
