"""Re-scoring graded attempts after a trainer changed the rubric.

A regrade scores the stored prompt and video metrics again with the lab's
current rubric; it never generates a video again, so it costs nothing.
Trainers' overrides are kept: they win over the grader.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from labs.grading.anatomy import parse_prompt
from labs.grading.policy import check_prompt
from labs.grading.rubric import score_prompt_and_video
from labs.models import Lab, RegradeRun, Submission
from labs.selectors import lab_criteria_specs, lab_policy_rules
from labs.services.progress import lab_progress_sync


@transaction.atomic
def regrade_start(*, lab: Lab, requested_by) -> RegradeRun:
    running = lab.regrades.filter(state=RegradeRun.State.RUNNING).first()
    if running:
        return running
    total = lab.submissions.filter(state=Submission.State.GRADED).count()
    run = RegradeRun.objects.create(lab=lab, requested_by=requested_by, total=total)
    from labs.tasks import regrade_lab

    transaction.on_commit(lambda: regrade_lab.delay(run.pk))
    return run


@transaction.atomic
def regrade_submission(*, submission_id: int) -> bool:
    """Score one graded attempt again; True when its score changed."""
    submission = Submission.objects.select_for_update().select_related("lab", "learner").get(pk=submission_id)
    if submission.state != Submission.State.GRADED:
        return False
    previous = submission.result or {}
    result = score_prompt_and_video(
        criteria=lab_criteria_specs(submission.lab),
        anatomy=parse_prompt(submission.prompt, None),
        metrics=previous.get("metrics") or None,
        policy=check_prompt(submission.prompt, lab_policy_rules()),
        pass_mark=submission.lab.pass_mark,
        target_duration_s=float(submission.lab.duration_s),
        language=submission.language,
    )
    result["backend"] = previous.get("backend", {})
    result["regraded_at"] = timezone.now().isoformat()
    changed = result["score"] != submission.score or result["passed"] != submission.passed
    submission.result, submission.score, submission.passed = result, result["score"], result["passed"]
    submission.save(update_fields=["result", "score", "passed"])
    lab_progress_sync(learner=submission.learner, lab=submission.lab)
    return changed
