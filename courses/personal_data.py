"""The courses app's part of a learner's data export and erasure (registered in CoursesConfig.ready)."""

from __future__ import annotations

from typing import Any

from courses.models import (
    AttendanceClock,
    Certificate,
    Choice,
    DailyActivity,
    Enrolment,
    Question,
    QuizAttempt,
    StepProgress,
)


def _quiz_answers(
    attempt: QuizAttempt, questions: dict[int, Question], choices: dict[int, Choice]
) -> list[dict[str, Any]]:
    answers = []
    for question_id in attempt.question_order:
        question = questions.get(question_id)
        if question is None:
            continue
        picked = attempt.answers.get(str(question_id), [])
        answers.append({"question": question.text, "answers": [choices[c].text for c in picked if c in choices]})
    return answers


def export_learning(user) -> dict[str, Any]:
    """Enrolments, progress, time on pages, quiz attempts (with the learner's answers) and certificates."""
    attempts = list(QuizAttempt.objects.filter(user=user).select_related("quiz__step__module__course"))
    question_ids = {qid for attempt in attempts for qid in attempt.question_order}
    questions = {q.pk: q for q in Question.objects.filter(pk__in=question_ids)}
    choices = {c.pk: c for c in Choice.objects.filter(question_id__in=question_ids)}
    return {
        "enrolments": [
            {
                "course": e.course.title,
                "course_slug": e.course.slug,
                "status": e.status,
                "enrolled_at": e.enrolled_at,
                "completed_at": e.completed_at,
            }
            for e in Enrolment.objects.filter(user=user).select_related("course").order_by("enrolled_at")
        ],
        "progress": [
            {
                "course": p.step.module.course.title,
                "step": p.step.title,
                "completed_at": p.completed_at,
                "score": p.score,
                "seconds_on_page": p.seconds_on_page,
                "last_seen_at": p.last_seen_at,
            }
            for p in StepProgress.objects.filter(user=user).select_related("step__module__course").order_by("pk")
        ],
        "daily_activity": [
            {"course": a.course.title, "day": a.day, "seconds": a.seconds}
            for a in DailyActivity.objects.filter(user=user).select_related("course").order_by("day", "pk")
        ],
        "attendance_clock": [{"credited_until": c.credited_until} for c in AttendanceClock.objects.filter(user=user)],
        "quiz_attempts": [
            {
                "course": a.quiz.step.module.course.title,
                "quiz": a.quiz.step.title,
                "started_at": a.started_at,
                "submitted_at": a.submitted_at,
                "score": a.score,
                "passed": a.passed,
                "answers": _quiz_answers(a, questions, choices),
            }
            for a in sorted(attempts, key=lambda a: (a.started_at, a.pk))
        ],
        "certificates": [
            {
                "code": c.code,
                "course": c.course_title,
                "learner_name": c.learner_name,
                "hours": c.hours,
                "language": c.language,
                "issued_at": c.issued_at,
                "revoked_at": c.revoked_at,
            }
            for c in Certificate.objects.filter(user=user).order_by("issued_at")
        ],
    }


def erase_learning(user) -> None:
    """Delete the learner's learning records, certificates included.

    A certificate is a public attestation: its verification page shows the
    learner's name to anyone holding the code. Keeping it after an erasure
    request would keep publishing that name, so it is deleted (the learner can
    download the PDF and their data export first; the page says so). The
    OFPPT attestation of a funded training is produced from the funding
    records, which are kept (see funding.personal_data).
    """
    QuizAttempt.objects.filter(user=user).delete()
    StepProgress.objects.filter(user=user).delete()
    DailyActivity.objects.filter(user=user).delete()
    AttendanceClock.objects.filter(user=user).delete()
    Certificate.objects.filter(user=user).delete()
    Enrolment.objects.filter(user=user).delete()
