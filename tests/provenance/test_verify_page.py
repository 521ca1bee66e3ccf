"""« Vérifier une vidéo »: a public page that reads credentials, refuses junk, keeps nothing and limits uploads."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from provenance.api import GenerationFacts, prompt_digest, protect_video
from tests.provenance.conftest import photo_bytes, write_video

URL = "/verifier-une-video/"
FACTS = GenerationFacts(
    backend="default",
    backend_label="Simulateur",
    model="",
    prompt_sha256=prompt_digest("Un phare"),
    lab_title="Teaser produit",
    simulation=True,
)


def upload(client, name: str, data: bytes, content_type: str = "application/octet-stream"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type=content_type)})


@pytest.fixture
def signed_video(signing, tmp_path) -> bytes:
    return protect_video(write_video(tmp_path / "raw.mp4"), facts=FACTS, workdir=tmp_path).video.read_bytes()


@pytest.mark.django_db
def test_the_page_is_public_and_linked_from_every_page(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(URL)

    assert response.status_code == 200
    assert reverse("provenance:verify") == URL
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert f'href="{URL}"' in client.get("/").content.decode()


@pytest.mark.django_db
def test_a_signed_video_shows_who_signed_what_tool_and_that_it_is_ai(client, signed_video):
    response = upload(client, "teaser.mp4", signed_video, "video/mp4")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Se déclare générée par IA" in page
    assert "Signature valide et reconnue" in page
    assert "École de démonstration" in page
    assert "Simulateur" in page and "Teaser produit" in page
    assert "Non : le contenu est celui qui a été signé." in page


@pytest.mark.django_db
def test_the_same_video_changed_after_signing_is_flagged(client, signed_video):
    data = bytearray(signed_video)
    data[data.rfind(b"mdat") + 64] ^= 0xFF

    page = upload(client, "teaser.mp4", bytes(data), "video/mp4").content.decode()

    assert "Modifiée depuis la signature" in page


@pytest.mark.django_db
def test_a_photo_without_credentials_explains_what_absence_means(client):
    page = upload(client, "photo.jpg", photo_bytes(), "image/jpeg").content.decode()

    assert "Aucune information de provenance" in page
    assert "ne prouve ni qu'il est authentique, ni qu'il est généré par IA" in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.mp4", b"%PDF-1.7 not a video at all", "ni une vidéo (MP4, MOV) ni une image"),
        ("script.jpg", b"<script>alert(1)</script>", "ni une vidéo (MP4, MOV) ni une image"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "semble abîmé"),
    ],
)
def test_junk_uploads_are_refused_with_a_clear_message(client, name, data, message):
    response = upload(client, name, data)

    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_an_empty_form_asks_for_a_file(client):
    response = client.post(URL, {})

    assert response.status_code == 400
    assert "Choisissez un fichier à vérifier." in response.content.decode()


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(client, settings):
    settings.PROVENANCE_VERIFY_MAX_BYTES = 1024

    response = upload(client, "big.jpg", photo_bytes(), "image/jpeg")

    assert response.status_code == 400
    assert "la limite est de 1,0" in response.content.decode()


@pytest.mark.django_db
def test_uploads_are_rate_limited_per_visitor(client, settings):
    settings.PROVENANCE_VERIFY_RATE_PER_HOUR = 2
    for _ in range(2):
        assert upload(client, "photo.jpg", photo_bytes(), "image/jpeg").status_code == 200

    response = upload(client, "photo.jpg", photo_bytes(), "image/jpeg")

    assert response.status_code == 429
    assert "Réessayez un peu plus tard" in response.content.decode()


@pytest.mark.django_db
def test_nothing_is_kept_after_a_check(client, settings, signed_video, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # force Django's temporary file
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()

    upload(client, "teaser.mp4", signed_video, "video/mp4")

    assert not (tmp_path / "media").exists()
    assert list((tmp_path / "uploads").iterdir()) == []


@pytest.fixture
def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    yield
    translation.activate(settings.LANGUAGE_CODE)  # the middleware left English active in this thread


@pytest.mark.django_db
def test_the_page_speaks_english(client, english, signed_video):
    page = upload(client, "teaser.mp4", signed_video, "video/mp4").content.decode()

    assert "Declares itself AI-generated" in page
