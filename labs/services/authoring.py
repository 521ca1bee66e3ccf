"""Writes for lab authors: the lab's settings and its rubric (and trying the rubric out).

Views check who may act (courses.permissions.can_edit_course); these
functions keep the data consistent (validation, criterion positions) whoever
calls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.api import Step, bump_content_version
from labs.grading.anatomy import parse_prompt
from labs.grading.rubric import score_prompt_and_video
from labs.grading.rubric import video_check_label as rubric_video_check_label
from labs.models import RESERVED_LAB_SLUGS, Criterion, Lab
from labs.selectors import lab_criteria_specs, lab_prompt_policy

Direction = Literal["up", "down"]

LAB_FIELDS = (
    "slug",
    "brief",
    "duration_s",
    "aspect_ratio",
    "backend_alias",
    "pass_mark",
    "max_attempts",
    "grading",
    "reference_prompt",
    "ethics_step",
    "budget_generations_per_learner",
    "budget_cost_per_learner",
    "budget_cost_cohort",
    "final_backend_alias",
    "final_requires_pass",
    "budget_finals_per_learner",
    "budget_final_cost_per_learner",
)


def video_check_label(check: str, params: dict[str, Any] | None, language: str) -> str:
    """The default label of a video check, in ``language``."""
    with translation.override(language):
        return rubric_video_check_label(check, params)


CRITERION_FIELDS = ("kind", "element", "video_check", "label", "terms", "params", "weight", "hidden", "hint")


def _apply(instance: Any, names: tuple[str, ...], fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(names)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(instance, name, value)


def unique_lab_slug(title: str) -> str:
    """A free slug made from ``title`` ("teaser", then "teaser-2"...), never one of the reserved URL segments."""
    base = slugify(title)[:100] or "labo"
    taken = set(Lab.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | RESERVED_LAB_SLUGS
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _check_ethics_step(lab: Lab) -> None:
    """The ethics lesson, if any, is a lesson of the lab's own course."""
    step = lab.ethics_step
    if step is not None and (step.kind != Step.Kind.LESSON or step.module.course_id != lab.step.module.course_id):
        raise ValidationError({"ethics_step": _("Choisissez une leçon de ce cours.")})


@transaction.atomic
def lab_create(*, step: Step, **fields: Any) -> Lab:
    """The lab of a course step of kind "lab" (one per step)."""
    lab = Lab(step=step)
    _apply(lab, LAB_FIELDS, fields)
    lab.full_clean()
    _check_ethics_step(lab)
    lab.save()
    return lab


@transaction.atomic
def lab_update(*, lab: Lab, **fields: Any) -> Lab:
    _apply(lab, LAB_FIELDS, fields)
    lab.full_clean()
    _check_ethics_step(lab)
    lab.save()
    return lab


@transaction.atomic
def criterion_add(*, lab: Lab, **fields: Any) -> Criterion:
    """Append a criterion at the end of the lab's rubric."""
    last = Criterion.objects.select_for_update().filter(lab=lab).aggregate(last=Max("position"))["last"]
    criterion = Criterion(lab=lab, position=0 if last is None else last + 1)
    _apply(criterion, CRITERION_FIELDS, fields)
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criterion_update(*, criterion: Criterion, **fields: Any) -> Criterion:
    _apply(criterion, CRITERION_FIELDS, fields)
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: Criterion) -> None:
    lab_id = criterion.lab_id
    criterion.delete()
    _renumber(list(Criterion.objects.select_for_update().filter(lab_id=lab_id).order_by("position", "id")))


@transaction.atomic
def criterion_move(*, criterion: Criterion, direction: Direction) -> bool:
    """Swap ``criterion`` with its neighbour; False when it is already at that end."""
    siblings = list(Criterion.objects.select_for_update().filter(lab_id=criterion.lab_id).order_by("position", "id"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == criterion.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(siblings)
    return True


def _renumber(items: list[Criterion]) -> None:
    changed = []
    for position, item in enumerate(items):
        if item.position != position:
            item.position = position
            changed.append(item)
    Criterion.objects.bulk_update(changed, ["position"])
    bump_content_version()  # no signal from a bulk update: the cached lab would keep the old order


@dataclass(frozen=True)
class RubricTry:
    """The rubric applied to a trainer's sample prompt, without a video."""

    result: dict[str, Any]  # as stored on a Submission (video criteria score 0: nothing to analyse)
    prompt_score: int | None  # the score over the prompt-side criteria only; None without any

    @property
    def criteria(self) -> list[dict[str, Any]]:
        return [{**item, "not_analysed": item["kind"] == Criterion.Kind.VIDEO} for item in self.result["criteria"]]

    @property
    def has_video_criteria(self) -> bool:
        return any(item["kind"] == Criterion.Kind.VIDEO for item in self.result["criteria"])


def rubric_try(*, lab: Lab, prompt: str, language: str) -> RubricTry:
    """Score ``prompt`` against the lab's rubric as the grader would, minus the video (writes nothing)."""
    specs = lab_criteria_specs(lab)
    result = score_prompt_and_video(
        criteria=specs,
        anatomy=parse_prompt(prompt, None),
        metrics=None,
        policy=lab_prompt_policy(lab=lab, prompt=prompt),
        pass_mark=lab.pass_mark,
        target_duration_s=float(lab.duration_s),
        language=language,
    )
    # Without metrics the scorer leaves video checks unlabelled: name them as the rubric table does.
    video_labels = {
        s.key: s.label or video_check_label(s.video_check, s.params, language) for s in specs if s.kind == "video"
    }
    for item in result["criteria"]:
        if item["key"] in video_labels:
            item["label"] = video_labels[item["key"]]
    prompt_side = [item for item in result["criteria"] if item["kind"] != Criterion.Kind.VIDEO]
    weight = sum(item["weight"] for item in prompt_side)
    prompt_score = round(100 * sum(item["weight"] * item["score"] for item in prompt_side) / weight) if weight else None
    return RubricTry(result=result, prompt_score=prompt_score)
