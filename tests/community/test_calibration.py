"""The calibration score: a reviewer's levels against the trainer's reference reviews (as ORA2's training step)."""

from __future__ import annotations

import pytest

from community.calibration import CriterionLine, Judgement, calibration_score, compare, criterion_agreement
from community.errors import Refused
from community.models import CalibrationVideo, Review
from community.selectors import calibration_for, calibration_scores
from community.services.reviews import (
    ScoreInput,
    calibration_review_submit,
    calibration_video_add,
    reference_review_save,
)
from tests.community.conftest import graded_attempt


@pytest.mark.parametrize(
    ("mine", "reference", "scale", "expected"),
    [(3, 3, 4, 1.0), (1, 4, 4, 0.0), (2, 3, 4, 2 / 3), (4, 5, 5, 0.75), (1, 2, 2, 0.0)],
)
def test_agreement_on_one_criterion(mine, reference, scale, expected):
    assert criterion_agreement(mine, reference, scale) == pytest.approx(expected)


def test_a_level_outside_the_scale_is_an_error():
    with pytest.raises(ValueError):
        criterion_agreement(5, 3, 4)


def test_score_is_the_mean_agreement_over_every_judgement_compared():
    judgements = [
        Judgement(1, "Cadrage", 4, mine=3, reference=3),  # 1.0
        Judgement(2, "Lumière", 4, mine=1, reference=4),  # 0.0
        Judgement(3, "Artefacts", 5, mine=4, reference=5),  # 0.75
    ]
    assert calibration_score(judgements) == round(100 * 1.75 / 3)


def test_no_comparison_gives_no_score():
    assert calibration_score([]) is None


def test_criteria_the_reference_did_not_score_are_left_out():
    lines = [CriterionLine(1, "Cadrage", 4), CriterionLine(2, "Ajouté après coup", 4)]
    judgements = compare(lines, mine={1: 2, 2: 4}, reference={1: 2})
    assert [j.criterion_id for j in judgements] == [1]
    assert calibration_score(judgements) == 100


def _scores(criteria, levels, comment="Vu."):
    return [
        ScoreInput(criterion_id=c.pk, value=level, comment=comment) for c, level in zip(criteria, levels, strict=True)
    ]


def test_a_learner_is_scored_against_the_trainers_reference_reviews(cohort):
    # given the trainer picked two of their own attempts and reviewed them
    videos = []
    for reference_levels in ([3, 2, 5], [4, 4, 1]):
        attempt = graded_attempt(cohort.lab, cohort.trainer)
        video = calibration_video_add(lab=cohort.lab, submission=attempt, trainer=cohort.trainer)
        reference_review_save(
            video=video, trainer=cohort.trainer, scores=_scores(cohort.criteria, reference_levels), marks=[]
        )
        videos.append(video)
    learner = cohort.learners[0]
    # when the learner judges both videos
    calibration_review_submit(video=videos[0], reviewer=learner, scores=_scores(cohort.criteria, [3, 2, 5]))
    calibration_review_submit(video=videos[1], reviewer=learner, scores=_scores(cohort.criteria, [2, 4, 3]))
    # then the score is the mean agreement over the six judgements
    # video 1: 1, 1, 1; video 2: 1 - 2/3, 1, 1 - 2/4
    expected = round(100 * (3 + 1 / 3 + 1 + 0.5) / 6)
    state = calibration_for(learner, cohort.lab)
    assert state.score == expected
    assert [row.score for row in state.rows] == [100, round(100 * (1 / 3 + 1 + 0.5) / 3)]
    gaps = {j.label: j.gap for j in state.rows[1].judgements}
    assert gaps == {"Cadrage": -2, "Lumière": 0, "Artefacts": 2}
    # and the trainers' list shows the same score, and none for who did not calibrate
    assert calibration_scores(cohort.lab, [learner.pk, cohort.learners[1].pk]) == {
        learner.pk: expected,
        cohort.learners[1].pk: None,
    }


def test_one_try_per_calibration_video(cohort):
    attempt = graded_attempt(cohort.lab, cohort.trainer)
    video = calibration_video_add(lab=cohort.lab, submission=attempt, trainer=cohort.trainer)
    reference_review_save(video=video, trainer=cohort.trainer, scores=_scores(cohort.criteria, [1, 1, 1]), marks=[])
    learner = cohort.learners[0]
    calibration_review_submit(video=video, reviewer=learner, scores=_scores(cohort.criteria, [2, 2, 2]))
    with pytest.raises(Refused, match="déjà évalué"):
        calibration_review_submit(video=video, reviewer=learner, scores=_scores(cohort.criteria, [1, 1, 1]))
    assert Review.objects.filter(kind=Review.Kind.CALIBRATION, reviewer=learner).count() == 1


def test_a_video_without_a_complete_reference_is_not_offered(cohort):
    attempt = graded_attempt(cohort.lab, cohort.trainer)
    video = calibration_video_add(lab=cohort.lab, submission=attempt, trainer=cohort.trainer)
    with pytest.raises(Refused, match="pas encore prête"):
        calibration_review_submit(video=video, reviewer=cohort.learners[0], scores=_scores(cohort.criteria, [1, 1, 1]))
    assert calibration_for(cohort.learners[0], cohort.lab).ready == []


def test_a_learners_attempt_is_a_calibration_video_only_if_shared(cohort):
    from community.services.gallery import share_attempt

    learner = cohort.learners[0]
    attempt = cohort.attempts[learner.pk]
    with pytest.raises(Refused, match="partagé"):
        calibration_video_add(lab=cohort.lab, submission=attempt, trainer=cohort.trainer)
    share_attempt(learner=learner, submission=attempt)
    video = calibration_video_add(lab=cohort.lab, submission=attempt, trainer=cohort.trainer)
    assert CalibrationVideo.objects.filter(pk=video.pk).exists()
