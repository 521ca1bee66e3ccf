"""The attempt page: polling until a terminal state, what each state tells the learner, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from labs.models import LabDraft, Submission
from tests.factories import EnrolmentFactory, ModuleFactory, StepFactory, TrainerFactory, UserFactory
from tests.labs.factories import CriterionFactory, LabFactory, SubmissionFactory, graded_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return LabFactory()


@pytest.fixture
def learner(lab):
    user = UserFactory()
    EnrolmentFactory(user=user, course=lab.course)
    return user


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


def page(submission) -> str:
    return reverse("labs:submission", args=[submission.pk])


def graded_with_hidden(lab, learner, *, passed: bool) -> Submission:
    visible = CriterionFactory(lab=lab, element="subject", label="Sujet détaillé", weight=10)
    hidden = CriterionFactory(lab=lab, kind="must_mention", element="", label="Mention secrète", weight=10, hidden=True)
    prompt = "Gros plan sur un flacon de parfum ambré."
    items = [
        {
            "key": f"anatomy-{visible.pk}",
            "kind": "anatomy",
            "label": "Sujet détaillé",
            "weight": 10,
            "score": 1.0,
            "feedback": "Trouvé : « flacon de parfum ».",
            "evidence": "",
            "spans": [[17, 33]],
            "hint": "",
            "hidden": False,
        },
        {
            "key": f"must_mention-{hidden.pk}",
            "kind": "must_mention",
            "label": "Mention secrète",
            "weight": 10,
            "score": 0.0,
            "feedback": "Indice secret : parlez du logo.",
            "evidence": "",
            "spans": [],
            "hint": "",
            "hidden": True,
        },
    ]
    score = 100 if passed else 50
    return SubmissionFactory(
        lab=lab,
        learner=learner,
        graded=True,
        prompt=prompt,
        score=score,
        passed=passed,
        result=graded_result(score=score, passed=passed, items=items, next_steps=["Ajoutez une lumière précise."]),
    )


# --- polling -----------------------------------------------------------------------------


def test_in_flight_attempt_polls_its_status_partial(learner_client, learner, lab):
    submission = SubmissionFactory(lab=lab, learner=learner, state=Submission.State.GENERATING, progress=40)

    response = learner_client.get(page(submission), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert 'hx-trigger="every 2s"' in html and 'hx-swap="outerHTML"' in html
    assert '<progress max="100" value="40"' in html
    assert "Actualiser" in html


def test_polling_slows_down_after_a_minute(learner_client, learner, lab):
    submission = SubmissionFactory(lab=lab, learner=learner, state=Submission.State.GENERATING)
    Submission.objects.filter(pk=submission.pk).update(created_at=timezone.now() - timedelta(seconds=90))

    html = learner_client.get(page(submission), HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-trigger="every 5s"' in html


def test_polling_stops_once_the_attempt_is_terminal(learner_client, learner, lab):
    # given an attempt that was polled while in flight, then graded
    submission = SubmissionFactory(lab=lab, learner=learner, state=Submission.State.ANALYSING)
    assert "hx-trigger" in learner_client.get(page(submission), HTTP_HX_REQUEST="true").content.decode()
    Submission.objects.filter(pk=submission.pk).update(
        state=Submission.State.GRADED, score=80, passed=True, result=graded_result(score=80, passed=True, items=[])
    )

    html = learner_client.get(page(submission), HTTP_HX_REQUEST="true").content.decode()

    assert "hx-trigger" not in html and "hx-get" not in html
    assert "80</strong>" in html


def test_long_queue_is_said_honestly(learner_client, learner, lab):
    submission = SubmissionFactory(lab=lab, learner=learner, state=Submission.State.QUEUED)
    Submission.objects.filter(pk=submission.pk).update(created_at=timezone.now() - timedelta(seconds=45))

    html = learner_client.get(page(submission)).content.decode()

    assert "La file d'attente est chargée" in html


# --- graded --------------------------------------------------------------------------


def test_graded_page_shows_video_score_criteria_and_next_steps(learner_client, learner, lab):
    submission = graded_with_hidden(lab, learner, passed=False)
    submission.video.name, submission.poster.name = "submissions/videos/x.mp4", "submissions/posters/x.jpg"
    submission.save()

    html = learner_client.get(page(submission)).content.decode()

    assert f'src="{reverse("labs:submission_media", args=[submission.pk, "video"])}"' in html
    assert 'poster="' in html and "playsinline" in html
    assert "50</strong>" in html and "Pas encore réussi" in html
    assert "Sujet détaillé" in html and "Trouvé : « flacon de parfum »." in html
    assert '<mark class="el el-subject" title="Sujet détaillé">flacon de parfum</mark>' in html
    assert "Ajoutez une lumière précise." in html


def test_hidden_criterion_stays_secret_until_the_lab_is_passed(learner_client, learner, lab):
    submission = graded_with_hidden(lab, learner, passed=False)

    html = learner_client.get(page(submission)).content.decode()

    assert "Critère caché" in html
    assert "Mention secrète" not in html and "Indice secret" not in html
    assert "prompt de référence" not in html


def test_hidden_criterion_and_reference_prompt_are_revealed_once_passed(learner_client, learner, lab):
    submission = graded_with_hidden(lab, learner, passed=True)

    html = learner_client.get(page(submission)).content.decode()

    assert "Mention secrète" in html and "Indice secret" in html
    assert "Voir le prompt de référence" in html


def test_trainer_override_is_shown_with_who_and_why(learner_client, learner, lab):
    trainer = lab.course.owner
    submission = SubmissionFactory(
        lab=lab,
        learner=learner,
        graded=True,
        score=50,
        passed=False,
        result=graded_result(score=50, passed=False, items=[]),
        override_score=75,
        override_comment="Le mouvement est bien décrit.",
        override_by=trainer,
        override_at=timezone.now(),
    )

    html = learner_client.get(page(submission)).content.decode()

    assert "Note corrigée : 75/100 (note automatique : 50/100)" in html
    assert trainer.get_full_name() in html
    assert "Le mouvement est bien décrit." in html


# --- blocked ---------------------------------------------------------------------------


def test_blocked_page_names_the_rule_quotes_the_words_and_links_the_labs_ethics_lesson(learner_client, learner, lab):
    # given a lab linked to the ethics lesson its trainer chose (not the one whose title says « deepfakes »)
    module = ModuleFactory(course=lab.course, title="Éthique")
    ethics = StepFactory(module=module, title="Les règles du jeu")
    StepFactory(module=module, title="Deepfakes et consentement")
    lab.ethics_step = ethics
    lab.save()
    prompt = "Emmanuel Macron danse dans la rue."
    policy = {
        "allowed": False,
        "moderation_categories": [],
        "findings": [
            {
                "rule": None,
                "category": "real_person",
                "term": "macron",
                "start": 0,
                "end": 15,
                "text": "Emmanuel Macron",
                "explanation": "On ne génère pas l'image d'une personne réelle sans son accord.",
            },
        ],
    }
    submission = SubmissionFactory(
        lab=lab,
        learner=learner,
        prompt=prompt,
        state=Submission.State.BLOCKED,
        counts_as_attempt=True,
        score=0,
        result={"version": 1, "score": 0, "criteria": [], "policy": policy},
    )

    html = learner_client.get(page(submission)).content.decode()

    assert "Personne réelle identifiable" in html
    assert "Emmanuel Macron</q>" in html
    assert "sans son accord" in html
    assert f'href="{ethics.get_absolute_url()}"' in html
    assert "compte comme une tentative" in html


def test_blocked_page_of_a_lab_without_an_ethics_lesson_links_the_course_programme(learner_client, learner, lab):
    # given lessons whose titles speak of ethics, but no lesson chosen for the lab: nothing is guessed from titles
    module = ModuleFactory(course=lab.course, title="Module 3 — Ethique et usages")
    lesson = StepFactory(module=module, position=0, title="Deepfakes et consentement")
    submission = SubmissionFactory(
        lab=lab,
        learner=learner,
        state=Submission.State.BLOCKED,
        result={"policy": {"allowed": False, "findings": [], "moderation_categories": ["violence"]}},
    )

    html = learner_client.get(page(submission)).content.decode()

    assert f'href="{lab.course.get_absolute_url()}#programme"' in html
    assert f'href="{lesson.get_absolute_url()}"' not in html
    assert "Violence graphique" in html


# --- failed ----------------------------------------------------------------------------------


def test_failed_page_says_it_was_our_fault_and_does_not_count(learner_client, learner, lab):
    submission = SubmissionFactory(lab=lab, learner=learner, failed=True)

    html = learner_client.get(page(submission)).content.decode()

    assert "de notre côté" in html
    assert "ne compte pas comme une tentative" in html
    assert "Le moteur vidéo a refusé la connexion." in html
    assert "Relancer avec le même prompt" in html


def test_retry_puts_the_prompt_back_in_the_editor(learner_client, learner, lab):
    submission = SubmissionFactory(lab=lab, learner=learner, failed=True, prompt="Le prompt d'avant l'échec.")

    response = learner_client.post(reverse("labs:submission_retry", args=[submission.pk]))

    assert response["Location"] == f"{lab.get_absolute_url()}#editor"
    assert LabDraft.objects.get(lab=lab, learner=learner).prompt == "Le prompt d'avant l'échec."
    assert "Le prompt d&#x27;avant l&#x27;échec." in learner_client.get(lab.get_absolute_url()).content.decode()


def test_failed_attempt_does_not_use_up_the_last_attempt(
    learner_client, learner, lab, django_capture_on_commit_callbacks
):
    # given one attempt allowed and a failed one already
    lab.max_attempts = 1
    lab.save()
    SubmissionFactory(lab=lab, learner=learner, failed=True)

    with django_capture_on_commit_callbacks(execute=False):
        response = learner_client.post(
            reverse("labs:submit", args=[lab.slug]),
            {"prompt": "Un flacon de parfum sur une table.", "client_token": "f" * 32},
        )

    assert response.status_code == 302
    assert Submission.objects.filter(lab=lab, learner=learner).count() == 2


# --- who may see an attempt -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["labs:submission", "labs:submission_retry"])
def test_another_learner_gets_404_for_an_attempt(client, lab, name):
    submission = SubmissionFactory(lab=lab, failed=True)
    intruder = UserFactory()
    EnrolmentFactory(user=intruder, course=lab.course)
    client.force_login(intruder)

    response = (
        client.get(page(submission)) if name == "labs:submission" else client.post(reverse(name, args=[submission.pk]))
    )

    assert response.status_code == 404


def test_trainer_of_the_course_sees_a_learners_attempt(client, lab):
    submission = SubmissionFactory(lab=lab, graded=True, result=graded_result(score=80, passed=True, items=[]))
    client.force_login(lab.course.owner)

    response = client.get(page(submission))

    assert response.status_code == 200
    assert "vue formateur" in response.content.decode()


def test_trainer_of_another_course_gets_404(client, lab):
    submission = SubmissionFactory(lab=lab, graded=True)
    client.force_login(TrainerFactory())

    assert client.get(page(submission)).status_code == 404
