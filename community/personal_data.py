"""The community's part of a person's data export and erasure (registered in CommunityConfig.ready).

The export holds what the person wrote and shared (their messages, reviews,
calibration tries, shared attempts, votes) and the reviews others wrote about
their attempts, without the reviewers' names: reviews are anonymous to authors.
Erasure deletes what they wrote; a message others replied to stays as
« message supprimé » so the replies keep their place.
"""

from __future__ import annotations

from typing import Any

from community.models import GalleryItem, GalleryVote, Post, PostReport, Review, ReviewAssignment


def _scores(review: Review) -> list[dict[str, Any]]:
    return [{"criterion": s.criterion.label, "level": s.value, "comment": s.comment} for s in review.scores.all()]


def _marks(review: Review) -> list[dict[str, Any]]:
    return [{"at_seconds": float(m.at_seconds), "note": m.note} for m in review.marks.all()]


def export_community(user) -> dict[str, Any]:
    written = Review.objects.filter(reviewer=user).select_related(
        "assignment__item__lab__step", "calibration__lab__step"
    )
    received = Review.objects.filter(kind=Review.Kind.PEER, assignment__author=user, removed_at__isnull=True)
    relations = ("scores__criterion", "marks")
    return {
        "shared_attempts": [
            {
                "lab": item.lab.title,
                "attempt_prompt": item.submission.prompt,
                "shared_at": item.shared_at,
                "withdrawn_at": item.withdrawn_at,
                "hidden_reason": item.hidden_reason,
            }
            for item in GalleryItem.objects.filter(author=user).select_related("lab__step", "submission")
        ],
        "reviews_written": [
            {
                "kind": review.kind,
                "lab": (review.assignment.item.lab if review.assignment_id else review.calibration.lab).title,
                "submitted_at": review.submitted_at,
                "scores": _scores(review),
                "marks": _marks(review),
                "suggestion": review.suggestion,
                "comment": review.comment,
                "usefulness_given_by_author": review.usefulness,
            }
            for review in written.prefetch_related(*relations)
        ],
        "reviews_received": [
            {
                "lab": review.assignment.item.lab.title,
                "submitted_at": review.submitted_at,
                "scores": _scores(review),
                "marks": _marks(review),
                "suggestion": review.suggestion,
                "comment": review.comment,
                "my_usefulness_rating": review.usefulness,
            }
            for review in received.select_related("assignment__item__lab__step").prefetch_related(*relations)
        ],
        "discussion_posts": [
            {"step": post.step.title, "body": post.body, "created_at": post.created_at, "edited_at": post.edited_at}
            for post in Post.objects.filter(author=user, deleted_at__isnull=True).select_related("step")
        ],
        "reports_made": [
            {"reason": report.reason, "comment": report.comment, "created_at": report.created_at}
            for report in PostReport.objects.filter(reporter=user)
        ],
        "useful_votes": GalleryVote.objects.filter(voter=user).count(),
    }


def erase_community(user) -> None:
    """Delete what the person wrote or shared; their messages with replies become « message supprimé »."""
    from django.utils import timezone

    # Their assignments go with their reviews: the attempts they reviewed get another peer (community.tasks).
    ReviewAssignment.objects.filter(reviewer=user).delete()
    Review.objects.filter(reviewer=user).delete()
    GalleryItem.objects.filter(author=user).delete()
    GalleryVote.objects.filter(voter=user).delete()
    PostReport.objects.filter(reporter=user).delete()
    posts = Post.objects.filter(author=user)
    with_replies = posts.filter(replies__isnull=False).distinct()
    for post in with_replies:
        post.mentions.clear()
    Post.objects.filter(pk__in=with_replies.values("pk")).update(body="", deleted_at=timezone.now())
    posts.filter(deleted_at__isnull=True).exclude(pk__in=with_replies.values("pk")).delete()
