"""Two graded attempts side by side: each criterion's score in A and B, and its change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from labs.presentation.criteria import CriterionRow


@dataclass(frozen=True)
class ComparedCriterion:
    label: str
    a: CriterionRow | None
    b: CriterionRow | None
    hidden: bool

    @property
    def delta(self) -> int | None:
        """Change of the criterion's score from A to B, in percentage points."""
        if self.hidden or self.a is None or self.b is None or self.a.percent is None or self.b.percent is None:
            return None
        return self.b.percent - self.a.percent


def compare_criteria(a: Sequence[CriterionRow], b: Sequence[CriterionRow]) -> list[ComparedCriterion]:
    by_key_b = {row.key: row for row in b}
    keys = list(dict.fromkeys([row.key for row in a] + [row.key for row in b]))
    by_key_a = {row.key: row for row in a}
    compared = []
    for key in keys:
        row_a, row_b = by_key_a.get(key), by_key_b.get(key)
        hidden = any(row is not None and row.hidden for row in (row_a, row_b))
        label = next((row.label for row in (row_a, row_b) if row is not None and row.label), "")
        compared.append(ComparedCriterion(label=label, a=row_a, b=row_b, hidden=hidden))
    return compared


def previous_pair(graded_newest_first: Sequence[int], b: str | None) -> dict[str, int | str | None]:
    """The pair the comparison opens on: B (given, else the latest) and A, the graded attempt before it.

    The first attempt has none before: it becomes A, and the one after it B (A
    is always the older). A stays None with fewer than two graded attempts; an
    unknown B is kept as is, and nothing is compared.
    """
    if not graded_newest_first:
        return {"a": None, "b": b}
    if not b:
        b_pk: int | str = graded_newest_first[0]
    else:
        b_pk = int(b) if str(b).isdigit() else b
    if b_pk not in graded_newest_first:
        return {"a": None, "b": b_pk}
    index = graded_newest_first.index(b_pk)
    if index + 1 < len(graded_newest_first):
        return {"a": graded_newest_first[index + 1], "b": b_pk}
    if index > 0:
        return {"a": b_pk, "b": graded_newest_first[index - 1]}
    return {"a": None, "b": b_pk}
