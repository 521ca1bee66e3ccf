"""« Vérifier une vidéo » in Chromium: a visitor uploads a signed video, a plain photo, then junk."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from provenance.api import GenerationFacts, prompt_digest, protect_video
from provenance.demo_ca import create_demo_ca
from tests.browser.helpers import blocking_violations
from tests.provenance.conftest import photo_bytes, write_video

pytestmark = [pytest.mark.browser]


def test_a_visitor_reads_the_credentials_of_a_signed_video_and_is_told_when_there_are_none(
    page, settings, tmp_path, screenshot
):
    # given: a video signed by the school, a photo without credentials, and a file that is neither
    ca = create_demo_ca(tmp_path / "ca", school_name="École de démonstration")
    settings.PROVENANCE = {
        **settings.PROVENANCE,
        "SCHOOL_NAME": "École de démonstration",
        "SIGNING_CERT": str(ca.signing_chain),
        "SIGNING_KEY": str(ca.signing_key),
        "TRUST_ANCHORS": str(ca.root_cert),
    }
    facts = GenerationFacts(
        backend="fal",
        backend_label="fal",
        model="fal-ai/kling-video/v2.1/standard/text-to-video",
        prompt_sha256=prompt_digest("Un phare"),
        lab_title="Teaser produit",
    )
    signed = protect_video(write_video(tmp_path / "raw.mp4"), facts=facts, workdir=tmp_path).video
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(photo_bytes())
    junk = tmp_path / "notes.mp4"
    junk.write_bytes(b"%PDF-1.7 this is not a video")

    # when: a visitor follows the footer link and uploads the signed video
    page.goto("/")
    page.get_by_role("link", name="Vérifier une vidéo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier une vidéo")
    assert blocking_violations(page, "verify page") == []
    page.get_by_label("Vidéo ou image à vérifier").set_input_files(str(signed))
    page.get_by_role("button", name="Vérifier", exact=True).click()

    # then: the credentials read in plain words
    result = page.locator(".verify-result")
    expect(result).to_contain_text("Se déclare générée par IA")
    expect(result).to_contain_text("Signature valide et reconnue")
    expect(result).to_contain_text("École de démonstration")
    expect(result).to_contain_text("fal-ai/kling-video")
    assert blocking_violations(page, "verify result") == []
    screenshot(page, "signed-video")

    # when / then: a photo without credentials, then junk
    page.get_by_label("Vidéo ou image à vérifier").set_input_files(str(photo))
    page.get_by_role("button", name="Vérifier", exact=True).click()
    expect(page.locator(".verify-result")).to_contain_text("Aucune information de provenance")
    screenshot(page, "photo")

    page.get_by_label("Vidéo ou image à vérifier").set_input_files(str(junk))
    page.get_by_role("button", name="Vérifier", exact=True).click()
    expect(page.locator(".field-error .error")).to_contain_text("ni une vidéo (MP4, MOV) ni une image")
    expect(page.locator(".verify-result")).to_have_count(0)
    screenshot(page, "junk")
