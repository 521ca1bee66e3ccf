"""Final renders: asked for on a graded attempt, rendered on the lab's final settings, with their own budget."""

from __future__ import annotations

import io

import av
import c2pa
import pytest
from django.urls import reverse

from labs.models import Submission
from labs.selectors import final_allowance, grade_that_counts, lab_allowance
from labs.services.finals import final_render_refusal, request_final_render
from labs.services.pipeline import run_grading
from labs.services.submissions import SubmissionRefused
from tests.factories import EnrolmentFactory, TrainerFactory, UserFactory
from tests.labs.factories import LabFactory, SubmissionFactory, attach_media

pytestmark = pytest.mark.django_db

SETTINGS_WITH_FINAL_BACKEND = {
    "default": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
    "final": {"BACKEND": "labs.backends.simulator.SimulatorBackend", "OPTIONS": {}},
}


@pytest.fixture
def lab():
    return LabFactory(budget_finals_per_learner=1, final_backend_alias="final")


@pytest.fixture
def learner(lab):
    user = UserFactory()
    EnrolmentFactory(user=user, course=lab.course)
    return user


def draft_of(lab, learner, *, passed: bool = True, **fields) -> Submission:
    return SubmissionFactory(lab=lab, learner=learner, graded=True, passed=passed, score=80 if passed else 40, **fields)


# --- who may ask, and the separate budget ----------------------------------------


def test_a_final_waits_for_the_lab_to_be_passed(lab, learner):
    draft = draft_of(lab, learner, passed=False)

    assert (
        final_render_refusal(learner=learner, draft=draft) == "Le rendu final s'ouvre quand vous avez réussi ce labo."
    )
    with pytest.raises(SubmissionRefused):
        request_final_render(learner=learner, draft=draft)
    assert not Submission.objects.filter(tier=Submission.Tier.FINAL).exists()


def test_the_trainer_may_open_finals_before_a_pass(lab, learner, django_capture_on_commit_callbacks):
    lab.final_requires_pass = False
    lab.save()
    draft = draft_of(lab, learner, passed=False)

    with django_capture_on_commit_callbacks() as callbacks:
        final = request_final_render(learner=learner, draft=draft)

    assert final.tier == Submission.Tier.FINAL and final.draft == draft
    assert len(callbacks) == 1, "the final's grading is enqueued on commit"


def test_any_graded_attempt_may_be_chosen_once_the_lab_is_passed(lab, learner):
    chosen = draft_of(lab, learner, passed=False)  # not the passing one
    draft_of(lab, learner, passed=True)

    final = request_final_render(learner=learner, draft=chosen)

    assert (final.prompt, final.seed, final.language) == (chosen.prompt, chosen.seed, chosen.language)
    assert final.backend_alias == "final"
    assert final.counts_as_attempt is False


def test_asking_twice_gives_the_same_final(lab, learner):
    draft = draft_of(lab, learner)

    first = request_final_render(learner=learner, draft=draft)
    second = request_final_render(learner=learner, draft=draft)

    assert first == second
    assert Submission.objects.filter(tier=Submission.Tier.FINAL).count() == 1


def test_finals_have_their_own_budget_and_leave_the_attempts_alone(lab, learner):
    first, second = draft_of(lab, learner), draft_of(lab, learner)
    before = lab_allowance(learner=learner, lab=lab)

    request_final_render(learner=learner, draft=first)

    assert lab_allowance(learner=learner, lab=lab) == before
    assert final_allowance(learner=learner, lab=lab).left == 0
    with pytest.raises(SubmissionRefused) as refused:
        request_final_render(learner=learner, draft=second)
    assert "budget de rendus finals" in refused.value.message


def test_a_failed_final_does_not_use_the_budget_and_may_be_asked_again(lab, learner):
    draft = draft_of(lab, learner)
    failed = request_final_render(learner=learner, draft=draft)
    Submission.objects.filter(pk=failed.pk).update(state=Submission.State.FAILED)

    again = request_final_render(learner=learner, draft=draft)

    assert again != failed
    assert final_allowance(learner=learner, lab=lab).used == 1


def test_exhausted_draft_budgets_do_not_stop_a_final(lab, learner):
    lab.max_attempts = 1
    lab.budget_generations_per_learner = 1
    lab.save()
    draft = draft_of(lab, learner)

    assert request_final_render(learner=learner, draft=draft).tier == Submission.Tier.FINAL


def test_only_the_author_of_a_graded_draft_may_ask(lab, learner):
    other = UserFactory()
    queued = SubmissionFactory(lab=lab, learner=learner)

    assert "auteur" in final_render_refusal(learner=other, draft=draft_of(lab, learner))
    assert "essai noté" in final_render_refusal(learner=learner, draft=queued)


# --- the render itself --------------------------------------------------------------


@pytest.fixture
def final_settings(settings, signing):
    settings.VIDEO_BACKENDS = SETTINGS_WITH_FINAL_BACKEND
    return settings


def test_a_final_is_rendered_at_the_final_size_on_the_final_backend_then_marked_and_signed(
    lab, learner, final_settings, tmp_path
):
    draft = draft_of(lab, learner)
    final = request_final_render(learner=learner, draft=draft)

    run_grading(final.pk, str(final.task_token), workdir=tmp_path)

    final.refresh_from_db()
    assert final.state == Submission.State.GRADED
    assert final.result["backend"]["alias"] == "final" and final.result["backend"]["tier"] == "final"
    assert final.result["provenance"] == {"marked": True, "signed": True}
    with final.video.open("rb") as handle:
        data = handle.read()
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        assert (stream.width, stream.height) == lab.frame_size("final") == (1280, 720)
    with c2pa.Reader("video/mp4", io.BytesIO(data)) as reader:
        assert reader.get_validation_state() in ("Valid", "Trusted")
        assert '"tier": "final"' in reader.json()
    grade = grade_that_counts(learner=learner, lab=lab)
    assert grade.attempt == draft, "a final is never the grade that counts"


def test_a_draft_is_marked_and_signed_too(lab, learner, final_settings, tmp_path):
    draft = SubmissionFactory(lab=lab, learner=learner)

    run_grading(draft.pk, str(draft.task_token), workdir=tmp_path)

    draft.refresh_from_db()
    with draft.poster.open("rb") as handle:
        poster = handle.read()
    with c2pa.Reader("image/jpeg", io.BytesIO(poster)) as reader:
        assert reader.get_validation_state() in ("Valid", "Trusted")
        assert "trainedAlgorithmicMedia" in reader.json()


# --- pages ---------------------------------------------------------------------------


def test_the_attempt_page_offers_the_final_and_the_final_page_shows_it_beside_its_draft(
    client, lab, learner, django_assert_max_num_queries
):
    draft = attach_media(draft_of(lab, learner))
    client.force_login(learner)

    page = client.get(draft.get_absolute_url()).content.decode()
    assert "Demander le rendu final de cet essai" in page
    assert "Il vous reste 1 rendu final pour ce labo." in page

    response = client.post(reverse("labs:submission_final", args=[draft.pk]))
    final = Submission.objects.get(tier=Submission.Tier.FINAL)
    assert response["Location"] == final.get_absolute_url()
    attach_media(final)
    Submission.objects.filter(pk=final.pk).update(state=Submission.State.GRADED, score=82, passed=True, result={})

    with django_assert_max_num_queries(20):
        final_page = client.get(final.get_absolute_url()).content.decode()
    assert "Rendu final de l'essai n° 1" in final_page
    assert reverse("labs:submission_media", args=[draft.pk, "video"]) in final_page
    assert reverse("labs:submission_media", args=[final.pk, "video"]) in final_page
    assert reverse("labs:submission_download", args=[final.pk]) in final_page
    draft_page = client.get(draft.get_absolute_url()).content.decode()
    assert "Voir le rendu final de cet essai" in draft_page
    assert "Demander le rendu final" not in draft_page


def test_a_refused_request_says_why_on_the_attempt_page(client, lab, learner):
    draft = attach_media(draft_of(lab, learner, passed=False))
    client.force_login(learner)

    response = client.post(reverse("labs:submission_final", args=[draft.pk]), follow=True)

    assert "Le rendu final s&#x27;ouvre quand vous avez réussi ce labo." in response.content.decode()
    assert not Submission.objects.filter(tier=Submission.Tier.FINAL).exists()


def test_the_signed_file_downloads_for_its_learner_and_trainers_only(client, lab, learner):
    draft = attach_media(draft_of(lab, learner))
    url = reverse("labs:submission_download", args=[draft.pk])
    client.force_login(learner)

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{lab.slug}-essai-{draft.pk}.mp4"'
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    trainer = TrainerFactory()
    lab.course.owner = trainer
    lab.course.save()
    client.force_login(trainer)
    assert client.get(url).status_code == 200


def test_another_learner_cannot_ask_for_someone_elses_final(client, lab, learner):
    draft = draft_of(lab, learner)
    client.force_login(UserFactory())

    assert client.post(reverse("labs:submission_final", args=[draft.pk])).status_code == 404
