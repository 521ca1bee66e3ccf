"""What labs tells people: an attempt graded while its learner was away, a grade a trainer corrected,
attempts for trainers to review. The kinds are registered in LabsConfig.ready; the services call these.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from academy.notifications.api import NotificationKind, is_present, notify, register_kind
from courses.api import course_trainers
from labs import selectors
from labs.models import Submission
from labs.presentation.attempts import attempt_numbers

ATTEMPT_GRADED = "labs.attempt_graded"
GRADE_OVERRIDDEN = "labs.grade_overridden"
ATTEMPT_TO_REVIEW = "labs.attempt_to_review"


def submission_topic(submission_id: int) -> str:
    """The presence topic of an attempt's page: its learner watching it live needs no notification."""
    return f"labs.submission.{submission_id}"


def _graded_title(data) -> str:
    if data.get("final"):
        return _("Votre rendu final est prêt : %(lab)s (%(score)s/100)") % data
    return _("Essai n° %(number)s noté : %(score)s/100 — %(lab)s") % data


def _graded_body(data) -> str:
    if data.get("passed"):
        return _("Réussi : le seuil du labo est %(pass_mark)s/100.") % data
    return (
        _(
            "Pas encore réussi : le seuil du labo est %(pass_mark)s/100. Le détail des critères dit quoi essayer ensuite."
        )
        % data
    )


def _overridden_title(data) -> str:
    if data.get("trainer"):
        return _("%(trainer)s a corrigé la note de votre essai n° %(number)s : %(score)s/100 — %(lab)s") % data
    return _("Votre formateur a corrigé la note de votre essai n° %(number)s : %(score)s/100 — %(lab)s") % data


def _overridden_body(data) -> str:
    return _("Son commentaire : %(comment)s") % data


def _review_title(data) -> str:
    return ngettext(
        "%(count)d nouvel essai à relire : %(lab)s",
        "%(count)d nouveaux essais à relire : %(lab)s",
        data.get("count", 1),
    ) % {"count": data.get("count", 1), "lab": data.get("lab", "")}


def _review_body(data) -> str:
    return _("Le dernier : %(learner)s, %(score)s/100.") % data


def _is_trainer(user) -> bool:
    return user.is_trainer


def register_kinds() -> None:
    register_kind(
        NotificationKind(
            key=ATTEMPT_GRADED,
            label=gettext_lazy("Un de mes essais est noté pendant que je suis sur une autre page"),
            title=_graded_title,
            body=_graded_body,
        )
    )
    register_kind(
        NotificationKind(
            key=GRADE_OVERRIDDEN,
            label=gettext_lazy("Un formateur ou une formatrice corrige la note d'un de mes essais"),
            title=_overridden_title,
            body=_overridden_body,
        )
    )
    register_kind(
        NotificationKind(
            key=ATTEMPT_TO_REVIEW,
            label=gettext_lazy("Un apprenant de mes cours rend un nouvel essai à relire"),
            title=_review_title,
            body=_review_body,
            audience=_is_trainer,
        )
    )


def _number(submission: Submission) -> int | None:
    attempt = submission.draft or submission
    numbers = attempt_numbers(list(selectors.learner_submissions(learner=submission.learner, lab=submission.lab)))
    return numbers.get(attempt.pk)


def attempt_graded(submission: Submission) -> None:
    """The worker graded an attempt: tell its learner unless they are watching its page, and the trainers."""
    lab = submission.lab
    number = _number(submission)
    if not is_present(user_id=submission.learner_id, topic=submission_topic(submission.pk)):
        notify(
            recipient=submission.learner,
            kind=ATTEMPT_GRADED,
            data={
                "lab": lab.title,
                "number": number,
                "score": submission.final_score,
                "passed": submission.final_passed,
                "pass_mark": lab.pass_mark,
                "final": submission.tier == Submission.Tier.FINAL,
            },
            url=submission.get_absolute_url(),
        )
    if submission.tier != Submission.Tier.DRAFT:
        return
    for trainer in course_trainers(lab.course):
        if trainer.pk == submission.learner_id:
            continue  # a trainer trying their own lab
        notify(
            recipient=trainer,
            kind=ATTEMPT_TO_REVIEW,
            data={
                "lab": lab.title,
                "learner": submission.learner.get_full_name() or submission.learner.email,
                "score": submission.final_score,
            },
            url=reverse("labs:trainer_submissions", args=[lab.slug]),
            key=f"lab-{lab.pk}",
        )


def grade_overridden(submission: Submission) -> None:
    trainer = submission.override_by
    notify(
        recipient=submission.learner,
        kind=GRADE_OVERRIDDEN,
        data={
            "lab": submission.lab.title,
            "number": _number(submission),
            "score": submission.override_score,
            "comment": submission.override_comment,
            "trainer": trainer.get_full_name() if trainer else "",
        },
        url=submission.get_absolute_url(),
        key=f"override-{submission.pk}",
    )
