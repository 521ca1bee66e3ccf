"""Lesson images and videos uploaded by trainers: checked by content, re-encoded, metadata removed."""

from __future__ import annotations

import io
import struct
import zlib

import av
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from courses import images as image_checks
from courses.images import validate_and_clean_image
from courses.models import Lesson, LessonImage
from courses.videos import validate_video
from tests.factories import CourseFactory, LessonFactory, ModuleFactory, TrainerFactory


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (33.0, 35.0, 0.0)}  # GPSInfo: a latitude
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def png_bytes(size=(32, 24), **save_options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 255)).save(buffer, "PNG", **save_options)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge image: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


# --- image checks -------------------------------------------------------------------


def test_jpeg_exif_is_removed_by_reencoding():
    original = jpeg_with_exif()
    assert b"SecretCam" in original
    content, width, height, image_format = validate_and_clean_image(upload("photo.jpg", original))
    stored = content.read()
    assert (width, height, image_format) == (40, 30, "JPEG")
    assert b"SecretCam" not in stored
    assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}


def test_png_text_chunks_and_trailing_payload_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "private note")
    data = png_bytes(pnginfo=info) + b"<script>alert(1)</script>"  # a PNG/HTML polyglot
    content, width, height, image_format = validate_and_clean_image(upload("a.png", data))
    stored = content.read()
    assert image_format == "PNG" and (width, height) == (32, 24)
    assert b"private note" not in stored and b"<script>" not in stored
    assert content.name.endswith(".png")


@pytest.mark.parametrize(
    "data",
    [
        b"just some text, not an image",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
        b"GIF89a<script>alert(1)</script>",
    ],
)
def test_non_images_renamed_png_are_refused(data):
    with pytest.raises(ValidationError) as error:
        validate_and_clean_image(upload("image.png", data))
    assert error.value.code in ("invalid_image", "corrupt_image")


def test_bmp_is_refused_even_though_pillow_reads_it():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "BMP")
    with pytest.raises(ValidationError):
        validate_and_clean_image(upload("image.png", buffer.getvalue()))


def test_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(image_checks, "MAX_IMAGE_BYTES", 1000)
    with pytest.raises(ValidationError) as error:
        validate_and_clean_image(upload("big.png", png_bytes(size=(400, 400)) + b"\0" * 2000))
    assert error.value.code == "file_too_large"


@pytest.mark.parametrize("size", [(20000, 20000), (6000, 5000)])
def test_decompression_bomb_is_refused_with_a_message(size):
    with pytest.raises(ValidationError) as error:
        validate_and_clean_image(upload("bomb.png", png_header_only(*size)))
    assert error.value.code == "too_many_pixels"
    assert "millions de pixels" in error.value.messages[0]


# --- image upload page ---------------------------------------------------------------


@pytest.mark.django_db
def test_upload_page_stores_clean_image_and_gives_snippet(client):
    owner = TrainerFactory()
    course = CourseFactory(owner=owner, draft=True)
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_image_upload", args=[course.slug]),
        {"image": upload("photo.jpg", jpeg_with_exif()), "alt_text": "Un coucher de soleil"},
        follow=True,
    )
    image = LessonImage.objects.get(course=course)
    assert (image.width, image.height, image.uploaded_by) == (40, 30, owner)
    assert b"SecretCam" not in image.image.read()
    assert f"![Un coucher de soleil](/cours/images/{image.pk}/)" in response.content.decode()


@pytest.mark.django_db
def test_upload_page_shows_error_in_form_for_text_file(client):
    owner = TrainerFactory()
    course = CourseFactory(owner=owner, draft=True)
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_image_upload", args=[course.slug]),
        {"image": upload("notes.png", b"hello"), "alt_text": "Texte gardé"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_image_error"' in page and 'value="Texte gardé"' in page
    assert not LessonImage.objects.exists()


@pytest.mark.django_db
def test_upload_page_refuses_bomb_without_500(client):
    owner = TrainerFactory()
    course = CourseFactory(owner=owner, draft=True)
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_image_upload", args=[course.slug]),
        {"image": upload("bomb.png", png_header_only(20000, 20000)), "alt_text": "x"},
    )
    assert response.status_code == 400
    assert "millions de pixels" in response.content.decode()


# --- videos ---------------------------------------------------------------------------


def encoded_video(container_format: str, codec: str) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_format) as container:
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        for index in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((90, 160, 3), index * 20, np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def test_mp4_and_webm_are_accepted_and_renamed():
    mp4_file, mp4 = validate_video(upload("clip.mov", encoded_video("mp4", "libx264")))
    webm_file, webm = validate_video(upload("clip.bin", encoded_video("webm", "libvpx")))
    assert (mp4.container, mp4.codec, mp4.width, mp4.height) == ("mp4", "h264", 160, 90)
    assert mp4_file.name.endswith(".mp4") and webm_file.name.endswith(".webm") and webm.codec == "vp8"


@pytest.mark.parametrize(
    ("name", "data_factory"),
    [
        ("notes.mp4", lambda: b"this is a text file " * 50),
        ("clip.mp4", lambda: encoded_video("mov", "libx264")),  # QuickTime, not MP4
        ("clip.webm", lambda: encoded_video("matroska", "libx264")),  # Matroska with H.264 is not WebM
    ],
)
def test_other_files_are_refused_as_video(name, data_factory):
    with pytest.raises(ValidationError) as error:
        validate_video(upload(name, data_factory()))
    assert error.value.code == "invalid_video"


@pytest.mark.django_db
def test_lesson_video_upload_form_shows_error_for_text_file(client):
    owner = TrainerFactory()
    lesson = LessonFactory(step__module=ModuleFactory(course=CourseFactory(owner=owner, draft=True)))
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_lesson_video", args=[lesson.step_id]),
        {"video": upload("notes.mp4", b"not a video" * 20)},
    )
    assert response.status_code == 400
    assert 'id="id_video_error"' in response.content.decode()
    lesson.refresh_from_db()
    assert not lesson.video


@pytest.mark.django_db
def test_lesson_video_upload_stores_the_video(client):
    owner = TrainerFactory()
    lesson = LessonFactory(step__module=ModuleFactory(course=CourseFactory(owner=owner, draft=True)))
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_lesson_video", args=[lesson.step_id]),
        {"video": upload("a.mp4", encoded_video("mp4", "libx264"))},
    )
    assert response.status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).video.name.endswith(".mp4")


@pytest.mark.django_db
def test_htmx_image_upload_returns_only_the_panel_with_snippet(client):
    owner = TrainerFactory()
    lesson = LessonFactory(step__module=ModuleFactory(course=CourseFactory(owner=owner, draft=True)))
    course = lesson.step.module.course
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_image_upload", args=[course.slug]),
        {"image": upload("a.png", png_bytes()), "alt_text": "Schéma", "next": "/ailleurs/"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    image = LessonImage.objects.get()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="image-panel"')
    assert f"![Schéma](/cours/images/{image.pk}/)" in page


@pytest.mark.django_db
def test_htmx_video_error_comes_back_in_the_panel_with_200(client):
    owner = TrainerFactory()
    lesson = LessonFactory(step__module=ModuleFactory(course=CourseFactory(owner=owner, draft=True)))
    client.force_login(owner)
    response = client.post(
        reverse("courses:authoring_lesson_video", args=[lesson.step_id]),
        {"video": upload("notes.webm", b"plain text" * 30)},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200  # htmx only swaps 2xx responses
    assert page.lstrip().startswith('<section id="video-panel"') and 'id="id_video_error"' in page
