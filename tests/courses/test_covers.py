"""Course covers: uploaded by the trainer (checked, re-encoded), else generated from the title; shown where
courses are listed. And the catalogue puts the visitor's language first."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from courses import images as image_checks
from courses.covers import generated_cover_svg
from tests.factories import CourseFactory, EnrolmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg(size=(640, 360)) -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("cover.jpg", buffer.getvalue())


@pytest.fixture
def course():
    return CourseFactory(title="Écrire un prompt vidéo")


@pytest.fixture
def owner_client(client, course):
    client.force_login(course.owner)
    return client


def _upload(client, course, data):
    return client.post(reverse("courses:authoring_course_cover", args=[course.slug]), {"cover": data})


def test_the_trainer_uploads_a_cover_that_is_served_without_its_metadata(owner_client, course):
    response = _upload(owner_client, course, jpeg())
    assert response["Location"] == reverse("courses:authoring_course_edit", args=[course.slug])
    course.refresh_from_db()
    assert course.cover.name.endswith(".jpg")
    served = owner_client.get(reverse("courses:cover", args=[course.slug]))
    assert served["Content-Type"] == "image/jpeg"
    body = b"".join(served.streaming_content)
    assert b"SecretCam" not in body
    assert Image.open(io.BytesIO(body)).size == (640, 360)


def test_a_cover_too_small_is_refused_with_the_sizes_to_use(owner_client, course):
    response = _upload(owner_client, course, jpeg(size=(200, 100)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Image trop petite (200 × 100 pixels)" in page and "480 × 270" in page
    assert "L'image de couverture n'est pas enregistrée." in page
    course.refresh_from_db()
    assert not course.cover


def test_a_file_that_is_not_an_image_is_refused_with_a_message(owner_client, course):
    response = _upload(owner_client, course, SimpleUploadedFile("cover.png", b"pas une image"))
    assert response.status_code == 400
    assert "n&#x27;est pas une image JPEG, PNG, WebP ou GIF valide" in response.content.decode()


def test_a_cover_over_the_size_limit_is_refused(owner_client, course, monkeypatch):
    monkeypatch.setattr(image_checks, "MAX_IMAGE_BYTES", 1000)
    response = _upload(owner_client, course, jpeg(size=(1280, 720)))
    assert response.status_code == 400
    assert "Fichier trop lourd" in response.content.decode()


def test_posting_no_file_says_to_choose_one(owner_client, course):
    response = owner_client.post(reverse("courses:authoring_course_cover", args=[course.slug]), {})
    assert response.status_code == 400
    assert "Choisissez une image à envoyer." in response.content.decode()


def test_removing_the_cover_brings_back_the_generated_one(owner_client, course):
    _upload(owner_client, course, jpeg())
    owner_client.post(reverse("courses:authoring_course_cover", args=[course.slug]), {"remove": "1"})
    course.refresh_from_db()
    assert not course.cover
    assert owner_client.get(reverse("courses:cover", args=[course.slug]))["Content-Type"] == "image/svg+xml"


def test_only_the_courses_trainers_may_change_its_cover(client, course):
    client.force_login(UserFactory())
    assert _upload(client, course, jpeg()).status_code == 403


def test_without_an_upload_the_cover_is_drawn_from_the_title(client, course):
    response = client.get(reverse("courses:cover", args=[course.slug]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.decode() == generated_cover_svg("Écrire un prompt vidéo")


def test_generated_covers_are_deterministic_and_differ_between_titles():
    assert generated_cover_svg("Mouvements de caméra") == generated_cover_svg("Mouvements de caméra")
    assert generated_cover_svg("Mouvements de caméra") != generated_cover_svg("Lumière et couleur")


def test_a_title_with_markup_cannot_break_the_svg():
    svg = generated_cover_svg("<script>alert(1)</script> & co")
    assert "script" not in svg and "alert" not in svg
    assert svg.count("<svg") == 1 and svg.endswith("</svg>")


def test_a_draft_courses_cover_is_not_public(client):
    draft = CourseFactory(draft=True)
    assert client.get(reverse("courses:cover", args=[draft.slug])).status_code == 404


def test_covers_are_on_the_catalogue_course_page_and_dashboard(client, course):
    cover_url = reverse("courses:cover", args=[course.slug])
    assert cover_url in client.get(reverse("courses:catalogue")).content.decode()
    assert cover_url in client.get(course.get_absolute_url()).content.decode()
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=course)
    client.force_login(learner)
    assert cover_url in client.get(reverse("courses:dashboard")).content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_catalogue_lists_courses_in_the_visitors_language_first(client, course, language):
    # given courses in both languages, an English title sorting before the French ones
    CourseFactory(title="A prompting course", language="en")
    CourseFactory(title="Lumière et couleur", language="fr")
    CourseFactory(title="Zooming in", language="en")
    # when a visitor browsing in one language opens the catalogue
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    languages = [c.language for c in client.get(reverse("courses:catalogue")).context["courses"]]
    # then the courses in their language come first
    assert len(languages) == 4
    assert languages == sorted(languages, key=lambda code: code != language)
