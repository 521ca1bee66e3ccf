"""Personal data: a learner downloads it and asks for erasure; CIN and CNSS numbers never leak.

Decisions tested here (see academy.personal_data, funding.personal_data):
- erasure deletes learning data (attempts with their files, drafts, progress,
  quiz attempts, time on pages, enrolments) and certificates (their public
  verification page would keep showing the name);
- funding records stay (legal retention) and the account row is anonymised;
- trainers and admins close their accounts through an administrator.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter

from academy.logging import PersonalDataFilter
from courses.models import Certificate, DailyActivity, Enrolment, QuizAttempt, StepProgress
from funding.models import Participant
from funding.services import participants as participant_services
from funding.views.actions import participant_edit
from labs.models import LabDraft, Submission
from tests.security.conftest import KNOWN_CIN, KNOWN_CNSS, PASSWORD, World

# --- download my data ----------------------------------------------------------------------


def _export(world: World, role: str = "learner") -> dict:
    response = world.client(role).get(reverse("my_data"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    return json.loads(response.content)


def test_export_holds_the_learners_account_and_learning_records(world: World):
    data = _export(world)
    assert data["account"]["email"] == "l1@example.com"
    assert [e["course_slug"] for e in data["courses"]["enrolments"]] == [world.course.slug]
    assert data["courses"]["progress"] and data["courses"]["daily_activity"]
    assert data["courses"]["quiz_attempts"][0]["score"] == 100
    assert data["courses"]["quiz_attempts"][0]["answers"][0]["question"] == world.question.text
    assert data["courses"]["certificates"][0]["code"] == world.certificate.code


def test_export_holds_the_learners_attempts_with_scores_and_feedback(world: World):
    Submission.objects.filter(pk=world.submission.pk).update(override_comment="Bel effort", override_by=world.trainer)
    submissions = _export(world)["labs"]["submissions"]
    assert [s["prompt"] for s in submissions] == [world.submission.prompt]
    assert submissions[0]["score"] == 80
    assert submissions[0]["criteria"][0]["feedback"] == "Sujet clair."
    assert submissions[0]["trainer_comment"] == "Bel effort"
    assert _export(world)["labs"]["drafts"][0]["prompt"] == "Brouillon de Leila"


def test_export_holds_nobody_elses_data(world: World):
    Submission.objects.filter(pk=world.submission.pk).update(override_by=world.trainer)
    body = world.client("learner").get(reverse("my_data")).content.decode()
    assert world.other_submission.prompt not in body
    assert world.other_learner.email not in body
    assert world.trainer.email not in body and "Tarik" not in body


def test_export_keeps_hidden_criteria_hidden_until_the_lab_is_passed(world: World):
    world.criterion.hidden = True
    world.criterion.save()
    Submission.objects.filter(pk=world.submission.pk).update(passed=False, score=10)
    criteria = _export(world)["labs"]["submissions"][0]["criteria"]
    assert criteria == [{"label": None, "hidden": True}]


def test_export_shows_funding_participation_with_masked_identifiers(world: World):
    data = _export(world)
    participation = data["funding"]["participations"][0]
    assert participation["company"] == "Atlas Média SARL"
    assert participation["cin"] == "••••••21"
    body = json.dumps(data)
    assert KNOWN_CIN not in body and KNOWN_CNSS not in body


def test_profile_links_to_the_download_and_the_deletion(world: World):
    html = world.client("learner").get(reverse("profile")).content.decode()
    assert reverse("my_data") in html and reverse("account_delete") in html


# --- ask for deletion --------------------------------------------------------------------------


def test_wrong_password_erases_nothing(world: World):
    response = world.client("learner").post(reverse("account_delete"), {"password": "pas-le-bon"})
    assert response.status_code == 400
    assert "Mot de passe incorrect" in response.content.decode()
    world.learner.refresh_from_db()
    assert world.learner.is_active and Submission.objects.filter(learner=world.learner).exists()


@pytest.fixture
def erased(world: World, django_capture_on_commit_callbacks, caplog):
    """The learner confirms the deletion with their password (file deletions run as on commit)."""
    media = [world.submission.video.name, world.submission.poster.name, world.submission.contact_sheet.name]
    client = world.client("learner")
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_delete"), {"password": PASSWORD})
    deletion_log = "\n".join(r.getMessage() for r in caplog.records if r.name == "academy.personal_data")
    return {"response": response, "client": client, "media": media, "log": deletion_log}


def test_deletion_anonymises_the_account_and_signs_out(world: World, erased):
    assert erased["response"].status_code == 302
    user = get_user_model().objects.get(pk=world.learner.pk)
    assert user.email == f"deleted-{user.pk}@invalid"
    assert (user.first_name, user.last_name, user.organisation_id) == ("Compte supprimé", "", None)
    assert not user.is_active and not user.has_usable_password()
    assert "_auth_user_id" not in erased["client"].session


def test_deletion_removes_learning_data_and_files(world: World, erased):
    learner = world.learner
    for model, field in [
        (Submission, "learner"),
        (LabDraft, "learner"),
        (StepProgress, "user"),
        (QuizAttempt, "user"),
        (DailyActivity, "user"),
        (Enrolment, "user"),
        (Certificate, "user"),
    ]:
        assert not model.objects.filter(**{field: learner}).exists(), model.__name__
    assert not any(default_storage.exists(name) for name in erased["media"])


def test_deletion_keeps_other_learners_data(world: World, erased):
    assert Submission.objects.filter(pk=world.other_submission.pk).exists()


def test_deletion_keeps_the_funding_dossier(world: World, erased):
    participant = Participant.objects.get(pk=world.participant.pk)
    assert (participant.cin, participant.cnss_number) == (KNOWN_CIN, KNOWN_CNSS)
    assert participant.learner.first_name == "Compte supprimé"


def test_erased_certificate_no_longer_publishes_the_name(world: World, erased):
    response = Client().get(reverse("courses:certificate_verify", args=[world.certificate.code]))
    assert response.status_code == 404
    assert "Leila" not in response.content.decode()


def test_erased_account_cannot_sign_in(world: World, erased):
    response = Client().post(reverse("login"), {"username": "l1@example.com", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_deletion_log_holds_no_personal_data(world: World, erased):
    assert f"account erased user_id={world.learner.pk}" in erased["log"]
    assert "l1@example.com" not in erased["log"] and "Leila" not in erased["log"]


def test_trainers_cannot_erase_themselves(world: World):
    response = world.client("trainer").post(reverse("account_delete"), {"password": PASSWORD})
    assert response.status_code == 403
    world.trainer.refresh_from_db()
    assert world.trainer.is_active and world.trainer.email == "t1@example.com"


# --- CIN and CNSS never in logs or error pages -------------------------------------------------------


@pytest.fixture
def console_log(settings):
    """What the configured console handler (with its PersonalDataFilter) writes, captured."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert handlers, "the LOGGING config has no handler with PersonalDataFilter"
    stream = io.StringIO()
    previous = [h.setStream(stream) for h in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def _assert_no_identifiers(*texts: str) -> None:
    for text in texts:
        assert KNOWN_CIN not in text and KNOWN_CNSS not in text


def test_identifiers_stay_out_of_logs_when_saving_and_failing_validation(world: World, caplog, console_log):
    caplog.set_level(logging.DEBUG)
    client = world.client("admin")
    url = reverse("funding:participant_edit", args=[world.participant.pk])
    # a valid save, then a form error (bad CNSS) with the CIN in the same POST
    client.post(url, {"cin": KNOWN_CIN, "cnss_number": KNOWN_CNSS, "category": "cadre"})
    response = client.post(url, {"cin": KNOWN_CIN, "cnss_number": "12", "category": "cadre"})
    assert response.status_code == 400
    _assert_no_identifiers(caplog.text, console_log.getvalue())


def test_identifiers_stay_out_of_the_500_page_and_the_error_log(world: World, monkeypatch, caplog, console_log):
    # given a view that fails while the CIN and CNSS are in the POST (and in the exception's message)
    def explode(**kwargs):
        raise RuntimeError(f"database unavailable while saving {kwargs['cin']} / {kwargs['cnss_number']}")

    monkeypatch.setattr(participant_services, "participant_update", explode)
    client = world.client("admin", raise_request_exception=False)
    caplog.set_level(logging.DEBUG)
    response = client.post(
        reverse("funding:participant_edit", args=[world.participant.pk]),
        {"cin": KNOWN_CIN, "cnss_number": KNOWN_CNSS, "category": "cadre"},
    )
    # then the visitor gets the plain 500 page, and the log written by the console handler is masked
    assert response.status_code == 500
    _assert_no_identifiers(response.content.decode(), console_log.getvalue())
    assert "Internal Server Error" in console_log.getvalue()


ERROR_REPORT_FILTER = "academy.error_reports.PersonalDataExceptionReporterFilter"


def test_error_report_hides_identifiers_in_the_post_and_in_frame_variables(world: World, rf, monkeypatch, settings):
    # given the site's error report filter (DEFAULT_EXCEPTION_REPORTER_FILTER)
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = ERROR_REPORT_FILTER

    # and a failure deep in the save, while the identifiers are local variables of the service
    def fail_save(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Participant, "save", fail_save)
    request = rf.post(
        "/financement/participants/1/", {"cin": KNOWN_CIN, "cnss_number": KNOWN_CNSS, "category": "cadre"}
    )
    request.user = world.admin
    with pytest.raises(RuntimeError) as failure:
        participant_edit(request, pk=world.participant.pk)
    # when the report an error e-mail (or an error tracker) would send is built
    reporter = ExceptionReporter(request, failure.type, failure.value, failure.tb, is_email=True)
    report = reporter.get_traceback_text() + reporter.get_traceback_html()
    # then the fields and variables are listed with their values hidden
    assert "participant_update" in report and "cnss_number" in report
    _assert_no_identifiers(report)


# --- community: what the learner shared and wrote ---------------------------------------------


def test_export_holds_the_learners_community_data_without_reviewers_names(world: World):
    from community.services.discussion import post_create

    post_create(author=world.peer, step=world.lesson_step, body="Réponse de Paul", parent=world.own_post)
    data = _export(world)["community"]
    assert [s["attempt_prompt"] for s in data["shared_attempts"]] == [world.submission.prompt]
    assert [r["suggestion"] for r in data["reviews_received"]] == ["Zoom."]
    assert [p["body"] for p in data["discussion_posts"]] == ["Une question de Leila"]
    assert [r["reason"] for r in data["reports_made"]] == ["spam"]
    body = json.dumps(data)
    assert "Paul" not in body and "p1@example.com" not in body


def test_deletion_removes_what_the_learner_shared_and_wrote(world: World, django_capture_on_commit_callbacks):
    from community.models import GalleryItem, Post, PostReport, Review, ReviewAssignment
    from community.services.discussion import post_create

    reply = post_create(author=world.peer, step=world.lesson_step, body="Réponse de Paul", parent=world.own_post)
    with django_capture_on_commit_callbacks(execute=True):
        world.client("learner").post(reverse("account_delete"), {"password": PASSWORD})
    learner = world.learner
    assert not GalleryItem.objects.filter(author=learner).exists()
    assert not Review.objects.filter(reviewer=learner).exists()
    assert not ReviewAssignment.objects.filter(reviewer=learner).exists()
    assert not PostReport.objects.filter(reporter=learner).exists()
    # the message Paul replied to stays as a placeholder, without its text; Paul's reply stays
    placeholder = Post.objects.get(pk=world.own_post.pk)
    assert (placeholder.body, placeholder.deleted_at is not None) == ("", True)
    assert Post.objects.filter(pk=reply.pk).exists()
    # and the peer's own shared attempt and review are untouched
    assert GalleryItem.objects.filter(pk=world.peer_item.pk).exists()
