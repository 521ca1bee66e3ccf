"""How graded criteria are shown to a viewer (attempt page, comparison, personal data export)."""

from __future__ import annotations

from dataclasses import dataclass

from labs.models import Criterion, Submission


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
                score=None if hidden else float(item.get("score", 0)),
                feedback="" if hidden else item.get("feedback", ""),
                evidence="" if hidden else item.get("evidence", ""),
                hidden=hidden,
                css=_criterion_css(criterion, item.get("kind", "")),
            )
        )
    return rows
