"""The ethics workshop's samples: made offline at seed time, served publicly by fixed name, and
read by the verify page as signed / stripped / absent."""

from __future__ import annotations

import tomllib

import pytest

from provenance.reading import read_credentials
from provenance.samples import REENCODED_VIDEO, SIGNED_VIDEO, STILL_IMAGE, write_samples


@pytest.fixture
def samples(settings, tmp_path, no_signing):
    settings.VAR_DIR = tmp_path
    return write_samples()


def test_the_three_samples_teach_signed_stripped_and_absent(samples):
    signed = read_credentials(samples[SIGNED_VIDEO].read_bytes(), "video/mp4")
    reencoded = read_credentials(samples[REENCODED_VIDEO].read_bytes(), "video/mp4")
    still = read_credentials(samples[STILL_IMAGE].read_bytes(), "image/jpeg")

    assert signed.present and signed.ai_generated and signed.signature_valid
    assert not signed.trusted, "without the school's key, a sample-only demo CA signs: valid, not trusted"
    assert not reencoded.present
    assert not still.present


def test_samples_are_signed_with_the_school_key_when_there_is_one(signing, settings, tmp_path):
    settings.VAR_DIR = tmp_path

    signed = write_samples()[SIGNED_VIDEO]

    assert read_credentials(signed.read_bytes(), "video/mp4").trusted
    assert not (tmp_path / "provenance" / "samples" / "ca").exists()


@pytest.mark.parametrize(("name", "content_type"), [(SIGNED_VIDEO, "video/mp4"), (STILL_IMAGE, "image/jpeg")])
def test_samples_download_publicly_as_attachments(client, samples, name, content_type):
    response = client.get(f"/verifier-une-video/exemples/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == samples[name].read_bytes()


@pytest.mark.parametrize("name", ["ca", "ca%2Fsigning-key.pem", "..%2Fsigning-key.pem", "autre.mp4"])
def test_nothing_else_is_served_from_the_samples_folder(client, samples, name):
    assert client.get(f"/verifier-une-video/exemples/{name}").status_code == 404


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_ethics_module_has_the_workshop_and_its_quiz(language):
    from django.conf import settings

    data = tomllib.loads((settings.BASE_DIR / "demo" / "content" / f"genai_video.{language}.toml").read_text())
    steps = data["modules"][3]["steps"]
    workshop = steps[1]
    quiz = steps[2]

    for name in (SIGNED_VIDEO, REENCODED_VIDEO, STILL_IMAGE):
        assert f"/verifier-une-video/exemples/{name}" in workshop["body"]
    # Each course tags its questions in its own language.
    tag = {"fr": "atelier-provenance", "en": "provenance-workshop"}[language]
    assert quiz["kind"] == "quiz" and quiz["question_tags"] == [tag]
    tagged = [q for q in data["question_bank"] if tag in q["tags"]]
    assert len(tagged) >= quiz["draw"]
