from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from courses.models import DailyActivity, Step, StepProgress
from courses.services.learning import HEARTBEAT_MAX_SECONDS, enrol, record_heartbeat, step_visit
from tests.factories import UserFactory, build_course

pytestmark = pytest.mark.django_db

HOSTILE_MARKDOWN = """# Leçon

<script>alert("x")</script>

<img src="x.png" onerror="alert(1)">

[piège](javascript:alert(1)) et [source](https://example.com/article)
"""


@pytest.fixture
def learner_in_course(client):
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=2)
    enrol(user=learner, course=course)
    client.force_login(learner)
    steps = list(Step.objects.filter(module__course=course).order_by("position"))
    return learner, course, steps


def _url(course, step, name="courses:step"):
    return reverse(name, args=[course.slug, step.pk])


def test_lesson_markdown_is_sanitised(client, learner_in_course):
    # given a lesson body with a script, an event handler and a javascript: link
    _learner, course, steps = learner_in_course
    steps[0].lesson.body = HOSTILE_MARKDOWN
    steps[0].lesson.save()
    # when
    page = client.get(_url(course, steps[0])).content.decode()
    body = page[page.index('<div class="prose">') :]
    # then
    assert "<h1>Leçon</h1>" in body
    assert 'alert("x")' not in body and "<script>alert" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert 'href="https://example.com/article" rel="noopener noreferrer"' in body


def test_mark_complete_by_post_records_completion_and_goes_to_next_step(client, learner_in_course):
    learner, course, steps = learner_in_course
    response = client.post(_url(course, steps[0], "courses:step_complete"))
    assert response["Location"] == _url(course, steps[1])
    assert StepProgress.objects.get(user=learner, step=steps[0]).completed


def test_mark_complete_with_htmx_swaps_the_button_for_a_done_badge(client, learner_in_course):
    _learner, course, steps = learner_in_course
    response = client.post(_url(course, steps[0], "courses:step_complete"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="step-complete"')
    assert "Leçon terminée" in html
    assert 'hx-swap-oob="true"' in html  # the outline in the sidebar follows


def test_completing_twice_keeps_the_first_completion_time(client, learner_in_course):
    learner, course, steps = learner_in_course
    client.post(_url(course, steps[0], "courses:step_complete"))
    first = StepProgress.objects.get(user=learner, step=steps[0]).completed_at
    client.post(_url(course, steps[0], "courses:step_complete"))
    assert StepProgress.objects.get(user=learner, step=steps[0]).completed_at == first


def test_lesson_page_includes_the_heartbeat_script_for_enrolled_learners(client, learner_in_course):
    _learner, course, steps = learner_in_course
    page = client.get(_url(course, steps[0])).content.decode()
    assert _url(course, steps[0], "courses:step_heartbeat") in page
    assert "js/heartbeat.js" in page


def test_heartbeat_credits_elapsed_time_up_to_the_bound(learner_in_course):
    learner, course, steps = learner_in_course
    start = timezone.now()
    step_visit(user=learner, step=steps[0], now=start)

    assert record_heartbeat(user=learner, step=steps[0], now=start + timedelta(seconds=30)) == 30
    # a tab left open all night counts one bounded beat
    assert record_heartbeat(user=learner, step=steps[0], now=start + timedelta(hours=9)) == HEARTBEAT_MAX_SECONDS

    progress = StepProgress.objects.get(user=learner, step=steps[0])
    assert progress.seconds_on_page == 30 + HEARTBEAT_MAX_SECONDS
    days = DailyActivity.objects.filter(user=learner, course=course)
    assert sum(day.seconds for day in days) == 30 + HEARTBEAT_MAX_SECONDS


def test_replayed_heartbeats_add_nothing_beyond_wall_clock(learner_in_course):
    learner, _course, steps = learner_in_course
    start = timezone.now()
    step_visit(user=learner, step=steps[0], now=start)
    moment = start + timedelta(seconds=30)
    credited = [record_heartbeat(user=learner, step=steps[0], now=moment) for _ in range(20)]
    assert sum(credited) == 30


def test_many_open_pages_share_one_clock(client):
    # given a learner who opened 13 lesson pages at once (tabs), in two courses
    learner = UserFactory()
    first, second = build_course(modules=1, steps_per_module=7), build_course(modules=1, steps_per_module=6)
    for course in (first, second):
        enrol(user=learner, course=course)
    steps = list(Step.objects.filter(module__course__in=[first, second]))
    assert len(steps) == 13
    start = timezone.now()
    for step in steps:
        step_visit(user=learner, step=step, now=start)
    # when every page beats once, 30 s later (a second apart, as tabs do)
    credited = [
        record_heartbeat(user=learner, step=step, now=start + timedelta(seconds=30 + n * 0.05))
        for n, step in enumerate(steps)
    ]
    # then the learner is credited the wall-clock time, once
    assert sum(credited) == 30
    assert sum(DailyActivity.objects.filter(user=learner).values_list("seconds", flat=True)) == 30
    assert sum(StepProgress.objects.filter(user=learner).values_list("seconds_on_page", flat=True)) == 30


def test_heartbeats_from_many_lesson_pages_credit_wall_clock_time_once(client):
    # given a learner who opens 13 lesson pages of a course
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=13)
    enrol(user=learner, course=course)
    client.force_login(learner)
    steps = list(Step.objects.filter(module__course=course))
    with freeze_time("2026-03-02 10:00:00") as clock:
        for step in steps:
            assert client.get(_url(course, step)).status_code == 200
        # when each page posts its heartbeat 30 s later
        clock.tick(30)
        credited = [client.post(_url(course, step, "courses:step_heartbeat")).json()["credited"] for step in steps]
    # then 30 s are credited, not 13 × 30
    assert sum(credited) == 30
    assert DailyActivity.objects.get(user=learner, course=course).seconds == 30


def test_shared_clock_loses_no_time_when_pages_take_turns(learner_in_course):
    # given two open pages beating alternately every 15 s for five minutes
    learner, _course, steps = learner_in_course
    start = timezone.now()
    for step in steps:
        step_visit(user=learner, step=step, now=start)
    credited = sum(
        record_heartbeat(user=learner, step=steps[n % 2], now=start + timedelta(seconds=15 * n + 0.4))
        for n in range(1, 21)
    )
    # then every second of the five minutes is counted, no more
    assert credited == 300


def test_opening_another_page_does_not_restart_the_running_clock(learner_in_course):
    learner, _course, steps = learner_in_course
    start = timezone.now()
    step_visit(user=learner, step=steps[0], now=start)
    # a second page opened 20 s later, then a beat from it at 30 s
    step_visit(user=learner, step=steps[1], now=start + timedelta(seconds=20))
    assert record_heartbeat(user=learner, step=steps[1], now=start + timedelta(seconds=30)) == 30
    assert record_heartbeat(user=learner, step=steps[0], now=start + timedelta(seconds=30)) == 0


def test_a_visit_creates_the_progress_row_then_only_moves_its_last_visit(learner_in_course):
    learner, _course, steps = learner_in_course
    start = timezone.now()
    step_visit(user=learner, step=steps[0], now=start)
    first = StepProgress.objects.get(user=learner, step=steps[0])
    assert (first.last_seen_at, first.completed_at, first.score, first.seconds_on_page) == (start, None, None, 0)

    # what the step recorded meanwhile (a pass, a score, time on the page) survives the next visit
    StepProgress.objects.filter(pk=first.pk).update(completed_at=start, score=80, seconds_on_page=45)
    later = start + timedelta(minutes=5)
    step_visit(user=learner, step=steps[0], now=later)
    again = StepProgress.objects.get(pk=first.pk)
    assert (again.last_seen_at, again.completed_at, again.score, again.seconds_on_page) == (later, start, 80, 45)
    assert StepProgress.objects.filter(user=learner).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement visit is PostgreSQL's")
def test_on_postgresql_a_visit_is_one_round_trip_that_leaves_the_session_durable():
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=1)
    enrol(user=learner, course=course)
    step = Step.objects.get(module__course=course)
    with CaptureQueriesContext(connection) as queries:
        step_visit(user=learner, step=step)
    assert len(queries) == 1
    assert queries[0]["sql"].startswith("SET LOCAL synchronous_commit TO OFF; ")
    assert StepProgress.objects.filter(user=learner, step=step, last_seen_at__isnull=False).exists()
    # the relaxed commit was the visit's own: the connection's next transactions wait for the flush
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


def test_first_heartbeat_without_a_visit_credits_nothing(learner_in_course):
    learner, _course, steps = learner_in_course
    assert record_heartbeat(user=learner, step=steps[0]) == 0


def test_heartbeat_endpoint_requires_enrolment(client):
    course = build_course(modules=1, steps_per_module=1)
    step = Step.objects.get(module__course=course)
    client.force_login(UserFactory())
    assert client.post(_url(course, step, "courses:step_heartbeat")).status_code == 404


def test_heartbeat_endpoint_answers_with_seconds_credited(client, learner_in_course):
    _learner, course, steps = learner_in_course
    client.get(_url(course, steps[0]))
    response = client.post(_url(course, steps[0], "courses:step_heartbeat"))
    assert response.status_code == 200
    assert response.json()["credited"] in (0, 1)


@pytest.fixture
def lesson_with_video(learner_in_course, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    _learner, course, steps = learner_in_course
    lesson = steps[0].lesson
    lesson.video.save("exemple.mp4", ContentFile(bytes(range(256)) * 4), save=True)
    return steps[0]


def test_video_streams_whole_file_to_an_enrolled_learner(client, lesson_with_video):
    response = client.get(reverse("courses:lesson_video", args=[lesson_with_video.pk]))
    assert response.status_code == 200
    assert response["Accept-Ranges"] == "bytes"
    assert len(b"".join(response.streaming_content)) == 1024


def test_video_answers_a_byte_range_with_206(client, lesson_with_video):
    response = client.get(
        reverse("courses:lesson_video", args=[lesson_with_video.pk]), headers={"Range": "bytes=10-19"}
    )
    assert response.status_code == 206
    assert response["Content-Range"] == "bytes 10-19/1024"
    assert b"".join(response.streaming_content) == bytes(range(10, 20))


def test_video_rejects_an_unsatisfiable_range(client, lesson_with_video):
    response = client.get(
        reverse("courses:lesson_video", args=[lesson_with_video.pk]), headers={"Range": "bytes=5000-"}
    )
    assert response.status_code == 416


def test_video_is_404_for_a_learner_not_enrolled(client, lesson_with_video):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:lesson_video", args=[lesson_with_video.pk])).status_code == 404


def test_video_is_not_under_a_public_media_url(client, lesson_with_video):
    page = client.get(_url(lesson_with_video.module.course, lesson_with_video)).content.decode()
    assert reverse("courses:lesson_video", args=[lesson_with_video.pk]) in page
    assert "/media/" not in page


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("draft", "who", "expected"), [(False, "anonymous", 200), (True, "learner", 404), (True, "owner", 200)]
)
def test_lesson_image_is_served_to_whoever_can_view_the_course(client, settings, tmp_path, draft, who, expected):
    from courses.models import LessonImage

    settings.MEDIA_ROOT = tmp_path
    course = build_course(modules=1, steps_per_module=1, draft=draft)
    image = LessonImage(course=course, alt_text="Plan large", width=4, height=4)
    image.image.save("plan.png", ContentFile(_png()), save=True)
    if who == "learner":
        client.force_login(UserFactory())
    elif who == "owner":
        client.force_login(course.owner)

    response = client.get(image.get_absolute_url())

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "image/png"
