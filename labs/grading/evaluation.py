"""How well the grader reads prompts, measured on a labelled set (``tests/data/grading_eval.jsonl``).

Each case gives a prompt, the anatomy elements a careful reader finds in it, and the ethics verdict
(allow, or block with its category). :func:`evaluate` runs the anatomy and the gate on every case
and reports, as plain numbers:

- per policy category: recall (the share of its prompts that are blocked), category recall (blocked
  for that very reason), precision (the share of the gate's findings of that category that were
  meant to be blocked);
- the false-block rate (allowed prompts that are blocked) and the cases behind each error;
- per anatomy element: precision, recall and F1 over prompts, and their micro-average;
- the share of prompts whose main subject is of the labelled kind (person, group, product…), which
  decides the coach's advice.

``bench/grading.py`` prints the report with speed and memory; the test suite asserts floors on it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labs.grading.anatomy import ELEMENT_KEYS, parse_prompt
from labs.grading.language.analysis import analyse_many
from labs.grading.policy import Constraint, Rule, check_prompt

BATCH = 256  # below the analysis cache's size, so each batch is parsed once


@dataclass(frozen=True)
class Case:
    id: str
    language: str
    prompt: str
    verdict: str  # allow | block
    category: str | None
    elements: frozenset[str]
    adversarial: tuple[str, ...] = ()
    subject_kind: str | None = None


@dataclass
class Outcome:
    case: Case
    blocked: bool
    categories: tuple[str, ...]
    elements: frozenset[str]
    subject_kind: str | None = None


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cases": len(self.outcomes),
            "policy": self.policy(),
            "false_block_rate": round(self.false_block_rate(), 4),
            "elements": self.elements(),
            "element_micro_f1": round(self.element_micro_f1(), 4),
            "subject_kind_accuracy": round(self.subject_kind_accuracy(), 4),
            "errors": self.errors(),
        }

    # --- policy ---------------------------------------------------------------------------

    def policy(self) -> dict[str, dict[str, float | int]]:
        by_category: dict[str, dict[str, float | int]] = {}
        categories = sorted({o.case.category for o in self.outcomes if o.case.category})
        for category in categories:
            labelled = [o for o in self.outcomes if o.case.verdict == "block" and o.case.category == category]
            reported = [o for o in self.outcomes if category in o.categories]
            by_category[category] = {
                "cases": len(labelled),
                "recall": _ratio(sum(o.blocked for o in labelled), len(labelled)),
                "category_recall": _ratio(sum(category in o.categories for o in labelled), len(labelled)),
                "precision": _ratio(sum(o.case.verdict == "block" for o in reported), len(reported)),
            }
        return by_category

    def false_block_rate(self) -> float:
        allowed = [o for o in self.outcomes if o.case.verdict == "allow"]
        return _ratio(sum(o.blocked for o in allowed), len(allowed))

    def block_recall(self) -> float:
        blocked = [o for o in self.outcomes if o.case.verdict == "block"]
        return _ratio(sum(o.blocked for o in blocked), len(blocked))

    # --- anatomy --------------------------------------------------------------------------

    def _element_counts(self, key: str) -> tuple[int, int, int]:
        true_positive = sum(key in o.elements and key in o.case.elements for o in self.outcomes)
        false_positive = sum(key in o.elements and key not in o.case.elements for o in self.outcomes)
        false_negative = sum(key not in o.elements and key in o.case.elements for o in self.outcomes)
        return true_positive, false_positive, false_negative

    def elements(self) -> dict[str, dict[str, float]]:
        table = {}
        for key in ELEMENT_KEYS:
            tp, fp, fn = self._element_counts(key)
            precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
            table[key] = {"precision": precision, "recall": recall, "f1": _f1(precision, recall), "support": tp + fn}
        return table

    def subject_kind_accuracy(self) -> float:
        labelled = [o for o in self.outcomes if o.case.subject_kind]
        return _ratio(sum(o.subject_kind == o.case.subject_kind for o in labelled), len(labelled))

    def element_micro_f1(self) -> float:
        totals = [self._element_counts(key) for key in ELEMENT_KEYS]
        tp, fp, fn = (sum(column) for column in zip(*totals, strict=True))
        return _f1(_ratio(tp, tp + fp), _ratio(tp, tp + fn))

    # --- what went wrong ------------------------------------------------------------------

    def errors(self, limit: int = 40) -> dict[str, list[dict[str, Any]]]:
        missed = [o for o in self.outcomes if o.case.verdict == "block" and not o.blocked]
        false_blocks = [o for o in self.outcomes if o.case.verdict == "allow" and o.blocked]
        element_misses: Counter[str] = Counter()
        for outcome in self.outcomes:
            for key in outcome.case.elements - outcome.elements:
                element_misses[f"missed {key}"] += 1
            for key in outcome.elements - outcome.case.elements:
                element_misses[f"extra {key}"] += 1
        return {
            "missed_blocks": [_brief(o) for o in missed[:limit]],
            "false_blocks": [_brief(o) for o in false_blocks[:limit]],
            "element_errors": [{"error": k, "count": v} for k, v in element_misses.most_common()],
        }


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        try:
            cases.append(
                Case(
                    id=item["id"],
                    language=item["language"],
                    prompt=item["prompt"],
                    verdict=item["verdict"],
                    category=item.get("category"),
                    elements=frozenset(item.get("elements", ())),
                    adversarial=tuple(item.get("adversarial", ())),
                    subject_kind=item.get("subject_kind"),
                )
            )
        except KeyError as error:
            raise ValueError(f"{path}:{number}: missing {error}") from None
    return cases


def evaluate(cases: Sequence[Case], rules: Sequence[Rule], constraints: Sequence[Constraint] = ()) -> Report:
    report = Report()
    for batch in _batches(cases, BATCH):
        for language in {case.language for case in batch}:
            analyse_many([c.prompt for c in batch if c.language == language], language)
        for case in batch:
            anatomy = parse_prompt(case.prompt, case.language)
            policy = check_prompt(case.prompt, rules, constraints=constraints, language=case.language)
            report.outcomes.append(
                Outcome(
                    case=case,
                    blocked=not policy.allowed,
                    categories=tuple(policy.categories),
                    elements=frozenset(anatomy.found_keys),
                    subject_kind=anatomy.subject.kind if anatomy.subject else None,
                )
            )
    return report


def _batches(items: Sequence[Case], size: int) -> Iterable[Sequence[Case]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _brief(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.case.id,
        "prompt": outcome.case.prompt[:160],
        "expected": outcome.case.category or "allow",
        "found": list(outcome.categories) or "allow",
    }


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 1.0


def _f1(precision: float, recall: float) -> float:
    return round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
