import random
import re

import pytest
from django.urls import reverse

from courses.models import Choice, Question, QuizAttempt, Step, StepProgress
from courses.services.learning import (
    AttemptLimitReached,
    enrol,
    quiz_attempt_start,
    quiz_attempt_submit,
    quiz_question_pool,
    quiz_score,
)
from tests.factories import QuestionFactory, UserFactory, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_setup(client):
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=1, kinds=[Step.Kind.QUIZ], questions=4)
    enrol(user=learner, course=course)
    step = Step.objects.get(module__course=course)
    step.quiz.draw_count = 4
    step.quiz.max_attempts = 2
    step.quiz.save()
    client.force_login(learner)
    return learner, course, step


def _answers(attempt, *, right: bool) -> dict[str, list[int]]:
    """All correct choices of every question, or one wrong choice each."""
    answers = {}
    for qid in attempt.question_order:
        choices = list(Choice.objects.filter(question_id=qid))
        answers[str(qid)] = (
            [c.pk for c in choices if c.correct] if right else [next(c.pk for c in choices if not c.correct)]
        )
    return answers


def _post_answers(client, step, attempt, answers):
    data = {"attempt": attempt.pk}
    for qid, picked in answers.items():
        data[f"q{qid}"] = [str(p) for p in picked]
    return client.post(step.get_absolute_url(), data)


def test_question_order_and_choice_order_persist_across_reloads(client, quiz_setup):
    _learner, _course, step = quiz_setup
    first = client.get(step.get_absolute_url()).content.decode()
    second = client.get(step.get_absolute_url()).content.decode()
    shown = re.findall(r'name="q(\d+)" value="(\d+)"', first)
    assert QuizAttempt.objects.count() == 1
    assert len(shown) == 12  # 4 questions × 3 choices
    assert re.findall(r'name="q(\d+)" value="(\d+)"', second) == shown


def test_attempt_stores_a_shuffled_order_of_questions_and_choices(quiz_setup):
    learner, _course, step = quiz_setup
    attempt = quiz_attempt_start(user=learner, quiz=step.quiz, rng=random.Random(3))
    bank = sorted(q.pk for q in Question.objects.all())
    assert sorted(attempt.question_order) == bank
    assert attempt.question_order != bank  # seed 3 gives a different order
    for qid in attempt.question_order:
        assert sorted(attempt.choice_order[str(qid)]) == sorted(
            Choice.objects.filter(question_id=qid).values_list("pk", flat=True)
        )


def test_quiz_draws_by_tag_when_no_question_is_chosen(quiz_setup):
    _learner, course, step = quiz_setup
    tagged = QuestionFactory(course=course, tags=["caméra", "lumière"])
    step.quiz.question_tags = ["caméra"]
    step.quiz.save()
    assert quiz_question_pool(step.quiz) == [tagged]


def test_chosen_questions_win_over_tags(quiz_setup):
    _learner, course, step = quiz_setup
    chosen = QuestionFactory(course=course)
    step.quiz.questions.set([chosen])
    step.quiz.question_tags = ["caméra"]
    step.quiz.save()
    assert quiz_question_pool(step.quiz) == [chosen]


def test_passing_attempt_completes_the_step_with_its_score(client, quiz_setup):
    learner, _course, step = quiz_setup
    client.get(step.get_absolute_url())
    attempt = QuizAttempt.objects.get()

    response = _post_answers(client, step, attempt, _answers(attempt, right=True))

    assert response.status_code == 302
    progress = StepProgress.objects.get(user=learner, step=step)
    assert progress.completed and progress.score == 100


def test_explanations_appear_only_after_submission(client, quiz_setup):
    _learner, _course, step = quiz_setup
    explanation = Question.objects.first().explanation
    before = client.get(step.get_absolute_url()).content.decode()
    assert explanation not in before

    attempt = QuizAttempt.objects.get()
    _post_answers(client, step, attempt, _answers(attempt, right=False))
    after = client.get(step.get_absolute_url()).content.decode()
    assert explanation in after
    assert "Bonne réponse" in after


def test_best_score_is_kept_and_a_fail_does_not_complete(quiz_setup):
    learner, _course, step = quiz_setup
    good = quiz_attempt_start(user=learner, quiz=step.quiz)
    answers = _answers(good, right=True)
    answers[str(good.question_order[0])] = []  # one wrong of four: 75 %
    quiz_attempt_submit(user=learner, attempt=good, answers=answers)
    worse = quiz_attempt_start(user=learner, quiz=step.quiz)
    quiz_attempt_submit(user=learner, attempt=worse, answers=_answers(worse, right=False))

    progress = StepProgress.objects.get(user=learner, step=step)
    assert progress.score == 75
    assert progress.completed  # 75 >= pass mark 70


def test_failing_attempt_keeps_score_without_completing(quiz_setup):
    learner, _course, step = quiz_setup
    attempt = quiz_attempt_start(user=learner, quiz=step.quiz)
    quiz_attempt_submit(user=learner, attempt=attempt, answers=_answers(attempt, right=False))
    progress = StepProgress.objects.get(user=learner, step=step)
    assert progress.score == 0
    assert not progress.completed


def test_attempt_limit_is_enforced(client, quiz_setup):
    learner, _course, step = quiz_setup
    for _ in range(2):
        attempt = quiz_attempt_start(user=learner, quiz=step.quiz)
        quiz_attempt_submit(user=learner, attempt=attempt, answers=_answers(attempt, right=False))

    with pytest.raises(AttemptLimitReached):
        quiz_attempt_start(user=learner, quiz=step.quiz)
    client.post(reverse("courses:quiz_retry", args=[step.module.course.slug, step.pk]))
    assert QuizAttempt.objects.count() == 2
    assert "toutes les tentatives" in client.get(step.get_absolute_url()).content.decode()


def test_unlimited_attempts_when_max_is_zero(quiz_setup):
    learner, _course, step = quiz_setup
    step.quiz.max_attempts = 0
    step.quiz.save()
    for _ in range(4):
        attempt = quiz_attempt_start(user=learner, quiz=step.quiz)
        quiz_attempt_submit(user=learner, attempt=attempt, answers=_answers(attempt, right=False))
    assert quiz_attempt_start(user=learner, quiz=step.quiz).submitted_at is None


def test_multiple_choice_needs_the_exact_set_of_correct_choices(quiz_setup):
    learner, course, step = quiz_setup
    question = QuestionFactory(
        course=course, kind=Question.Kind.MULTIPLE, choices=[("A", True), ("B", True), ("C", False)]
    )
    a, b, c = question.choices.order_by("position")
    attempt = QuizAttempt.objects.create(quiz=step.quiz, user=learner, question_order=[question.pk])
    assert quiz_score(attempt, {str(question.pk): [a.pk, b.pk]}) == 100
    assert quiz_score(attempt, {str(question.pk): [a.pk]}) == 0
    assert quiz_score(attempt, {str(question.pk): [a.pk, b.pk, c.pk]}) == 0


def test_unanswered_questions_show_errors_in_place_and_keep_answers(client, quiz_setup):
    _learner, _course, step = quiz_setup
    client.get(step.get_absolute_url())
    attempt = QuizAttempt.objects.get()
    first_qid = attempt.question_order[0]
    picked = attempt.choice_order[str(first_qid)][0]

    response = client.post(step.get_absolute_url(), {"attempt": attempt.pk, f"q{first_qid}": str(picked)})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Choisissez une réponse." in html
    assert f'value="{picked}"' in html and "checked" in html
    assert QuizAttempt.objects.get().submitted_at is None


def test_forged_choice_is_a_field_error_not_a_500(client, quiz_setup):
    _learner, _course, step = quiz_setup
    client.get(step.get_absolute_url())
    attempt = QuizAttempt.objects.get()
    data = {"attempt": attempt.pk, **{f"q{qid}": "999999" for qid in attempt.question_order}}
    assert client.post(step.get_absolute_url(), data).status_code == 400


def test_double_submit_grades_once(quiz_setup):
    learner, _course, step = quiz_setup
    attempt = quiz_attempt_start(user=learner, quiz=step.quiz)
    quiz_attempt_submit(user=learner, attempt=attempt, answers=_answers(attempt, right=False))
    again = quiz_attempt_submit(user=learner, attempt=attempt, answers=_answers(attempt, right=True))
    assert again.score == 0
