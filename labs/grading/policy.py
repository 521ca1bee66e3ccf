"""The ethics gate: refuse prompts that ask for what must not be generated.

A pure function over rules that are data (PolicyRule rows, seeded from
policy_rules.json): real, named people (public figures included), sexual
content involving minors, copyrighted characters and franchises, and the
moderation categories. Matching ignores case and accents, accepts simple
plurals, and skips mentions that are negated ("sans célébrité", "no logo"),
so a learner who writes what they avoid is not punished for it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from labs.grading.anatomy import normalise

DEFAULT_RULES_FILE = Path(__file__).with_name("policy_rules.json")

# Words that, just before a term, turn it into something the prompt avoids.
_NEGATIONS = {
    "fr": (
        "sans",
        "pas de",
        "pas d'",
        "aucun",
        "aucune",
        "ni",
        "jamais de",
        "evitez",
        "eviter",
        "ne montre pas",
        "pas un",
        "pas une",
    ),
    "en": ("no", "without", "not", "never", "avoid", "don't show", "do not show", "none"),
}
_NEGATION_WINDOW = 24  # characters before the term


@dataclass(frozen=True)
class Rule:
    id: int | None
    category: str
    terms: tuple[str, ...]
    context_terms: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True)
class PolicyFinding:
    rule_id: int | None
    category: str
    term: str
    start: int
    end: int
    text: str
    explanation: str

    def to_dict(self) -> dict:
        return {
            "rule": self.rule_id,
            "category": self.category,
            "term": self.term,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class PolicyResult:
    findings: tuple[PolicyFinding, ...] = field(default_factory=tuple)
    moderation_categories: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return not self.findings and not self.moderation_categories

    @property
    def categories(self) -> list[str]:
        seen = dict.fromkeys([f.category for f in self.findings] + list(self.moderation_categories))
        return list(seen)

    def to_dict(self) -> dict:
        return {
            "allowed": self.allowed,
            "findings": [f.to_dict() for f in self.findings],
            "moderation_categories": list(self.moderation_categories),
        }


def default_rules() -> list[Rule]:
    data = json.loads(DEFAULT_RULES_FILE.read_text(encoding="utf-8"))
    return [
        Rule(
            id=None,
            category=item["category"],
            terms=tuple(item["terms"]),
            context_terms=tuple(item.get("context_terms", ())),
            explanation=item.get("explanation", ""),
        )
        for item in data["rules"]
    ]


@cache
def _term_pattern(term: str) -> re.Pattern[str]:
    """A word-bounded, accent- and case-free pattern; the last word may take a plural."""
    words = [re.escape(w) for w in normalise(term).split()]
    if not words:
        return re.compile(r"(?!x)x")
    words[-1] += r"(?:s|x|es)?"
    return re.compile(r"(?<![\w])" + r"[\s\-']+".join(words) + r"(?![\w])")


def find_terms(text: str, terms: Iterable[str], *, skip_negated: bool = True) -> list[tuple[str, int, int]]:
    """Occurrences of ``terms`` in ``text`` as (term, start, end), spans in the original text."""
    normalised = normalise(text)
    found: list[tuple[str, int, int]] = []
    taken: list[tuple[int, int]] = []
    # Longer terms first, so "Mickey Mouse" wins over "Mickey".
    for term in sorted(set(terms), key=len, reverse=True):
        for match in _term_pattern(term).finditer(normalised):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if skip_negated and is_negated(normalised, start):
                continue
            taken.append((start, end))
            found.append((term, start, end))
    return sorted(found, key=lambda item: item[1])


def is_negated(normalised: str, start: int) -> bool:
    window = normalised[max(0, start - _NEGATION_WINDOW) : start]
    # Only the current clause counts: "sans logo, avec Messi" still names Messi.
    window = re.split(r"[,.;:!?\n]", window)[-1]
    padded = f" {window.strip()} "
    return any(f" {negation} " in padded or padded.rstrip().endswith(f" {negation}") for negation in _all_negations())


@cache
def _all_negations() -> tuple[str, ...]:
    return tuple(n for values in _NEGATIONS.values() for n in values)


def check_prompt(prompt: str, rules: Sequence[Rule]) -> PolicyResult:
    """Apply the rules to ``prompt``. Pure: no database, no network."""
    findings: list[PolicyFinding] = []
    for rule in rules:
        hits = find_terms(prompt, rule.terms)
        if not hits:
            continue
        if rule.context_terms and not find_terms(prompt, rule.context_terms):
            continue
        term, start, end = hits[0]
        findings.append(
            PolicyFinding(
                rule_id=rule.id,
                category=rule.category,
                term=term,
                start=start,
                end=end,
                text=prompt[start:end],
                explanation=rule.explanation,
            )
        )
    return PolicyResult(findings=tuple(findings))
