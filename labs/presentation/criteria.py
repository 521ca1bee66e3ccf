"""How a lab's criteria are shown: graded rows to a viewer (attempt page, comparison, personal data
export), the rubric on the lab page, and the rubric table of the trainer's authoring page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

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
    hidden: bool  # True: shown as "critère caché" with a hint when it cost points, never its rule
    css: str
    cost_points: bool = False  # a hidden criterion that was not fully met
    hint: str = ""  # for a hidden criterion that cost points: what to look at, not the rule

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


# Words that set a camera or file format: a video model ignores them, a hidden criterion often forbids them.
_TECHNICAL_TERM = re.compile(
    r"\b(\d{1,2}\s?k|\d{3,4}\s?p|\d{2,3}\s?(fps|i/s|ips)|hdr|uhd|ultra[ -]?hd|full[ -]?hd|"
    r"r[ée]solution|bitrate|d[ée]bit|codec|iso\s?\d+|f/\d+(\.\d+)?|\d+\s?mm)\b",
    re.IGNORECASE,
)


def hidden_criterion_hint(criterion: Criterion | None, kind: str = "") -> str:
    """What a learner reads about a hidden criterion that cost points: the trainer's hint, else one per kind.

    It points at where to look without giving the rule away (no terms, no label).
    """
    if criterion is not None and criterion.hint:
        return criterion.hint
    kind = criterion.kind if criterion is not None else kind
    if kind == Criterion.Kind.ANATOMY and criterion is not None and criterion.element in ELEMENT_LABELS:
        return _("Un élément du prompt manque ou reste vague : regardez du côté de « %(element)s ».") % {
            "element": ELEMENT_LABELS[criterion.element]
        }
    if kind == Criterion.Kind.MUST_NOT_MENTION:
        terms = criterion.terms if criterion is not None else []
        if any(_TECHNICAL_TERM.search(str(term)) for term in terms):
            return _("Un réglage technique est écrit dans le prompt : décrivez plutôt ce que l'on voit.")
        return _("Le prompt contient un mot que ce labo demande d'éviter : relisez la consigne.")
    if kind == Criterion.Kind.MUST_MENTION:
        return _("Le prompt n'emploie pas un mot que la consigne attend : relisez-la.")
    if kind == Criterion.Kind.VIDEO:
        return _("La vidéo ne respecte pas encore une contrainte visuelle de la consigne.")
    if kind == Criterion.Kind.POLICY:
        return _("Un passage du prompt pose problème au regard de la charte éthique.")
    return _("Un point de la consigne n'est pas encore respecté.")


def criterion_rows(submission: Submission, *, reveal_hidden: bool) -> list[CriterionRow]:
    """The graded criteria as shown to this viewer; a hidden one keeps its rule secret until the lab is passed,
    but says when it cost points, with a hint."""
    current = {f"{c.kind}-{c.pk}": c for c in submission.lab.criteria.all()}
    rows = []
    for item in (submission.result or {}).get("criteria", []):
        criterion = current.get(item.get("key", ""))
        hidden = bool(item.get("hidden") or (criterion is not None and criterion.hidden)) and not reveal_hidden
        cost_points = hidden and item.get("score") is not None and float(item["score"]) < 1
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
                cost_points=cost_points,
                hint=hidden_criterion_hint(criterion, item.get("kind", "")) if cost_points else "",
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
