"""Final renders: the attempt a learner chooses, rendered again on the lab's final settings.

Learners iterate on cheap drafts; once they passed the lab (or when the
trainer allows it without passing) they may ask for a final render of any
graded draft, on the lab's final backend (``Lab.final_alias``) at the final
tier's size. The final is a Submission of tier « final » linked to its draft:
it goes through the same pipeline (generated, analysed, marked, signed), is
not an attempt (it never counts against attempts, draft budgets or the grade
that counts) and uses its own budget (``budget_finals_per_learner``,
``budget_final_cost_per_learner``). Asking twice for the same draft returns
the final already made or in flight.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from labs.models import Submission
from labs.selectors import final_allowance, final_of, grade_that_counts
from labs.services.dispatch import send_grading
from labs.services.submissions import SubmissionRefused
from labs.services.transitions import queued_deadline


def final_render_refusal(*, learner, draft: Submission) -> str:
    """Why ``learner`` may not ask for a final render of ``draft`` now ("" when they may)."""
    lab = draft.lab
    if draft.learner_id != learner.pk or draft.tier != Submission.Tier.DRAFT:
        return _("Seul l'auteur d'un essai peut en demander le rendu final.")
    if draft.state != Submission.State.GRADED:
        return _("Le rendu final se demande sur un essai noté.")
    if lab.final_requires_pass:
        grade = grade_that_counts(learner=learner, lab=lab)
        if grade is None or not grade.passed:
            return _("Le rendu final s'ouvre quand vous avez réussi ce labo.")
    if final_allowance(learner=learner, lab=lab).exhausted:
        return _("Vous avez utilisé votre budget de rendus finals pour ce labo.")
    return ""


@transaction.atomic
def request_final_render(*, learner, draft: Submission) -> Submission:
    """Create (once) the final render of ``draft`` and enqueue it; raise SubmissionRefused with the reason otherwise."""
    # Lock the draft: two clicks cannot both pass the budget check or create two finals.
    draft = Submission.objects.select_for_update().select_related("lab__step").get(pk=draft.pk)
    existing = final_of(draft)
    if existing is not None and existing.state not in Submission.NOT_GENERATED_STATES:
        return existing
    refusal = final_render_refusal(learner=learner, draft=draft)
    if refusal:
        raise SubmissionRefused(refusal, code="final_refused")
    lab = draft.lab
    final = Submission(
        lab=lab,
        learner=learner,
        tier=Submission.Tier.FINAL,
        draft=draft,
        prompt=draft.prompt,
        language=draft.language,
        seed=draft.seed,
        client_token=f"final-{draft.pk}-{uuid.uuid4().hex[:16]}",
        backend_alias=lab.final_alias,
        counts_as_attempt=False,
        deadline_at=timezone.now() + queued_deadline(),
    )
    final.full_clean(exclude=["video", "poster", "contact_sheet", "result"])
    final.save()
    send_grading(submission_id=final.pk, token=str(final.task_token), backend_alias=final.backend_alias)
    return final
