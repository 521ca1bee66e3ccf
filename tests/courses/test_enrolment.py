import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from courses.models import Enrolment, StepProgress
from courses.services.learning import enrol, unenrol
from tests.factories import AdminFactory, CourseFactory, UserFactory, build_course, complete

pytestmark = pytest.mark.django_db


def test_learner_self_enrols_in_open_course_by_post(client):
    # given
    learner = UserFactory()
    course = CourseFactory()
    client.force_login(learner)
    # when
    response = client.post(reverse("courses:enrol", args=[course.slug]))
    # then
    assert response.status_code == 302
    assert Enrolment.objects.get(user=learner, course=course).status == Enrolment.Status.ACTIVE


def test_enrol_refuses_get(client):
    client.force_login(UserFactory())
    course = CourseFactory()
    assert client.get(reverse("courses:enrol", args=[course.slug])).status_code == 405
    assert not Enrolment.objects.exists()


def test_closed_course_refuses_self_enrolment(client):
    learner = UserFactory()
    course = CourseFactory(closed=True)
    client.force_login(learner)

    response = client.post(reverse("courses:enrol", args=[course.slug]), follow=True)

    assert not Enrolment.objects.filter(user=learner).exists()
    assert "administrateur" in response.content.decode()


def test_closed_course_page_says_enrolment_is_by_an_administrator(client):
    course = CourseFactory(closed=True)
    client.force_login(UserFactory())
    page = client.get(course.get_absolute_url()).content.decode()
    assert "inscription à ce cours est faite par un administrateur" in page
    assert reverse("courses:enrol", args=[course.slug]) not in page


def test_draft_course_cannot_be_self_enrolled():
    with pytest.raises(ValidationError):
        enrol(user=UserFactory(), course=CourseFactory(draft=True))


def test_non_admin_cannot_enrol_someone_else():
    with pytest.raises(PermissionDenied):
        enrol(user=UserFactory(), course=CourseFactory(closed=True), enrolled_by=UserFactory(trainer=True))


def test_unenrol_needs_confirmation_page_then_post(client):
    learner = UserFactory()
    course = CourseFactory()
    enrol(user=learner, course=course)
    client.force_login(learner)
    url = reverse("courses:unenrol", args=[course.slug])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert Enrolment.objects.get(user=learner).status == Enrolment.Status.ACTIVE

    client.post(url)
    assert Enrolment.objects.get(user=learner).status == Enrolment.Status.UNENROLLED


def test_progress_is_kept_on_re_enrolment():
    learner = UserFactory()
    course = build_course(modules=1, steps_per_module=2)
    enrol(user=learner, course=course)
    step = course.modules.first().steps.first()
    complete(learner, step)

    unenrol(user=learner, course=course)
    enrolment = enrol(user=learner, course=course)

    assert enrolment.status == Enrolment.Status.ACTIVE
    assert Enrolment.objects.filter(user=learner, course=course).count() == 1
    assert StepProgress.objects.get(user=learner, step=step).completed


def test_admin_enrols_existing_users_by_pasted_emails_in_closed_course(client):
    admin = AdminFactory()
    course = CourseFactory(closed=True)
    first, second = UserFactory(email="a@example.com"), UserFactory(email="b@example.com")
    client.force_login(admin)

    response = client.post(
        reverse("courses:enrolments_admin", args=[course.slug]),
        {"email": "", "emails": "A@example.com,\nb@example.com"},
    )

    assert response.status_code == 302
    enrolments = Enrolment.objects.filter(course=course, status=Enrolment.Status.ACTIVE)
    assert {e.user for e in enrolments} == {first, second}
    assert all(e.enrolled_by == admin for e in enrolments)


def test_admin_enrol_form_shows_unknown_emails_in_place_and_keeps_input(client):
    client.force_login(AdminFactory())
    course = CourseFactory(closed=True)
    UserFactory(email="known@example.com")

    response = client.post(
        reverse("courses:enrolments_admin", args=[course.slug]),
        {"emails": "known@example.com\nghost@example.com\nnot-an-email"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "not-an-email" in page  # what the admin typed is still there
    assert "Adresses invalides" in page
    assert not Enrolment.objects.exists()


def test_admin_enrol_form_names_accounts_that_do_not_exist(client):
    client.force_login(AdminFactory())
    course = CourseFactory(closed=True)
    response = client.post(reverse("courses:enrolments_admin", args=[course.slug]), {"email": "ghost@example.com"})
    assert response.status_code == 400
    assert "Aucun compte pour : ghost@example.com" in response.content.decode()


def test_admin_unenrols_a_learner_from_the_enrolment_page(client):
    admin = AdminFactory()
    course = CourseFactory(closed=True)
    learner = UserFactory()
    enrol(user=learner, course=course, enrolled_by=admin)
    client.force_login(admin)

    client.post(reverse("courses:enrolments_admin", args=[course.slug]), {"action": "remove", "user_id": learner.pk})

    assert Enrolment.objects.get(user=learner).status == Enrolment.Status.UNENROLLED


@pytest.mark.parametrize("user_id", ["abc", "", "1.5", "99999999999999999999"])
def test_removing_a_malformed_or_unknown_person_is_a_clear_refusal(client, user_id):
    # given an admin on a course's enrolment page
    admin = AdminFactory()
    course = CourseFactory(closed=True)
    learner = UserFactory()
    enrol(user=learner, course=course, enrolled_by=admin)
    client.force_login(admin)
    # when the removal form arrives with a person id that names no one enrolled
    response = client.post(
        reverse("courses:enrolments_admin", args=[course.slug]), {"action": "remove", "user_id": user_id}
    )
    # then the page explains it, and nobody is unenrolled
    assert response.status_code == 400
    assert "Cette personne n&#x27;est pas inscrite à ce cours." in response.content.decode()
    assert Enrolment.objects.get(user=learner).status == Enrolment.Status.ACTIVE


def test_removing_someone_not_enrolled_here_is_refused(client):
    admin = AdminFactory()
    course, elsewhere = CourseFactory(closed=True), CourseFactory(closed=True)
    learner = UserFactory()
    enrol(user=learner, course=elsewhere, enrolled_by=admin)
    client.force_login(admin)
    response = client.post(
        reverse("courses:enrolments_admin", args=[course.slug]), {"action": "remove", "user_id": learner.pk}
    )
    assert response.status_code == 400
    assert Enrolment.objects.get(user=learner, course=elsewhere).status == Enrolment.Status.ACTIVE


def test_enrolment_page_is_forbidden_to_trainers(client):
    course = CourseFactory(closed=True)
    client.force_login(course.owner)
    response = client.get(reverse("courses:enrolments_admin", args=[course.slug]))
    assert response.status_code == 403
