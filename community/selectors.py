"""Reads for the community pages: the gallery, reviews and calibration, discussions, the community home.

Every list runs a fixed number of queries whatever its length: rows are
fetched with their relations, and what depends on the viewer (their votes,
whether they may read prompts) is fetched once per page.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from community.calibration import CriterionLine, Judgement, calibration_score, compare
from community.models import (
    CalibrationVideo,
    GalleryItem,
    GalleryVote,
    Post,
    PostReport,
    Review,
    ReviewAssignment,
    ReviewSettings,
    RubricCriterion,
)
from courses import api as courses
from labs import api as labs

# --- gallery -------------------------------------------------------------------------

ORDER_RECENT = "recent"
ORDER_USEFUL = "useful"


def course_gallery(*, viewer, course, moderator: bool, lab=None, order: str = ORDER_RECENT) -> QuerySet[GalleryItem]:
    """The course's shared attempts the viewer may see, with their vote count and whether the viewer voted.

    Withdrawn attempts are never listed; hidden ones only to moderators and to
    their author (with the reason); attempts of learners who left the course are not listed.
    """
    items = GalleryItem.objects.filter(
        lab__step__module__course=course,
        withdrawn_at__isnull=True,
        author__in=courses.enrolled_user_ids(course),
    )
    if not moderator:
        items = items.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    if lab is not None:
        items = items.filter(lab=lab)
    items = items.select_related("submission", "lab__step", "author").annotate(
        useful=Count("votes", distinct=True),
        voted=Exists(GalleryVote.objects.filter(item=OuterRef("pk"), voter_id=viewer.pk)),
    )
    if order == ORDER_USEFUL:
        return items.order_by("-useful", "-shared_at", "-pk")
    return items.order_by("-shared_at", "-pk")


def item_for_page(pk: int) -> GalleryItem | None:
    return (
        GalleryItem.objects.select_related("lab__step__module__course", "submission", "author", "hidden_by")
        .annotate(useful=Count("votes"))
        .filter(pk=pk)
        .first()
    )


def labs_with_own_graded_attempt(viewer, lab_ids: Iterable[int]) -> set[int]:
    """Labs where the viewer has a graded attempt: there they may read their peers' prompts."""
    return set(
        labs.Submission.objects.filter(
            learner_id=viewer.pk, lab_id__in=list(lab_ids), state=labs.Submission.State.GRADED
        ).values_list("lab_id", flat=True)
    )


def has_voted(viewer, item: GalleryItem) -> bool:
    return GalleryVote.objects.filter(item=item, voter_id=viewer.pk).exists()


def shared_item_of(*, learner, lab) -> GalleryItem | None:
    return GalleryItem.objects.filter(author=learner, lab=lab, withdrawn_at__isnull=True).first()


def shareable_attempts(*, learner, lab) -> list:
    """The learner's graded attempts the ethics gate let through: the ones they may share, newest first."""
    return [s for s in labs.graded_attempts(learner=learner, lab=lab) if labs.passed_ethics_gate(s)]


# --- peer review ---------------------------------------------------------------------


def review_settings_for(lab) -> ReviewSettings:
    """The lab's settings, or the defaults (unsaved) when the trainer never changed them."""
    return ReviewSettings.objects.filter(lab=lab).first() or ReviewSettings(lab=lab)


def rubric(lab) -> list[RubricCriterion]:
    return list(RubricCriterion.objects.filter(lab=lab).annotate(used=Count("scores")))


def _review_relations() -> tuple:
    return (
        Prefetch("scores", queryset=_scores()),
        "marks",
    )


def _scores():
    from community.models import ReviewScore

    return ReviewScore.objects.select_related("criterion").order_by("criterion__position", "criterion_id")


def item_reviews(item: GalleryItem, *, include_removed: bool = False) -> list[Review]:
    """The peer reviews handed in on a shared attempt, oldest first (removed ones only for moderators)."""
    reviews = Review.objects.filter(kind=Review.Kind.PEER, assignment__item=item).select_related(
        "assignment", "reviewer", "removed_by"
    )
    if not include_removed:
        reviews = reviews.filter(removed_at__isnull=True)
    return list(reviews.prefetch_related(*_review_relations()).order_by("submitted_at", "pk"))


def item_assignment_counts(item: GalleryItem) -> dict[str, int]:
    rows = item.assignments.values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def assignment_for_page(pk: int) -> ReviewAssignment | None:
    return (
        ReviewAssignment.objects.select_related(
            "item__lab__step__module__course", "item__submission", "item__author", "reviewer"
        )
        .filter(pk=pk)
        .first()
    )


def review_of(assignment: ReviewAssignment) -> Review | None:
    return Review.objects.filter(assignment=assignment).prefetch_related(*_review_relations()).first()


def review_for_page(pk: int) -> Review | None:
    return (
        Review.objects.select_related(
            "assignment__item__lab__step__module__course",
            "assignment__item__submission",
            "assignment__item__author",
            "reviewer",
        )
        .filter(pk=pk)
        .first()
    )


@dataclass
class MyReviews:
    to_do: list[ReviewAssignment] = field(default_factory=list)
    done: list[ReviewAssignment] = field(default_factory=list)
    received: list[Review] = field(default_factory=list)
    waiting: list[GalleryItem] = field(default_factory=list)  # my shared attempts still waiting for reviewers


def my_reviews(user) -> MyReviews:
    """What a learner has to review, has reviewed, and has received, across their courses (four queries)."""
    assignments = (
        ReviewAssignment.objects.filter(
            reviewer=user,
            state__in=[ReviewAssignment.State.ASSIGNED, ReviewAssignment.State.SUBMITTED],
            item__lab__step__module__course__in=courses.courses_followed(user),
        )
        .select_related("item__submission", "item__lab__step__module__course", "item__author")
        .order_by("due_at", "pk")
    )
    result = MyReviews()
    for assignment in assignments:
        (result.to_do if assignment.state == ReviewAssignment.State.ASSIGNED else result.done).append(assignment)
    result.received = list(
        Review.objects.filter(kind=Review.Kind.PEER, assignment__author=user, removed_at__isnull=True)
        .select_related("assignment__item__lab__step")
        .order_by("-submitted_at", "-pk")
    )
    result.waiting = list(
        GalleryItem.objects.filter(author=user, withdrawn_at__isnull=True, reviews_requested_at__isnull=False)
        .select_related("lab__step")
        .annotate(
            counted=Count("assignments", filter=Q(assignments__state__in=ReviewAssignment.COUNTING_STATES)),
            submitted=Count("assignments", filter=Q(assignments__state=ReviewAssignment.State.SUBMITTED)),
        )
        .order_by("-reviews_requested_at")
    )
    return result


def lab_assignments(lab) -> list[ReviewAssignment]:
    """Every assignment of the lab for its trainers, with the review when there is one."""
    return list(
        ReviewAssignment.objects.filter(lab=lab)
        .select_related("item__author", "reviewer", "review__removed_by")
        .order_by("-assigned_at", "-pk")
    )


def overdue_assignment_ids(now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        ReviewAssignment.objects.filter(state=ReviewAssignment.State.ASSIGNED, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )


def labs_with_waiting_requests() -> list[int]:
    """Labs with a shared attempt still short of reviewers (the periodic fill retries only those).

    An attempt is short when it has fewer live assignments (assigned or submitted)
    than its lab asks for; a lab without settings asks for the default.
    """
    live = Q(assignments__state__in=ReviewAssignment.COUNTING_STATES)
    return list(
        GalleryItem.objects.filter(
            withdrawn_at__isnull=True, hidden_at__isnull=True, reviews_requested_at__isnull=False
        )
        .annotate(
            live=Count("assignments", filter=live),
            wanted=Coalesce("lab__review_settings__reviews_per_attempt", Value(ReviewSettings.DEFAULT_REVIEWS)),
        )
        .filter(live__lt=F("wanted"))
        .values_list("lab_id", flat=True)
        .order_by("lab_id")
        .distinct()
    )


# --- calibration ---------------------------------------------------------------------


@dataclass
class CalibrationRow:
    video: CalibrationVideo
    reference_ready: bool
    mine: Review | None = None
    judgements: list[Judgement] = field(default_factory=list)

    @property
    def score(self) -> int | None:
        return calibration_score(self.judgements)


@dataclass
class Calibration:
    rows: list[CalibrationRow]

    @property
    def score(self) -> int | None:
        return calibration_score(j for row in self.rows for j in row.judgements)

    @property
    def ready(self) -> list[CalibrationRow]:
        return [row for row in self.rows if row.reference_ready]

    @property
    def done_count(self) -> int:
        return sum(1 for row in self.rows if row.mine is not None)


def _lines(criteria: Iterable[RubricCriterion]) -> list[CriterionLine]:
    return [CriterionLine(criterion_id=c.pk, label=c.label, scale_max=c.scale_max) for c in criteria]


def _values(review: Review | None) -> dict[int, int]:
    return {s.criterion_id: s.value for s in review.scores.all()} if review else {}


def calibration_for(user, lab) -> Calibration:
    """The lab's calibration videos, the user's try on each, and how it compares with the trainer's reference."""
    criteria = list(RubricCriterion.objects.filter(lab=lab))
    lines = _lines(criteria)
    criterion_ids = {c.pk for c in criteria}
    videos = list(
        CalibrationVideo.objects.filter(lab=lab)
        .select_related("submission")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.filter(
                    Q(kind=Review.Kind.REFERENCE) | Q(kind=Review.Kind.CALIBRATION, reviewer_id=user.pk)
                ).prefetch_related(Prefetch("scores", queryset=_scores())),
                to_attr="relevant_reviews",
            )
        )
    )
    rows = []
    for video in videos:
        reference = next((r for r in video.relevant_reviews if r.kind == Review.Kind.REFERENCE), None)
        mine = next((r for r in video.relevant_reviews if r.kind == Review.Kind.CALIBRATION), None)
        reference_values = _values(reference)
        row = CalibrationRow(
            video=video, reference_ready=bool(criterion_ids) and set(reference_values) == criterion_ids, mine=mine
        )
        if mine is not None and reference is not None:
            comments = {s.criterion_id: s.comment for s in reference.scores.all()}
            row.judgements = compare(lines, _values(mine), reference_values, comments)
        rows.append(row)
    return Calibration(rows=rows)


def calibration_scores(lab, user_ids: Iterable[int]) -> dict[int, int | None]:
    """Each user's calibration score on the lab (three queries), for the trainers' review list."""
    lines = _lines(RubricCriterion.objects.filter(lab=lab))
    reviews = (
        Review.objects.filter(calibration__lab=lab)
        .filter(Q(kind=Review.Kind.REFERENCE) | Q(kind=Review.Kind.CALIBRATION, reviewer_id__in=list(user_ids)))
        .prefetch_related("scores")
    )
    references: dict[int, dict[int, int]] = {}
    tries: dict[int, list[Review]] = defaultdict(list)
    for review in reviews:
        if review.kind == Review.Kind.REFERENCE:
            references[review.calibration_id] = _values(review)
        else:
            tries[review.reviewer_id].append(review)
    return {
        user_id: calibration_score(
            j
            for review in tries.get(user_id, [])
            for j in compare(lines, _values(review), references.get(review.calibration_id, {}))
        )
        for user_id in user_ids
    }


def calibration_video_for_page(pk: int) -> CalibrationVideo | None:
    return CalibrationVideo.objects.select_related("lab__step__module__course", "submission").filter(pk=pk).first()


def reference_review(video: CalibrationVideo) -> Review | None:
    return (
        Review.objects.filter(calibration=video, kind=Review.Kind.REFERENCE)
        .prefetch_related(*_review_relations())
        .first()
    )


def calibration_candidates(lab, trainer) -> list:
    """Attempts a trainer may pick as calibration videos: shared ones, and the trainer's own, graded with a video."""
    shared = GalleryItem.objects.filter(lab=lab, withdrawn_at__isnull=True).values("submission_id")
    picked = CalibrationVideo.objects.filter(lab=lab).values("submission_id")
    attempts = (
        labs.Submission.objects.filter(lab=lab, tier=labs.Submission.Tier.DRAFT, state=labs.Submission.State.GRADED)
        .filter(Q(pk__in=shared) | Q(learner_id=trainer.pk))
        .exclude(pk__in=picked)
        .exclude(video="")
        .select_related("learner")
        .order_by("-created_at")
    )
    return [attempt for attempt in attempts if labs.passed_ethics_gate(attempt)]


# --- discussion ----------------------------------------------------------------------

THREADS_PER_PAGE = 20


@dataclass
class PostNode:
    post: Post
    replies: list[PostNode] = field(default_factory=list)


def step_threads(step, *, page: int = 1) -> tuple[list[PostNode], bool]:
    """Threads of a step's discussion, newest first, each with its replies as a tree; and whether more exist."""
    start = (page - 1) * THREADS_PER_PAGE
    thread_ids = list(
        Post.objects.filter(step=step, parent__isnull=True)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[start : start + THREADS_PER_PAGE + 1]
    )
    has_more = len(thread_ids) > THREADS_PER_PAGE
    thread_ids = thread_ids[:THREADS_PER_PAGE]
    posts = list(
        Post.objects.filter(Q(pk__in=thread_ids) | Q(thread_id__in=thread_ids))
        .select_related("author", "answered_by")
        .prefetch_related("mentions")
        .order_by("created_at", "pk")
    )
    nodes = {post.pk: PostNode(post) for post in posts}
    for post in posts:
        if post.parent_id in nodes:
            nodes[post.parent_id].replies.append(nodes[post.pk])
    order = {pk: index for index, pk in enumerate(thread_ids)}
    threads = sorted((nodes[pk] for pk in thread_ids if pk in nodes), key=lambda node: order[node.post.pk])
    return threads, has_more


def post_for_page(pk: int) -> Post | None:
    return Post.objects.select_related("step__module__course", "author", "parent").filter(pk=pk).first()


def my_reported_post_ids(user, step) -> set[int]:
    return set(PostReport.objects.filter(reporter_id=user.pk, post__step=step).values_list("post_id", flat=True))


def open_reports(course) -> list[PostReport]:
    return list(
        PostReport.objects.filter(post__step__module__course=course, resolved_at__isnull=True)
        .select_related("post__author", "post__step", "reporter")
        .order_by("created_at", "pk")
    )


def open_report_counts(courses_: Iterable) -> dict[int, int]:
    rows = (
        PostReport.objects.filter(post__step__module__course__in=list(courses_), resolved_at__isnull=True)
        .values("post__step__module__course_id")
        .annotate(n=Count("pk"))
    )
    return {row["post__step__module__course_id"]: row["n"] for row in rows}


def report_for_page(pk: int) -> PostReport | None:
    return PostReport.objects.select_related("post__step__module__course").filter(pk=pk).first()


# --- community home ------------------------------------------------------------------


@dataclass
class CourseCommunity:
    course: object
    moderator: bool
    labs: list = field(default_factory=list)
    shared_count: int = 0
    open_reports: int = 0


def community_home(user) -> list[CourseCommunity]:
    """The courses where the user takes part, with their labs and counts (a fixed number of queries)."""
    followed = list(courses.courses_followed(user))
    taught = list(courses.editable_courses(user).order_by("title")) if user.is_trainer else []
    entries: dict[int, CourseCommunity] = {}
    for course in taught:
        entries[course.pk] = CourseCommunity(course=course, moderator=True)
    for course in followed:
        entries.setdefault(course.pk, CourseCommunity(course=course, moderator=False))
    if not entries:
        return []
    lab_rows = (
        labs.Lab.objects.filter(step__module__course_id__in=list(entries))
        .select_related("step__module")
        .order_by("step__module__position", "step__module_id", "step__position", "step_id")
    )
    for lab in lab_rows:
        entries[lab.step.module.course_id].labs.append(lab)
    shared = (
        GalleryItem.objects.filter(
            lab__step__module__course_id__in=list(entries), withdrawn_at__isnull=True, hidden_at__isnull=True
        )
        .values("lab__step__module__course_id")
        .annotate(n=Count("pk"))
    )
    for row in shared:
        entries[row["lab__step__module__course_id"]].shared_count = row["n"]
    moderated = [entry.course for entry in entries.values() if entry.moderator]
    for course_id, count in open_report_counts(moderated).items():
        entries[course_id].open_reports = count
    return sorted(entries.values(), key=lambda entry: (not entry.moderator, entry.course.title))
