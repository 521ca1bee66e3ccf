"""Names and Role Provisioning: a trainer imports the platform course's roster."""

from __future__ import annotations

import html

import pytest
from lti_tool.models import LtiUser

from academy.models import User
from courses.models import Enrolment
from tests.factories import CourseFactory, TrainerFactory
from tests.lti.platform import INSTRUCTOR, LEARNER, LaunchSpec

pytestmark = pytest.mark.django_db(transaction=True)


def _launch_trainer(platform, browser, course):
    browser.launch(
        platform,
        LaunchSpec(
            user_id="teacher-1",
            roles=[INSTRUCTOR],
            resource_link_id="rl-c",
            custom={"academy_target": f"course:{course.slug}"},
        ),
    )


def test_a_trainer_imports_the_platform_roster_into_the_course(platform, browser, live_server):
    # given
    course = CourseFactory(closed=True)
    existing = User.objects.create_user(email="amine@example.ma", password="x")
    platform.members = [
        {"user_id": "s-1", "roles": [LEARNER], "name": "Amine Tazi", "email": "amine@example.ma", "status": "Active"},
        {"user_id": "s-2", "roles": [LEARNER], "name": "Nora Idrissi", "status": "Active"},
        {"user_id": "s-3", "roles": [LEARNER], "name": "Parti", "status": "Inactive"},
        {"user_id": "t-2", "roles": [INSTRUCTOR], "name": "Youssef Alami", "status": "Active"},
    ]
    _launch_trainer(platform, browser, course)
    listing = browser.get(f"{live_server.url}/lti/cours/")
    assert course.title in html.unescape(listing.text)
    page = browser.get(f"{live_server.url}/lti/cours/{course.slug}/liste/")
    assert platform.context.title in html.unescape(page.text)
    # when
    done = browser.submit_form()
    # then
    assert "2 apprenant·es inscrit·es, 1 formateur·rices" in html.unescape(done.text)
    enrolled = set(
        Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE).values_list(
            "user__lti_users__sub", flat=True
        )
    )
    assert enrolled == {"s-1", "s-2"}
    amine = LtiUser.objects.get(sub="s-1").auth_user
    assert amine != existing  # matched by platform sub, never by e-mail
    assert course.co_trainers.filter(lti_users__sub="t-2").exists()
    assert platform.token_requests == 1


def test_a_platform_that_does_not_answer_leaves_a_message_and_no_change(platform, browser, live_server):
    course = CourseFactory()
    _launch_trainer(platform, browser, course)
    page = browser.get(f"{live_server.url}/lti/cours/{course.slug}/liste/")
    platform.stop()
    done = browser.submit_form(page)
    assert "La plateforme n'a pas répondu" in html.unescape(done.text)
    assert not Enrolment.objects.filter(course=course).exists()


def test_only_the_course_trainers_see_the_roster_page(client):
    course = CourseFactory()
    client.force_login(TrainerFactory())
    assert client.get(f"/lti/cours/{course.slug}/liste/").status_code == 404


def test_the_picker_and_roster_listing_read_a_bounded_number_of_queries(django_assert_max_num_queries):
    from lti.selectors import courses_with_platform_rosters, pickable_courses
    from tests.labs.factories import LabFactory

    trainer = TrainerFactory()
    for _ in range(4):
        LabFactory(step__module__course__owner=trainer)
    with django_assert_max_num_queries(4):
        courses = pickable_courses(trainer)
        titles = [
            step.lab.title for c in courses for m in c.modules.all() for step in m.steps.all() if step.kind == "lab"
        ]
    assert len(titles) == 4
    with django_assert_max_num_queries(1):
        courses_with_platform_rosters(trainer)
