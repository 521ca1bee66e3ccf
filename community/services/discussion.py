"""Writes about discussions on steps: posting, replying, editing, deleting, reporting, moderating, answers.

Posting and editing are rate-limited per person (academy.ratelimit, setting
COMMUNITY_POST_RATE); a refused message is kept in the form by the views.
Bodies are Markdown, rendered by the same sanitiser as lessons (courses.api.render_markdown).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from academy.ratelimit import Rate, hit
from community import notifications
from community.errors import Refused
from community.models import Post, PostReport
from courses import api as courses

MAX_BODY_CHARS = 5000
MAX_REASON_CHARS = 300


def post_rate() -> Rate:
    return Rate.from_setting(settings.COMMUNITY_POST_RATE)


def _check_rate(user) -> None:
    rate = post_rate()
    verdict = hit(f"community-post:{user.pk}", rate)
    if not verdict.allowed:
        raise Refused(
            _(
                "Vous avez publié %(count)d messages en %(seconds)d secondes : attendez %(wait)d s avant le suivant. "
                "Votre texte est conservé ci-dessous."
            )
            % {"count": rate.count, "seconds": rate.seconds, "wait": verdict.retry_after},
            code="rate_limited",
        )


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise Refused(_("Le message est vide."), code="empty")
    if len(body) > MAX_BODY_CHARS:
        raise Refused(
            _("Le message fait %(n)d caractères ; la limite est de %(max)d.") % {"n": len(body), "max": MAX_BODY_CHARS},
            code="too_long",
        )
    return body


def _mentionable(step, mentions: Iterable) -> list:
    """Only the course's trainers can be mentioned (a mention notifies them)."""
    trainer_ids = {trainer.pk for trainer in courses.course_trainers(step.module.course)}
    return [user for user in mentions if user.pk in trainer_ids]


@transaction.atomic
def post_create(*, author, step, body: str, mentions: Iterable = (), parent: Post | None = None) -> Post:
    """A new thread on ``step``, or a reply to ``parent`` (replies deeper than Post.MAX_DEPTH join the last level)."""
    body = _clean_body(body)
    if parent is not None:
        if parent.step_id != step.pk:
            raise Refused(_("Ce message n'appartient pas à cette discussion."), code="other_step")
        if parent.is_gone:
            raise Refused(_("Ce message a été supprimé : on ne peut plus y répondre."), code="parent_gone")
        while parent.depth >= Post.MAX_DEPTH and parent.parent_id is not None:
            parent = parent.parent
    _check_rate(author)
    post = Post(
        step=step,
        author=author,
        parent=parent,
        thread_id=(parent.thread_id or parent.pk) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        body=body,
    )
    post.full_clean()
    post.save()
    chosen = _mentionable(step, mentions)
    if chosen:
        post.mentions.set(chosen)
    notifications.post_created(post)
    notifications.trainers_mentioned(post, chosen)
    return post


@transaction.atomic
def post_edit(*, post: Post, editor, body: str, mentions: Iterable = ()) -> Post:
    if post.author_id != editor.pk:
        raise Refused(_("Vous ne pouvez modifier que vos propres messages."), code="not_author")
    if post.is_gone:
        raise Refused(_("Ce message a été supprimé."), code="gone")
    body = _clean_body(body)
    _check_rate(editor)
    post.body, post.edited_at = body, timezone.now()
    post.full_clean()
    post.save(update_fields=["body", "edited_at"])
    already = set(post.mentions.values_list("pk", flat=True))
    chosen = _mentionable(post.step, mentions)
    post.mentions.set(chosen)
    notifications.trainers_mentioned(post, [trainer for trainer in chosen if trainer.pk not in already])
    return post


@transaction.atomic
def post_delete(*, post: Post, author) -> None:
    """The author deletes their message: gone at once if nobody replied, otherwise left as « message supprimé »."""
    if post.author_id != author.pk:
        raise Refused(_("Vous ne pouvez supprimer que vos propres messages."), code="not_author")
    if not post.replies.exists():
        post.delete()
        return
    post.body, post.deleted_at = "", timezone.now()
    post.save(update_fields=["body", "deleted_at"])
    post.mentions.clear()


@transaction.atomic
def post_report(*, post: Post, reporter, reason: str, comment: str = "") -> PostReport:
    if post.author_id == reporter.pk:
        raise Refused(_("Vous ne pouvez pas signaler votre propre message."), code="own_post")
    if post.is_gone:
        raise Refused(_("Ce message a déjà été retiré."), code="gone")
    report = PostReport(post=post, reporter=reporter, reason=reason, comment=(comment or "").strip())
    report.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as twice:
        raise Refused(
            _("Vous avez déjà signalé ce message ; un formateur va le relire."), code="already_reported"
        ) from twice
    notifications.post_reported(report)
    return report


@transaction.atomic
def post_remove(*, post: Post, moderator, reason: str) -> Post:
    """A trainer removes a message (its replies stay); its open reports are closed as « removed »."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("Indiquez la raison du retrait : l'auteur la lira."), code="no_reason")
    if len(reason) > MAX_REASON_CHARS:
        raise Refused(
            _("La raison fait %(n)d caractères ; la limite est de %(max)d.")
            % {"n": len(reason), "max": MAX_REASON_CHARS},
            code="reason_too_long",
        )
    now = timezone.now()
    post.removed_at, post.removed_by, post.removed_reason = now, moderator, reason
    post.full_clean()
    post.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    post.reports.filter(resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=moderator, outcome=PostReport.Outcome.REMOVED
    )
    notifications.post_removed(post)
    return post


@transaction.atomic
def report_dismiss(*, report: PostReport, moderator) -> PostReport:
    if report.resolved_at is None:
        report.resolved_at, report.resolved_by, report.outcome = timezone.now(), moderator, PostReport.Outcome.DISMISSED
        report.save(update_fields=["resolved_at", "resolved_by", "outcome"])
    return report


@transaction.atomic
def thread_mark_answered(*, thread: Post, moderator, answer: Post | None = None) -> Post:
    """A trainer marks a question answered, by one of its replies or as a whole."""
    if thread.parent_id is not None:
        raise Refused(_("Seul le premier message d'une discussion peut être marqué comme répondu."), code="not_thread")
    if answer is not None and (answer.thread_id != thread.pk or answer.is_gone):
        raise Refused(_("Cette réponse n'appartient pas à cette discussion."), code="other_thread")
    thread.answered_at, thread.answered_by, thread.answer = timezone.now(), moderator, answer
    thread.save(update_fields=["answered_at", "answered_by", "answer"])
    notifications.thread_answered(thread, moderator=moderator)
    return thread


@transaction.atomic
def thread_reopen(*, thread: Post) -> Post:
    thread.answered_at, thread.answered_by, thread.answer = None, None, None
    thread.save(update_fields=["answered_at", "answered_by", "answer"])
    return thread
