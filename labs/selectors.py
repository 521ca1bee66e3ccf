"""Reads about labs and attempts."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet

from labs.grading.policy import Rule, default_rules
from labs.grading.rubric import CriterionSpec
from labs.models import Lab, PolicyRule, Submission

POLICY_RULES_CACHE_KEY = "labs:policy-rules:v1"


def lab_policy_rules() -> list[Rule]:
    """Active rules of the ethics gate; the built-in list when none are stored yet."""
    rules = cache.get(POLICY_RULES_CACHE_KEY)
    if rules is None:
        rows = list(PolicyRule.objects.filter(active=True))
        rules = [
            Rule(id=r.pk, category=r.category, terms=tuple(r.terms), context_terms=tuple(r.context_terms), explanation=r.explanation)
            for r in rows
        ] or default_rules()
        cache.set(POLICY_RULES_CACHE_KEY, rules, timeout=300)
    return rules


def lab_criteria_specs(lab: Lab) -> list[CriterionSpec]:
    return [
        CriterionSpec(
            kind=c.kind,
            weight=c.weight,
            key=f"{c.kind}-{c.pk}",
            element=c.element,
            video_check=c.video_check,
            label=c.label,
            terms=tuple(c.terms or ()),
            params=dict(c.params or {}),
            hidden=c.hidden,
        )
        for c in lab.criteria.all()
    ]


def learner_submissions(*, learner, lab: Lab) -> QuerySet[Submission]:
    return Submission.objects.filter(lab=lab, learner=learner).order_by("-created_at")


def counted_attempt(*, learner, lab: Lab) -> Submission | None:
    """The graded attempt that counts: the best or the last, as the lab says."""
    graded = list(learner_submissions(learner=learner, lab=lab).filter(state=Submission.State.GRADED).select_related("lab"))
    if not graded:
        return None
    if lab.grading == Lab.Grading.LAST:
        return graded[0]
    return max(graded, key=lambda s: (s.final_score or 0, s.created_at))


def attempts_used(*, learner, lab: Lab) -> int:
    return learner_submissions(learner=learner, lab=lab).filter(counts_as_attempt=True).count()
