"""Reads about labs and attempts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum

from academy.compiled_queries import CompiledQuery
from courses import api as courses_api
from labs.grading.policy import Constraint, PolicyResult, Rule, check_prompt, default_rules
from labs.grading.rubric import CriterionSpec
from labs.models import Lab, LabDraft, PolicyRule, Submission

POLICY_RULES_CACHE_KEY = "labs:policy-rules:v2"


def lab_policy_rules() -> list[Rule]:
    """Active rules of the ethics gate; the built-in list when none are stored yet."""
    rules = cache.get(POLICY_RULES_CACHE_KEY)
    if rules is None:
        rows = list(PolicyRule.objects.filter(active=True))
        rules = [
            Rule(
                id=r.pk,
                category=r.category,
                terms=tuple(r.terms),
                context_terms=tuple(r.context_terms),
                unless_terms=tuple(r.unless_terms),
                scope=r.scope,
                explanation=r.explanation,
            )
            for r in rows
        ] or default_rules()
        cache.set(POLICY_RULES_CACHE_KEY, rules, timeout=300)
    return rules


def lab_constraints(lab: Lab) -> list[Constraint]:
    """The brief's blocking constraints (« ne doit pas mentionner » lines marked to block), for the gate."""
    return [
        Constraint(label=c.label, terms=tuple(c.terms or ()))
        for c in lab.criteria.all()
        if c.kind == "must_not_mention" and (c.params or {}).get("block") and c.terms
    ]


def lab_prompt_policy(*, lab: Lab, prompt: str) -> PolicyResult:
    """The ethics gate on ``prompt`` in ``lab``: the shared rules and the brief's blocking constraints."""
    return check_prompt(prompt, lab_policy_rules(), constraints=lab_constraints(lab))


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
    """A learner's attempts (drafts) on ``lab``, newest first; final renders are not attempts."""
    return Submission.objects.filter(lab=lab, learner=learner, tier=Submission.Tier.DRAFT).order_by("-created_at")


_ATTEMPTS = CompiledQuery(
    lambda lab_id, learner_id: learner_submissions(learner=learner_id, lab=lab_id),
    lab_id=int,
    learner_id=int,
)


def learner_attempts(*, learner, lab: Lab) -> list[Submission]:
    """``learner_submissions`` as a list, in one compiled read (the lab page asks on every visit)."""
    return _ATTEMPTS.rows(lab_id=lab.pk, learner_id=learner.pk)


@dataclass(frozen=True)
class CountedGrade:
    """A learner's grade on a lab: the attempt that counts, its final score, and whether it passes."""

    attempt: Submission
    score: int | None
    passed: bool


def counted_grade(attempts: Iterable[Submission], *, lab: Lab) -> CountedGrade | None:
    """The rule of the grade that counts, over one learner's attempts on ``lab`` (any order, any state).

    Only graded attempts count, each with its final score and pass (a trainer's
    override wins: Submission.final_score, final_passed). « Last »: the latest
    graded attempt. « Best »: a passing attempt before any other, then the
    highest score, then the latest, so a pass once earned is never lost to a
    higher-scored attempt that fails the brief or the ethics checks.
    """
    graded = [attempt for attempt in attempts if attempt.state == Submission.State.GRADED]
    if not graded:
        return None
    if lab.grading == Lab.Grading.LAST:
        attempt = max(graded, key=lambda a: (a.created_at, a.pk or 0))
    else:
        attempt = max(graded, key=lambda a: (a.final_passed, a.final_score or 0, a.created_at, a.pk or 0))
    return CountedGrade(attempt=attempt, score=attempt.final_score, passed=attempt.final_passed)


def grade_that_counts(*, learner, lab: Lab) -> CountedGrade | None:
    """The learner's grade that counts on ``lab``, or None before a graded attempt.

    The one answer for the lab and attempt pages, the lab's analytics, course
    progress (hence the certificate) and grade passback to other platforms.
    """
    attempts = graded_submissions(learner=learner, lab=lab).select_related("lab")
    return counted_grade(attempts, lab=lab)


def attempts_used(*, learner, lab: Lab) -> int:
    return learner_submissions(learner=learner, lab=lab).filter(counts_as_attempt=True).count()


# --- learner pages (lab page, attempt page, comparison) ----------------------


@dataclass(frozen=True)
class LabAllowance:
    """What a learner has used of a lab's attempts and budgets, as the submit service counts them."""

    attempts_used: int
    attempts_max: int  # 0 = unlimited
    generations_used: int
    generations_max: int  # 0 = unlimited
    cost_spent: Decimal
    cost_max: Decimal | None
    in_flight: Submission | None

    @property
    def attempts_left(self) -> int | None:
        return None if not self.attempts_max else max(self.attempts_max - self.attempts_used, 0)

    @property
    def generations_left(self) -> int | None:
        return None if not self.generations_max else max(self.generations_max - self.generations_used, 0)

    @property
    def cost_left(self) -> Decimal | None:
        return None if self.cost_max is None else max(self.cost_max - self.cost_spent, Decimal("0"))

    @property
    def exhausted(self) -> bool:
        return self.attempts_left == 0 or self.generations_left == 0 or self.cost_left == Decimal("0")


def lab_for_page(slug: str) -> Lab | None:
    return Lab.objects.select_related("step__module__course", "ethics_step").filter(slug=slug).first()


def lab_for_learner_page(slug: str) -> Lab | None:
    """``lab_for_page`` with the rubric prefetched, from the content cache (bumped by any lab, criterion
    or course edit): what the lab page and the coach read on every request."""

    def build() -> Lab | None:
        return (
            Lab.objects.select_related("step__module__course", "ethics_step")
            .prefetch_related("criteria")
            .filter(slug=slug)
            .first()
        )

    return courses_api.cached_content("lab", build, slug)


def lab_for_step(step_id: int) -> Lab | None:
    return Lab.objects.select_related("step__module__course").filter(step_id=step_id).first()


def allowance_from(attempts: Iterable[Submission], *, lab: Lab) -> LabAllowance:
    """``lab_allowance`` counted over a learner's attempts already fetched (``learner_submissions``, newest first)."""
    attempts = list(attempts)
    return LabAllowance(
        attempts_used=sum(1 for a in attempts if a.counts_as_attempt),
        attempts_max=lab.max_attempts,
        generations_used=sum(1 for a in attempts if a.state not in Submission.NOT_GENERATED_STATES),
        generations_max=lab.budget_generations_per_learner,
        cost_spent=sum((a.cost for a in attempts if a.cost is not None), Decimal("0")),
        cost_max=lab.budget_cost_per_learner,
        in_flight=next((a for a in attempts if a.state in Submission.IN_FLIGHT_STATES), None),
    )


def lab_allowance(*, learner, lab: Lab) -> LabAllowance:
    mine = learner_submissions(learner=learner, lab=lab)
    counts = mine.aggregate(
        attempts=Count("pk", filter=Q(counts_as_attempt=True)),
        generations=Count("pk", filter=~Q(state__in=Submission.NOT_GENERATED_STATES)),
        cost=Sum("cost"),
    )
    return LabAllowance(
        attempts_used=counts["attempts"],
        attempts_max=lab.max_attempts,
        generations_used=counts["generations"],
        generations_max=lab.budget_generations_per_learner,
        cost_spent=counts["cost"] or Decimal("0"),
        cost_max=lab.budget_cost_per_learner,
        in_flight=mine.filter(state__in=Submission.IN_FLIGHT_STATES).first(),
    )


@dataclass(frozen=True)
class FinalAllowance:
    """A learner's final renders on a lab: a budget separate from the attempts'."""

    used: int
    max: int  # 0 = unlimited
    cost_spent: Decimal
    cost_max: Decimal | None

    @property
    def left(self) -> int | None:
        return None if not self.max else max(self.max - self.used, 0)

    @property
    def exhausted(self) -> bool:
        return self.left == 0 or (self.cost_max is not None and self.cost_spent >= self.cost_max)


def final_renders(*, learner, lab: Lab) -> QuerySet[Submission]:
    return Submission.objects.filter(lab=lab, learner=learner, tier=Submission.Tier.FINAL)


def final_allowance(*, learner, lab: Lab) -> FinalAllowance:
    """Finals that produced (or may still produce) a video count; blocked and failed ones do not."""
    counts = (
        final_renders(learner=learner, lab=lab)
        .exclude(state__in=Submission.NOT_GENERATED_STATES)
        .aggregate(used=Count("pk"), cost=Sum("cost"))
    )
    return FinalAllowance(
        used=counts["used"],
        max=lab.budget_finals_per_learner,
        cost_spent=counts["cost"] or Decimal("0"),
        cost_max=lab.budget_final_cost_per_learner,
    )


def final_of(draft: Submission) -> Submission | None:
    """The final render of a draft: the live one (in flight or graded), else the latest attempt at one."""
    finals = Submission.objects.filter(draft=draft, tier=Submission.Tier.FINAL).order_by("-created_at", "-pk")
    return finals.exclude(state__in=Submission.NOT_GENERATED_STATES).first() or finals.first()


_DRAFT_PROMPT = CompiledQuery(
    lambda lab_id, learner_id: (
        LabDraft.objects.filter(lab_id=lab_id, learner_id=learner_id).order_by("pk").values_list("prompt")[:1]
    ),
    lab_id=int,
    learner_id=int,
)


def learner_draft_prompt(*, learner, lab: Lab) -> str:
    row = _DRAFT_PROMPT.first(lab_id=lab.pk, learner_id=learner.pk)
    return (row[0] if row else "") or ""


def submission_for_page(pk: int) -> Submission | None:
    related = ("lab__step__module__course", "lab__ethics_step", "learner", "override_by", "draft")
    return Submission.objects.select_related(*related).filter(pk=pk).first()


def graded_submissions(*, learner, lab: Lab) -> QuerySet[Submission]:
    return learner_submissions(learner=learner, lab=lab).filter(state=Submission.State.GRADED)


# --- trainer pages (authoring, attempts, analytics, ethics rules) -------------


def trainer_lab_submissions(
    *,
    lab: Lab,
    state: str = "",
    outcome: str = "",
    query: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet[Submission]:
    """A lab's attempts for its trainers, newest first, each with ``attempt_number`` (per learner, from 1)."""
    from django.db.models import OuterRef, Subquery  # local: this part of the module is append-only

    earlier = (
        Submission.objects.filter(
            lab_id=OuterRef("lab_id"),
            learner_id=OuterRef("learner_id"),
            tier=Submission.Tier.DRAFT,
            created_at__lte=OuterRef("created_at"),
        )
        .order_by()
        .values("learner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    submissions = (
        Submission.objects.filter(lab=lab, tier=Submission.Tier.DRAFT)
        .select_related("lab", "learner", "override_by")
        .defer("result")
        .annotate(attempt_number=Subquery(earlier))
        .order_by("-created_at", "-pk")
    )
    if state:
        submissions = submissions.filter(state=state)
    passed = Q(override_score__isnull=True, passed=True) | Q(override_score__gte=lab.pass_mark)
    if outcome == "passed":
        submissions = submissions.filter(passed)
    elif outcome == "failed":
        submissions = submissions.filter(state__in=[Submission.State.GRADED, Submission.State.BLOCKED]).exclude(passed)
    if query:
        submissions = submissions.filter(
            Q(learner__email__icontains=query)
            | Q(learner__first_name__icontains=query)
            | Q(learner__last_name__icontains=query)
        )
    if date_from:
        submissions = submissions.filter(created_at__date__gte=date_from)
    if date_to:
        submissions = submissions.filter(created_at__date__lte=date_to)
    return submissions


def submission_neighbours(submission: Submission) -> tuple[Submission | None, Submission | None]:
    """The lab's attempts made just before and just after ``submission``."""
    same_lab = Submission.objects.filter(lab_id=submission.lab_id, tier=submission.tier).only("pk", "created_at")
    before = Q(created_at__lt=submission.created_at) | Q(created_at=submission.created_at, pk__lt=submission.pk)
    after = Q(created_at__gt=submission.created_at) | Q(created_at=submission.created_at, pk__gt=submission.pk)
    previous = same_lab.filter(before).order_by("-created_at", "-pk").first()
    following = same_lab.filter(after).order_by("created_at", "pk").first()
    return previous, following


def latest_regrade(lab: Lab):
    return lab.regrades.select_related("requested_by").order_by("-created_at", "-pk").first()


def lab_analytics_rows(lab: Lab) -> list[dict]:
    """One row per attempt with what labs.analytics needs (one query)."""
    return list(
        Submission.objects.filter(lab=lab, tier=Submission.Tier.DRAFT)
        .order_by("created_at", "pk")
        .values(
            "learner_id",
            "state",
            "score",
            "override_score",
            "passed",
            "counts_as_attempt",
            "created_at",
            "finished_at",
            "cost",
            "result",
        )
    )


def policy_rules_for_trainers() -> QuerySet[PolicyRule]:
    return PolicyRule.objects.select_related("created_by").order_by("category", "-active", "id")
