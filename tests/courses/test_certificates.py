import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Certificate, Enrolment, Step
from courses.pdf import certificate_pdf_bytes
from courses.services.learning import certificate_issue_if_eligible, enrol, step_complete
from tests.factories import AdminFactory, UserFactory, build_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_and_learner():
    learner = UserFactory(first_name="Salma", last_name="Benali", email="salma@example.com")
    course = build_course(modules=1, steps_per_module=3, title="Diriger une vidéo IA", duration_hours=6)
    enrol(user=learner, course=course)
    steps = list(Step.objects.filter(module__course=course).order_by("position"))
    return learner, course, steps


def test_certificate_is_issued_only_when_every_required_step_is_done(course_and_learner):
    learner, course, steps = course_and_learner
    steps[2].required = False
    steps[2].save()

    step_complete(user=learner, step=steps[0])
    assert not Certificate.objects.exists()

    step_complete(user=learner, step=steps[1])
    certificate = Certificate.objects.get()
    assert certificate.user == learner
    assert certificate.learner_name == "Salma Benali"
    assert certificate.course_title == "Diriger une vidéo IA"
    assert certificate.hours == 6
    assert Enrolment.objects.get(user=learner).completed_at is not None


def test_certificate_is_issued_once(course_and_learner):
    learner, course, steps = course_and_learner
    for step in steps:
        step_complete(user=learner, step=step)
    step_complete(user=learner, step=steps[0])
    assert certificate_issue_if_eligible(user=learner, course=course) == Certificate.objects.get()


def test_the_learner_is_notified_of_the_certificate_once(course_and_learner):
    from academy.notifications.models import Notification

    learner, course, steps = course_and_learner
    for step in steps:
        step_complete(user=learner, step=step)
    step_complete(user=learner, step=steps[0])
    (notification,) = Notification.objects.filter(recipient=learner)
    assert notification.kind == "courses.certificate_earned"
    assert notification.title() == "Attestation obtenue : Diriger une vidéo IA"
    assert notification.url == reverse("courses:dashboard")


def test_no_certificate_without_active_enrolment(course_and_learner):
    learner, course, steps = course_and_learner
    Enrolment.objects.update(status=Enrolment.Status.UNENROLLED)
    for step in steps:
        step_complete(user=learner, step=step)
    assert not Certificate.objects.exists()


def test_certificate_language_follows_the_learner_preference(course_and_learner):
    learner, course, steps = course_and_learner
    learner.preferred_language = "en"
    learner.save()
    for step in steps:
        step_complete(user=learner, step=step)
    assert Certificate.objects.get().language == "en"


def test_learner_name_never_falls_back_to_the_full_email():
    learner = UserFactory(first_name="", last_name="", email="karim.idrissi@example.com")
    course = build_course(modules=1, steps_per_module=1)
    enrol(user=learner, course=course)
    step_complete(user=learner, step=Step.objects.get(module__course=course))
    assert Certificate.objects.get().learner_name == "karim.idrissi"


@pytest.fixture
def certificate(course_and_learner):
    learner, _course, steps = course_and_learner
    for step in steps:
        step_complete(user=learner, step=step)
    return Certificate.objects.get()


def test_pdf_is_a_pdf_holding_the_code(certificate):
    pdf = certificate_pdf_bytes(
        certificate, verify_url=f"https://academy.example/cours/attestations/verifier/{certificate.code}/"
    )
    assert pdf.startswith(b"%PDF")
    assert certificate.code.encode() in pdf
    assert b"/Subtype /Image" in pdf  # the QR code


def test_owner_downloads_the_pdf(client, certificate):
    client.force_login(certificate.user)
    response = client.get(reverse("courses:certificate_pdf", args=[certificate.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and certificate.code.encode() in content


def test_admin_downloads_any_pdf(client, certificate):
    client.force_login(AdminFactory())
    assert client.get(reverse("courses:certificate_pdf", args=[certificate.code])).status_code == 200


def test_another_learner_gets_404_on_someone_elses_pdf(client, certificate):
    client.force_login(UserFactory())
    assert client.get(reverse("courses:certificate_pdf", args=[certificate.code])).status_code == 404


def test_anonymous_is_sent_to_login_for_the_pdf(client, certificate):
    response = client.get(reverse("courses:certificate_pdf", args=[certificate.code]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_verify_page_shows_a_valid_certificate_without_the_email(client, certificate):
    response = client.get(reverse("courses:certificate_verify", args=[certificate.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Valide" in page
    assert "Salma Benali" in page and "Diriger une vidéo IA" in page
    assert "salma@example.com" not in page


def test_verify_page_shows_a_revoked_certificate(client, certificate):
    certificate.revoked_at = timezone.now()
    certificate.save()
    page = client.get(reverse("courses:certificate_verify", args=[certificate.code])).content.decode()
    assert "Révoquée" in page
    assert "Valide" not in page


def test_verify_page_says_unknown_for_a_wrong_code(client):
    response = client.get(reverse("courses:certificate_verify", args=["ZZZZZZZZZZZZ"]))
    assert response.status_code == 404
    assert "Inconnue" in response.content.decode()


def test_pdf_qr_and_link_point_to_the_absolute_verify_url(client, certificate):
    client.force_login(certificate.user)
    content = b"".join(client.get(reverse("courses:certificate_pdf", args=[certificate.code])).streaming_content)
    assert f"http://testserver/cours/attestations/verifier/{certificate.code}/".encode() in content
