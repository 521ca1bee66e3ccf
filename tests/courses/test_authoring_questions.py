"""Question bank and quiz settings in the authoring pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Choice, Question
from tests.factories import CourseFactory, ModuleFactory, QuestionFactory, QuizFactory, TrainerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return TrainerFactory()


@pytest.fixture
def course(owner):
    return CourseFactory(owner=owner, draft=True)


def question_data(kind="single", choices=(("Plan large", True), ("Gros plan", False)), **overrides) -> dict:
    rows = list(choices) + [("", False)] * (4 - len(choices))
    data = {
        "kind": kind,
        "text": "Quel plan montre tout le décor ?",
        "explanation": "Le plan large situe l'action.",
        "key": "",
        "tags_text": "cadrage, caméra",
        "choices-TOTAL_FORMS": str(len(rows)),
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "12",
    }
    for index, (text, correct) in enumerate(rows):
        data[f"choices-{index}-text"] = text
        if correct:
            data[f"choices-{index}-correct"] = "on"
    data.update(overrides)
    return data


def post_question(client, course, data):
    return client.post(reverse("courses:authoring_question_create", args=[course.slug]), data)


def test_single_choice_question_is_created_with_ordered_choices_and_tags(client, owner, course):
    client.force_login(owner)
    response = post_question(client, course, question_data())
    question = Question.objects.get(course=course)
    assert response.status_code == 302
    assert question.tags == ["cadrage", "caméra"] and question.key
    assert [(c.text, c.correct) for c in question.choices.all()] == [("Plan large", True), ("Gros plan", False)]


@pytest.mark.parametrize(
    ("kind", "choices", "message"),
    [
        ("single", (("A", True), ("B", True)), "exactement une réponse correcte"),
        ("single", (("A", False), ("B", False)), "exactement une réponse correcte"),
        ("multiple", (("A", False), ("B", False)), "au moins une réponse correcte"),
        ("single", (("A", True),), "au moins deux réponses"),
    ],
)
def test_invalid_choices_are_refused_in_place_keeping_input(client, owner, course, kind, choices, message):
    client.force_login(owner)
    response = post_question(client, course, question_data(kind=kind, choices=choices))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "Quel plan montre tout le décor ?" in page and 'value="A"' in page
    assert not Question.objects.exists()


def test_multiple_choice_with_two_correct_answers_is_valid(client, owner, course):
    client.force_login(owner)
    post_question(client, course, question_data(kind="multiple", choices=(("A", True), ("B", True), ("C", False))))
    assert Question.objects.get().choices.filter(correct=True).count() == 2


def test_duplicate_key_is_an_error_on_the_key_field(client, owner, course):
    QuestionFactory(course=course, key="plan-large")
    client.force_login(owner)
    response = post_question(client, course, question_data(key="plan-large"))
    assert response.status_code == 400
    assert 'id="id_key_error"' in response.content.decode()


def test_editing_a_question_keeps_choice_ids(client, owner, course):
    question = QuestionFactory(course=course, choices=[("A", True), ("B", False)])
    ids = list(question.choices.values_list("pk", flat=True))
    client.force_login(owner)
    data = question_data(choices=(("A modifiée", False), ("B", True)), key=question.key)
    data.update({"choices-0-pk": ids[0], "choices-1-pk": ids[1], "choices-INITIAL_FORMS": "2"})
    response = client.post(reverse("courses:authoring_question_edit", args=[question.pk]), data)
    assert response.status_code == 302
    assert list(question.choices.values_list("pk", "text", "correct")) == [
        (ids[0], "A modifiée", False),
        (ids[1], "B", True),
    ]


def test_question_of_another_course_is_404(client, owner):
    question = QuestionFactory()
    client.force_login(owner)
    assert client.get(reverse("courses:authoring_question_edit", args=[question.pk])).status_code == 404


def test_question_delete(client, owner, course):
    question = QuestionFactory(course=course)
    client.force_login(owner)
    client.post(reverse("courses:authoring_question_delete", args=[question.pk]))
    assert not Question.objects.exists() and not Choice.objects.exists()


def test_quiz_settings_and_picked_questions_are_saved(client, owner, course):
    quiz = QuizFactory(step__module=ModuleFactory(course=course))
    picked, _other = QuestionFactory(course=course), QuestionFactory(course=course)
    client.force_login(owner)
    data = {
        "title": "Quiz cadrage",
        "minutes": 5,
        "required": "on",
        "pass_mark": 80,
        "max_attempts": 0,
        "draw_count": 1,
        "question_tags_text": "cadrage, éthique",
        "questions": [picked.pk],
    }
    response = client.post(reverse("courses:authoring_quiz_edit", args=[quiz.step_id]), data)
    quiz.refresh_from_db()
    assert response.status_code == 302
    assert (quiz.pass_mark, quiz.max_attempts, quiz.draw_count) == (80, 0, 1)
    assert quiz.question_tags == ["cadrage", "éthique"]
    assert list(quiz.questions.all()) == [picked]


def test_quiz_refuses_pass_mark_above_100_and_foreign_questions(client, owner, course):
    quiz = QuizFactory(step__module=ModuleFactory(course=course))
    foreign = QuestionFactory()
    client.force_login(owner)
    data = {
        "title": "Quiz",
        "minutes": 5,
        "pass_mark": 150,
        "max_attempts": 3,
        "draw_count": 0,
        "questions": [foreign.pk],
    }
    response = client.post(reverse("courses:authoring_quiz_edit", args=[quiz.step_id]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        'id="id_pass_mark_error"' in page and 'id="id_draw_count_error"' in page and 'id="id_questions_error"' in page
    )
    quiz.refresh_from_db()
    assert quiz.pass_mark == 70
