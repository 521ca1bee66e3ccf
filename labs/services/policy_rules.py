"""Writes on the ethics gate's rules, which trainers and admins extend as data.

Every change drops the cached rule list (labs.selectors.lab_policy_rules), so
the next submission is checked against the new rules, in every process that
shares the cache.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from labs.models import PolicyRule
from labs.selectors import POLICY_RULES_CACHE_KEY


def policy_rules_changed() -> None:
    cache.delete(POLICY_RULES_CACHE_KEY)


def _forget_cached_rules() -> None:
    # Now, and again on commit: a reader between the two may cache the old list.
    policy_rules_changed()
    transaction.on_commit(policy_rules_changed)


def _clean_terms(terms: Sequence[str]) -> list[str]:
    """Stripped, non-empty and unique (case-insensitively), in the author's order."""
    seen: set[str] = set()
    cleaned = []
    for term in terms:
        term = " ".join(str(term).split())
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            cleaned.append(term)
    return cleaned


@transaction.atomic
def policy_rule_save(
    *,
    category: str,
    terms: Sequence[str],
    context_terms: Sequence[str] = (),
    unless_terms: Sequence[str] = (),
    scope: str = PolicyRule.Scope.SENTENCE,
    explanation: str = "",
    active: bool = True,
    user=None,
    rule: PolicyRule | None = None,
) -> PolicyRule:
    """Create a rule (``rule`` None, recording ``user`` as its author) or update ``rule``."""
    if rule is None:
        rule = PolicyRule(created_by=user)
    else:
        rule.edited_at = timezone.now()
    rule.category = category
    rule.terms = _clean_terms(terms)
    rule.context_terms = _clean_terms(context_terms)
    rule.unless_terms = _clean_terms(unless_terms)
    rule.scope = scope
    rule.explanation = explanation.strip()
    rule.active = active
    rule.full_clean()
    rule.save()
    _forget_cached_rules()
    return rule


@transaction.atomic
def policy_rule_deactivate(*, rule: PolicyRule) -> PolicyRule:
    """Switch a rule off; it stays listed so it can be switched on again."""
    rule.active = False
    rule.edited_at = timezone.now()
    rule.save(update_fields=["active", "edited_at"])
    _forget_cached_rules()
    return rule
