"""How a lab's criteria are shown: graded rows to a viewer (attempt page, comparison, personal data
export), the rubric on the lab page, and the rubric table of the trainer's authoring page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from labs.grading.anatomy import ELEMENT_LABELS
from labs.grading.rubric import video_check_label
from labs.models import Criterion, Lab, Submission


@dataclass(frozen=True)
class CriterionRow:
    key: str
    label: str
    weight: int
    score: float | None
    feedback: str
    evidence: str
    hidden: bool  # True: shown as "critère caché", nothing else
    css: str

    @property
    def evaluated(self) -> bool:
        """False for a check that could not be judged (a video check on a simulation): it did not count."""
        return self.hidden or self.score is not None

    @property
    def percent(self) -> int | None:
        return None if self.score is None else round(self.score * 100)

    @property
    def points(self) -> float | None:
        return None if self.score is None else round(self.score * self.weight, 1)


def _criterion_css(criterion: Criterion | None, kind: str) -> str:
    if criterion is not None and criterion.kind == Criterion.Kind.ANATOMY and criterion.element:
        return f"el el-{criterion.element}"
    return f"el el-{kind}"


def criterion_rows(submission: Submission, *, reveal_hidden: bool) -> list[CriterionRow]:
    """The graded criteria as shown to this viewer; a hidden one keeps its secret until the lab is passed."""
    current = {f"{c.kind}-{c.pk}": c for c in submission.lab.criteria.all()}
    rows = []
    for item in (submission.result or {}).get("criteria", []):
        criterion = current.get(item.get("key", ""))
        hidden = bool(item.get("hidden") or (criterion is not None and criterion.hidden)) and not reveal_hidden
        rows.append(
            CriterionRow(
                key=item.get("key", ""),
                label="" if hidden else item.get("label", ""),
                weight=item.get("weight", 0),
                score=None if hidden or item.get("score") is None else float(item["score"]),
                feedback="" if hidden else item.get("feedback", ""),
                evidence="" if hidden else item.get("evidence", ""),
                hidden=hidden,
                css=_criterion_css(criterion, item.get("kind", "")),
            )
        )
    return rows


def criterion_label(criterion: Criterion) -> str:
    """The trainer's label, else the name of what the criterion checks."""
    if criterion.label:
        return criterion.label
    if criterion.kind == Criterion.Kind.ANATOMY and criterion.element in ELEMENT_LABELS:
        return str(ELEMENT_LABELS[criterion.element])
    if criterion.kind == Criterion.Kind.VIDEO:
        return video_check_label(criterion.video_check, criterion.params)
    return str(criterion.get_kind_display())


def learner_rubric(lab: Lab) -> tuple[list[Criterion], int]:
    """The criteria a learner sees (each with ``display_label``) and the number of hidden ones.

    Hidden criteria's labels never reach the page.
    """
    criteria = list(lab.criteria.all())
    for criterion in criteria:
        criterion.display_label = criterion_label(criterion)
    return [c for c in criteria if not c.hidden], sum(c.hidden for c in criteria)


def authoring_rubric_rows(criteria: list[Criterion]) -> tuple[list[dict[str, Any]], int]:
    """The trainer's rubric table: each criterion with what it checks and its share of the weight; the total weight."""
    total = sum(c.weight for c in criteria)
    rows = []
    for index, criterion in enumerate(criteria):
        if criterion.kind == Criterion.Kind.ANATOMY:
            detail = ELEMENT_LABELS.get(criterion.element, criterion.element)
        elif criterion.kind == Criterion.Kind.VIDEO:
            detail = video_check_label(criterion.video_check, criterion.params)
        elif criterion.kind in (Criterion.Kind.MUST_MENTION, Criterion.Kind.MUST_NOT_MENTION):
            detail = ", ".join(criterion.terms)
        else:
            detail = ""
        rows.append(
            {
                "criterion": criterion,
                "detail": detail,
                "share": round(100 * criterion.weight / total) if total else 0,
                "first": index == 0,
                "last": index == len(criteria) - 1,
            }
        )
    return rows, total
