"""The Django admin is no back door for uploads: same checks and storage rules as the site's pages.

Lesson media is served with the type its check established (never text/html),
whatever name a file was stored under.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from courses.models import Lesson, LessonImage
from funding.models import DossierDocument
from tests.form_pages import admin_errors, admin_form_data
from tests.security.conftest import World, png_bytes
from tests.security.test_uploads import HTML_TAIL, mp4_bytes


@pytest.fixture(autouse=True)
def _superuser_admin(world: World) -> None:
    """The Django admin's pages need model permissions: the world's admin gets them all."""
    world.admin.is_superuser = True
    world.admin.save(update_fields=["is_superuser"])


EVIL_PAGE = b"<!doctype html><html><body><script>fetch('/compte/mes-donnees/')</script></body></html>"


def _step_admin_url(world: World) -> str:
    return reverse("admin:courses_step_change", args=[world.lesson_step.pk])


def _post_lesson_video(world: World, name: str, content: bytes):
    client = world.client("admin")
    url = _step_admin_url(world)
    data = admin_form_data(client, url)
    data["lesson-0-new_video"] = SimpleUploadedFile(name, content, content_type="video/mp4")
    return client.post(url, data)


def test_admin_refuses_a_page_uploaded_as_a_lesson_video(world: World):
    # given the lesson's current video
    before = Lesson.objects.get(step=world.lesson_step).video.name
    # when an admin uploads an HTML page as the lesson's video
    response = _post_lesson_video(world, "evil.html", EVIL_PAGE)
    # then the admin shows the site's message and keeps the old video
    assert response.status_code == 200
    assert "vidéo MP4 ou WebM valide" in admin_errors(response)
    assert Lesson.objects.get(step=world.lesson_step).video.name == before


def test_admin_video_upload_is_stored_like_the_sites_and_replaces_the_old_file(
    world: World, django_capture_on_commit_callbacks
):
    lesson = Lesson.objects.get(step=world.lesson_step)
    old_name = lesson.video.name
    storage = lesson.video.storage
    # when an admin uploads a real MP4 under an HTML name
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_lesson_video(world, "clip.html", mp4_bytes())
    assert response.status_code == 302, admin_errors(response)
    # then it is stored under a random name with the extension its content shows, the old file is gone
    lesson.refresh_from_db()
    assert lesson.video.name.startswith("lesson-videos/") and lesson.video.name.endswith(".mp4")
    assert "clip" not in lesson.video.name
    assert not storage.exists(old_name)
    # and learners get it as a video
    served = world.client("learner").get(reverse("courses:lesson_video", args=[world.lesson_step.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"


def test_a_lesson_video_stored_under_an_unchecked_name_is_never_served_as_a_page(world: World):
    # given a file stored before the admin applied the checks
    lesson = Lesson.objects.get(step=world.lesson_step)
    lesson.video.save("evil.html", ContentFile(EVIL_PAGE), save=True)
    # when a learner's browser asks for it
    response = world.client("learner").get(reverse("courses:lesson_video", args=[world.lesson_step.pk]))
    # then it is not served at all (its type was never established), and certainly not as HTML
    assert response.status_code == 404
    assert not response.get("Content-Type", "").startswith("text/html") or b"fetch(" not in response.content


def test_a_lesson_image_stored_under_an_unchecked_name_is_never_served_as_a_page(world: World):
    world.image.image.save("piege.html", ContentFile(b"GIF89a" + HTML_TAIL), save=True)
    response = world.client("learner").get(reverse("courses:image", args=[world.image.pk]))
    assert response.status_code == 404


def _image_with_payload() -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (8, 8), "green")
    exif = Image.Exif()
    exif[0x010E] = "GPS 33.57N 7.59W"  # ImageDescription, as a phone would write a place
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue() + HTML_TAIL


def test_admin_image_upload_is_checked_and_re_encoded_like_the_sites(world: World):
    client = world.client("admin")
    url = reverse("admin:courses_lessonimage_add")
    data = admin_form_data(client, url)
    # a page named like an image is refused with the site's message
    data.update(course=world.course.pk, alt_text="Piège", image=SimpleUploadedFile("x.png", EVIL_PAGE, "image/png"))
    refused = client.post(url, data)
    assert refused.status_code == 200 and "image JPEG, PNG, WebP ou GIF valide" in admin_errors(refused)
    assert not LessonImage.objects.filter(alt_text="Piège").exists()
    # a real photo is stored re-encoded: no metadata, no payload, a random name, its real size recorded
    data.update(alt_text="Photo", image=SimpleUploadedFile("photo.html", _image_with_payload(), "text/html"))
    response = client.post(url, data)
    assert response.status_code == 302, admin_errors(response)
    stored = LessonImage.objects.get(alt_text="Photo")
    content = stored.image.read()
    assert stored.image.name.endswith(".jpg") and "photo" not in stored.image.name
    assert b"<script>" not in content and b"GPS 33.57N" not in content
    assert (stored.width, stored.height, stored.uploaded_by) == (8, 8, world.admin)


def _post_dossier_document(world: World, name: str, content: bytes):
    client = world.client("admin")
    url = reverse("admin:funding_dossierdocument_change", args=[world.document.pk])
    data = admin_form_data(client, url)
    data["new_file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client, client.post(url, data)


def test_admin_refuses_a_dossier_file_that_is_not_pdf_jpeg_or_png(world: World):
    before = DossierDocument.objects.get(pk=world.document.pk).file.name
    _client, response = _post_dossier_document(world, "convention.pdf", EVIL_PAGE)
    assert response.status_code == 200
    assert "Seuls les fichiers PDF, JPEG et PNG sont acceptés." in admin_errors(response)
    assert DossierDocument.objects.get(pk=world.document.pk).file.name == before


def test_admin_dossier_file_is_stored_like_the_sites(world: World, django_capture_on_commit_callbacks):
    old = DossierDocument.objects.get(pk=world.document.pk).file
    old_name, storage = old.name, old.storage
    with django_capture_on_commit_callbacks(execute=True):
        client, response = _post_dossier_document(world, "piece.html", png_bytes())
    assert response.status_code == 302, admin_errors(response)
    document = DossierDocument.objects.get(pk=world.document.pk)
    assert document.file.name.startswith(f"dossiers/{world.action.pk}/") and document.file.name.endswith(".png")
    assert not storage.exists(old_name)
    served = client.get(reverse("funding:document_file", args=[document.pk]))
    assert served["Content-Type"] == "image/png"
