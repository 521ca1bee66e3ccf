"""OIDC login and launch from a real platform: accounts, roles, enrolment, landing, language, framing."""

from __future__ import annotations

import html
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest
from lti_tool.models import LtiUser

from academy.models import User
from courses.models import Enrolment
from lti.models import Placement
from tests.factories import LessonFactory, UserFactory
from tests.labs.factories import LabFactory
from tests.lti.platform import ADMINISTRATOR, INSTRUCTOR, LEARNER, LaunchSpec

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_learner_lands_on_the_linked_lab_enrolled_and_in_the_platform_language(platform, browser):
    # given
    lab = LabFactory()
    spec = LaunchSpec(
        user_id="moodle-user-7",
        roles=[LEARNER],
        resource_link_id="rl-1",
        custom={"academy_target": f"lab:{lab.slug}"},
        locale="en-US",
        name="Salma Berrada",
    )
    # when
    page = browser.launch(platform, spec)
    # then
    assert page.status_code == 200
    assert urlsplit(page.url).path == lab.get_absolute_url()
    user = LtiUser.objects.get(registration=platform.registration, sub="moodle-user-7").auth_user
    assert user.role == User.Role.LEARNER and not user.is_staff
    assert user.preferred_language == "en"
    assert '<html lang="en">' in page.text
    assert Enrolment.objects.filter(user=user, course=lab.course, status=Enrolment.Status.ACTIVE).exists()
    placement = Placement.objects.get(resource_link__id_on_platform="rl-1")
    assert placement.step == lab.step
    # framed by the platform only, never by anyone else
    assert "X-Frame-Options" not in page.headers
    assert f"frame-ancestors {platform.url}" in page.headers["Content-Security-Policy"]


def test_the_same_platform_user_gets_the_same_account_and_an_email_never_matches_an_existing_one(platform, browser):
    lab = LabFactory()
    existing = UserFactory(email="salma@example.ma")
    spec = LaunchSpec(
        user_id="u-1",
        roles=[LEARNER],
        resource_link_id="rl-1",
        custom={"academy_target": f"lab:{lab.slug}"},
        email="salma@example.ma",
    )
    browser.launch(platform, spec)
    browser.launch(platform, spec)
    platform_user = LtiUser.objects.get(registration=platform.registration, sub="u-1")
    assert platform_user.auth_user != existing
    assert LtiUser.objects.filter(auth_user=platform_user.auth_user).count() == 1
    assert User.objects.filter(lti_users__sub="u-1").count() == 1


@pytest.mark.parametrize("role", [INSTRUCTOR, ADMINISTRATOR])
def test_instructors_and_administrators_become_trainers_of_the_linked_course_only(platform, browser, role):
    lesson = LessonFactory()
    course = lesson.step.module.course
    spec = LaunchSpec(
        user_id="teacher-1", roles=[role], resource_link_id="rl-2", custom={"academy_target": f"step:{lesson.step.pk}"}
    )
    page = browser.launch(platform, spec)
    user = LtiUser.objects.get(sub="teacher-1").auth_user
    assert urlsplit(page.url).path == lesson.step.get_absolute_url()
    assert user.role == User.Role.TRAINER
    assert not user.is_staff and not user.is_superuser and not user.is_admin
    assert course.co_trainers.filter(pk=user.pk).exists()
    assert not Enrolment.objects.filter(user=user).exists()


def test_a_link_without_academy_content_gets_a_clear_page(platform, browser):
    page = browser.launch(platform, LaunchSpec(user_id="u-2", roles=[LEARNER], resource_link_id="rl-9"))
    assert page.status_code == 403
    assert "Ce lien ne mène à aucun contenu de l'Academy" in html.unescape(page.text)


def test_pages_outside_an_lti_session_still_refuse_framing(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_when_the_frame_drops_the_session_cookie_a_new_tab_link_opens_the_session_once(platform, browser, live_server):
    import requests

    lab = LabFactory()
    spec = LaunchSpec(
        user_id="u-5", roles=[LEARNER], resource_link_id="rl-1", custom={"academy_target": f"lab:{lab.slug}"}
    )
    browser.get(platform.start_url(spec))
    action, fields = browser.form_fields()
    # a browser that refuses third-party cookies: no cookie jar survives between requests
    launched = requests.post(action, data=fields, allow_redirects=False, timeout=30)
    entered = requests.get(urljoin(action, launched.headers["Location"]), allow_redirects=False, timeout=30)
    check = requests.get(urljoin(action, entered.headers["Location"]), timeout=30)
    assert check.status_code == 200
    assert "Ouvrir dans un nouvel onglet" in check.text
    new_tab = lxml.html.fromstring(check.text).xpath("//main//a[@target='_blank']/@href")[0]
    with requests.Session() as tab:
        assert urlsplit(tab.get(urljoin(action, new_tab), timeout=30).url).path == lab.get_absolute_url()
    # the link served once
    assert requests.get(urljoin(action, new_tab), timeout=30).status_code == 400
