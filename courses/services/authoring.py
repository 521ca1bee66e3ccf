"""Writes for the trainer's side: courses, outline, lessons, quizzes, question bank, publishing, co-trainers.

Views check who may act (courses.permissions); these functions keep the data
consistent (positions, choice rules, publish rules) whoever calls them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Model, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from courses.content_cache import bump_content_version
from courses.covers import validate_cover
from courses.images import validate_and_clean_image
from courses.models import RESERVED_COURSE_SLUGS, Choice, Course, Lesson, LessonImage, Module, Question, Quiz, Step, Tag
from courses.videos import validate_video

Direction = Literal["up", "down"]

# First URL segments of the courses app: a course slug must never equal one.

COURSE_FIELDS = (
    "title",
    "slug",
    "language",
    "translation_of",
    "level",
    "summary",
    "description",
    "prerequisites",
    "duration_hours",
    "enrolment",
    "sequential",
)


# --- Courses -----------------------------------------------------------------


def unique_course_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A free slug made from ``title``: "mon-cours", then "mon-cours-2", "mon-cours-3"…"""
    base = slugify(title)[:110] or "cours"
    taken = set(Course.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    taken |= RESERVED_COURSE_SLUGS
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def parse_tag_names(text: str) -> list[str]:
    """Split "IA, vidéo ,, prompt" into ["IA", "vidéo", "prompt"]: trimmed, no empties, no duplicates."""
    seen: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:60]
        if name and slugify(name) and slugify(name) not in seen:
            seen[slugify(name)] = name
    return list(seen.values())


def tag_for_name(name: str) -> Tag:
    """The tag spelt ``name`` (case aside), created if new. Matched on the name, not the slug: « vidéo » and
    "video" share a slug but are two tags, so an English course never shows a French tag."""
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag:
        return tag
    base = slugify(name)[:54] or "tag"
    slug, suffix = base, 2
    while Tag.objects.filter(slug=slug).exists():
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return Tag.objects.create(name=name, slug=slug)


def _tags_for(names: Iterable[str]) -> list[Tag]:
    return [tag_for_name(name) for name in names]


def _apply_course_fields(course: Course, fields: dict) -> None:
    for name in COURSE_FIELDS:
        if name in fields:
            setattr(course, name, fields[name])
    if not course.slug:
        course.slug = unique_course_slug(course.title, exclude_pk=course.pk)


@transaction.atomic
def course_create(*, owner, tag_names: Sequence[str] = (), **fields) -> Course:
    """Create a draft course owned by ``owner``; ``fields`` are Course fields (see COURSE_FIELDS)."""
    course = Course(owner=owner, status=Course.Status.DRAFT)
    _apply_course_fields(course, fields)
    course.full_clean()
    course.save()
    course.tags.set(_tags_for(tag_names))
    return course


@transaction.atomic
def course_update(*, course: Course, tag_names: Sequence[str] | None = None, **fields) -> Course:
    _apply_course_fields(course, fields)
    course.full_clean()
    course.save()
    if tag_names is not None:
        course.tags.set(_tags_for(tag_names))
    return course


def course_publish_problems(course: Course) -> list[str]:
    """Why ``course`` cannot be published yet (empty when it can)."""
    if not Step.objects.filter(module__course=course).exists():
        return [str(_("Ajoutez au moins un module contenant au moins une étape avant de publier."))]
    return []


@transaction.atomic
def course_publish(*, course: Course) -> Course:
    problems = course_publish_problems(course)
    if problems:
        raise ValidationError(problems, code="not_publishable")
    course.status = Course.Status.PUBLISHED
    course.published_at = timezone.now()
    course.save(update_fields=["status", "published_at", "updated_at"])
    return course


@transaction.atomic
def course_unpublish(*, course: Course) -> Course:
    """Back to draft: learners lose access (404) but keep their progress for a later republication."""
    course.status = Course.Status.DRAFT
    course.save(update_fields=["status", "updated_at"])
    return course


# --- Co-trainers -------------------------------------------------------------


@transaction.atomic
def cotrainer_add(*, course: Course, email: str):
    """Add the trainer or admin with this email address as a co-trainer; returns the user."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.is_trainer:
        raise ValidationError(_("Aucun formateur ni administrateur n'a cette adresse e-mail."), code="not_a_trainer")
    if user.pk == course.owner_id:
        raise ValidationError(_("Cette personne est déjà la formatrice ou le formateur responsable."), code="owner")
    if course.co_trainers.filter(pk=user.pk).exists():
        raise ValidationError(_("Cette personne est déjà co-formatrice ou co-formateur."), code="already")
    course.co_trainers.add(user)
    return user


@transaction.atomic
def cotrainer_remove(*, course: Course, user) -> None:
    course.co_trainers.remove(user)


# --- Modules and steps -------------------------------------------------------


def _next_position(queryset: QuerySet) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def module_create(*, course: Course, title: str, summary: str = "") -> Module:
    module = Module(course=course, title=title, summary=summary, position=_next_position(course.modules.all()))
    module.full_clean()
    module.save()
    return module


@transaction.atomic
def module_update(*, module: Module, title: str, summary: str = "") -> Module:
    module.title, module.summary = title, summary
    module.full_clean()
    module.save()
    return module


@transaction.atomic
def module_delete(*, module: Module) -> None:
    """Delete a module with its steps (and the learners' progress on them)."""
    module.delete()


@transaction.atomic
def step_create(*, module: Module, kind: str, title: str, minutes: int = 10, required: bool = True) -> Step:
    """Add a step at the end of ``module``; lessons and quizzes get their content row at once.

    A lab's content lives in the labs app, which creates it from its own authoring page.
    """
    step = Step(
        module=module,
        kind=kind,
        title=title,
        minutes=minutes,
        required=required,
        position=_next_position(module.steps.all()),
    )
    step.full_clean()
    step.save()
    if kind == Step.Kind.LESSON:
        Lesson.objects.create(step=step)
    elif kind == Step.Kind.QUIZ:
        Quiz.objects.create(step=step)
    return step


def lesson_for_step(*, step: Step) -> Lesson:
    """The lesson of a lesson step; one is created for a step whose row is missing (made outside step_create)."""
    lesson, _created = Lesson.objects.get_or_create(step=step)
    return lesson


def quiz_for_step(*, step: Step) -> Quiz:
    """The quiz of a quiz step; one is created for a step whose row is missing (made outside step_create)."""
    quiz, _created = Quiz.objects.get_or_create(step=step)
    return quiz


@transaction.atomic
def step_update(*, step: Step, title: str, minutes: int, required: bool) -> Step:
    step.title, step.minutes, step.required = title, minutes, required
    step.full_clean()
    step.save()
    return step


@transaction.atomic
def step_delete(*, step: Step) -> None:
    step.delete()


# --- Ordering ----------------------------------------------------------------


def _renumber(items: Sequence[Model]) -> None:
    """Give ``items`` positions 1..n in list order, writing only those that changed."""
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["position"])
        bump_content_version()  # a bulk update sends no post_save: outlines cached per content version would stay


def _move(siblings: list, item_pk: int, direction: Direction) -> bool:
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item_pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    _renumber(siblings)
    return True


@transaction.atomic
def step_move(*, step: Step, direction: Direction) -> bool:
    """Swap ``step`` with its neighbour in its module; False when already at that end."""
    siblings = list(Step.objects.select_for_update().filter(module_id=step.module_id).order_by("position", "id"))
    return _move(siblings, step.pk, direction)


@transaction.atomic
def module_move(*, module: Module, direction: Direction) -> bool:
    siblings = list(Module.objects.select_for_update().filter(course_id=module.course_id).order_by("position", "id"))
    return _move(siblings, module.pk, direction)


def _reorder(queryset: QuerySet, ordered_ids: Sequence[int]) -> None:
    items = {item.pk: item for item in queryset.select_for_update()}
    if sorted(items) != sorted(ordered_ids):
        raise ValidationError(
            _("L'ordre envoyé ne correspond pas aux éléments actuels ; rechargez la page."), code="stale"
        )
    _renumber([items[pk] for pk in ordered_ids])


@transaction.atomic
def steps_reorder(*, module: Module, step_ids: Sequence[int]) -> None:
    """Put the steps of ``module`` in the given order (all of them, each once)."""
    _reorder(Step.objects.filter(module=module), step_ids)


@transaction.atomic
def modules_reorder(*, course: Course, module_ids: Sequence[int]) -> None:
    _reorder(Module.objects.filter(course=course), module_ids)


# --- Lessons, media ----------------------------------------------------------


@transaction.atomic
def lesson_update(*, lesson: Lesson, body: str, video_caption: str = "") -> Lesson:
    lesson.body, lesson.video_caption = body, video_caption
    lesson.full_clean()
    lesson.save()
    return lesson


@transaction.atomic
def lesson_video_set(*, lesson: Lesson, uploaded_file) -> Lesson:
    """Replace the lesson's example video with a checked MP4/WebM upload."""
    video_file, _info = validate_video(uploaded_file)
    old = lesson.video.name if lesson.video else ""
    lesson.video.save(video_file.name, video_file, save=True)
    if old:
        transaction.on_commit(lambda: lesson.video.storage.delete(old))
    return lesson


@transaction.atomic
def lesson_video_remove(*, lesson: Lesson) -> Lesson:
    old = lesson.video.name if lesson.video else ""
    lesson.video = ""
    lesson.save(update_fields=["video"])
    if old:
        transaction.on_commit(lambda: lesson.video.storage.delete(old))
    return lesson


@transaction.atomic
def lesson_image_create(*, course: Course, uploaded_file: IO[bytes], alt_text: str, uploaded_by) -> LessonImage:
    """Store a checked, metadata-free copy of an uploaded image for the course's lessons."""
    content, width, height, _format = validate_and_clean_image(uploaded_file)
    image = LessonImage(course=course, alt_text=alt_text, width=width, height=height, uploaded_by=uploaded_by)
    image.image.save(content.name, content, save=False)
    image.full_clean()
    image.save()
    return image


@transaction.atomic
def course_cover_set(*, course: Course, uploaded_file: IO[bytes]) -> Course:
    """Replace the course's cover with a checked, metadata-free copy of ``uploaded_file``."""
    content = validate_cover(uploaded_file)
    previous = course.cover.name
    course.cover.save(content.name, content, save=False)
    course.save(update_fields=["cover", "updated_at"])
    if previous:
        transaction.on_commit(lambda: course.cover.storage.delete(previous))
    return course


@transaction.atomic
def course_cover_remove(*, course: Course) -> Course:
    """Back to the cover generated from the title (removing none changes nothing)."""
    previous = course.cover.name
    if previous:
        course.cover = ""
        course.save(update_fields=["cover", "updated_at"])
        transaction.on_commit(lambda: course.cover.storage.delete(previous))
    return course


# --- Quizzes and the question bank -------------------------------------------


@transaction.atomic
def quiz_update(
    *,
    quiz: Quiz,
    pass_mark: int,
    max_attempts: int,
    draw_count: int,
    question_tags: Sequence[str],
    questions: Iterable[Question],
) -> Quiz:
    questions = list(questions)
    if any(question.course_id != quiz.step.module.course_id for question in questions):
        raise ValidationError(_("Une question choisie n'appartient pas à ce cours."), code="foreign_question")
    quiz.pass_mark, quiz.max_attempts, quiz.draw_count = pass_mark, max_attempts, draw_count
    quiz.question_tags = list(question_tags)
    quiz.full_clean()
    quiz.save()
    quiz.questions.set(questions)
    return quiz


@dataclass(frozen=True)
class ChoiceData:
    text: str
    correct: bool
    pk: int | None = None  # an existing Choice being edited


def choice_problems(kind: str, choices: Sequence[ChoiceData]) -> list[str]:
    """The rules a question's answers must follow, as messages (empty when they are met)."""
    problems: list[str] = []
    if len(choices) < 2:
        problems.append(str(_("Une question a au moins deux réponses possibles.")))
    correct = sum(1 for choice in choices if choice.correct)
    if kind == Question.Kind.SINGLE and correct != 1:
        problems.append(str(_("Une question à choix unique a exactement une réponse correcte.")))
    elif kind == Question.Kind.MULTIPLE and correct < 1:
        problems.append(str(_("Une question à choix multiples a au moins une réponse correcte.")))
    return problems


def unique_question_key(course: Course, text: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(text)[:70] or "question"
    taken = set(course.questions.filter(key__startswith=base).exclude(pk=exclude_pk).values_list("key", flat=True))
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


@transaction.atomic
def question_save(
    *,
    course: Course,
    kind: str,
    text: str,
    choices: Sequence[ChoiceData],
    explanation: str = "",
    tags: Sequence[str] = (),
    key: str = "",
    question: Question | None = None,
) -> Question:
    """Create (``question`` None) or replace a bank question and its answers, in the given order."""
    problems = choice_problems(kind, choices)
    if problems:
        raise ValidationError(problems, code="invalid_choices")
    if question is None:
        question = Question(course=course)
    question.kind, question.text, question.explanation, question.tags = kind, text, explanation, list(tags)
    question.key = key or question.key or unique_question_key(course, text, exclude_pk=question.pk)
    question.full_clean()
    question.save()
    _save_choices(question, choices)
    return question


def _save_choices(question: Question, choices: Sequence[ChoiceData]) -> None:
    """Update answers in place so their ids (kept in learners' past attempts) stay valid."""
    existing = {choice.pk: choice for choice in question.choices.all()}
    kept: set[int] = set()
    for position, data in enumerate(choices, start=1):
        choice = existing.get(data.pk) if data.pk is not None else None
        if choice is None:
            choice = Choice(question=question)
        choice.text, choice.correct, choice.position = data.text, data.correct, position
        choice.full_clean()
        choice.save()
        kept.add(choice.pk)
    question.choices.exclude(pk__in=kept).delete()


@transaction.atomic
def question_delete(*, question: Question) -> None:
    question.delete()
