"""The whole learner journey through the views, with one real (simulated) render: submit → poll → graded → video."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from labs.models import Submission
from labs.services.pipeline import run_grading
from tests.factories import EnrolmentFactory, UserFactory
from tests.labs.factories import CriterionFactory, LabFactory

pytestmark = pytest.mark.django_db

PROMPT = (
    "Gros plan sur un flacon de parfum en verre ambré posé sur une table en marbre, à l'heure dorée. "
    "Une main saisit le flacon, le tourne lentement, puis le repose. Travelling avant lent. "
    "Lumière douce venant de la fenêtre à gauche. Palette : ambre, crème."
)


@pytest.fixture
def lab():
    lab = LabFactory(pass_mark=50)
    for position, element in enumerate(("subject", "camera_movement", "lighting")):
        CriterionFactory(lab=lab, element=element, weight=10, position=position)
    return lab


@pytest.fixture
def learner_client(client, lab):
    learner = UserFactory()
    EnrolmentFactory(user=learner, course=lab.course)
    client.force_login(learner)
    return client


def test_submit_poll_and_see_the_graded_video(learner_client, lab, tmp_path, django_capture_on_commit_callbacks):
    # given a submitted prompt, polled while queued
    with django_capture_on_commit_callbacks(execute=False):
        response = learner_client.post(
            reverse("labs:submit", args=[lab.slug]), {"prompt": PROMPT, "client_token": "z" * 32}
        )
    submission = Submission.objects.get()
    assert response["Location"] == submission.get_absolute_url()
    assert 'hx-trigger="every 2s"' in learner_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()

    # when the worker grades it
    run_grading(submission.pk, str(submission.task_token), workdir=tmp_path)

    # then the next poll shows the result and stops polling
    status = learner_client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in status
    assert "<video controls playsinline" in status
    assert "Mouvement de caméra" in status and '<mark class="el el-camera_movement"' in status
    video = learner_client.get(reverse("labs:submission_media", args=[submission.pk, "video"]), HTTP_RANGE="bytes=0-99")
    assert video.status_code == 206 and len(b"".join(video.streaming_content)) == 100
    assert learner_client.get(reverse("labs:submission_media", args=[submission.pk, "poster"])).status_code == 200
    lab_page = learner_client.get(lab.get_absolute_url()).content.decode()
    assert f"{Submission.objects.get().final_score}/100" in lab_page


def test_prompt_refused_by_the_ethics_gate_lands_on_the_blocked_page(learner_client, lab):
    response = learner_client.post(
        reverse("labs:submit", args=[lab.slug]),
        {"prompt": "Lionel Messi marque un but sur une plage au coucher du soleil.", "client_token": "y" * 32},
    )

    page = learner_client.get(response["Location"]).content.decode()
    assert Submission.objects.get().state == Submission.State.BLOCKED
    assert "Personne réelle identifiable" in page
    assert "Lionel Messi</q>" in page


def test_a_double_submit_racing_the_first_redirects_to_the_same_attempt(learner_client, lab, monkeypatch):
    # given the first click of a double submit committing its attempt while the second request
    # is already past its duplicate check (two requests at once: simulated at the point they cross)
    from labs.services import submissions

    learner = get_user_model().objects.get(pk=learner_client.session["_auth_user_id"])
    real_draft_save = submissions.draft_save

    def first_click_commits_meanwhile(**kwargs):
        Submission.objects.create(
            lab=lab, learner=learner, prompt=PROMPT, client_token="d" * 32, deadline_at=timezone.now()
        )
        return real_draft_save(**kwargs)

    monkeypatch.setattr(submissions, "draft_save", first_click_commits_meanwhile)
    # when the second click's request goes on
    response = learner_client.post(
        reverse("labs:submit", args=[lab.slug]), {"prompt": PROMPT, "client_token": "d" * 32}
    )
    # then it answers like the first: a redirect to that one attempt, not a refusal
    first = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == first.get_absolute_url()
