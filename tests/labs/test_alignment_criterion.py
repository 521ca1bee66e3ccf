"""The « Fidélité au prompt » video criterion: scored from the worker's alignment measure, or left out."""

from __future__ import annotations

import pytest

from labs.grading.anatomy import parse_prompt
from labs.grading.policy import PolicyResult
from labs.grading.rubric import VIDEO_CHECK_LABELS, CriterionSpec, score_prompt_and_video

PROMPT = "Un chat roux sur la plage au coucher du soleil"
CRITERIA = [
    CriterionSpec(kind="video", weight=50, video_check="prompt_alignment"),
    CriterionSpec(kind="video", weight=50, video_check="no_cuts"),
]


def grade(metrics: dict) -> dict:
    return score_prompt_and_video(
        criteria=CRITERIA,
        anatomy=parse_prompt(PROMPT, None),
        metrics={"scene_cuts": 0, **metrics},
        policy=PolicyResult(),
        pass_mark=70,
        target_duration_s=5,
    )


def test_the_criterion_is_offered_to_trainers_with_its_label():
    assert str(VIDEO_CHECK_LABELS["prompt_alignment"]) == "Fidélité au prompt"


def test_a_well_aligned_video_gets_full_marks():
    result = grade({"alignment": {"score": 0.8, "elements": {"un chat roux": 0.9, "la plage": 0.7}}})

    alignment = result["criteria"][0]
    assert alignment["label"] == "Fidélité au prompt"
    assert alignment["score"] == 1.0
    assert result["score"] == 100


def test_weak_elements_are_named_in_the_feedback_and_cost_points():
    result = grade({"alignment": {"score": 0.3, "elements": {"un chat roux": 0.8, "la plage": 0.1}}})

    alignment = result["criteria"][0]
    assert alignment["score"] == pytest.approx(0.5)
    assert "« la plage »" in alignment["feedback"]
    assert "chat" not in alignment["feedback"]
    assert result["score"] == 75


def test_without_an_alignment_measure_the_criterion_does_not_count():
    result = grade({})

    alignment = result["criteria"][0]
    assert alignment["evaluated"] is False and alignment["score"] is None
    assert "Non mesurée" in alignment["feedback"]
    assert result["score"] == 100, "only the measured criteria count"
