"""Reads for the trainer's side: their courses, outlines, question bank, learners' progress.

The learners' progress table runs a fixed number of queries whatever the
number of learners and steps: rows are fetched in bulk and joined in Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from courses import step_providers
from courses.models import Course, DailyActivity, Enrolment, LessonImage, Module, Question, Step, StepProgress


def editable_courses(user) -> QuerySet[Course]:
    """Courses ``user`` may author: all for admins, owned or co-trained for trainers, none otherwise."""
    if not user.is_authenticated or not user.is_trainer:
        return Course.objects.none()
    if user.is_admin:
        return Course.objects.all()
    co_trained = Course.co_trainers.through.objects.filter(user_id=user.pk).values("course_id")
    return Course.objects.filter(Q(owner=user) | Q(pk__in=co_trained))


def editable_course(user, slug: str) -> Course | None:
    return editable_courses(user).select_related("owner").filter(slug=slug).first()


def authoring_course_list(user) -> QuerySet[Course]:
    """The trainer's courses with counts for the list page (one query)."""
    return (
        editable_courses(user)
        .select_related("owner")
        .annotate(
            module_count=Count("modules", distinct=True),
            step_count=Count("modules__steps", distinct=True),
            learner_count=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ACTIVE), distinct=True),
        )
        .order_by("-updated_at", "title")
    )


def is_course_manager(user, course: Course) -> bool:
    """Owner or admin: who may change the list of co-trainers."""
    return user.is_authenticated and (user.is_admin or course.owner_id == user.pk)


# --- Outline -----------------------------------------------------------------


@dataclass
class OutlineStep:
    step: Step
    lab_url: str | None = None  # where the labs app edits a lab step; None if no provider


@dataclass
class OutlineModule:
    module: Module
    steps: list[OutlineStep] = field(default_factory=list)


def authoring_outline(course: Course) -> list[OutlineModule]:
    """Modules in order with their steps in order (2 queries)."""
    modules = {m.pk: OutlineModule(m) for m in course.modules.order_by("position", "id")}
    provider = step_providers.get(Step.Kind.LAB)
    steps = Step.objects.filter(module__course=course).order_by("position", "id")
    for step in steps:
        lab_url = provider.authoring_url_for(step) if step.kind == Step.Kind.LAB and provider is not None else None
        step.module = modules[step.module_id].module
        modules[step.module_id].steps.append(OutlineStep(step, lab_url))
    return list(modules.values())


def course_step(course: Course, step_id: int, *, kind: str | None = None) -> Step | None:
    steps = Step.objects.select_related("module", "module__course").filter(pk=step_id, module__course=course)
    if kind is not None:
        steps = steps.filter(kind=kind)
    return steps.first()


def course_module(course: Course, module_id: int) -> Module | None:
    return course.modules.filter(pk=module_id).first()


# --- Question bank, quizzes, images --------------------------------------------


def question_bank(course: Course) -> QuerySet[Question]:
    return course.questions.prefetch_related("choices").annotate(quiz_count=Count("quizzes")).order_by("id")


def course_question(course: Course, question_id: int) -> Question | None:
    return course.questions.prefetch_related("choices").filter(pk=question_id).first()


def bank_tags(course: Course) -> list[str]:
    """Every tag used in the course's bank, sorted, for hints in the quiz form."""
    tags: set[str] = set()
    for question_tags in course.questions.values_list("tags", flat=True):
        tags.update(question_tags or [])
    return sorted(tags, key=str.casefold)


def course_images(course: Course) -> QuerySet[LessonImage]:
    return course.images.order_by("-uploaded_at")


# --- Learners' progress --------------------------------------------------------


@dataclass
class ProgressCell:
    step: Step
    progress: StepProgress | None

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.completed_at is not None

    @property
    def score(self) -> int | None:
        return self.progress.score if self.progress is not None else None


@dataclass
class LearnerRow:
    enrolment: Enrolment
    cells: list[ProgressCell]
    last_activity: datetime | None

    @property
    def user(self):
        return self.enrolment.user

    @property
    def done_count(self) -> int:
        return sum(1 for cell in self.cells if cell.done)

    @property
    def percent(self) -> int:
        required = [cell for cell in self.cells if cell.step.required] or self.cells
        if not required:
            return 0
        return sum(1 for cell in required if cell.done) * 100 // len(required)


@dataclass
class ProgressTable:
    steps: list[Step]
    rows: list[LearnerRow]

    def __iter__(self) -> Iterator[LearnerRow]:
        return iter(self.rows)


def learner_progress_table(course: Course) -> ProgressTable:
    """Active learners × steps with completion and score (4 queries, whatever the sizes)."""
    steps = list(
        Step.objects.filter(module__course=course)
        .select_related("module")
        .order_by("module__position", "module_id", "position", "id")
    )
    enrolments = list(
        Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    user_ids = [e.user_id for e in enrolments]
    progress = {
        (row.user_id, row.step_id): row
        for row in StepProgress.objects.filter(step__module__course=course, user_id__in=user_ids)
    }
    last_days = dict(
        DailyActivity.objects.filter(course=course, user_id__in=user_ids)
        .values("user_id")
        .annotate(last=Max("day"))
        .values_list("user_id", "last")
    )
    rows = []
    for enrolment in enrolments:
        cells = [ProgressCell(step, progress.get((enrolment.user_id, step.pk))) for step in steps]
        seen = [c.progress.last_seen_at for c in cells if c.progress is not None and c.progress.last_seen_at]
        seen += [c.progress.completed_at for c in cells if c.progress is not None and c.progress.completed_at]
        last = max(seen) if seen else None
        day = last_days.get(enrolment.user_id)
        if last is None and day is not None:
            last = timezone.make_aware(datetime.combine(day, time.min))
        rows.append(LearnerRow(enrolment, cells, last))
    return ProgressTable(steps, rows)


def idle_enrolments(courses: QuerySet[Course], *, since: datetime) -> QuerySet[Enrolment]:
    """Active, unfinished enrolments in ``courses`` whose learner completed no step since ``since``.

    Each carries ``last_progress_at``: when they last completed a step of the
    course (None: never; then the enrolment itself is older than ``since``).
    Oldest progress first; one query with the learner and the course.
    """
    last_completed = (
        StepProgress.objects.filter(
            user_id=OuterRef("user_id"), step__module__course_id=OuterRef("course_id"), completed_at__isnull=False
        )
        .order_by("-completed_at")
        .values("completed_at")[:1]
    )
    return (
        Enrolment.objects.filter(
            course__in=courses,
            status=Enrolment.Status.ACTIVE,
            completed_at__isnull=True,
            enrolled_at__lt=since,
            user__is_active=True,
        )
        .exclude(user_id=F("course__owner_id"))  # the author trying their own course
        .annotate(last_progress_at=Subquery(last_completed))
        .filter(Q(last_progress_at__isnull=True) | Q(last_progress_at__lt=since))
        .select_related("user", "course")
        .order_by(F("last_progress_at").asc(nulls_first=True), "enrolled_at", "pk")
    )
