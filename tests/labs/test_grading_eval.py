"""The grader measured on its labelled set (tests/data/grading_eval.jsonl): the floors of the grading
issue hold. bench/grading.py prints the same figures with speed and memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.grading.evaluation import evaluate, load_cases
from labs.grading.policy import default_rules

DATA = Path(__file__).resolve().parents[1] / "data" / "grading_eval.jsonl"


@pytest.fixture(scope="module")
def report():
    return evaluate(load_cases(DATA), default_rules())


def test_the_set_is_wide_enough_to_mean_something():
    cases = load_cases(DATA)
    assert len(cases) >= 400
    assert {c.language for c in cases} == {"fr", "en"}
    blocked_categories = {c.category for c in cases if c.verdict == "block"}
    assert len(blocked_categories) >= 10
    assert sum(c.verdict == "allow" for c in cases) >= 250
    assert sum(bool(c.adversarial) for c in cases) >= 120


def test_every_category_of_harm_is_blocked(report):
    weak = {category: row["recall"] for category, row in report.policy().items() if row["recall"] < 0.95}
    assert weak == {}, report.errors()["missed_blocks"]


def test_prompts_that_must_pass_are_almost_never_blocked(report):
    assert report.false_block_rate() <= 0.01, report.errors()["false_blocks"]


def test_the_elements_of_a_prompt_are_read_correctly(report):
    assert report.element_micro_f1() >= 0.90
    assert all(row["f1"] >= 0.80 for row in report.elements().values()), report.elements()


def test_the_main_subject_is_typed_as_labelled_more_often_than_not(report):
    # Measured 0.59 (was 0.50 before person nouns, given names and plurals counted); a regression guard.
    assert report.subject_kind_accuracy() >= 0.57
