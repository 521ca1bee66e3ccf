"""Writes for the learner's journey: enrolment, progress, attendance, quizzes, certificates."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from academy.compiled_queries import PreparedStatement
from courses import notifications
from courses.models import (
    AttendanceClock,
    Certificate,
    Choice,
    Course,
    DailyActivity,
    Enrolment,
    Question,
    Quiz,
    QuizAttempt,
    Step,
    StepProgress,
)

# A heartbeat credits at most this many seconds: the client beats every
# 30 s while the page is visible, so a tab hidden all night or a replayed
# request can never add more than one minute.
HEARTBEAT_MAX_SECONDS = 60


class AttemptLimitReached(Exception):
    """The learner has used every attempt the quiz allows."""


class QuizHasNoQuestions(Exception):
    """The quiz's question bank gives nothing to ask yet."""


# --- Enrolment ---------------------------------------------------------------


@transaction.atomic
def enrol(*, user, course: Course, enrolled_by=None) -> Enrolment:
    """Enrol ``user``; re-enrolling reactivates the old row so progress is kept.

    Self-enrolment (``enrolled_by`` empty or the user) needs a published, open
    course. Enrolling someone else is an administrator's act and works for
    closed courses too.
    """
    by_self = enrolled_by is None or enrolled_by.pk == user.pk
    if by_self:
        if not course.is_published:
            raise ValidationError(_("Ce cours n'est pas publié."), code="not_published")
        if course.enrolment != Course.Enrolment.OPEN:
            raise ValidationError(_("L'inscription à ce cours est faite par un administrateur."), code="closed")
    elif not enrolled_by.is_admin:
        raise PermissionDenied(_("Seul un administrateur peut inscrire une autre personne."))

    enrolment = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    if enrolment is None:
        enrolment = Enrolment(user=user, course=course, enrolled_by=None if by_self else enrolled_by)
    elif enrolment.status == Enrolment.Status.ACTIVE:
        return enrolment
    else:
        enrolment.status = Enrolment.Status.ACTIVE
        enrolment.enrolled_at = timezone.now()
        enrolment.enrolled_by = None if by_self else enrolled_by
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def enrol_from_platform(*, user, course: Course) -> Enrolment:
    """Enrol ``user`` on a partner platform's word (an LTI launch or roster): its course list is the authority.

    The course must be published; how it is opened to self-enrolment does not matter here.
    """
    if not course.is_published:
        raise ValidationError(_("Ce cours n'est pas publié."), code="not_published")
    enrolment = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    if enrolment is None:
        enrolment = Enrolment(user=user, course=course)
    elif enrolment.status == Enrolment.Status.ACTIVE:
        return enrolment
    else:
        enrolment.status = Enrolment.Status.ACTIVE
        enrolment.enrolled_at = timezone.now()
    enrolment.full_clean()
    enrolment.save()
    return enrolment


@transaction.atomic
def unenrol(*, user, course: Course) -> None:
    """Leave a course; progress, attempts and certificates stay for a later return."""
    Enrolment.objects.filter(user=user, course=course, status=Enrolment.Status.ACTIVE).update(
        status=Enrolment.Status.UNENROLLED
    )


# --- Progress ----------------------------------------------------------------


def _progress_locked(*, user, step: Step) -> StepProgress:
    progress, _created = StepProgress.objects.select_for_update().get_or_create(user=user, step=step)
    return progress


def _keep_best(progress: StepProgress, score: int | None) -> None:
    if score is None:
        return
    if not 0 <= score <= 100:
        raise ValidationError(_("Le score doit être compris entre 0 et 100."), code="score_range")
    if progress.score is None or score > progress.score:
        progress.score = score


@transaction.atomic
def step_complete(*, user, step: Step, score: int | None = None) -> StepProgress:
    """Mark a step done (once) and keep the best score; may issue the certificate.

    Labs call this when a learner passes a lab; quizzes when an attempt passes.
    """
    progress = _progress_locked(user=user, step=step)
    _keep_best(progress, score)
    if progress.completed_at is None:
        progress.completed_at = timezone.now()
    progress.full_clean()
    progress.save()
    certificate_issue_if_eligible(user=user, course=step.module.course)
    return progress


def _clock_locked(*, user, now: datetime) -> tuple[AttendanceClock, bool]:
    return AttendanceClock.objects.select_for_update().get_or_create(user=user, defaults={"credited_until": now})


class _VisitStatements(NamedTuple):
    mark_seen: PreparedStatement  # the learner's progress row on the step: created, or its last visit noted
    start_clock: PreparedStatement  # the attendance clock: started, or restarted when it had stopped
    both: PreparedStatement | None  # PostgreSQL: the two as one statement (a data-modifying WITH)


# The progress columns a visit sets; a first visit fills the others from the model's defaults.
_VISIT_SETS = ("user", "step", "last_seen_at")


def _defaulted_progress_fields() -> list:
    """Completion, score, seconds on the page: what a first visit takes from the model's defaults."""
    return [f for f in StepProgress._meta.concrete_fields if not f.primary_key and f.name not in _VISIT_SETS]


@lru_cache(maxsize=4)
def _visit_statements(vendor: str) -> _VisitStatements:
    """The SQL of a visit, written once from the models' tables and columns.

    A lesson page records a visit on every view; through the ORM, compiling these statements costs
    three times what the database takes to run them. Two upserts that PostgreSQL and SQLite (3.24+)
    both understand; on PostgreSQL they also go as one statement, prepared once per connection
    (``academy.compiled_queries``).
    """
    quote = connection.ops.quote_name
    progress, clock = StepProgress._meta, AttendanceClock._meta

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    inserted = [column(progress, name) for name in _VISIT_SETS] + [
        quote(field.column) for field in _defaulted_progress_fields()
    ]
    seen, clock_table, credited = (
        column(progress, "last_seen_at"),
        quote(clock.db_table),
        column(clock, "credited_until"),
    )
    # Identifiers come from the models' metadata, quoted; every value is a parameter.
    mark_seen = (
        f"INSERT INTO {quote(progress.db_table)} ({', '.join(inserted)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(inserted))}) "
        f"ON CONFLICT ({column(progress, 'user')}, {column(progress, 'step')}) DO UPDATE SET {seen} = excluded.{seen}"
    )
    start_clock = (
        f"INSERT INTO {clock_table} ({column(clock, 'user')}, {credited}) VALUES (%s, %s) "  # noqa: S608
        f"ON CONFLICT ({column(clock, 'user')}) DO UPDATE SET {credited} = excluded.{credited} "
        f"WHERE {clock_table}.{credited} < %s"
    )
    both = None
    if vendor == "postgresql":
        both = PreparedStatement(f"WITH seen AS ({mark_seen}) {start_clock}", parameters=len(inserted) + 3)
    return _VisitStatements(
        PreparedStatement(mark_seen, parameters=len(inserted)), PreparedStatement(start_clock, parameters=3), both
    )


def step_visit(*, user, step: Step, now: datetime | None = None) -> None:
    """Note the visit, and start the learner's attendance clock unless it is already running.

    Opening another page (or tab) while the clock runs leaves it alone: the
    time since the last beat is credited once, by whichever page beats next.
    Both writes commit together; on PostgreSQL in one round trip, without waiting for the log's flush.
    """
    now = now or timezone.now()
    statements = _visit_statements(connection.vendor)
    at = connection.ops.adapt_datetimefield_value(now)
    stopped_before = connection.ops.adapt_datetimefield_value(now - timedelta(seconds=HEARTBEAT_MAX_SECONDS))
    defaults = [field.get_db_prep_save(field.get_default(), connection) for field in _defaulted_progress_fields()]
    seen = [user.pk, step.pk, at, *defaults]
    clock = [user.pk, at, stopped_before]
    with connection.cursor() as cursor:
        if statements.both is None:
            with transaction.atomic():
                statements.mark_seen.run(cursor, seen)
                statements.start_clock.run(cursor, clock)
            return
        # One statement is its own transaction. Sent on its own (not inside a caller's transaction),
        # its commit need not wait for the log's flush: a database crash in that very instant may lose
        # a visit's timestamp, never consistency.
        preceded_by = "" if connection.in_atomic_block else "SET LOCAL synchronous_commit TO OFF"
        statements.both.run(cursor, seen + clock, preceded_by=preceded_by)


@transaction.atomic
def record_heartbeat(*, user, step: Step, now: datetime | None = None) -> int:
    """Credit the time since the learner's clock last advanced, at most HEARTBEAT_MAX_SECONDS.

    Returns the seconds added to ``step`` (and its course's day). There is one
    clock per learner, whatever the number of pages beating: a beat credits
    only what no other page has credited yet, so tabs and replays add nothing
    beyond the wall clock, and a long gap (hidden tab, sleeping laptop)
    counts as one minute at most. Whole seconds are credited and the
    remainder is kept for the next beat, so frequent beats lose nothing.
    """
    now = now or timezone.now()
    progress = _progress_locked(user=user, step=step)
    if progress.last_seen_at is None or now > progress.last_seen_at:
        progress.last_seen_at = now
    clock, created = _clock_locked(user=user, now=now)
    credited = 0
    if not created and now > clock.credited_until:
        elapsed = (now - clock.credited_until).total_seconds()
        if elapsed > HEARTBEAT_MAX_SECONDS:
            credited, clock.credited_until = HEARTBEAT_MAX_SECONDS, now
        else:
            credited = int(elapsed)
            clock.credited_until += timedelta(seconds=credited)
        clock.save(update_fields=["credited_until"])
    if credited:
        progress.seconds_on_page += credited
        activity, _created = DailyActivity.objects.select_for_update().get_or_create(
            user=user, course_id=step.module.course_id, day=timezone.localdate(now)
        )
        activity.seconds += credited
        activity.save(update_fields=["seconds"])
    progress.save(update_fields=["last_seen_at", "seconds_on_page"])
    return credited


# --- Quizzes -----------------------------------------------------------------


def quiz_question_pool(quiz: Quiz) -> list[Question]:
    """Questions a quiz may draw: the chosen ones, else those sharing a tag, else the course's bank."""
    chosen = list(quiz.questions.all())
    if chosen:
        return chosen
    bank = list(Question.objects.filter(course_id=quiz.step.module.course_id))
    wanted = set(quiz.question_tags or [])
    if wanted:
        tagged = [q for q in bank if wanted.intersection(q.tags or [])]
        if tagged:
            return tagged
    return bank


def quiz_attempts_used(*, user, quiz: Quiz) -> int:
    return QuizAttempt.objects.filter(quiz=quiz, user=user, submitted_at__isnull=False).count()


def quiz_attempts_left(*, user, quiz: Quiz) -> int | None:
    """None when attempts are unlimited."""
    if quiz.max_attempts == 0:
        return None
    return max(quiz.max_attempts - quiz_attempts_used(user=user, quiz=quiz), 0)


@transaction.atomic
def quiz_attempt_start(*, user, quiz: Quiz, rng: random.Random | None = None) -> QuizAttempt:
    """Return the open attempt, or draw and shuffle a new one; the order is stored so reloads match."""
    open_attempt = QuizAttempt.objects.filter(quiz=quiz, user=user, submitted_at__isnull=True).first()
    if open_attempt is not None:
        return open_attempt
    if quiz_attempts_left(user=user, quiz=quiz) == 0:
        raise AttemptLimitReached
    rng = rng or random.SystemRandom()
    pool = quiz_question_pool(quiz)
    choices = _choices_by_question(pool)
    pool = [q for q in pool if choices.get(q.pk)]
    if not quiz.questions.exists() and quiz.draw_count and len(pool) > quiz.draw_count:
        pool = rng.sample(pool, quiz.draw_count)
    if not pool:
        raise QuizHasNoQuestions
    rng.shuffle(pool)
    choice_order: dict[str, list[int]] = {}
    for question in pool:
        ids = list(choices[question.pk])
        rng.shuffle(ids)
        choice_order[str(question.pk)] = ids
    attempt = QuizAttempt(
        quiz=quiz, user=user, question_order=[q.pk for q in pool], choice_order=choice_order, answers={}
    )
    attempt.full_clean(exclude=["answers"])  # empty until submitted
    attempt.save()
    return attempt


def _choices_by_question(questions: list[Question]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {}
    for choice in Choice.objects.filter(question__in=questions).order_by("position", "id"):
        result.setdefault(choice.question_id, []).append(choice.pk)
    return result


def quiz_score(attempt: QuizAttempt, answers: dict[str, list[int]]) -> int:
    """Percentage of questions answered exactly right.

    A single-choice question is right when the correct choice is picked; a
    multiple-choice question only when the picked set equals the set of
    correct choices (no partial credit).
    """
    if not attempt.question_order:
        return 0
    correct: dict[int, set[int]] = {}
    for choice in Choice.objects.filter(question_id__in=attempt.question_order, correct=True):
        correct.setdefault(choice.question_id, set()).add(choice.pk)
    right = sum(1 for qid in attempt.question_order if set(answers.get(str(qid), [])) == correct.get(qid, set()))
    return round(right * 100 / len(attempt.question_order))


@transaction.atomic
def quiz_attempt_submit(*, user, attempt: QuizAttempt, answers: dict[str, list[int]]) -> QuizAttempt:
    """Grade an attempt once; keep the best score; a pass completes the step."""
    attempt = QuizAttempt.objects.select_for_update().select_related("quiz__step__module__course").get(pk=attempt.pk)
    if attempt.user_id != user.pk:
        raise PermissionDenied
    if attempt.submitted_at is not None:
        return attempt  # a double submit grades once
    attempt.answers = {str(k): sorted(int(c) for c in v) for k, v in answers.items()}
    attempt.score = quiz_score(attempt, attempt.answers)
    attempt.passed = attempt.score >= attempt.quiz.pass_mark
    attempt.submitted_at = timezone.now()
    attempt.full_clean(exclude=["answers"])  # may be empty: a blank answer is wrong, not invalid
    attempt.save()
    step = attempt.quiz.step
    if attempt.passed:
        step_complete(user=user, step=step, score=attempt.score)
    else:
        progress = _progress_locked(user=user, step=step)
        _keep_best(progress, attempt.score)
        progress.save(update_fields=["score"])
    return attempt


# --- Certificates ------------------------------------------------------------


def _learner_name(user) -> str:
    # The verify page is public: never fall back to the full e-mail address.
    return user.get_full_name() or user.email.split("@", 1)[0]


@transaction.atomic
def certificate_issue_if_eligible(*, user, course: Course) -> Certificate | None:
    """Issue the certificate once every required step is completed by an enrolled learner."""
    enrolment = (
        Enrolment.objects.select_for_update().filter(user=user, course=course, status=Enrolment.Status.ACTIVE).first()
    )
    if enrolment is None:
        return None
    existing = Certificate.objects.filter(user=user, course=course, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    required = Step.objects.filter(module__course=course, required=True)
    if not required.exists():
        return None
    completed = StepProgress.objects.filter(user=user, completed_at__isnull=False).values("step_id")
    if required.exclude(pk__in=completed).exists():
        return None
    language = user.preferred_language if user.preferred_language in ("fr", "en") else "fr"
    certificate = Certificate(
        user=user,
        course=course,
        learner_name=_learner_name(user),
        course_title=course.title,
        hours=course.duration_hours,
        language=language,
    )
    certificate.full_clean()
    certificate.save()
    notifications.certificate_earned(certificate)
    if enrolment.completed_at is None:
        enrolment.completed_at = certificate.issued_at
        enrolment.save(update_fields=["completed_at"])
    return certificate
