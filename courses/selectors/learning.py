"""Reads for the learner's side: outline with unlocking, progress, dashboard.

Every function here runs a fixed number of queries whatever the size of the
course: steps and progress rows are fetched in bulk and joined in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from academy.compiled_queries import CompiledQuery
from courses import content_cache, step_providers
from courses.models import Certificate, Course, Enrolment, Lesson, Module, Step, StepProgress

COMPLETED = "completed"
OPEN = "open"
LOCKED = "locked"
UNAVAILABLE = "unavailable"


@dataclass
class StepState:
    step: Step
    number: int  # 1-based position in the whole course
    state: str
    score: int | None = None
    url: str | None = None
    locked_reason: str = ""
    previous: Step | None = None

    @property
    def completed(self) -> bool:
        return self.state == COMPLETED

    @property
    def locked(self) -> bool:
        return self.state == LOCKED

    @property
    def reachable(self) -> bool:
        return self.state in (COMPLETED, OPEN) and self.url is not None


@dataclass
class ModuleOutline:
    module: Module
    steps: list[StepState] = field(default_factory=list)

    @property
    def completed_count(self) -> int:
        return sum(1 for s in self.steps if s.completed)


class Outline(list):
    """A course's modules (``ModuleOutline``) for one learner.

    ``cache_key`` names everything the outline shows: the content version, the course and each
    step's state, score and URL. Two learners with the same progress share the rendered fragment
    (``{% cached_outline %}``); any edit or progress change gives another key.
    """

    cache_key: str = ""


@dataclass
class CourseProgress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return self.done * 100 // self.total


@dataclass
class DashboardEntry:
    course: Course
    enrolment: Enrolment
    progress: CourseProgress
    resume: StepState | None
    certificate: Certificate | None


_PK_SENTINEL = 987654321


@lru_cache(maxsize=512)
def _step_url_template(script_prefix: str, course_slug: str) -> str:
    # One reverse() per course instead of one per step: outlines list dozens of steps.
    # Slugs hold no braces; the sentinel is the last segment, whatever digits the slug has.
    head, tail = reverse("courses:step", args=[course_slug, _PK_SENTINEL]).rsplit(str(_PK_SENTINEL), 1)
    return head + "{pk}" + tail


def step_learner_url(step: Step, course_slug: str) -> str | None:
    """Where a learner opens a step; None for a lab when the labs app is not loaded."""
    if step.kind == Step.Kind.LAB:
        provider = step_providers.get(Step.Kind.LAB)
        if provider is None:
            return None
        try:
            return provider.url_for(step)
        except NoReverseMatch:  # labs loaded but its URLs not mounted
            return None
    return _step_url_template(get_script_prefix(), course_slug).format(pk=step.pk)


def _ordered_steps(course: Course) -> QuerySet[Step]:
    return Step.objects.filter(module__course=course).order_by("module__position", "module_id", "position", "id")


def _build_structure(course_id: int) -> tuple[list[Module], list[Step]]:
    modules = list(Module.objects.filter(course_id=course_id).order_by("position", "id"))
    steps = list(
        Step.objects.filter(module__course_id=course_id).order_by("module__position", "module_id", "position", "id")
    )
    return modules, steps


def course_structure(course: Course) -> tuple[list[Module], list[Step]]:
    """The course's modules and its steps in outline order, each step's ``module`` set (cached per content)."""
    modules, steps = content_cache.cached("structure", lambda: _build_structure(course.pk), course.pk)
    by_pk = {m.pk: m for m in modules}
    for module in modules:
        module.course = course
    for step in steps:
        step.module = by_pk[step.module_id]
    return modules, steps


class _Progress(NamedTuple):
    completed_at: object
    score: int | None


# The reads every learner page makes, compiled once (academy.compiled_queries): same SQL, no ORM cost.
# Progress rows that only record a visit change nothing in an outline: they are left out.
_COUNTS_IN_OUTLINE = Q(completed_at__isnull=False) | Q(score__isnull=False)
_PROGRESS_IN_COURSE = CompiledQuery(
    lambda user_id, course_id: StepProgress.objects.filter(
        _COUNTS_IN_OUTLINE, user_id=user_id, step__module__course_id=course_id
    ).values_list("step_id", "completed_at", "score"),
    user_id=int,
    course_id=int,
)
_PROGRESS_OF_LEARNER = CompiledQuery(
    lambda user_id: StepProgress.objects.filter(_COUNTS_IN_OUTLINE, user_id=user_id).values_list(
        "step__module__course_id", "step_id", "completed_at", "score"
    ),
    user_id=int,
)
_ACTIVE_ENROLMENT = CompiledQuery(
    lambda user_id, course_id: Enrolment.objects.filter(
        user_id=user_id, course_id=course_id, status=Enrolment.Status.ACTIVE
    ).order_by("pk")[:1],
    user_id=int,
    course_id=int,
)
_ACTIVE_ENROLMENTS_OF_LEARNER = CompiledQuery(
    lambda user_id: Enrolment.objects.filter(user_id=user_id, status=Enrolment.Status.ACTIVE).order_by(
        "-enrolled_at", "-pk"
    ),
    user_id=int,
)
_VALID_CERTIFICATE = CompiledQuery(
    lambda user_id, course_id: Certificate.objects.filter(
        user_id=user_id, course_id=course_id, revoked_at__isnull=True
    ).order_by("pk")[:1],
    user_id=int,
    course_id=int,
)
_VALID_CERTIFICATES_OF_LEARNER = CompiledQuery(
    lambda user_id: Certificate.objects.filter(user_id=user_id, revoked_at__isnull=True),
    user_id=int,
)


def _progress_rows(rows: Iterable[tuple]) -> dict[int, _Progress]:
    return {step_id: _Progress(completed_at, score) for step_id, completed_at, score in rows}


def _progress_in_course(user, course: Course) -> dict[int, _Progress]:
    if not user.is_authenticated:
        return {}
    return _progress_rows(_PROGRESS_IN_COURSE.rows(user_id=user.pk, course_id=course.pk))


def _states(steps: Sequence[Step], progress: dict[int, _Progress], course: Course) -> list[StepState]:
    """Annotate ordered steps: completed, open, locked (sequential courses) or unavailable."""
    states: list[StepState] = []
    previous: Step | None = None
    previous_done = True
    for number, step in enumerate(steps, start=1):
        row = progress.get(step.pk)
        done = row is not None and row.completed_at is not None
        url = step_learner_url(step, course.slug)
        if done:
            state = COMPLETED
        elif course.sequential and not previous_done:
            state = LOCKED
        elif url is None:
            state = UNAVAILABLE
        else:
            state = OPEN
        reason = ""
        if state == LOCKED and previous is not None:
            reason = _("Terminez d'abord « %(title)s ».") % {"title": previous.title}
        states.append(
            StepState(
                step=step,
                number=number,
                state=state,
                score=row.score if row is not None else None,
                url=url,
                locked_reason=reason,
                previous=previous,
            )
        )
        previous, previous_done = step, done
    return states


# Outlines already built in this process, by what decides them: learners with the same progress in
# the same version of a course share one (read-only) outline.
_outlines = content_cache.ProcessCache(max_entries=2048)


def course_outline_for(user, course: Course) -> Outline:
    """Modules in order, each with its steps annotated for ``user``.

    The modules and steps come from the content cache; only the learner's progress is read (1 query,
    none for a visitor). The outline is shared with other readers: copy a state before changing it.
    """
    return _outline_with(course, _progress_in_course(user, course))


def _outline_with(course: Course, progress: dict[int, _Progress]) -> Outline:
    """The outline of ``course`` for this progress (rows of other courses are ignored), built once."""
    signature = tuple(sorted((pk, row.completed_at is not None, row.score) for pk, row in progress.items()))
    # URLs in the outline depend on the URLconf and the script prefix as well as the language.
    key = (content_cache.content_version(), course.pk, get_language(), get_urlconf(), get_script_prefix(), signature)
    outline = _outlines.get(key, None)
    if outline is None:
        outline = _build_outline(course, progress)
        _outlines.put(key, outline)
    return outline


def _build_outline(course: Course, progress: dict[int, _Progress]) -> Outline:
    modules, steps = course_structure(course)
    states = _states(steps, progress, course)
    by_module = {m.pk: ModuleOutline(module=m) for m in modules}
    for state in states:
        by_module[state.step.module_id].steps.append(state)
    outline = Outline(by_module.values())
    outline.cache_key = content_cache.content_key(
        "outline", course.pk, *((s.step.pk, s.state, s.score, s.url) for s in states)
    )
    return outline


def flatten(outline: Iterable[ModuleOutline]) -> list[StepState]:
    return [state for module in outline for state in module.steps]


def step_state_in(outline: Iterable[ModuleOutline], step_id: int) -> StepState | None:
    for state in flatten(outline):
        if state.step.pk == step_id:
            return state
    return None


def _progress_of(states: Sequence[StepState]) -> CourseProgress:
    # Required steps are what the certificate needs; a course with only
    # optional steps is measured on all of them.
    counted = [s for s in states if s.step.required] or list(states)
    return CourseProgress(done=sum(1 for s in counted if s.completed), total=len(counted))


def _first_incomplete(states: Sequence[StepState]) -> StepState | None:
    return next((s for s in states if s.state == OPEN), None)


def outline_progress(outline: Iterable[ModuleOutline]) -> CourseProgress:
    return _progress_of(flatten(outline))


def outline_resume(outline: Iterable[ModuleOutline]) -> StepState | None:
    return _first_incomplete(flatten(outline))


def first_incomplete_step(user, course: Course) -> StepState | None:
    """The first open, not yet completed step: where "resume" leads."""
    return outline_resume(course_outline_for(user, course))


def course_progress_percent(user, course: Course) -> int:
    return outline_progress(course_outline_for(user, course)).percent


def active_enrolment(user, course: Course) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return _ACTIVE_ENROLMENT.first(user_id=user.pk, course_id=course.pk)


def valid_certificate(user, course: Course) -> Certificate | None:
    if not user.is_authenticated:
        return None
    return _VALID_CERTIFICATE.first(user_id=user.pk, course_id=course.pk)


def dashboard_for(user) -> list[DashboardEntry]:
    """The learner's active enrolments with progress, resume step and certificate (3 queries)."""
    enrolments = _ACTIVE_ENROLMENTS_OF_LEARNER.rows(user_id=user.pk)
    if not enrolments:
        return []
    course_ids = [e.course_id for e in enrolments]
    courses = cached_courses(course_ids)
    for enrolment in enrolments:
        enrolment.course = courses[enrolment.course_id]
    # All the learner's progress rows in one compiled read (a learner has at most a few hundred), each
    # with its course; rows of courses the learner has left are skipped.
    progress_by_course: dict[int, dict[int, _Progress]] = {course_id: {} for course_id in course_ids}
    for course_id, step_id, completed_at, score in _PROGRESS_OF_LEARNER.rows(user_id=user.pk):
        if course_id in progress_by_course:
            progress_by_course[course_id][step_id] = _Progress(completed_at, score)
    certificates = {c.course_id: c for c in _VALID_CERTIFICATES_OF_LEARNER.rows(user_id=user.pk)}
    entries = []
    for enrolment in enrolments:
        course = enrolment.course
        states = flatten(_outline_with(course, progress_by_course[course.pk]))
        entries.append(
            DashboardEntry(
                course=course,
                enrolment=enrolment,
                progress=_progress_of(states),
                resume=_first_incomplete(states),
                certificate=certificates.get(course.pk),
            )
        )
    return entries


def catalogue_courses(
    *, q: str = "", level: str = "", language: str = "", visitor_language: str = ""
) -> QuerySet[Course]:
    """Published courses matching a search on title or tag, a level and a language.

    Courses in the visitor's language come first, then the others, each by title.
    """
    courses = Course.objects.filter(status=Course.Status.PUBLISHED)
    if q:
        matching = Course.objects.filter(Q(title__icontains=q) | Q(tags__name__icontains=q) | Q(tags__slug__iexact=q))
        courses = courses.filter(pk__in=matching.values("pk"))
    if level:
        courses = courses.filter(level=level)
    if language:
        courses = courses.filter(language=language)
    first = Case(When(language=visitor_language, then=Value(0)), default=Value(1)) if visitor_language else Value(0)
    return courses.prefetch_related("tags").order_by(first, "title", "pk")


class _PageRows:
    """What a Paginator needs of a cached page: the total count and the rows of that one page."""

    def __init__(self, count: int, first: int, rows: list[Course]):
        self.count_value, self.first, self.rows = count, first, rows

    def __len__(self) -> int:
        return self.count_value

    def __getitem__(self, item: slice) -> list[Course]:
        return self.rows[item.start - self.first : item.stop - self.first]


def catalogue_page(
    *, per_page: int, page: str | None, q: str = "", level: str = "", language: str = "", visitor_language: str = ""
) -> Page:
    """One page of ``catalogue_courses``; without a search it comes from the content cache.

    The page asked for is read as ``Paginator.get_page`` reads it (a bad number gives the first page,
    one past the end the last). Searches are not cached: their words are too varied to be asked twice.
    """

    def build() -> tuple[int, int, int, list[Course]]:
        courses = catalogue_courses(q=q, level=level, language=language, visitor_language=visitor_language)
        found = Paginator(courses, per_page).get_page(page)
        return found.paginator.count, found.number, found.start_index(), list(found.object_list)

    if q:
        count, number, start, rows = build()
    else:
        asked = page if page and page.isdigit() and len(page) < 7 else ""
        count, number, start, rows = content_cache.cached(
            "catalogue", build, per_page, level, language, visitor_language, asked
        )
    first = max(start - 1, 0)
    return Paginator(_PageRows(count, first, rows), per_page).page(number)


def course_for_page(slug: str) -> Course | None:
    """A course with what its public page shows, fetched in bulk."""
    return (
        Course.objects.select_related("owner", "translation_of")
        .prefetch_related(
            "tags",
            "co_trainers",
            Prefetch("translations", queryset=Course.objects.filter(status=Course.Status.PUBLISHED)),
        )
        .filter(slug=slug)
        .first()
    )


def course_translations(course: Course) -> list[Course]:
    """Published versions of the same course in other languages (uses prefetched data)."""
    linked: list[Course] = list(course.translations.all())
    original = course.translation_of
    if original is not None and original.is_published:
        linked.append(original)
    return [c for c in linked if c.language != course.language]


def _course_for_page_uncached(slug: str) -> Course | None:
    return (
        Course.objects.select_related("translation_of")
        .prefetch_related(
            "tags",
            Prefetch("translations", queryset=Course.objects.filter(status=Course.Status.PUBLISHED)),
        )
        .filter(slug=slug)
        .first()
    )


def cached_courses(course_ids: Sequence[int]) -> dict[int, Course]:
    """Courses by id from the content cache (shared, read-only; no people, tags or translations)."""
    version = content_cache.content_version()
    keys = {content_cache.content_key("course-by-id", pk, version=version): pk for pk in course_ids}

    def build(absent: list[str]) -> dict[str, Course]:
        by_pk = Course.objects.in_bulk([keys[key] for key in absent])
        return {key: by_pk[keys[key]] for key in absent}

    found = content_cache.cached_many(keys, build)
    return {keys[key]: course for key, course in found.items()}


def cached_course(slug: str) -> Course | None:
    """The course with its tags and published translations, from the content cache.

    People are not cached with it (a trainer may rename themself without touching the course):
    ``course_trainers`` reads them.
    """
    return content_cache.cached("course", lambda: _course_for_page_uncached(slug), slug)


# The owner, then co-trainers through the link table: two index lookups (an OR across a join made
# PostgreSQL scan every user).
_TRAINERS = CompiledQuery(
    lambda owner_id, course_id: (
        # No ORDER BY inside a UNION (SQLite refuses it); course_trainers orders the people.
        get_user_model()
        .objects.filter(pk=owner_id)
        .order_by()
        .union(get_user_model().objects.filter(co_trained_courses__pk=course_id).order_by())
    ),
    owner_id=int,
    course_id=int,
)


def course_trainers(course: Course) -> list:
    """The course's owner, then its co-trainers (1 query)."""
    people = _TRAINERS.rows(owner_id=course.owner_id, course_id=course.pk)
    return sorted(people, key=lambda person: (person.pk != course.owner_id, person.pk))


def lesson_content(step: Step) -> tuple[Lesson | None, str]:
    """A lesson step's lesson and its body as HTML, from the content cache (``body_html`` is safe HTML)."""
    from courses.markdown import render_markdown

    def build() -> tuple[Lesson | None, str]:
        lesson = Lesson.objects.filter(step_id=step.pk).first()
        return lesson, str(render_markdown(lesson.body if lesson else ""))

    return content_cache.cached("lesson", build, step.pk)
