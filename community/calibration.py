"""How close a reviewer's judgement is to the trainer's, on the calibration videos the trainer picked.

ORA2's training step has learners assess example responses and compares each
criterion they chose with the instructor's, showing where they differ. Here
the comparison is also summed up as a number, the calibration score:

- one judgement (a criterion of one video) agrees fully when the levels are
  equal and not at all when they sit at the two ends of the scale:
  ``1 - |mine - reference| / (scale_max - 1)``;
- the score is the mean agreement over every judgement compared, as a whole
  percentage. Criteria the reference does not score (added after it was
  written) are left out rather than counted as disagreements.

Pure functions: the selectors hand them plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Judgement:
    criterion_id: int
    label: str
    scale_max: int
    mine: int
    reference: int
    reference_comment: str = ""

    @property
    def agreement(self) -> float:
        return criterion_agreement(self.mine, self.reference, self.scale_max)

    @property
    def gap(self) -> int:
        """Positive when the reviewer was more generous than the trainer."""
        return self.mine - self.reference

    @property
    def distance(self) -> int:
        return abs(self.gap)

    @property
    def matches(self) -> bool:
        return self.mine == self.reference


def criterion_agreement(mine: int, reference: int, scale_max: int) -> float:
    """1.0 for the same level, 0.0 for opposite ends of a 1…scale_max scale."""
    if scale_max < 2:
        raise ValueError("a scale has at least two levels")
    for value in (mine, reference):
        if not 1 <= value <= scale_max:
            raise ValueError(f"{value} is outside 1…{scale_max}")
    return 1.0 - abs(mine - reference) / (scale_max - 1)


@dataclass(frozen=True)
class CriterionLine:
    criterion_id: int
    label: str
    scale_max: int


def compare(
    criteria: Iterable[CriterionLine],
    mine: Mapping[int, int],
    reference: Mapping[int, int],
    reference_comments: Mapping[int, str] | None = None,
) -> list[Judgement]:
    """One judgement per criterion scored both by the reviewer and in the reference, in rubric order."""
    comments = reference_comments or {}
    return [
        Judgement(
            criterion_id=line.criterion_id,
            label=line.label,
            scale_max=line.scale_max,
            mine=mine[line.criterion_id],
            reference=reference[line.criterion_id],
            reference_comment=comments.get(line.criterion_id, ""),
        )
        for line in criteria
        if line.criterion_id in mine and line.criterion_id in reference
    ]


def calibration_score(judgements: Iterable[Judgement]) -> int | None:
    """Mean agreement over all judgements, 0–100; None before any comparison."""
    values = [judgement.agreement for judgement in judgements]
    if not values:
        return None
    return round(100 * sum(values) / len(values))
