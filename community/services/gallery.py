"""Writes about the cohort gallery: sharing an attempt (opt-in), withdrawing it, a trainer hiding it, votes."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community import notifications
from community.errors import Refused
from community.models import CalibrationVideo, GalleryItem, GalleryVote
from community.services.reviews import cancel_open_assignments, fill_requests
from courses import api as courses
from labs import api as labs

MAX_HIDE_REASON_CHARS = 500


def share_refusal(*, learner, submission) -> str:
    """Why ``learner`` cannot share ``submission`` (empty when they can)."""
    if submission.learner_id != learner.pk:
        return _("Vous ne pouvez partager que vos propres essais.")
    if not courses.is_enrolled(learner, submission.lab.course):
        return _("Seuls les apprenants inscrits au cours partagent leurs essais dans la galerie.")
    if submission.tier != labs.Submission.Tier.DRAFT:
        return _("Partagez l'essai lui-même, pas son rendu final.")
    if submission.state == labs.Submission.State.BLOCKED or (
        submission.state == labs.Submission.State.GRADED and not labs.passed_ethics_gate(submission)
    ):
        return _("Un essai refusé par la charte éthique ne peut pas être partagé.")
    if submission.state != labs.Submission.State.GRADED:
        return _("Seul un essai noté peut être partagé.")
    return ""


@transaction.atomic
def share_attempt(*, learner, submission) -> GalleryItem:
    """Show a graded attempt to the lab's cohort (idempotent); one shared attempt per learner and lab."""
    refusal = share_refusal(learner=learner, submission=submission)
    if refusal:
        raise Refused(refusal, code="not_shareable")
    lab = submission.lab
    other = (
        GalleryItem.objects.filter(author=learner, lab=lab, withdrawn_at__isnull=True)
        .exclude(submission=submission)
        .first()
    )
    if other is not None:
        raise Refused(
            _("Vous partagez déjà un autre essai de ce labo : retirez-le de la galerie avant d'en partager un autre."),
            code="already_sharing",
        )
    item = GalleryItem.objects.select_for_update().filter(submission=submission).first()
    if item is not None and item.withdrawn_at is None:
        return item
    if item is None:
        item = GalleryItem(submission=submission, lab=lab, author=learner)
    item.withdrawn_at = None
    item.shared_at = timezone.now()
    item.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError as clash:  # the same learner shared another attempt of the lab at the same moment
        raise Refused(_("Vous partagez déjà un autre essai de ce labo."), code="already_sharing") from clash
    # A new peer in the lab can review attempts that were waiting for reviewers.
    fill_requests(lab=lab)
    return item


@transaction.atomic
def withdraw_item(*, learner, item: GalleryItem) -> GalleryItem:
    """The author takes their attempt back: out of the gallery, its unwritten reviews and calibration use called off."""
    item = GalleryItem.objects.select_for_update().get(pk=item.pk)
    if item.author_id != learner.pk:
        raise Refused(_("Seul l'auteur peut retirer son essai de la galerie."), code="not_author")
    if item.withdrawn_at is not None:
        return item
    item.withdrawn_at = timezone.now()
    item.save(update_fields=["withdrawn_at"])
    cancel_open_assignments(item=item)
    # Consent is withdrawn: peers no longer train on this video either.
    CalibrationVideo.objects.filter(submission_id=item.submission_id).delete()
    return item


@transaction.atomic
def hide_item(*, moderator, item: GalleryItem, reason: str) -> GalleryItem:
    """A trainer hides a shared attempt from the cohort, saying why (the author reads the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Indiquez la raison : l'auteur la lira."), code="no_reason")
    if len(reason) > MAX_HIDE_REASON_CHARS:
        raise Refused(
            _("La raison fait %(n)d caractères ; la limite est de %(max)d.")
            % {"n": len(reason), "max": MAX_HIDE_REASON_CHARS},
            code="reason_too_long",
        )
    item = GalleryItem.objects.select_for_update().get(pk=item.pk)
    item.hidden_at, item.hidden_by, item.hidden_reason = timezone.now(), moderator, reason
    item.full_clean(validate_constraints=False)
    item.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    cancel_open_assignments(item=item)
    notifications.item_hidden(item)
    return item


@transaction.atomic
def unhide_item(*, item: GalleryItem) -> GalleryItem:
    item = GalleryItem.objects.select_for_update(of=("self",)).select_related("lab").get(pk=item.pk)
    if item.hidden_at is None:
        return item
    item.hidden_at, item.hidden_by, item.hidden_reason = None, None, ""
    item.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    fill_requests(lab=item.lab)
    return item


@transaction.atomic
def vote_toggle(*, voter, item: GalleryItem) -> bool:
    """Mark (or unmark) a peer's shared attempt as useful to learn from; True when the vote now stands."""
    if item.author_id == voter.pk:
        raise Refused(_("Vous ne pouvez pas voter pour votre propre essai."), code="own_item")
    if not item.is_visible:
        raise Refused(_("Cet essai n'est plus dans la galerie."), code="not_visible")
    deleted, _rows = GalleryVote.objects.filter(item=item, voter=voter).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            GalleryVote.objects.create(item=item, voter=voter)
    except IntegrityError:  # a double click: the first one voted
        pass
    return True
