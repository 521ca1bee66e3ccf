"""Why the ethics gate refused a prompt, as the learner's attempt page and the trainer's rule tester show it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from labs.grading.policy import PolicyResult
from labs.models import PolicyRule


@dataclass(frozen=True)
class PolicyReason:
    category: str
    label: str
    text: str
    explanation: str


def _category_labels() -> dict[str, str]:
    return {key: str(label) for key, label in PolicyRule.Category.choices}


def policy_reasons(result: dict[str, Any]) -> list[PolicyReason]:
    """One reason per finding of the stored policy result, then each moderation category not already given."""
    policy = (result or {}).get("policy", {})
    labels = _category_labels()
    reasons = [
        PolicyReason(
            category=f.get("category", ""),
            label=labels.get(f.get("category", ""), f.get("category", "")),
            text=f.get("text", ""),
            explanation=f.get("explanation", ""),
        )
        for f in policy.get("findings", [])
    ]
    for category in policy.get("moderation_categories", []):
        if not any(r.category == category for r in reasons):
            reasons.append(PolicyReason(category, labels.get(category, category), "", ""))
    return reasons


def policy_test_result(policy: PolicyResult) -> dict[str, Any]:
    """The trainer's rule tester: allowed or not, and each finding with its category's label."""
    labels = _category_labels()
    return {
        "allowed": policy.allowed,
        "findings": [
            {"category": labels.get(f.category, f.category), "text": f.text, "explanation": f.explanation}
            for f in policy.findings
        ],
    }


def policy_rule_groups(rules: Iterable[PolicyRule]) -> list[tuple[str, list[PolicyRule]]]:
    """The rules grouped under their category's label, in the order they come."""
    labels = _category_labels()
    groups: dict[str, list[PolicyRule]] = {}
    for rule in rules:
        groups.setdefault(rule.category, []).append(rule)
    return [(labels.get(category, category), items) for category, items in groups.items()]
