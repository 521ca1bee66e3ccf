"""What the community tells people, through the site's notifications (academy.notifications)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from academy.notifications.models import Notification
from community.models import ReviewAssignment
from community.notifications import DISCUSSIONS, MODERATION, MY_REVIEWING, MY_SHARED_ATTEMPTS
from community.services.discussion import post_create, post_remove, post_report, thread_mark_answered
from community.services.gallery import hide_item, share_attempt
from community.services.reviews import (
    MarkInput,
    ScoreInput,
    assignment_expire,
    request_reviews,
    review_rate,
    review_remove,
    review_submit,
)


@pytest.fixture
def eager_mails():
    import academy.notifications.tasks  # noqa: F401 (the task mails are sent by)
    from academy.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _titles(user, kind):
    with translation.override("fr"):
        return [n.title() for n in Notification.objects.filter(recipient=user, kind=kind)]


def _scores(cohort):
    return [ScoreInput(criterion_id=c.pk, value=2, comment="Vu.") for c in cohort.criteria]


def test_reviewers_are_told_of_attempts_to_review_in_one_notification_per_lab(cohort):
    first, second, reviewer_pool = cohort.learners[0], cohort.learners[1], cohort.learners[2:]
    items = {who.pk: share_attempt(learner=who, submission=cohort.attempts[who.pk]) for who in cohort.learners}
    request_reviews(author=first, item=items[first.pk])
    request_reviews(author=second, item=items[second.pk])
    for reviewer_id in ReviewAssignment.objects.values_list("reviewer_id", flat=True).distinct():
        notification = Notification.objects.get(recipient_id=reviewer_id, kind=MY_REVIEWING)
        assignments = ReviewAssignment.objects.filter(reviewer_id=reviewer_id).count()
        assert notification.count == assignments
        assert notification.url == reverse("community:my_reviews")
    assert reviewer_pool  # the cohort has four learners: every reviewer got one notification, however many essays


def test_a_review_handed_in_tells_the_author_and_a_rating_tells_the_reviewer(
    cohort, django_capture_on_commit_callbacks, eager_mails
):
    author = cohort.learners[0]
    items = {who.pk: share_attempt(learner=who, submission=cohort.attempts[who.pk]) for who in cohort.learners}
    request_reviews(author=author, item=items[author.pk])
    assignment = ReviewAssignment.objects.filter(author=author).first()
    with django_capture_on_commit_callbacks(execute=True):
        review = review_submit(
            assignment=assignment,
            reviewer=assignment.reviewer,
            scores=_scores(cohort),
            marks=[MarkInput(Decimal("1"), "Ici")],
            suggestion="Plus de lumière.",
        )
    assert _titles(author, MY_SHARED_ATTEMPTS) == ["1 nouvelle relecture de votre essai : Labo du parfum"]
    assert any(message.to == [author.email] for message in mail.outbox)
    review_rate(review=review, author=author, usefulness=4, comment="Merci")
    assert "Votre relecture est notée 4/5 par son auteur : Labo du parfum" in _titles(assignment.reviewer, MY_REVIEWING)


def test_a_late_reviewer_and_a_removed_review_are_told(cohort):
    author = cohort.learners[0]
    items = {who.pk: share_attempt(learner=who, submission=cohort.attempts[who.pk]) for who in cohort.learners}
    request_reviews(author=author, item=items[author.pk])
    late, on_time = ReviewAssignment.objects.filter(author=author).order_by("pk")
    ReviewAssignment.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assignment_expire(assignment_id=late.pk)
    assert any("Délai dépassé" in title for title in _titles(late.reviewer, MY_REVIEWING))
    review = review_submit(
        assignment=on_time, reviewer=on_time.reviewer, scores=_scores(cohort), marks=[], suggestion="Nul."
    )
    review_remove(review=review, moderator=cohort.trainer, reason="Irrespectueux.")
    removed = Notification.objects.get(recipient=on_time.reviewer, kind=MY_REVIEWING, data__event="removed")
    with translation.override("fr"):
        assert removed.body() == "Raison : Irrespectueux."


def test_a_hidden_attempt_tells_its_author_why(cohort):
    author = cohort.learners[0]
    item = share_attempt(learner=author, submission=cohort.attempts[author.pk])
    hide_item(moderator=cohort.trainer, item=item, reason="Un vrai visage.")
    notification = Notification.objects.get(recipient=author, kind=MY_SHARED_ATTEMPTS)
    with translation.override("en"):
        assert notification.title() == "A trainer hid your attempt from the gallery: Labo du parfum"
        assert notification.body() == "Reason: Un vrai visage."


def test_replies_tell_the_message_and_thread_authors_once_and_mentions_tell_the_trainer(cohort):
    asker, helper, third = cohort.learners[:3]
    thread = post_create(author=asker, step=cohort.lesson_step, body="Question", mentions=[cohort.trainer])
    assert _titles(cohort.trainer, MODERATION) == [
        f"{asker.get_full_name()} vous mentionne dans la discussion : {cohort.lesson_step.title}"
    ]
    reply = post_create(author=helper, step=cohort.lesson_step, body="Réponse", parent=thread)
    post_create(author=third, step=cohort.lesson_step, body="Précision", parent=reply)
    # the asker: one notification for the thread, counting both replies; the helper: one for the reply to them
    (to_asker,) = Notification.objects.filter(recipient=asker, kind=DISCUSSIONS)
    assert to_asker.count == 2
    assert Notification.objects.filter(recipient=helper, kind=DISCUSSIONS).count() == 1
    # nobody is told of their own message
    assert not Notification.objects.filter(recipient=third).exists()


def test_answers_removals_and_reports_are_told(cohort):
    asker, reporter = cohort.learners[:2]
    thread = post_create(author=asker, step=cohort.lesson_step, body="Question")
    thread_mark_answered(thread=thread, moderator=cohort.trainer)
    post_report(post=thread, reporter=reporter, reason="spam")
    post_remove(post=thread, moderator=cohort.trainer, reason="Publicité.")
    events = set(Notification.objects.filter(recipient=asker, kind=DISCUSSIONS).values_list("data__event", flat=True))
    assert events == {"answered", "removed"}
    reported = Notification.objects.get(recipient=cohort.trainer, kind=MODERATION)
    assert reported.url == reverse("community:reports", args=[cohort.course.slug])


def test_the_profile_offers_the_community_switches_by_role(cohort, client):
    client.force_login(cohort.learners[0])
    learner_page = client.get(reverse("profile")).content.decode()
    client.force_login(cohort.trainer)
    trainer_page = client.get(reverse("profile")).content.decode()
    assert "Mes relectures : un essai à relire" in learner_page
    assert "Communauté de mes cours" not in learner_page
    assert "Communauté de mes cours" in trainer_page
