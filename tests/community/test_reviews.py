"""Peer review: N reviews per shared attempt, fair assignment, the rubric with required comments, timeline
marks, one suggestion, the author's usefulness rating, removal of abusive reviews, reassignment past the deadline."""

from __future__ import annotations

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from community import tasks
from community.errors import Refused
from community.models import Review, ReviewAssignment, ReviewSettings
from community.selectors import labs_with_waiting_requests
from community.services.gallery import share_attempt, withdraw_item
from community.services.reviews import (
    MarkInput,
    ScoreInput,
    assignment_expire,
    criterion_create,
    fill_requests,
    request_reviews,
    review_rate,
    review_remove,
    review_settings_save,
    review_submit,
)
from courses.models import Step
from tests.community.conftest import graded_attempt
from tests.factories import StepFactory
from tests.labs.factories import LabFactory


def _share_all(cohort):
    return {
        learner.pk: share_attempt(learner=learner, submission=cohort.attempts[learner.pk])
        for learner in cohort.learners
    }


def _scores(cohort, levels=(3, 2, 4), comment="Le cadrage serre bien le flacon."):
    return [
        ScoreInput(criterion_id=c.pk, value=v, comment=comment) for c, v in zip(cohort.criteria, levels, strict=True)
    ]


def test_default_is_two_reviews_per_attempt_and_the_trainer_changes_it(cohort):
    items = _share_all(cohort)
    first = cohort.learners[0]
    assigned = request_reviews(author=first, item=items[first.pk])
    assert len(assigned) == ReviewSettings.DEFAULT_REVIEWS == 2
    # when the trainer asks for three, the waiting attempt gets its third reviewer
    review_settings_save(lab=cohort.lab, reviews_per_attempt=3, deadline_hours=48, instructions="")
    assert ReviewAssignment.objects.filter(item=items[first.pk]).count() == 3


def test_assignment_is_fair_across_the_cohort(cohort):
    items = _share_all(cohort)
    for learner in cohort.learners:
        request_reviews(author=learner, item=items[learner.pk])
    rows = list(ReviewAssignment.objects.values_list("author_id", "reviewer_id"))
    assert all(author != reviewer for author, reviewer in rows)
    assert len(set(rows)) == len(rows) == 2 * len(cohort.learners)
    assert set(Counter(reviewer for _, reviewer in rows).values()) == {2}


def test_reviewers_come_from_the_cohort_of_sharers_and_later_sharers_fill_waiting_requests(cohort):
    first, second, third, _ = cohort.learners
    item = share_attempt(learner=first, submission=cohort.attempts[first.pk])
    # nobody else shared: the request waits
    assert request_reviews(author=first, item=item) == []
    # when a second learner shares, they become the first reviewer
    share_attempt(learner=second, submission=cohort.attempts[second.pk])
    share_attempt(learner=third, submission=cohort.attempts[third.pk])
    assert set(ReviewAssignment.objects.filter(item=item).values_list("reviewer_id", flat=True)) == {
        second.pk,
        third.pk,
    }


def test_no_rubric_no_review_request(db, settings, tmp_path):
    from tests.community.conftest import make_cohort

    settings.MEDIA_ROOT = tmp_path
    cohort = make_cohort(rubric=False)
    learner = cohort.learners[0]
    item = share_attempt(learner=learner, submission=cohort.attempts[learner.pk])
    with pytest.raises(Refused, match="grille"):
        request_reviews(author=learner, item=item)


def _assignment_of(cohort, items):
    author = cohort.learners[0]
    request_reviews(author=author, item=items[author.pk])
    return ReviewAssignment.objects.filter(item=items[author.pk]).first()


def test_a_review_needs_every_level_a_comment_each_and_a_suggestion(cohort):
    items = _share_all(cohort)
    assignment = _assignment_of(cohort, items)
    reviewer = assignment.reviewer
    missing_comment = _scores(cohort)[:2] + [ScoreInput(cohort.criteria[2].pk, 3, "  ")]
    with pytest.raises(Refused, match="commentaire est obligatoire"):
        review_submit(
            assignment=assignment, reviewer=reviewer, scores=missing_comment, marks=[], suggestion="Plus lent."
        )
    with pytest.raises(Refused, match="niveau"):
        review_submit(
            assignment=assignment, reviewer=reviewer, scores=_scores(cohort)[:2], marks=[], suggestion="Plus lent."
        )
    with pytest.raises(Refused, match="va de 1 à 4"):
        review_submit(
            assignment=assignment, reviewer=reviewer, scores=_scores(cohort, (9, 2, 4)), marks=[], suggestion="x"
        )
    with pytest.raises(Refused, match="modification du prompt"):
        review_submit(assignment=assignment, reviewer=reviewer, scores=_scores(cohort), marks=[], suggestion=" ")
    assert not Review.objects.exists()


def test_timeline_marks_must_fall_inside_the_video(cohort):
    items = _share_all(cohort)
    assignment = _assignment_of(cohort, items)
    with pytest.raises(Refused, match="hors de la vidéo"):
        review_submit(
            assignment=assignment,
            reviewer=assignment.reviewer,
            scores=_scores(cohort),
            marks=[MarkInput(Decimal("12.0"), "Après la fin")],
            suggestion="Ajoutez « lumière dorée ».",
        )


def test_a_complete_review_is_kept_with_its_marks_and_the_author_rates_it(cohort):
    items = _share_all(cohort)
    assignment = _assignment_of(cohort, items)
    review = review_submit(
        assignment=assignment,
        reviewer=assignment.reviewer,
        scores=_scores(cohort),
        marks=[MarkInput(Decimal("3.5"), "La main se déforme"), MarkInput(Decimal("0.5"), "Beau départ")],
        suggestion="Précisez « gros plan » au début du prompt.",
    )
    assignment.refresh_from_db()
    assert assignment.state == ReviewAssignment.State.SUBMITTED
    assert [(m.at_seconds, m.note) for m in review.marks.all()] == [
        (Decimal("0.5"), "Beau départ"),
        (Decimal("3.5"), "La main se déforme"),
    ]
    assert [s.value for s in review.scores.order_by("criterion__position")] == [3, 2, 4]
    # only the author rates it, from 1 to 5
    with pytest.raises(Refused):
        review_rate(review=review, author=assignment.reviewer, usefulness=5)
    with pytest.raises(Refused):
        review_rate(review=review, author=cohort.learners[0], usefulness=6)
    review_rate(review=review, author=cohort.learners[0], usefulness=4, comment="Merci, très clair.")
    review.refresh_from_db()
    assert (review.usefulness, review.usefulness_comment) == (4, "Merci, très clair.")
    # and the same assignment cannot be handed in twice
    with pytest.raises(Refused, match="déjà rendu"):
        review_submit(
            assignment=assignment, reviewer=assignment.reviewer, scores=_scores(cohort), marks=[], suggestion="x"
        )


def test_only_the_assigned_reviewer_reviews(cohort):
    items = _share_all(cohort)
    assignment = _assignment_of(cohort, items)
    intruder = next(who for who in cohort.learners if who.pk not in (assignment.reviewer_id, assignment.author_id))
    with pytest.raises(Refused):
        review_submit(assignment=assignment, reviewer=intruder, scores=_scores(cohort), marks=[], suggestion="x")
    assert cohort.client(intruder).get(reverse("community:review", args=[assignment.pk])).status_code == 404


def test_a_removed_review_disappears_for_the_author_and_another_peer_is_asked(cohort):
    items = _share_all(cohort)
    author = cohort.learners[0]
    request_reviews(author=author, item=items[author.pk])
    assignment = ReviewAssignment.objects.filter(item=items[author.pk]).first()
    review = review_submit(
        assignment=assignment, reviewer=assignment.reviewer, scores=_scores(cohort), marks=[], suggestion="Nul."
    )
    with pytest.raises(Refused):
        review_remove(review=review, moderator=cohort.trainer, reason="")
    review_remove(review=review, moderator=cohort.trainer, reason="Propos blessants.")
    page = cohort.client(author).get(items[author.pk].get_absolute_url()).content.decode()
    assert "Nul." not in page
    states = Counter(ReviewAssignment.objects.filter(item=items[author.pk]).values_list("state", flat=True))
    assert states == {"removed": 1, "assigned": 2}
    # the trainer still sees it, marked as removed
    trainer_page = cohort.client(cohort.trainer).get(items[author.pk].get_absolute_url()).content.decode()
    assert "Propos blessants." in trainer_page


def test_withdrawing_an_attempt_calls_off_its_unwritten_reviews(cohort):
    items = _share_all(cohort)
    author = cohort.learners[0]
    request_reviews(author=author, item=items[author.pk])
    withdraw_item(learner=author, item=items[author.pk])
    assert set(ReviewAssignment.objects.filter(item=items[author.pk]).values_list("state", flat=True)) == {"cancelled"}


def test_past_the_deadline_a_review_goes_to_another_peer_once(cohort, monkeypatch):
    # the beat task enqueues one task per overdue assignment; here they run in-process
    monkeypatch.setattr(tasks.reassign_review, "delay", lambda pk: tasks.reassign_review.apply(args=[pk]))
    monkeypatch.setattr(tasks.fill_review_requests, "delay", lambda pk: tasks.fill_review_requests.apply(args=[pk]))
    # given four sharers; the first asks for reviews with a 24 h deadline
    items = _share_all(cohort)
    review_settings_save(lab=cohort.lab, reviews_per_attempt=2, deadline_hours=24, instructions="")
    author = cohort.learners[0]
    with freeze_time("2026-03-02 09:00:00"):
        request_reviews(author=author, item=items[author.pk])
    first_reviewers = set(ReviewAssignment.objects.filter(item=items[author.pk]).values_list("reviewer_id", flat=True))
    on_time, late = ReviewAssignment.objects.filter(item=items[author.pk]).order_by("pk")
    with freeze_time("2026-03-02 18:00:00"):
        review_submit(
            assignment=on_time, reviewer=on_time.reviewer, scores=_scores(cohort), marks=[], suggestion="Plus lent."
        )
    # when the beat task runs before the deadline, nothing moves
    with freeze_time("2026-03-03 08:59:00"):
        assert tasks.reassign_overdue_reviews() == 0
    # and after it, the late assignment expires and a new peer (not the late one, not the author) is asked
    with freeze_time("2026-03-03 09:01:00"):
        assert tasks.reassign_overdue_reviews() == 1
        late.refresh_from_db()
        assert late.state == ReviewAssignment.State.EXPIRED
        # running the reassignment again changes nothing (idempotent, ids in)
        assert tasks.reassign_review(late.pk) is False
        assert tasks.reassign_overdue_reviews() == 0
    rows = ReviewAssignment.objects.filter(item=items[author.pk])
    assert Counter(rows.values_list("state", flat=True)) == {"submitted": 1, "expired": 1, "assigned": 1}
    replacement = rows.get(state=ReviewAssignment.State.ASSIGNED)
    assert replacement.reviewer_id not in first_reviewers | {author.pk}
    assert replacement.due_at == datetime.datetime(2026, 3, 4, 9, 1, tzinfo=datetime.UTC)


def test_a_late_review_is_refused_once_someone_else_has_it(cohort):
    items = _share_all(cohort)
    author = cohort.learners[0]
    request_reviews(author=author, item=items[author.pk])
    late = ReviewAssignment.objects.filter(item=items[author.pk]).first()
    ReviewAssignment.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert assignment_expire(assignment_id=late.pk) is True
    with pytest.raises(Refused, match="confiée à un autre pair"):
        review_submit(assignment=late, reviewer=late.reviewer, scores=_scores(cohort), marks=[], suggestion="x")


def test_the_review_page_keeps_what_was_typed_when_something_is_missing(cohort):
    items = _share_all(cohort)
    assignment = _assignment_of(cohort, items)
    client = cohort.client(assignment.reviewer)
    data = {f"level_{c.pk}": "2" for c in cohort.criteria}
    data.update({f"comment_{c.pk}": "Lumière trop plate." for c in cohort.criteria[:2]})
    data.update(
        {
            "mark_at": ["0:03", "abc"],
            "mark_note": ["Artefact sur la main", "?"],
            "suggestion": "Ajoutez un contre-jour.",
        }
    )
    response = client.post(reverse("community:review", args=[assignment.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le commentaire est obligatoire" in page
    assert "Écrivez le moment en secondes" in page
    assert "Ajoutez un contre-jour." in page and "Artefact sur la main" in page and 'value="0:03"' in page
    assert not Review.objects.exists()


def test_the_review_page_submits_levels_comments_marks_and_suggestion(cohort):
    items = _share_all(cohort)
    assignment = _assignment_of(cohort, items)
    client = cohort.client(assignment.reviewer)
    data = {f"level_{c.pk}": "3" for c in cohort.criteria}
    data.update({f"comment_{c.pk}": "Vu et justifié." for c in cohort.criteria})
    data.update(
        {
            "mark_at": ["0:02.5", "", ""],
            "mark_note": ["Le flacon se déforme", "", ""],
            "suggestion": "Ajoutez « sans texte ».",
        }
    )
    response = client.post(reverse("community:review", args=[assignment.pk]), data)
    assert response.status_code == 302
    review = Review.objects.get()
    assert [(m.at_seconds, m.note) for m in review.marks.all()] == [(Decimal("2.5"), "Le flacon se déforme")]
    # the author sees it anonymously, with the mark as a button that seeks the video, and rates it
    author_client = cohort.client(cohort.learners[0])
    page = author_client.get(items[cohort.learners[0].pk].get_absolute_url()).content.decode()
    assert 'data-seek="2.5"' in page and "0:02.5" in page
    assert assignment.reviewer.get_full_name() not in page
    rated = author_client.post(
        reverse("community:review_rate", args=[review.pk]), {"usefulness": "5"}, HTTP_HX_REQUEST="true"
    )
    assert rated.status_code == 200 and "5/5" in rated.content.decode()


def test_the_periodic_fill_revisits_only_labs_whose_attempts_lack_reviewers(cohort, settings, tmp_path):
    # given a second lab of the course whose only request is fully served
    other_lab = LabFactory(
        step=StepFactory(module=cohort.lesson_step.module, kind=Step.Kind.LAB, position=9, title="Labo servi"),
        slug="labo-servi",
    )
    for criterion in cohort.criteria:
        criterion_create(lab=other_lab, label=criterion.label, scale_max=criterion.scale_max)
    served = {
        learner.pk: share_attempt(learner=learner, submission=graded_attempt(other_lab, learner))
        for learner in cohort.learners
    }
    author = cohort.learners[0]
    request_reviews(author=author, item=served[author.pk])
    # and on the first lab, a request that waits because only one peer has shared yet
    first, second = cohort.learners[:2]
    waiting = share_attempt(learner=first, submission=cohort.attempts[first.pk])
    share_attempt(learner=second, submission=cohort.attempts[second.pk])
    request_reviews(author=first, item=waiting)
    assert ReviewAssignment.objects.filter(item=waiting).count() == 1

    # then the periodic fill revisits the first lab only
    assert labs_with_waiting_requests() == [cohort.lab.pk]
    # and once a third peer shares and the fill serves the request, neither
    share_attempt(learner=cohort.learners[2], submission=cohort.attempts[cohort.learners[2].pk])
    fill_requests(lab=cohort.lab)
    assert labs_with_waiting_requests() == []
