"""Re-scoring graded attempts after a trainer changed the rubric.

A regrade scores the stored prompt and video metrics again with the lab's
current rubric; it never generates a video again, so it costs nothing.
Trainers' overrides are kept: they win over the grader.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from labs.grading.anatomy import parse_prompt
from labs.grading.rubric import score_prompt_and_video
from labs.models import Lab, RegradeRun, Submission
from labs.selectors import lab_criteria_specs, lab_prompt_policy
from labs.services.dispatch import send_regrade
from labs.services.progress import lab_progress_sync


@transaction.atomic
def regrade_start(*, lab: Lab, requested_by) -> RegradeRun:
    running = lab.regrades.filter(state=RegradeRun.State.RUNNING).first()
    if running:
        return running
    total = lab.submissions.filter(state=Submission.State.GRADED).count()
    run = RegradeRun.objects.create(lab=lab, requested_by=requested_by, total=total)
    send_regrade(run_id=run.pk)
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
        policy=lab_prompt_policy(lab=submission.lab, prompt=submission.prompt),
        pass_mark=submission.lab.pass_mark,
        target_duration_s=float(submission.lab.duration_s),
        language=submission.language,
        simulated=bool(previous.get("backend", {}).get("simulation")),
    )
    result["backend"] = previous.get("backend", {})
    result["regraded_at"] = timezone.now().isoformat()
    changed = result["score"] != submission.score or result["passed"] != submission.passed
    submission.result, submission.score, submission.passed = result, result["score"], result["passed"]
    submission.save(update_fields=["result", "score", "passed"])
    lab_progress_sync(learner=submission.learner, lab=submission.lab)
    return changed


def regrade_run(*, run_id: int, pause: float = 0.0, sleep: Callable[[float], None] = time.sleep) -> int:
    """Regrade the lab's graded attempts one by one, recording the run's progress; returns how many.

    ``pause`` seconds between two attempts keep a big lab from starving the queue.
    """
    run = RegradeRun.objects.select_related("lab").get(pk=run_id)
    if run.state == RegradeRun.State.DONE:
        return 0
    ids = list(run.lab.submissions.filter(state=Submission.State.GRADED).order_by("pk").values_list("pk", flat=True))
    RegradeRun.objects.filter(pk=run_id).update(total=len(ids), done=0, changed=0)
    for submission_id in ids:
        changed = regrade_submission(submission_id=submission_id)
        RegradeRun.objects.filter(pk=run_id).update(done=F("done") + 1, changed=F("changed") + int(changed))
        if pause:
            sleep(pause)
    RegradeRun.objects.filter(pk=run_id).update(state=RegradeRun.State.DONE, finished_at=timezone.now())
    return len(ids)
