"""What the community tells people, through academy.notifications (kinds registered in CommunityConfig.ready).

Four switches in the profile, each covering what happens around one role:
- my reviewing: an attempt to review, one taken back past its deadline, a review removed, an author's rating;
- my shared attempts: a review received, an attempt hidden by a trainer;
- discussions: a reply to my message, my question answered, my message removed;
- moderation (trainers): a mention, a reported message.

The services call these inside their transaction; mails leave once it commits, in the reader's language.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from academy.notifications.api import NotificationKind, notify, register_kind
from courses import api as courses

MY_REVIEWING = "community.my_reviewing"
MY_SHARED_ATTEMPTS = "community.my_shared_attempts"
DISCUSSIONS = "community.discussions"
MODERATION = "community.moderation"


def _name(user) -> str:
    return user.get_full_name() or user.email


def _when(iso: str) -> str:
    """A stored date, in the reader's time zone and language."""
    moment = parse_datetime(iso or "")
    if moment is None:
        return ""
    return dateformat.format(timezone.localtime(moment), get_format("DATETIME_FORMAT"))


# --- titles and bodies: written when shown or mailed, in the reader's language -----------


def _reviewing_title(data) -> str:
    event = data.get("event")
    if event == "assigned":
        return ngettext(
            "%(count)d essai à relire vous est confié : %(lab)s",
            "%(count)d essais à relire vous sont confiés : %(lab)s",
            data.get("count", 1),
        ) % {"count": data.get("count", 1), "lab": data.get("lab", "")}
    if event == "expired":
        return _("Délai dépassé : la relecture de l'essai de %(author)s est confiée à un autre pair") % data
    if event == "removed":
        return _("Un formateur a retiré votre relecture : %(lab)s") % data
    return _("Votre relecture est notée %(usefulness)s/5 par son auteur : %(lab)s") % data


def _reviewing_body(data) -> str:
    event = data.get("event")
    if event == "assigned":
        return _("Le dernier : l'essai de %(author)s, à relire avant le %(due)s.") % {
            "author": data.get("author", ""),
            "due": _when(data.get("due", "")),
        }
    if event == "removed":
        return _("Raison : %(reason)s") % data
    if event == "rated" and data.get("comment"):
        return _("Son mot : « %(comment)s »") % data
    return ""


def _shared_title(data) -> str:
    if data.get("event") == "hidden":
        return _("Un formateur a masqué votre essai de la galerie : %(lab)s") % data
    return ngettext(
        "%(count)d nouvelle relecture de votre essai : %(lab)s",
        "%(count)d nouvelles relectures de votre essai : %(lab)s",
        data.get("count", 1),
    ) % {"count": data.get("count", 1), "lab": data.get("lab", "")}


def _shared_body(data) -> str:
    if data.get("event") == "hidden":
        return _("Raison : %(reason)s") % data
    return _("Lisez-la, puis dites au relecteur si elle vous a aidé.")


def _discussion_title(data) -> str:
    event = data.get("event")
    if event == "answered":
        return _("Votre question est marquée « répondue » : %(step)s") % data
    if event == "removed":
        return _("Un formateur a retiré votre message : %(step)s") % data
    return ngettext(
        "%(count)d réponse à votre message : %(step)s",
        "%(count)d réponses à votre message : %(step)s",
        data.get("count", 1),
    ) % {"count": data.get("count", 1), "step": data.get("step", "")}


def _discussion_body(data) -> str:
    event = data.get("event")
    if event == "removed":
        return _("Raison : %(reason)s") % data
    if event == "reply":
        return _("La dernière, de %(author)s.") % data
    return ""


def _moderation_title(data) -> str:
    if data.get("event") == "mention":
        return _("%(author)s vous mentionne dans la discussion : %(step)s") % data
    return ngettext(
        "%(count)d message signalé : %(course)s",
        "%(count)d messages signalés : %(course)s",
        data.get("count", 1),
    ) % {"count": data.get("count", 1), "course": data.get("course", "")}


def _is_trainer(user) -> bool:
    return user.is_trainer


def register_kinds() -> None:
    register_kind(
        NotificationKind(
            key=MY_REVIEWING,
            label=gettext_lazy("Mes relectures : un essai à relire, un délai dépassé, l'avis d'un auteur"),
            title=_reviewing_title,
            body=_reviewing_body,
        )
    )
    register_kind(
        NotificationKind(
            key=MY_SHARED_ATTEMPTS,
            label=gettext_lazy("Mes essais partagés : une relecture reçue, un essai masqué"),
            title=_shared_title,
            body=_shared_body,
        )
    )
    register_kind(
        NotificationKind(
            key=DISCUSSIONS,
            label=gettext_lazy("Discussions : une réponse à mon message, ma question répondue"),
            title=_discussion_title,
            body=_discussion_body,
        )
    )
    register_kind(
        NotificationKind(
            key=MODERATION,
            label=gettext_lazy("Communauté de mes cours : une mention, un message signalé"),
            title=_moderation_title,
            audience=_is_trainer,
        )
    )


# --- what the services call ------------------------------------------------------------


def reviews_assigned(assignments) -> None:
    for assignment in assignments:
        notify(
            recipient=assignment.reviewer,
            kind=MY_REVIEWING,
            data={
                "event": "assigned",
                "lab": assignment.lab.title,
                "author": _name(assignment.author),
                "due": assignment.due_at.isoformat(),
            },
            url=reverse("community:my_reviews"),
            key=f"assigned-{assignment.lab_id}",
        )


def review_taken_back(assignment) -> None:
    notify(
        recipient=assignment.reviewer,
        kind=MY_REVIEWING,
        data={"event": "expired", "lab": assignment.lab.title, "author": _name(assignment.author)},
        url=reverse("community:my_reviews"),
    )


def review_received(review) -> None:
    item = review.assignment.item
    notify(
        recipient=item.author,
        kind=MY_SHARED_ATTEMPTS,
        data={"event": "received", "lab": item.lab.title},
        url=f"{item.get_absolute_url()}#review-{review.pk}",
        key=f"received-{item.pk}",
    )


def review_rated(review) -> None:
    notify(
        recipient=review.reviewer,
        kind=MY_REVIEWING,
        data={
            "event": "rated",
            "lab": review.assignment.item.lab.title,
            "usefulness": review.usefulness,
            "comment": review.usefulness_comment,
        },
        url=review.assignment.get_absolute_url(),
        key=f"rated-{review.pk}",
    )


def review_removed(review) -> None:
    notify(
        recipient=review.reviewer,
        kind=MY_REVIEWING,
        data={"event": "removed", "lab": review.assignment.item.lab.title, "reason": review.removed_reason},
        url=review.assignment.get_absolute_url(),
    )


def item_hidden(item) -> None:
    notify(
        recipient=item.author,
        kind=MY_SHARED_ATTEMPTS,
        data={"event": "hidden", "lab": item.lab.title, "reason": item.hidden_reason},
        url=item.get_absolute_url(),
    )


def _post_url(post) -> str:
    return f"{reverse('community:discussion', args=[post.step_id])}#post-{post.pk}"


def post_created(post) -> None:
    """A reply tells the author of the message it answers and the author of the thread."""
    if post.parent_id is None:
        return
    told = {post.author_id}
    for person in (post.parent.author, post.thread.author if post.thread_id else None):
        if person is None or person.pk in told:
            continue
        told.add(person.pk)
        notify(
            recipient=person,
            kind=DISCUSSIONS,
            data={"event": "reply", "step": post.step.title, "author": _name(post.author)},
            url=_post_url(post),
            key=f"reply-{post.thread_id}",
        )


def trainers_mentioned(post, trainers) -> None:
    for trainer in trainers:
        if trainer.pk == post.author_id:
            continue
        notify(
            recipient=trainer,
            kind=MODERATION,
            data={"event": "mention", "step": post.step.title, "author": _name(post.author)},
            url=_post_url(post),
        )


def thread_answered(thread, *, moderator) -> None:
    if thread.author_id == moderator.pk:
        return
    notify(
        recipient=thread.author,
        kind=DISCUSSIONS,
        data={"event": "answered", "step": thread.step.title},
        url=_post_url(thread.answer or thread),
    )


def post_removed(post) -> None:
    notify(
        recipient=post.author,
        kind=DISCUSSIONS,
        data={"event": "removed", "step": post.step.title, "reason": post.removed_reason},
        url=_post_url(post),
    )


def post_reported(report) -> None:
    course = report.post.step.module.course
    for trainer in courses.course_trainers(course):
        notify(
            recipient=trainer,
            kind=MODERATION,
            data={"event": "reported", "course": course.title},
            url=reverse("community:reports", args=[course.slug]),
            key=f"reports-{course.pk}",
        )
