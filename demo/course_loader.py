"""Load a course, its question bank and its labs from a TOML file (demo/content/README.md).

Idempotent: running it again updates the course in place (matched by slug,
modules and steps by position, questions by key, labs by slug) and keeps
learners' progress.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from courses.models import Choice, Course, Lesson, Module, Question, Quiz, Step, Tag
from courses.services.authoring import tag_for_name
from labs.models import Criterion, Lab

CONTENT_DIR = Path(__file__).resolve().parent / "content"


def read_course_file(path: Path) -> dict:
    with path.open("rb") as handle:
        return tomllib.load(handle)


@transaction.atomic
def load_course(data: dict, *, owner, publish: bool = True) -> Course:
    meta = data["course"]
    translation_of = None
    if meta.get("translation_of"):
        translation_of = Course.objects.filter(slug=meta["translation_of"]).first()
    course, _created = Course.objects.update_or_create(
        slug=meta["slug"],
        defaults={
            "title": meta["title"],
            "language": meta.get("language", "fr"),
            "translation_of": translation_of,
            "level": meta.get("level", Course.Level.BEGINNER),
            "summary": meta.get("summary", ""),
            "description": meta.get("description", ""),
            "prerequisites": meta.get("prerequisites", ""),
            "duration_hours": Decimal(str(meta.get("duration_hours", 1))),
            "enrolment": meta.get("enrolment", Course.Enrolment.OPEN),
            "sequential": bool(meta.get("sequential", False)),
            "owner": owner,
        },
    )
    if publish and course.status != Course.Status.PUBLISHED:
        course.status = Course.Status.PUBLISHED
        course.published_at = timezone.now()
        course.save(update_fields=["status", "published_at"])
    course.tags.set([_tag(name) for name in meta.get("tags", [])])
    _load_questions(course, data.get("question_bank", []))
    for module_position, module_data in enumerate(data.get("modules", []), start=1):
        module, _ = Module.objects.update_or_create(
            course=course,
            position=module_position,
            defaults={"title": module_data["title"], "summary": module_data.get("summary", "")},
        )
        for step_position, step_data in enumerate(module_data.get("steps", []), start=1):
            _load_step(course, module, step_position, step_data)
    _link_ethics_lessons(course, data)
    return course


def _link_ethics_lessons(course: Course, data: dict) -> None:
    """Each lab's ``ethics_lesson`` names a lesson of the course by its exact title (it may come later in the file)."""
    lessons = {step.title: step for step in Step.objects.filter(module__course=course, kind=Step.Kind.LESSON)}
    for module_data in data.get("modules", []):
        for step_data in module_data.get("steps", []):
            title = step_data.get("ethics_lesson")
            if step_data["kind"] != Step.Kind.LAB or not title:
                continue
            if title not in lessons:
                raise ValueError(f"lab {step_data['slug']}: no lesson titled {title!r} in course {course.slug}")
            Lab.objects.filter(slug=step_data["slug"]).update(ethics_step=lessons[title])


def _tag(name: str) -> Tag:
    return tag_for_name(name)


def _load_questions(course: Course, questions: list[dict]) -> None:
    for item in questions:
        question, _ = Question.objects.update_or_create(
            course=course,
            key=item["key"],
            defaults={
                "kind": item.get("kind", Question.Kind.SINGLE),
                "text": item["text"],
                "explanation": item.get("explanation", ""),
                "tags": item.get("tags", []),
            },
        )
        question.choices.all().delete()
        Choice.objects.bulk_create(
            Choice(question=question, text=choice["text"], correct=bool(choice.get("correct")), position=position)
            for position, choice in enumerate(item.get("choices", []), start=1)
        )


def _load_step(course: Course, module: Module, position: int, data: dict) -> Step:
    kind = data["kind"]
    step, _ = Step.objects.update_or_create(
        module=module,
        position=position,
        defaults={
            "kind": kind,
            "title": data["title"],
            "minutes": int(data.get("minutes", 10)),
            "required": data.get("required", True),
        },
    )
    if kind == Step.Kind.LESSON:
        Lesson.objects.update_or_create(step=step, defaults={"body": data.get("body", "")})
    elif kind == Step.Kind.QUIZ:
        Quiz.objects.update_or_create(
            step=step,
            defaults={
                "pass_mark": int(data.get("pass_mark", 70)),
                "max_attempts": int(data.get("max_attempts", 3)),
                "draw_count": int(data.get("draw", 5)),
                "question_tags": data.get("question_tags", []),
            },
        )
    elif kind == Step.Kind.LAB:
        _load_lab(step, data)
    return step


def _load_lab(step: Step, data: dict) -> Lab:
    lab, _ = Lab.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "step": step,
            "brief": data.get("brief", ""),
            "duration_s": Decimal(str(data.get("duration_s", 5))),
            "aspect_ratio": data.get("aspect_ratio", Lab.AspectRatio.LANDSCAPE),
            "pass_mark": int(data.get("pass_mark", 70)),
            "max_attempts": int(data.get("max_attempts", 5)),
            "grading": data.get("grading", Lab.Grading.BEST),
            "reference_prompt": data.get("reference_prompt", "").strip(),
            "budget_generations_per_learner": int(data.get("budget_per_learner", 20)),
        },
    )
    lab.criteria.all().delete()
    Criterion.objects.bulk_create(
        Criterion(
            lab=lab,
            kind=item["kind"],
            element=item.get("element", ""),
            video_check=item.get("check", ""),
            label=item.get("label", ""),
            terms=item.get("terms", []),
            params=_criterion_params(item),
            weight=int(item.get("weight", 10)),
            hidden=bool(item.get("hidden", False)),
            position=position,
        )
        for position, item in enumerate(data.get("criteria", []), start=1)
    )
    return lab


def _criterion_params(item: dict) -> dict:
    """A video check's colour; « block = true » makes a « must not mention » line a blocking constraint."""
    params: dict = {}
    if item.get("colour"):
        params["colour"] = item["colour"]
    if item.get("block"):
        params["block"] = True
    return params
