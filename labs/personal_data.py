"""The labs app's part of a learner's data export and erasure (registered in LabsConfig.ready).

The export shows each attempt as the learner sees it on the attempt page:
criteria hidden until the lab is passed stay hidden, and nothing about other
people (such as the name of the trainer who changed a grade) is included.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from labs import selectors
from labs.models import Lab, LabDraft, Submission
from labs.presentation.criteria import criterion_rows

_MEDIA_FIELDS = ("video", "poster", "contact_sheet")


def _reveals_hidden(user, lab: Lab, cache: dict[int, bool]) -> bool:
    if lab.pk not in cache:
        grade = selectors.grade_that_counts(learner=user, lab=lab)
        cache[lab.pk] = grade is not None and grade.passed
    return cache[lab.pk]


def _submission_data(submission: Submission, *, reveal_hidden: bool) -> dict[str, Any]:
    criteria = [
        {"label": None, "hidden": True}
        if row.hidden
        else {"label": row.label, "weight": row.weight, "score": row.percent, "feedback": row.feedback}
        for row in criterion_rows(submission, reveal_hidden=reveal_hidden)
    ]
    return {
        "course": submission.lab.course.title,
        "lab": submission.lab.title,
        "prompt": submission.prompt,
        "language": submission.language,
        "state": submission.state,
        "created_at": submission.created_at,
        "finished_at": submission.finished_at,
        "score": submission.score,
        "final_score": submission.final_score,
        "passed": submission.final_passed,
        "criteria": criteria,
        "next_steps": (submission.result or {}).get("next_steps", []),
        "trainer_comment": submission.override_comment,
        "trainer_score": submission.override_score,
        "trainer_reviewed_at": submission.override_at,
        "has_video": bool(submission.video),
    }


def export_labs(user) -> dict[str, Any]:
    """The learner's lab attempts (prompt, scores, feedback, trainer's comment) and autosaved drafts."""
    submissions = (
        Submission.objects.filter(learner=user)
        .select_related("lab__step__module__course")
        .prefetch_related("lab__criteria")
        .order_by("created_at", "pk")
    )
    reveal_cache: dict[int, bool] = {}
    return {
        "submissions": [
            _submission_data(s, reveal_hidden=_reveals_hidden(user, s.lab, reveal_cache)) for s in submissions
        ],
        "drafts": [
            {"lab": d.lab.title, "prompt": d.prompt, "updated_at": d.updated_at}
            for d in LabDraft.objects.filter(learner=user).select_related("lab__step").order_by("pk")
        ],
    }


def erase_labs(user) -> None:
    """Delete the learner's attempts and drafts; their video, poster and contact sheet files go once committed."""
    submissions = Submission.objects.filter(learner=user)
    files = [
        (fieldfile.storage, fieldfile.name)
        for submission in submissions
        for fieldfile in (getattr(submission, name) for name in _MEDIA_FIELDS)
        if fieldfile
    ]
    submissions.delete()
    LabDraft.objects.filter(learner=user).delete()

    def delete_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
