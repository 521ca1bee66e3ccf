"""Uploads are judged by their content: polyglots, disguised archives and decompression bombs.

Lesson images are re-encoded (an appended payload is gone from the stored
bytes) or refused; lesson videos must be real MP4/WebM; dossier documents must
start like a PDF, JPEG or PNG and are served with that type, never as HTML.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import av
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from courses.images import MAX_IMAGE_PIXELS, validate_and_clean_image
from courses.models import LessonImage
from courses.videos import validate_video
from funding.models import DossierDocument
from tests.security.conftest import World, png_bytes

HTML_TAIL = b"<html><body><script>alert(document.cookie)</script></body></html>"
PHP_TAIL = b"<?php system($_GET['c']); ?>" + HTML_TAIL


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(out, format="JPEG")
    return out.getvalue()


def png_with_huge_header(width: int, height: int) -> bytes:
    """A tiny valid PNG whose IHDR declares ``width`` × ``height`` (CRC fixed), the classic decompression bomb."""
    data = bytearray(png_bytes((1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def gif_with_huge_screen() -> bytes:
    out = io.BytesIO()
    Image.new("P", (1, 1)).save(out, format="GIF")
    data = bytearray(out.getvalue())
    data[6:10] = struct.pack("<HH", 65535, 65535)  # logical screen size
    return bytes(data)


def mp4_bytes() -> bytes:
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 40, dtype=np.uint8), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("index.html", HTML_TAIL)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- lesson images -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("carte.gif", b"GIF89a" + HTML_TAIL),  # a GIF header with a page behind it
        ("photo.jpg", b"\xff\xd8\xff\xe0" + HTML_TAIL),  # a JPEG header with a page behind it
        ("page.png", HTML_TAIL),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ],
)
def test_image_polyglots_without_a_real_image_are_refused(name: str, content: bytes):
    with pytest.raises(ValidationError) as refused:
        validate_and_clean_image(upload(name, content, "image/png"))
    assert refused.value.code == "invalid_image"


@pytest.mark.parametrize(
    ("image", "tail"), [(png_bytes(), PHP_TAIL), (jpeg_bytes(), HTML_TAIL)], ids=["png+php", "jpeg+html"]
)
def test_a_real_image_with_a_payload_tail_is_stored_without_it(image: bytes, tail: bytes):
    cleaned, _width, _height, _format = validate_and_clean_image(upload("x.png", image + tail, "image/png"))
    stored = cleaned.read()
    assert b"<script>" not in stored and b"<?php" not in stored
    Image.open(io.BytesIO(stored)).verify()


# 6000 × 5000 is just above the platform's own limit, under Pillow's: the platform's check must catch it.
@pytest.mark.parametrize(
    "bomb", [png_with_huge_header(50_000, 50_000), png_with_huge_header(6_000, 5_000), gif_with_huge_screen()]
)
def test_decompression_bombs_are_refused_before_decoding(bomb: bytes):
    assert MAX_IMAGE_PIXELS < 6_000 * 5_000
    assert len(bomb) < 1000  # tiny on disk, huge once decoded
    with pytest.raises(ValidationError) as refused:
        validate_and_clean_image(upload("bombe.png", bomb, "image/png"))
    assert refused.value.code in ("too_many_pixels", "corrupt_image")


def test_image_upload_page_shows_the_refusal_and_stores_nothing(world: World):
    client = world.client("trainer")
    url = reverse("courses:authoring_image_upload", args=[world.course.slug])
    before = LessonImage.objects.count()
    response = client.post(
        url, {"alt_text": "Bombe", "image": upload("b.png", png_with_huge_header(50_000, 50_000), "image/png")}
    )
    assert response.status_code == 400
    assert "Image trop grande" in response.content.decode()
    assert LessonImage.objects.count() == before


def test_image_uploaded_through_the_page_is_re_encoded(world: World):
    client = world.client("trainer")
    url = reverse("courses:authoring_image_upload", args=[world.course.slug])
    response = client.post(
        url, {"alt_text": "Polyglotte", "image": upload("p.png", png_bytes() + PHP_TAIL, "image/png")}
    )
    assert response.status_code == 302
    stored = LessonImage.objects.get(alt_text="Polyglotte")
    served = b"".join(client.get(stored.get_absolute_url()).streaming_content)
    assert b"<?php" not in served and b"<script>" not in served


# --- lesson videos ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        zip_bytes(),  # an archive named .mp4
        b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + zip_bytes(),  # an MP4 header in front of an archive
        HTML_TAIL,
        b"GIF89a" + HTML_TAIL,
    ],
    ids=["zip", "ftyp+zip", "html", "gif+html"],
)
def test_fake_videos_are_refused(content: bytes):
    with pytest.raises(ValidationError) as refused:
        validate_video(upload("exemple.mp4", content, "video/mp4"))
    assert refused.value.code == "invalid_video"


def test_a_real_video_is_accepted_and_renamed():
    checked, info = validate_video(upload("../../etc/passwd.html", mp4_bytes(), "text/html"))
    assert info.container == "mp4"
    assert checked.name.endswith(".mp4") and "/" not in checked.name and "passwd" not in checked.name


def test_video_upload_page_refuses_an_archive_with_a_message(world: World):
    client = world.client("trainer")
    url = reverse("courses:authoring_lesson_video", args=[world.lesson_step.pk])
    response = client.post(url, {"video": upload("cours.mp4", zip_bytes(), "video/mp4")})
    assert response.status_code == 400
    assert "vidéo MP4 ou WebM valide" in response.content.decode()


def test_video_with_a_payload_tail_is_served_as_video_only(world: World):
    # given a real MP4 with a page appended (containers tolerate trailing bytes, so it is accepted)
    client = world.client("trainer")
    url = reverse("courses:authoring_lesson_video", args=[world.lesson_step.pk])
    assert client.post(url, {"video": upload("v.mp4", mp4_bytes() + HTML_TAIL, "video/mp4")}).status_code == 302
    # then it is only ever served as a video the browser may not sniff as HTML
    response = world.client("learner").get(reverse("courses:lesson_video", args=[world.lesson_step.pk]))
    assert response["Content-Type"] == "video/mp4"
    assert response["X-Content-Type-Options"] == "nosniff"


# --- funding dossier documents -------------------------------------------------------------------


def _upload_document(world: World, content: bytes, name: str):
    client = world.client("admin")
    url = reverse("funding:document_upload", args=[world.action.pk])
    data = {"required_id": world.document.required_id, "status": "", "file": upload(name, content, "application/pdf")}
    return client, client.post(url, data, follow=True)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("convention.pdf", HTML_TAIL),
        ("convention.pdf", zip_bytes()),
        ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 60),
        ("x.pdf", PHP_TAIL),
    ],
    ids=["html", "zip", "exe", "php"],
)
def test_dossier_refuses_files_that_are_not_pdf_jpeg_or_png(world: World, name: str, content: bytes):
    before = DossierDocument.objects.get(pk=world.document.pk).file.name
    _client, response = _upload_document(world, content, name)
    assert "Seuls les fichiers PDF, JPEG et PNG sont acceptés." in response.content.decode()
    assert DossierDocument.objects.get(pk=world.document.pk).file.name == before


def test_dossier_polyglot_keeps_its_real_type_and_is_never_served_as_html(world: World):
    # given a JPEG header with a page behind it, named .html
    client, response = _upload_document(world, b"\xff\xd8\xff\xe0" + HTML_TAIL, "piece.html")
    document = DossierDocument.objects.get(pk=world.document.pk)
    # then it is stored under the extension its content shows, and served as that type, privately
    assert document.file.name.endswith(".jpg")
    served = client.get(reverse("funding:document_file", args=[document.pk]))
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in served["Cache-Control"]
