"""A learner who passed a lab asks for the final render of an attempt; a real worker renders it.

End to end: the request goes through the page, the broker and a Celery worker (simulator backend on
the lab's final settings), then the page shows the final beside its draft and downloads the signed file.
"""

from __future__ import annotations

import io
from pathlib import Path

import c2pa
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PRODUCT_LAB, blocking_violations, graded_submission, log_in, seed_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_learner_gets_a_signed_final_render_of_a_passed_attempt(
    page, celery_worker, settings, signing, tmp_path, screenshot
):
    from academy.models import User
    from labs.models import Lab, Submission

    # given: the demo learner passed the product lab with a draft
    seed_demo()
    learner = User.objects.get(email="apprenant@demo.academy")
    lab = Lab.objects.get(slug=PRODUCT_LAB)
    draft = graded_submission(learner=learner, lab=lab, prompt=lab.reference_prompt.strip(), workdir=tmp_path)
    assert draft.final_passed

    # when: the learner opens the attempt and asks for its final render
    log_in(page, learner.email)
    page.goto(draft.get_absolute_url())
    expect(page.locator(".final-render")).to_contain_text("Il vous reste 2 rendus finals pour ce labo.")
    screenshot(page, "attempt-offers-final")
    page.get_by_role("button", name="Demander le rendu final de cet essai").click()

    # then: the worker renders it and the page shows it beside the draft
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rendu final de l'essai n° 1")
    status = page.locator("#submission-status")
    expect(status).to_have_attribute("data-state", "graded", timeout=90_000)
    expect(status.locator(".final-beside-draft video")).to_have_count(2)
    assert blocking_violations(page, "final render page") == []
    screenshot(page, "final-beside-draft")
    final = Submission.objects.get(tier=Submission.Tier.FINAL)
    assert (final.draft_id, final.result["backend"]["tier"]) == (draft.pk, "final")

    # and: the download is the marked video with its signed content credentials
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger la vidéo (avec ses informations de provenance)").click()
    data = Path(download_info.value.path()).read_bytes()
    with c2pa.Reader("video/mp4", io.BytesIO(data)) as reader:
        assert reader.get_validation_state() in ("Valid", "Trusted")
        assert '"tier": "final"' in reader.json()
