"""Dossier: checklist, uploads checked by content, private files, generated PDFs, filing to reimbursement."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding import selectors
from funding.models import DossierDocument, FundingStatusChange, Participant, RequiredDocument
from funding.services.attendance import attendance_save
from funding.services.dossier import document_update
from funding.services.filing import action_mark_filed
from funding.services.participants import participant_add
from funding.services.reimbursement import action_recompute_reimbursement
from tests.factories import AdminFactory, TrainerFactory
from tests.funding.factories import ParticipantFactory, TrainingActionFactory

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
Status = Participant.FundingStatus


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_checklist_has_action_and_per_participant_items():
    # given: the 6 default documents, 2 of them per participant (evaluation, attestation)
    action = TrainingActionFactory()
    ParticipantFactory.create_batch(2, action=action)
    RequiredDocument.objects.filter(code="manager-certificate").update(active=False)
    # when
    items = selectors.dossier_checklist(action)
    # then: 3 action-level + 2 × 2 participant-level, all missing
    assert len(items) == 3 + 4
    assert {item.status for item in items} == {"missing"}
    assert sum(1 for item in items if item.participant) == 4


def test_upload_a_pdf_makes_the_piece_prepared(admin_client, admin):
    action = TrainingActionFactory()
    invoice = RequiredDocument.objects.get(code="invoice")
    upload = SimpleUploadedFile("facture.pdf", PDF_BYTES, content_type="application/pdf")
    response = admin_client.post(
        reverse("funding:document_upload", args=[action.pk]),
        {"required_id": invoice.pk, "status": "missing", "file": upload},
    )
    assert response.status_code == 302
    document = DossierDocument.objects.get(action=action, required=invoice)
    assert document.status == "prepared"
    assert document.file.name.endswith(".pdf")
    assert selectors.dossier_progress(selectors.dossier_checklist(action))[0] == 1


def test_a_replaced_file_leaves_the_disk_once_the_change_is_committed(
    admin_client, admin, django_capture_on_commit_callbacks
):
    # given a piece with its file
    action = TrainingActionFactory()
    invoice = RequiredDocument.objects.get(code="invoice")
    upload = SimpleUploadedFile("facture.pdf", PDF_BYTES, content_type="application/pdf")
    first = document_update(action=action, required=invoice, upload=upload, by=admin).file
    old_name, storage = first.name, first.storage
    # when a new file replaces it on the dossier page
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(
            reverse("funding:document_upload", args=[action.pk]),
            {"required_id": invoice.pk, "status": "", "file": SimpleUploadedFile("v2.png", PNG_BYTES)},
        )
    assert response.status_code == 302
    # then the old file is still there until the change commits, and gone after
    assert storage.exists(old_name)
    for callback in callbacks:
        callback()
    assert not storage.exists(old_name)
    assert storage.exists(DossierDocument.objects.get(action=action, required=invoice).file.name)


def test_a_refused_replacement_keeps_the_old_file(admin, django_capture_on_commit_callbacks):
    action = TrainingActionFactory()
    invoice = RequiredDocument.objects.get(code="invoice")
    upload = SimpleUploadedFile("facture.pdf", PDF_BYTES, content_type="application/pdf")
    old = document_update(action=action, required=invoice, upload=upload, by=admin).file
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        document_update(action=action, required=invoice, upload=SimpleUploadedFile("x.pdf", b"<html>"), by=admin)
    assert old.storage.exists(old.name)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("facture.pdf", b"<html>not a pdf</html>", "PDF, JPEG et PNG"),  # the name lies: checked by content
        ("script.png", b"#!/bin/sh\necho", "PDF, JPEG et PNG"),
    ],
)
def test_upload_refuses_other_content(admin, name, content, message):
    action = TrainingActionFactory()
    with pytest.raises(ValidationError) as error:
        document_update(
            action=action,
            required=RequiredDocument.objects.get(code="invoice"),
            upload=SimpleUploadedFile(name, content),
            by=admin,
        )
    assert message in error.value.messages[0]
    assert not DossierDocument.objects.exists()


def test_upload_refuses_files_over_10_mb(admin):
    big = SimpleUploadedFile("scan.png", PNG_BYTES + b"\x00" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as error:
        document_update(
            action=TrainingActionFactory(), required=RequiredDocument.objects.get(code="invoice"), upload=big, by=admin
        )
    assert "10 Mo" in error.value.messages[0]


def test_document_file_is_served_to_admins_only(client, admin):
    action = TrainingActionFactory()
    document = document_update(
        action=action,
        required=RequiredDocument.objects.get(code="payment-proof"),
        upload=SimpleUploadedFile("v.png", PNG_BYTES),
        by=admin,
    )
    url = reverse("funding:document_file", args=[document.pk])
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(TrainerFactory())
    assert client.get(url).status_code == 403
    client.force_login(admin)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG_BYTES


def test_per_participant_document_needs_a_participant(admin):
    with pytest.raises(ValidationError):
        document_update(
            action=TrainingActionFactory(),
            required=RequiredDocument.objects.get(code="evaluation-sheets"),
            status="signed",
            by=admin,
        )


def test_generating_a_pdf_marks_the_piece_prepared(admin_client):
    participant = ParticipantFactory()
    action = participant.action
    # a GET only downloads
    admin_client.get(reverse("funding:pdf_attendance_sheet", args=[action.pk]))
    assert not DossierDocument.objects.exists()
    # the dossier's "generate" button (POST) also marks it
    response = admin_client.post(reverse("funding:pdf_attendance_sheet", args=[action.pk]))
    assert response["Content-Type"] == "application/pdf"
    admin_client.post(reverse("funding:pdf_evaluation_sheet", args=[participant.pk]))
    prepared = set(DossierDocument.objects.filter(status="prepared").values_list("required__code", "participant"))
    assert prepared == {("attendance-sheet", None), ("evaluation-sheets", participant.pk)}


def test_dossier_page_lists_the_checklist(admin_client):
    participant = ParticipantFactory()
    page = admin_client.get(reverse("funding:dossier", args=[participant.action_id])).content.decode()
    assert "Facture originale" in page
    assert participant.learner.get_full_name() in page
    assert reverse("funding:pdf_attestation", args=[participant.pk]) in page


def _attend_every_day(action, participants, by) -> None:
    marks = {(p.pk, day.date, half): True for p in participants for day in action.days.all() for half in ("am", "pm")}
    attendance_save(action=action, marks=marks, by=by)


def _every_piece(action, by, status: str = "prepared") -> None:
    for required in RequiredDocument.objects.filter(active=True):
        for participant in action.participants.all() if required.per_participant else [None]:
            document_update(action=action, required=required, participant=participant, status=status, by=by)


def test_follow_the_dossier_to_reimbursed(admin_client, admin):
    # given: two eligible participants who attended and one not eligible; every piece prepared, the invoice signed
    action = TrainingActionFactory()
    eligible = ParticipantFactory.create_batch(2, action=action)
    excluded = ParticipantFactory(action=action, funding_status=Status.NOT_ELIGIBLE)
    _attend_every_day(action, eligible, admin)
    action_recompute_reimbursement(action=action)
    _every_piece(action, admin)
    document_update(action=action, required=RequiredDocument.objects.get(code="invoice"), status="signed", by=admin)
    # when: filed
    response = admin_client.post(reverse("funding:action_mark_filed", args=[action.pk]), {"filed_on": "2026-04-15"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.filed_on == datetime.date(2026, 4, 15)
    assert set(
        Participant.objects.filter(pk__in=[p.pk for p in eligible]).values_list("funding_status", flat=True)
    ) == {Status.FILED}
    assert DossierDocument.objects.get(required__code="invoice").status == "filed"
    # when: reimbursed
    response = admin_client.post(
        reverse("funding:action_mark_reimbursed", args=[action.pk]),
        {"reimbursed_on": "2026-07-01", "amount": "13500.00"},
    )
    assert response.status_code == 302
    # then
    action.refresh_from_db()
    assert (action.reimbursed_on, action.received_reimbursement) == (datetime.date(2026, 7, 1), Decimal("13500.00"))
    assert set(
        Participant.objects.filter(pk__in=[p.pk for p in eligible]).values_list("funding_status", flat=True)
    ) == {Status.REIMBURSED}
    excluded.refresh_from_db()
    assert excluded.funding_status == Status.NOT_ELIGIBLE
    reasons = list(FundingStatusChange.objects.filter(participant=eligible[0]).values_list("to_status", flat=True))
    assert reasons == [Status.FILED, Status.REIMBURSED]  # factory rows start without history


def test_expected_amount_is_frozen_once_filed(admin):
    action = TrainingActionFactory()
    _attend_every_day(action, [ParticipantFactory(action=action)], admin)
    action_recompute_reimbursement(action=action)
    _every_piece(action, admin)
    action_mark_filed(action=action, filed_on=datetime.date(2026, 4, 1), by=admin)
    action.refresh_from_db()
    frozen = action.expected_reimbursement
    participant_add(action=action, learner=TrainerFactory(), cin="AB1234", by=admin)
    action.refresh_from_db()
    assert action.expected_reimbursement == frozen


def test_reimbursement_before_filing_is_refused(admin_client):
    action = TrainingActionFactory()
    response = admin_client.post(
        reverse("funding:action_mark_reimbursed", args=[action.pk]),
        {"reimbursed_on": "2026-07-01", "amount": "100"},
        follow=True,
    )
    assert "abord le dossier : un remboursement suit un dépôt" in response.content.decode()
    action.refresh_from_db()
    assert action.reimbursed_on is None


def test_filing_in_the_future_is_refused(admin):
    action = TrainingActionFactory()
    with pytest.raises(ValidationError):
        action_mark_filed(action=action, filed_on=datetime.date.today() + datetime.timedelta(days=3), by=admin)
