"""Community: a lab's cohort gallery, rubric-guided peer reviews with calibration, and discussions on steps.

Everything here is seen only by a course's active learners and its trainers
(community.permissions); nothing is public.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.validators import RejectControlCharactersModel

USER = settings.AUTH_USER_MODEL

# --- gallery -------------------------------------------------------------------


class GalleryItem(RejectControlCharactersModel):
    """A graded attempt its author chose to show the lab's cohort (opt-in; withdrawing takes it back)."""

    submission = models.OneToOneField("labs.Submission", on_delete=models.CASCADE, related_name="gallery_item")
    lab = models.ForeignKey("labs.Lab", on_delete=models.CASCADE, related_name="gallery_items")
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="gallery_items")
    shared_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    hidden_reason = models.TextField(_("raison"), blank=True, max_length=500)
    reviews_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "lab"], condition=Q(withdrawn_at__isnull=True), name="one_shared_attempt_per_lab"
            ),
        ]
        indexes = [models.Index(fields=["lab", "-shared_at"])]
        verbose_name = _("essai partagé")
        verbose_name_plural = _("essais partagés")

    def __str__(self):
        return f"{self.lab} — {self.author}"

    def get_absolute_url(self):
        return reverse("community:item", args=[self.pk])

    @property
    def is_shared(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_visible(self) -> bool:
        """Shown to the cohort: shared and not hidden by a trainer."""
        return self.withdrawn_at is None and self.hidden_at is None


class GalleryVote(models.Model):
    """A peer found a shared attempt useful to learn from (« les plus utiles »)."""

    item = models.ForeignKey(GalleryItem, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "voter"], name="one_vote_per_item_and_voter")]

    def __str__(self):
        return f"{self.voter_id} → {self.item_id}"


# --- peer review ---------------------------------------------------------------


class ReviewSettings(RejectControlCharactersModel):
    """How a lab's peer review runs; a lab without a row uses the defaults."""

    DEFAULT_REVIEWS = 2
    DEFAULT_DEADLINE_HOURS = 72

    lab = models.OneToOneField("labs.Lab", on_delete=models.CASCADE, related_name="review_settings")
    reviews_per_attempt = models.PositiveSmallIntegerField(
        _("relectures par essai"),
        default=DEFAULT_REVIEWS,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Combien de pairs relisent chaque essai partagé (1 à 5)."),
    )
    deadline_hours = models.PositiveSmallIntegerField(
        _("délai de relecture (heures)"),
        default=DEFAULT_DEADLINE_HOURS,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
        help_text=_("Passé ce délai, la relecture est confiée à quelqu'un d'autre (1 à 336 h)."),
    )
    instructions = models.TextField(
        _("consignes aux relecteurs"), blank=True, max_length=2000, help_text=_("Ce qu'il faut regarder en priorité.")
    )

    class Meta:
        verbose_name = _("réglages de relecture")
        verbose_name_plural = _("réglages de relecture")

    def __str__(self):
        return str(self.lab)


class RubricCriterion(RejectControlCharactersModel):
    """One line of the grid a trainer writes for peer reviews: a scale and a required comment."""

    lab = models.ForeignKey("labs.Lab", on_delete=models.CASCADE, related_name="peer_criteria")
    label = models.CharField(_("critère"), max_length=120)
    guidance = models.CharField(_("ce qu'il faut regarder"), max_length=300, blank=True)
    scale_max = models.PositiveSmallIntegerField(
        _("échelle (de 1 à…)"), default=4, validators=[MinValueValidator(2), MaxValueValidator(7)]
    )
    low_label = models.CharField(_("libellé du niveau 1"), max_length=60, blank=True)
    high_label = models.CharField(_("libellé du niveau le plus haut"), max_length=60, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["lab", "position", "pk"]
        verbose_name = _("critère de relecture")
        verbose_name_plural = _("critères de relecture")

    def __str__(self):
        return self.label

    @property
    def levels(self) -> range:
        return range(1, self.scale_max + 1)


class ReviewAssignment(RejectControlCharactersModel):
    """A reviewer asked to review one shared attempt, by a deadline."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("À faire")
        SUBMITTED = "submitted", _("Rendue")
        EXPIRED = "expired", _("Délai dépassé, confiée à un autre pair")
        CANCELLED = "cancelled", _("Annulée")
        REMOVED = "removed", _("Retirée par un formateur")

    # Assignments that fill one of the item's N places.
    COUNTING_STATES = (State.ASSIGNED, State.SUBMITTED)

    item = models.ForeignKey(GalleryItem, on_delete=models.CASCADE, related_name="assignments")
    lab = models.ForeignKey("labs.Lab", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="review_assignments")
    state = models.CharField(max_length=12, choices=State.choices, default=State.ASSIGNED)
    assigned_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            # Never the same pair twice on a lab, whatever became of the first assignment.
            models.UniqueConstraint(fields=["lab", "reviewer", "author"], name="one_assignment_per_pair_and_lab"),
            models.CheckConstraint(condition=~Q(reviewer=F("author")), name="nobody_reviews_themselves"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="assigned"), name="open_assignment_due"),
            models.Index(fields=["reviewer", "state"]),
        ]
        verbose_name = _("relecture attribuée")
        verbose_name_plural = _("relectures attribuées")

    def __str__(self):
        return f"{self.reviewer_id} → {self.item_id} ({self.state})"

    def get_absolute_url(self):
        return reverse("community:review", args=[self.pk])


class CalibrationVideo(models.Model):
    """An attempt a trainer picked for reviewers to train their eye on, with the trainer's reference review."""

    lab = models.ForeignKey("labs.Lab", on_delete=models.CASCADE, related_name="calibration_videos")
    submission = models.ForeignKey("labs.Submission", on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["lab", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["lab", "submission"], name="one_calibration_per_attempt")]
        verbose_name = _("vidéo de calibration")
        verbose_name_plural = _("vidéos de calibration")

    def __str__(self):
        return f"{self.lab} · #{self.submission_id}"


class Review(RejectControlCharactersModel):
    """A filled rubric: a peer's review of a shared attempt, a learner's calibration try, or a trainer's reference."""

    class Kind(models.TextChoices):
        PEER = "peer", _("Relecture par un pair")
        CALIBRATION = "calibration", _("Calibration")
        REFERENCE = "reference", _("Relecture de référence")

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PEER)
    assignment = models.OneToOneField(
        ReviewAssignment, null=True, blank=True, on_delete=models.CASCADE, related_name="review"
    )
    calibration = models.ForeignKey(
        CalibrationVideo, null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    reviewer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="reviews_written")
    suggestion = models.TextField(_("une modification du prompt"), blank=True, max_length=600)
    comment = models.TextField(_("commentaire général"), blank=True, max_length=2000)
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(null=True, blank=True)
    usefulness = models.PositiveSmallIntegerField(
        _("utilité"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    usefulness_comment = models.CharField(_("un mot au relecteur"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    removed_reason = models.TextField(_("raison du retrait"), blank=True, max_length=500)

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="peer", assignment__isnull=False, calibration__isnull=True))
                | (Q(kind__in=["calibration", "reference"], assignment__isnull=True, calibration__isnull=False)),
                name="review_belongs_to_an_assignment_or_a_calibration_video",
            ),
            models.UniqueConstraint(
                fields=["calibration", "reviewer"], condition=Q(kind="calibration"), name="one_calibration_try_each"
            ),
            models.UniqueConstraint(fields=["calibration"], condition=Q(kind="reference"), name="one_reference_review"),
        ]
        verbose_name = _("relecture")
        verbose_name_plural = _("relectures")

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class ReviewScore(RejectControlCharactersModel):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    # A criterion with scores is kept: deleting it would rewrite reviews already given.
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)])
    comment = models.TextField(max_length=1000)

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")]

    def __str__(self):
        return f"{self.criterion_id}: {self.value}"


class TimelineMark(RejectControlCharactersModel):
    """A moment of the video a reviewer points at, with what to look at there."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="marks")
    at_seconds = models.DecimalField(max_digits=6, decimal_places=1, validators=[MinValueValidator(0)])
    note = models.CharField(max_length=200)

    class Meta:
        ordering = ["at_seconds", "pk"]

    def __str__(self):
        return f"{self.at_seconds} s: {self.note}"


# --- discussion ----------------------------------------------------------------


class Post(RejectControlCharactersModel):
    """A message in the discussion of a lesson or lab step; replies point at their parent."""

    MAX_DEPTH = 2  # 0: a thread's first message; replies nest two levels, deeper replies join the last level

    step = models.ForeignKey("courses.Step", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="discussion_posts")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(_("message (Markdown)"), max_length=5000)
    mentions = models.ManyToManyField(USER, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    removed_reason = models.CharField(_("raison du retrait"), max_length=300, blank=True)
    # On a thread's first message: a trainer marked the question answered (by one reply, or as a whole).
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answer = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["step", "created_at"])]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"#{self.pk} {self.body[:40]}"

    @property
    def thread_id_or_own(self) -> int:
        return self.thread_id or self.pk

    @property
    def is_gone(self) -> bool:
        """Deleted by its author or removed by a trainer: kept only as a place-holder for its replies."""
        return self.deleted_at is not None or self.removed_at is not None


class PostReport(RejectControlCharactersModel):
    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Propos blessants ou harcèlement")
        SPAM = "spam", _("Publicité ou spam")
        PERSONAL = "personal", _("Données personnelles exposées")
        OFF_TOPIC = "off_topic", _("Hors sujet")
        OTHER = "other", _("Autre")

    class Outcome(models.TextChoices):
        REMOVED = "removed", _("Message retiré")
        DISMISSED = "dismissed", _("Signalement classé")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("motif"), max_length=12, choices=Reason.choices)
    comment = models.CharField(_("précisions"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_post_and_person")]
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")

    def __str__(self):
        return f"{self.get_reason_display()} · #{self.post_id}"
