"""The learner's busiest pages run a bounded number of SQL queries.

The same bound must hold for a 2 × 2 course and a 10 × 10 one with other
learners' progress in the database: nothing is fetched per module, per step
or per learner.
"""

import pytest
from django.db import connection
from django.urls import reverse

from courses.models import Step
from courses.services.learning import enrol
from tests.factories import UserFactory, build_course, complete

pytestmark = pytest.mark.django_db

KINDS = [Step.Kind.LESSON, Step.Kind.QUIZ, Step.Kind.LESSON, Step.Kind.LAB]
SIZES = [(2, 2), (10, 10)]

# Measured on SQLite: course page 11, lesson 13 (the visit write included),
# quiz 13 once the attempt exists, dashboard 7 (its courses are read apart from the enrolments,
# once per content version). The bounds leave room for a middleware change, never for a query
# per module, step or learner.
MAX_DETAIL_QUERIES = 13
MAX_LESSON_QUERIES = 15
MAX_QUIZ_QUERIES = 15
MAX_DASHBOARD_QUERIES = 9
# Once the course's content is cached (courses.content_cache), a page reads only what is the
# learner's own: the user, enrolment, progress, certificate (and on a lesson the visit's write).
# Measured on PostgreSQL: course page 5, lesson 4 (the visit's two upserts are one statement there;
# SQLite runs them one by one in a savepoint: 3 more), quiz 8, dashboard 4.
WARM_DETAIL_QUERIES = 5
WARM_LESSON_QUERIES = 4 if connection.vendor == "postgresql" else 7
WARM_QUIZ_QUERIES = 8
WARM_DASHBOARD_QUERIES = 4


def _course_with_learners(modules: int, steps_per_module: int):
    course = build_course(modules=modules, steps_per_module=steps_per_module, kinds=KINDS, sequential=True)
    steps = list(Step.objects.filter(module__course=course).order_by("module__position", "position"))
    learner = UserFactory()
    enrol(user=learner, course=course)
    for step in steps[: len(steps) // 2]:
        complete(learner, step)
    for _ in range(3):  # other learners' rows must not be read
        other = UserFactory()
        enrol(user=other, course=course)
        for step in steps:
            complete(other, step)
    return course, steps, learner


@pytest.mark.parametrize(("modules", "steps_per_module"), SIZES)
def test_course_page_query_count_is_bounded(client, django_assert_max_num_queries, modules, steps_per_module):
    course, _steps, learner = _course_with_learners(modules, steps_per_module)
    client.force_login(learner)
    with django_assert_max_num_queries(MAX_DETAIL_QUERIES):
        response = client.get(course.get_absolute_url())
    assert response.status_code == 200
    with django_assert_max_num_queries(WARM_DETAIL_QUERIES):
        client.get(course.get_absolute_url())


@pytest.mark.parametrize(("modules", "steps_per_module"), SIZES)
def test_lesson_page_query_count_is_bounded(client, django_assert_max_num_queries, modules, steps_per_module):
    course, steps, learner = _course_with_learners(modules, steps_per_module)
    lesson_step = next(s for s in reversed(steps[: len(steps) // 2]) if s.kind == Step.Kind.LESSON)
    client.force_login(learner)
    with django_assert_max_num_queries(MAX_LESSON_QUERIES):
        response = client.get(reverse("courses:step", args=[course.slug, lesson_step.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(WARM_LESSON_QUERIES):
        client.get(reverse("courses:step", args=[course.slug, lesson_step.pk]))


@pytest.mark.parametrize(("modules", "steps_per_module"), SIZES)
def test_quiz_page_query_count_is_bounded(client, django_assert_max_num_queries, modules, steps_per_module):
    course, steps, learner = _course_with_learners(modules, steps_per_module)
    quiz_step = next(s for s in steps if s.kind == Step.Kind.QUIZ)
    client.force_login(learner)
    url = reverse("courses:step", args=[course.slug, quiz_step.pk])
    client.get(url)  # draws the attempt
    with django_assert_max_num_queries(MAX_QUIZ_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_max_num_queries(WARM_QUIZ_QUERIES):
        client.get(url)


@pytest.mark.parametrize(("modules", "steps_per_module"), SIZES)
def test_dashboard_query_count_is_bounded(client, django_assert_max_num_queries, modules, steps_per_module):
    course, _steps, learner = _course_with_learners(modules, steps_per_module)
    second = build_course(modules=modules, steps_per_module=steps_per_module, kinds=KINDS)
    enrol(user=learner, course=second)
    client.force_login(learner)
    with django_assert_max_num_queries(MAX_DASHBOARD_QUERIES):
        response = client.get(reverse("courses:dashboard"))
    assert len(response.context["entries"]) == 2
    with django_assert_max_num_queries(WARM_DASHBOARD_QUERIES):
        client.get(reverse("courses:dashboard"))
