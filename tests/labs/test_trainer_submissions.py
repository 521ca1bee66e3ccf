"""The trainer's review of a lab's attempts: the filtered list, one attempt, overrides, regrades."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from labs.models import RegradeRun, Submission
from labs.tasks import regrade_lab
from tests.factories import CourseFactory, UserFactory
from tests.labs.factories import (
    CriterionFactory,
    LabFactory,
    SubmissionFactory,
    attach_media,
    criterion_item,
    graded_result,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return LabFactory(pass_mark=60)


@pytest.fixture
def trainer(lab):
    return lab.course.owner


@pytest.fixture
def trainer_client(client, trainer):
    client.force_login(trainer)
    return client


def list_url(lab) -> str:
    return reverse("labs:trainer_submissions", args=[lab.slug])


def listed(response) -> list[Submission]:
    return list(response.context["page"].object_list)


# --- the list ---------------------------------------------------------------------------------


def test_list_numbers_each_learners_attempts_in_order(trainer_client, lab):
    ada, bob = UserFactory(), UserFactory()
    first = SubmissionFactory(lab=lab, learner=ada, graded=True)
    SubmissionFactory(lab=lab, learner=bob, graded=True)
    second = SubmissionFactory(lab=lab, learner=ada, failed=True)

    response = trainer_client.get(list_url(lab), {"q": ada.email})

    assert [(s.pk, s.attempt_number) for s in listed(response)] == [(second.pk, 2), (first.pk, 1)]


def test_list_shows_the_override_next_to_the_graders_score(trainer_client, lab):
    SubmissionFactory(lab=lab, graded=True, score=40, passed=False, override_score=75, override_comment="Bien vu")

    html = trainer_client.get(list_url(lab)).content.decode()

    assert '<s class="muted">40</s> <strong>75</strong>' in html
    assert "corrigée" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "failed"}, ["failed"]),
        ({"outcome": "passed"}, ["passed", "overridden-up"]),
        ({"outcome": "failed"}, ["low", "blocked"]),
    ],
)
def test_filters_by_state_and_outcome_counting_overrides(trainer_client, lab, params, expected):
    SubmissionFactory(lab=lab, graded=True, score=80, passed=True, prompt="passed")
    SubmissionFactory(lab=lab, graded=True, score=30, passed=False, prompt="low")
    SubmissionFactory(lab=lab, graded=True, score=30, passed=False, override_score=70, prompt="overridden-up")
    SubmissionFactory(lab=lab, state=Submission.State.BLOCKED, score=0, prompt="blocked")
    SubmissionFactory(lab=lab, failed=True, prompt="failed")

    response = trainer_client.get(list_url(lab), params)

    assert sorted(s.prompt for s in listed(response)) == sorted(expected)


def test_learner_search_matches_name_or_email(trainer_client, lab):
    SubmissionFactory(lab=lab, learner=UserFactory(first_name="Yasmine", last_name="Alaoui"))
    SubmissionFactory(lab=lab, learner=UserFactory(email="karim@entreprise.ma"))
    SubmissionFactory(lab=lab)

    by_name = listed(trainer_client.get(list_url(lab), {"q": "alaoui"}))
    by_email = listed(trainer_client.get(list_url(lab), {"q": "entreprise.ma"}))

    assert [s.learner.last_name for s in by_name] == ["Alaoui"]
    assert [s.learner.email for s in by_email] == ["karim@entreprise.ma"]


def test_date_range_keeps_attempts_made_between_the_two_days(trainer_client, lab):
    today = timezone.localdate()
    old = SubmissionFactory(lab=lab)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    recent = SubmissionFactory(lab=lab)

    response = trainer_client.get(list_url(lab), {"date_from": str(today - timedelta(days=2)), "date_to": str(today)})

    assert listed(response) == [recent]


def test_reversed_date_range_is_reported_in_place(trainer_client, lab):
    SubmissionFactory(lab=lab)

    response = trainer_client.get(list_url(lab), {"date_from": "2026-05-10", "date_to": "2026-05-01"})

    assert "date_to" in response.context["form"].errors
    assert len(listed(response)) == 1  # an invalid filter filters nothing


def test_htmx_filter_returns_only_the_results(trainer_client, lab):
    SubmissionFactory(lab=lab)

    response = trainer_client.get(list_url(lab), {"state": "queued"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="submission-results"')
    assert "1 tentative" in html


def test_list_is_paginated(trainer_client, lab):
    SubmissionFactory.create_batch(26, lab=lab)

    page_two = trainer_client.get(list_url(lab), {"page": "2"})

    assert len(listed(page_two)) == 1


@pytest.mark.parametrize("count", [5, 50])
def test_list_costs_a_constant_number_of_queries(trainer_client, lab, count, django_assert_max_num_queries):
    learners = UserFactory.create_batch(5)
    for i in range(count):
        SubmissionFactory(
            lab=lab, learner=learners[i % 5], graded=True, override_score=50, override_by=lab.course.owner
        )
    RegradeRun.objects.create(lab=lab, total=3, done=3, state=RegradeRun.State.DONE, finished_at=timezone.now())

    with django_assert_max_num_queries(8):
        response = trainer_client.get(list_url(lab))

    assert response.status_code == 200


# --- one attempt --------------------------------------------------------------------------------


def test_attempt_page_shows_every_criterion_including_hidden_ones(trainer_client, lab):
    visible = CriterionFactory(lab=lab, element="subject", label="Sujet")
    hidden = CriterionFactory(lab=lab, element="audio", label="Son secret", hidden=True)
    result = graded_result(
        score=50, passed=False, items=[criterion_item(visible, score=1), criterion_item(hidden, score=0)]
    )
    result["metrics"] = {"dynamic_degree": 0.42, "scene_cuts": 0}
    submission = SubmissionFactory(lab=lab, graded=True, result=result, generation_seconds=1.24)

    html = trainer_client.get(reverse("labs:trainer_submission", args=[submission.pk])).content.decode()

    assert "Son secret" in html and "caché à l'apprenant" in html
    assert "Part des paires en mouvement" in html and "42\u00a0%" in html
    assert "1,2 s" in html


def test_attempt_page_links_to_the_previous_and_next_attempts_of_the_lab(trainer_client, lab):
    older, middle, newer = (SubmissionFactory(lab=lab) for _ in range(3))
    SubmissionFactory()  # another lab's attempt is not a neighbour

    response = trainer_client.get(reverse("labs:trainer_submission", args=[middle.pk]))

    assert (response.context["previous"], response.context["following"]) == (older, newer)


def test_attempt_media_is_served_to_its_trainer_with_ranges(trainer_client, lab):
    submission = attach_media(SubmissionFactory(lab=lab, graded=True))

    response = trainer_client.get(
        reverse("labs:trainer_submission_media", args=[submission.pk, "video"]), HTTP_RANGE="bytes=0-99"
    )

    assert response.status_code == 206
    assert response["Accept-Ranges"] == "bytes"
    assert len(b"".join(response.streaming_content)) == 100


def test_attempt_media_is_hidden_from_another_trainer(client, lab):
    submission = attach_media(SubmissionFactory(lab=lab, graded=True))
    client.force_login(CourseFactory().owner)

    assert client.get(reverse("labs:trainer_submission_media", args=[submission.pk, "video"])).status_code == 404


# --- overrides -------------------------------------------------------------------------------------


def override_url(submission) -> str:
    return reverse("labs:trainer_submission_override", args=[submission.pk])


def test_override_is_saved_with_its_author_and_shown_on_the_page(trainer_client, trainer, lab):
    submission = SubmissionFactory(lab=lab, graded=True, score=45, passed=False)

    response = trainer_client.post(
        override_url(submission), {"score": "72", "comment": "Le cadrage est juste."}, follow=True
    )

    submission.refresh_from_db()
    assert (submission.override_score, submission.override_by, submission.final_passed) == (72, trainer, True)
    html = response.content.decode()
    assert "Note corrigée à 72 (au lieu de 45)" in html
    assert "Le cadrage est juste." in html


@pytest.mark.parametrize(
    ("data", "field"),
    [({"score": "72", "comment": "  "}, "comment"), ({"score": "101", "comment": "Trop"}, "score")],
)
def test_invalid_override_is_refused_in_place(trainer_client, lab, data, field):
    submission = SubmissionFactory(lab=lab, graded=True)

    response = trainer_client.post(override_url(submission), data)

    submission.refresh_from_db()
    assert response.status_code == 400
    assert field in response.context["override_form"].errors
    assert submission.override_score is None


def test_override_of_an_attempt_that_was_not_graded_is_refused(trainer_client, lab):
    submission = SubmissionFactory(lab=lab, failed=True)

    response = trainer_client.post(override_url(submission), {"score": "50", "comment": "Essai"})

    assert response.status_code == 400
    assert "Seule une tentative notée" in str(response.context["override_form"].non_field_errors())


# --- regrades ------------------------------------------------------------------------------------


def test_regrade_button_starts_a_run_and_the_page_polls_its_progress(
    trainer_client, lab, django_capture_on_commit_callbacks
):
    SubmissionFactory(lab=lab, graded=True)

    with django_capture_on_commit_callbacks(execute=False):
        response = trainer_client.post(reverse("labs:trainer_regrade", args=[lab.slug]), follow=True)

    run = RegradeRun.objects.get(lab=lab)
    html = response.content.decode()
    assert run.state == RegradeRun.State.RUNNING and run.total == 1
    assert '<progress id="regrade-progress" max="1" value="0">' in html
    assert 'hx-trigger="every 2s"' in html
    assert "Actualiser" in html


def test_finished_regrade_reports_changed_scores_and_stops_polling(
    trainer_client, lab, django_capture_on_commit_callbacks, monkeypatch
):
    # given two graded attempts scored with a rubric that has since changed
    monkeypatch.setattr("labs.tasks.REGRADE_PAUSE_S", 0)
    criterion = CriterionFactory(lab=lab, element="subject", weight=10)
    for prompt in ("Un flacon de parfum ambré en verre.", "Lumière douce, plan fixe."):
        SubmissionFactory(
            lab=lab,
            graded=True,
            prompt=prompt,
            score=0,
            passed=False,
            result=graded_result(score=0, passed=False, items=[criterion_item(criterion, score=0)]),
        )
    with django_capture_on_commit_callbacks(execute=False):
        run = trainer_client.post(reverse("labs:trainer_regrade", args=[lab.slug])) and RegradeRun.objects.get(lab=lab)

    # when the background task runs
    regrade_lab(run.pk)

    # then the status partial says how many scores changed, without polling again
    html = trainer_client.get(
        reverse("labs:trainer_regrade_status", args=[lab.slug]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "1 note modifiée sur 2" in html
    assert "every 2s" not in html


def test_learner_sees_the_override_on_their_attempt_page(trainer_client, client, lab):
    # given a trainer's override of a learner's attempt
    submission = SubmissionFactory(lab=lab, graded=True, score=45, passed=False)
    trainer_client.post(override_url(submission), {"score": "72", "comment": "Le cadrage est juste."})

    # when the learner opens the attempt
    client.force_login(submission.learner)
    html = client.get(reverse("labs:submission", args=[submission.pk])).content.decode()

    # then the new score and the comment are there
    assert "Le cadrage est juste." in html
    assert "72" in html
