"""academy.compiled_queries: the ORM's SQL compiled once, run with each call's values."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from academy.compiled_queries import CompiledQuery, PreparedStatement
from courses.models import Enrolment, Step, StepProgress
from courses.services.learning import enrol, step_complete
from tests.factories import UserFactory, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def learning():
    course = build_course(modules=1, steps_per_module=3)
    learner = UserFactory()
    enrol(user=learner, course=course)
    steps = list(Step.objects.filter(module__course=course).order_by("position"))
    step_complete(user=learner, step=steps[0])
    return course, learner, steps


PROGRESS = CompiledQuery(
    lambda user_id, course_id: (
        StepProgress.objects.filter(user_id=user_id, step__module__course_id=course_id)
        .order_by("step_id")
        .values_list("step_id", "completed_at")
    ),
    user_id=int,
    course_id=int,
)
ENROLMENT = CompiledQuery(
    lambda user_id, course_id: Enrolment.objects.filter(user_id=user_id, course_id=course_id).order_by("pk")[:1],
    user_id=int,
    course_id=int,
)


def test_rows_are_what_the_queryset_returns_converters_included(learning):
    course, learner, steps = learning
    expected = list(
        StepProgress.objects.filter(user_id=learner.pk, step__module__course_id=course.pk)
        .order_by("step_id")
        .values_list("step_id", "completed_at")
    )

    rows = PROGRESS.rows(user_id=learner.pk, course_id=course.pk)

    assert rows == expected
    assert isinstance(rows[0][1], datetime.datetime) and rows[0][1].tzinfo is not None


def test_each_call_runs_with_its_own_values_in_one_query(learning):
    course, learner, _steps = learning
    other = UserFactory()
    PROGRESS.rows(user_id=learner.pk, course_id=course.pk)  # compiled here

    with CaptureQueriesContext(connection) as queries:
        assert PROGRESS.rows(user_id=other.pk, course_id=course.pk) == []
    assert len(queries) == 1


def test_a_plain_queryset_gives_model_instances(learning):
    course, learner, _steps = learning
    enrolment = ENROLMENT.first(user_id=learner.pk, course_id=course.pk)

    assert isinstance(enrolment, Enrolment)
    assert enrolment == Enrolment.objects.get(user=learner, course=course)
    assert enrolment.enrolled_at == Enrolment.objects.get(pk=enrolment.pk).enrolled_at
    assert ENROLMENT.first(user_id=learner.pk, course_id=course.pk + 1000) is None


def test_a_parameter_that_does_not_reach_the_sql_is_refused():
    unused = CompiledQuery(
        lambda user_id, course_id: Enrolment.objects.filter(user_id=user_id), user_id=int, course_id=int
    )
    with pytest.raises(ValueError, match="course_id"):
        unused.rows(user_id=1, course_id=2)


def test_related_rows_cannot_be_compiled_into_instances():
    joined = CompiledQuery(
        lambda user_id: Enrolment.objects.select_related("course").filter(user_id=user_id), user_id=int
    )
    with pytest.raises(ValueError, match="select_related"):
        joined.rows(user_id=1)


def test_values_of_the_wrong_type_or_names_are_refused():
    with pytest.raises(TypeError):
        ENROLMENT.rows(user_id="1", course_id=2)
    with pytest.raises(TypeError):
        ENROLMENT.rows(user_id=True, course_id=2)
    with pytest.raises(TypeError):
        ENROLMENT.rows(user_id=1)
    with pytest.raises(TypeError):
        CompiledQuery(lambda when: Enrolment.objects.filter(enrolled_at=when), when=datetime.datetime)


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_on_postgresql_a_compiled_query_is_prepared_once_per_connection(learning):
    course, learner, _steps = learning
    query = CompiledQuery(
        lambda user_id: StepProgress.objects.filter(user_id=user_id).values_list("step_id"), user_id=int
    )
    query.rows(user_id=learner.pk)
    name = query._for("default").statement.name
    assert name in _prepared_names()

    expected = [(s.step_id,) for s in StepProgress.objects.filter(user=learner)]
    with CaptureQueriesContext(connection) as queries:
        assert query.rows(user_id=learner.pk) == expected
    assert [q["sql"] for q in queries] == [f"EXECUTE {name} ({learner.pk})"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_prepared_statements_can_be_turned_off_for_a_transaction_pooler(settings, learning):
    settings.DATABASE_PREPARED_STATEMENTS = False
    course, learner, _steps = learning
    query = CompiledQuery(lambda user_id: Enrolment.objects.filter(user_id=user_id).values_list("pk"), user_id=int)

    with CaptureQueriesContext(connection) as queries:
        query.rows(user_id=learner.pk)
    assert queries[0]["sql"].startswith("SELECT")
    assert not query._for("default").statement.name


@pytest.mark.skipif(connection.vendor != "postgresql", reason="several statements in one message are PostgreSQL's")
def test_a_statement_can_travel_with_a_setting_in_one_message(learning):
    _course, learner, _steps = learning
    statement = PreparedStatement("SELECT current_setting('statement_timeout'), %s::integer", parameters=1)
    with CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        statement.run(cursor, [learner.pk], preceded_by="SET LOCAL statement_timeout TO '5s'")
        assert cursor.fetchone() == ("5s", learner.pk)
    assert len(queries) == 1


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL takes several statements in one message")
def test_elsewhere_a_statement_refuses_company():
    statement = PreparedStatement("SELECT %s", parameters=1)
    with connection.cursor() as cursor, pytest.raises(ValueError, match="PostgreSQL"):
        statement.run(cursor, [1], preceded_by="PRAGMA foreign_keys = ON")
